import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CountEProcess, gridMixture, type Mixture, splitMle } from "../../src/analysis/eprocess/count.ts";
import { splitCorrelation, splitPmf, splitUpperTail } from "../../src/analysis/eprocess/exact-split.ts";
import { logNormalMixtureE, MeanShiftEProcess } from "../../src/analysis/eprocess/mean-shift.ts";
import { restartSchedule } from "../../src/analysis/eprocess/restarts.ts";
import { logNormalCdf, logSumExp } from "../../src/analysis/math.ts";
import { Random } from "../../src/telemetry/simulated/random.ts";

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} ≠ ${expected}`);

/** One alternative only, so the e-value is a plain likelihood ratio that can be checked by hand. */
const SINGLE: Mixture = { gains: new Float64Array([0.5]), logWeights: new Float64Array([0]) };

describe("numerics", () => {
  it("log Φ matches known values, far into the left tail", () => {
    close(logNormalCdf(0), Math.log(0.5), 1e-7);
    close(Math.exp(logNormalCdf(-1.959963984540054)), 0.025, 1e-6);
    close(Math.exp(logNormalCdf(-6)), 9.865876450377e-10, 1e-5);
    close(logNormalCdf(-10), Math.log(7.619853024160527e-24), 1e-4);
    close(logNormalCdf(-40), Math.log(3.655893540915) - 350 * Math.LN10, 1e-6); // Φ(−40) = 3.6559e-350
  });

  it("logsumexp does not overflow", () => {
    close(logSumExp([1000, 1000]), 1000 + Math.LN2);
    close(logSumExp([0, 0], [Math.log(2), Math.log(3)]), Math.log(5));
  });
});

describe("count e-process", () => {
  it("equals the hand-computed likelihood ratio of θ(r) = n_c·r/(n_c·r + n_b)", () => {
    // r0 = 1.05, alternative r1 = 1.05·e^0.5. Interval 1: 7 canary vs 3 baseline events, equal traffic:
    // θ0 = 1.05/2.05, θ1 = r1/(r1+1), log E = 7·log(θ1/θ0) + 3·log((1−θ1)/(1−θ0)) = 0.631143…
    const e = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5 }, SINGLE);
    e.add({ canaryEvents: 7, baselineEvents: 3, canaryExposure: 100, baselineExposure: 100 });
    close(e.logRollbackE(), 0.6311434183294957);
    // Interval 2 with a 1:3 split of traffic: 4 vs 6 events, θ = 50r/(50r + 150).
    e.add({ canaryEvents: 4, baselineEvents: 6, canaryExposure: 50, baselineExposure: 150 });
    close(e.logRollbackE(), 1.0766137083440137);
    // No traffic on one arm: no information, no change.
    e.add({ canaryEvents: 0, baselineEvents: 5, canaryExposure: 0, baselineExposure: 100 });
    close(e.logRollbackE(), 1.0766137083440137);
  });

  it("tests promotion against r ≥ r_bad with alternatives r_bad·e^(−g)", () => {
    const e = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5 }, SINGLE);
    e.add({ canaryEvents: 3, baselineEvents: 7, canaryExposure: 100, baselineExposure: 100 });
    const t0 = 1.5 / 2.5;
    const r1 = 1.5 * Math.exp(-0.5);
    const t1 = r1 / (r1 + 1);
    close(e.logPromoteE(), 3 * Math.log(t1 / t0) + 7 * Math.log((1 - t1) / (1 - t0)));
  });

  it("tempers a burst of events hitting both arms", () => {
    const e = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5, burstFactor: 2 }, SINGLE);
    for (let i = 0; i < 6; i++)
      e.add({ canaryEvents: 5, baselineEvents: 5, canaryExposure: 100, baselineExposure: 100 });
    const before = e.logRollbackE();
    e.add({ canaryEvents: 60, baselineEvents: 40, canaryExposure: 100, baselineExposure: 100 });
    assert.equal(e.samples.at(-1)!.weight, 0.2); // 2 × median 10 / 100 events
    const full = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5 }, SINGLE);
    full.add({ canaryEvents: 60, baselineEvents: 40, canaryExposure: 100, baselineExposure: 100 });
    close(e.logRollbackE() - before, 0.2 * full.logRollbackE());
  });

  it("lowers the promotion null to 1 + difference/p̂ once the baseline rate p̂ of past intervals is known", () => {
    // Single alternative g = 0.5 below each interval's null ratio r: LR = x_c·log(θ1/θ0) + x_b·log((1−θ1)/(1−θ0)).
    const lr = (xc: number, xb: number, r: number) => {
      const t0 = r / (r + 1);
      const r1 = r * Math.exp(-0.5);
      const t1 = r1 / (r1 + 1);
      return xc * Math.log(t1 / t0) + xb * Math.log((1 - t1) / (1 - t0));
    };
    const e = new CountEProcess({ nullRatio: 1.02, badRatio: 1.5, materialDifference: 0.005 }, SINGLE);
    // Interval 1 has no past: its null is r_bad = 1.5. It shows a baseline rate of 20/1000 = 2%.
    e.add({ canaryEvents: 20, baselineEvents: 20, canaryExposure: 1000, baselineExposure: 1000 });
    close(e.logPromoteE(), lr(20, 20, 1.5));
    // Interval 2: null min(1.5, 1 + 0.005/0.02) = 1.25.
    e.add({ canaryEvents: 3, baselineEvents: 7, canaryExposure: 100, baselineExposure: 100 });
    close(e.logPromoteE(), lr(20, 20, 1.5) + lr(3, 7, 1.25));
    // The rollback test does not change.
    const plain = new CountEProcess({ nullRatio: 1.02, badRatio: 1.5 }, SINGLE);
    plain.add({ canaryEvents: 20, baselineEvents: 20, canaryExposure: 1000, baselineExposure: 1000 });
    plain.add({ canaryEvents: 3, baselineEvents: 7, canaryExposure: 100, baselineExposure: 100 });
    close(e.logRollbackE(), plain.logRollbackE());
  });

  it("final look: the exact conditional tail of the canary's share of events", () => {
    // r0 = 1, equal traffic: θ = ½. Splits 14:6 and 13:7: T = 27 of 40, P(Bin(40, ½) ≥ 27) by hand.
    const e = new CountEProcess({ nullRatio: 1, badRatio: 1.5 }, SINGLE);
    e.add({ canaryEvents: 14, baselineEvents: 6, canaryExposure: 100, baselineExposure: 100 });
    e.add({ canaryEvents: 13, baselineEvents: 7, canaryExposure: 100, baselineExposure: 100 });
    let tail = 0;
    for (let k = 27; k <= 40; k++) tail += binomial(40, k) / 2 ** 40;
    close(splitUpperTail([{ canaryEvents: 27, events: 40, offset: 0 }], 0, 0), tail, 1e-12);
    // The look itself estimates ρ; the two splits vary less than binomially, so the prior (0.01,
    // weight 500) is pulled down a little and the p-value stays close to the binomial one.
    const look = e.finalPValue();
    assert.ok(look.rho < 0.01 && look.rho >= 0, `ρ ${look.rho}`);
    assert.ok(look.pValue >= tail && look.pValue < tail * 1.1, `${look.pValue} vs ${tail}`);
    // Different traffic splits: the sum of two binomials with different θ, against brute force.
    const theta = [1 / 3, 3 / 4];
    const pmfs = theta.map((t) => Array.from({ length: 6 }, (_, k) => binomial(5, k) * t ** k * (1 - t) ** (5 - k)));
    let brute = 0;
    for (let a = 0; a <= 5; a++) for (let b = 0; b <= 5; b++) if (a + b >= 6) brute += pmfs[0]![a]! * pmfs[1]![b]!;
    const offsets = theta.map((t) => Math.log(t / (1 - t)));
    close(
      splitUpperTail(
        [
          { canaryEvents: 2, events: 5, offset: offsets[0]! },
          { canaryEvents: 4, events: 5, offset: offsets[1]! },
        ],
        0,
        0,
      ),
      brute,
      1e-12,
    );
  });

  it("beta-binomial split: the pmf sums to one, has mean nθ and variance nθ(1 − θ)(1 + (n − 1)ρ)", () => {
    for (const [n, theta, rho] of [
      [12, 0.3, 0.05],
      [40, 0.5, 0.01],
      [3, 0.9, 0.2],
    ] as const) {
      const pmf = splitPmf(n, theta, rho);
      let sum = 0;
      let mean = 0;
      let square = 0;
      pmf.forEach((p, k) => {
        sum += p;
        mean += k * p;
        square += k * k * p;
      });
      close(sum, 1, 1e-12);
      close(mean, n * theta, 1e-9);
      close(square - mean * mean, n * theta * (1 - theta) * (1 + (n - 1) * rho), 1e-9);
    }
  });

  it("ρ by moments ignores single events and shrinks towards its prior", () => {
    const one = Array.from({ length: 50 }, (_, i) => ({ canaryEvents: i % 2, events: 1, offset: 0 }));
    assert.equal(splitCorrelation(one, 0, { rho: 0.02, weight: 100 }), 0.02);
    // Splits 20:0 and 0:20 are as overdispersed as can be: ρ near 1 (clipped to ½) once the data outweigh the prior.
    const wild = Array.from({ length: 40 }, (_, i) => ({ canaryEvents: i % 2 ? 20 : 0, events: 20, offset: 0 }));
    assert.equal(splitCorrelation(wild, 0, { rho: 0.01, weight: 100 }), 0.5);
  });

  it("final look at the boundary of the null keeps its level at low counts (2,000 stages of ~1 event per interval)", () => {
    const rng = new Random(2024, "count-final");
    const theta0 = 1.05 / 2.05;
    const level = 0.05;
    let rejected = 0;
    for (let run = 0; run < 2000; run++) {
      const e = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5, burstFactor: 2 }, gridMixture());
      for (let i = 0; i < 60; i++) {
        const x = rng.poisson(0.5);
        const c = rng.binomial(x, theta0);
        e.add({ canaryEvents: c, baselineEvents: x - c, canaryExposure: 20, baselineExposure: 20 }, 10 * (i + 1));
      }
      if (e.finalPValue().pValue <= level) rejected++;
    }
    // An exact test of a discrete statistic keeps at most its level (here well below it); the normal
    // approximation it replaced did not at these counts.
    assert.ok(rejected / 2000 <= level + 0.01, `${rejected} of 2000 stages rejected`);
    assert.ok(rejected / 2000 >= 0.02, `${rejected} of 2000: far below 5% would mean the look wastes its budget`);
  });

  it("bounds: the lower bound passes r0 exactly when the rollback test rejects it, with and without restarts", () => {
    const rng = new Random(1, "bounds");
    for (const restarts of [restartSchedule(undefined, 1800), restartSchedule({ every: 60, share: 0.2 }, 1800)]) {
      for (const ratio of [1, 1.3, 2]) {
        const e = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5 }, gridMixture(), restarts);
        const theta = ratio / (1 + ratio);
        for (let i = 1; i <= 120; i++) {
          const x = rng.poisson(6);
          const c = rng.binomial(x, i > 40 ? theta : 0.5);
          e.add({ canaryEvents: c, baselineEvents: x - c, canaryExposure: 200, baselineExposure: 200 }, 10 * i);
          if (i % 10 !== 0) continue;
          const threshold = Math.log(40);
          const rejects = e.logRollbackE() >= threshold;
          // On the grid through r0 the bound is rounded down to a grid point (r0 itself when only it is
          // rejected); exactly, it is the crossing, above r0.
          const onGrid = e.lowerBound(threshold);
          assert.equal(onGrid >= 1.05 * (1 - 1e-12), rejects, `ratio ${ratio} at ${i}: grid ${onGrid}`);
          const exact = e.lowerBound(threshold, true);
          assert.equal(exact > 1.05, rejects, `ratio ${ratio} at ${i}: lower ${exact}, log E ${e.logRollbackE()}`);
          assert.ok(exact >= onGrid && exact < onGrid * Math.exp(0.025) + 1e-12);
        }
        const { ratio: estimate, upper } = e.estimateSince(0, Math.log(20));
        assert.ok(upper > estimate, `${upper} > ${estimate}`);
      }
    }
    assert.ok(Number.isNaN(splitMle([])));
  });

  it("restarts: a regression that begins late is seen sooner than by the cumulative test", () => {
    const rng = new Random(5, "restarts");
    let faster = 0;
    for (let run = 0; run < 20; run++) {
      const plain = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5 }, gridMixture());
      const restarting = new CountEProcess(
        { nullRatio: 1.05, badRatio: 1.5 },
        gridMixture(),
        restartSchedule({ every: 60, share: 0.2 }, 1800),
      );
      const crossed = [0, 0];
      for (let i = 1; i <= 180 && !(crossed[0] && crossed[1]); i++) {
        const x = rng.poisson(i > 60 ? 8 : 4);
        const c = rng.binomial(x, i > 60 ? 0.75 : 0.5); // ×3 from 10 minutes
        const sample = { canaryEvents: c, baselineEvents: x - c, canaryExposure: 200, baselineExposure: 200 };
        plain.add(sample, 10 * i);
        restarting.add(sample, 10 * i);
        if (!crossed[0] && plain.logRollbackE() >= Math.log(100)) crossed[0] = i;
        if (!crossed[1] && restarting.logRollbackE() >= Math.log(100)) crossed[1] = i;
      }
      if (crossed[1] && crossed[1] < (crossed[0] || 181)) faster++;
    }
    assert.ok(faster >= 15, `restarts faster in ${faster} of 20 runs`);
  });

  it("restarts: A/A at the boundary of the null, false rejections ≤ α over 1,000 runs", () => {
    const alpha = 0.05;
    const rng = new Random(2024, "count-aa-restarts");
    const theta0 = 1.05 / 2.05;
    let rejected = 0;
    for (let run = 0; run < 1000; run++) {
      const e = new CountEProcess(
        { nullRatio: 1.05, badRatio: 1.5 },
        gridMixture(),
        restartSchedule({ every: 60, share: 0.2 }, 1000),
      );
      for (let i = 1; i <= 100; i++) {
        const x = rng.poisson(8);
        const c = rng.binomial(x, theta0);
        e.add({ canaryEvents: c, baselineEvents: x - c, canaryExposure: 200, baselineExposure: 200 }, 10 * i);
        if (e.logRollbackE() >= Math.log(1 / alpha)) {
          rejected++;
          break;
        }
      }
    }
    assert.ok(rejected / 1000 <= alpha, `${rejected} of 1000 runs rejected`);
  });

  it("A/A at the boundary of the null: false rejections ≤ α over 1,000 runs", () => {
    // Canary rate exactly r0 × baseline: the worst case of the composite null.
    const alpha = 0.05;
    const rng = new Random(2024, "count-aa");
    const theta0 = 1.05 / 2.05;
    let rejected = 0;
    for (let run = 0; run < 1000; run++) {
      const e = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5 }, gridMixture());
      for (let i = 0; i < 100; i++) {
        const x = rng.poisson(8);
        const c = rng.binomial(x, theta0);
        e.add({ canaryEvents: c, baselineEvents: x - c, canaryExposure: 200, baselineExposure: 200 });
        if (e.logRollbackE() >= Math.log(1 / alpha)) {
          rejected++;
          break;
        }
      }
    }
    assert.ok(rejected / 1000 <= alpha, `${rejected} of 1000 runs rejected`);
    assert.ok(
      rejected > 0,
      "a test at the boundary with a looser threshold than 1/α would be suspicious if it never rejected",
    );
  });
});

describe("mean-shift e-process", () => {
  it("matches the closed form by numerical integration over the half-normal mixture", () => {
    const rho = 400;
    for (const [s, v] of [
      [0, 300],
      [25, 900],
      [-10, 100],
      [120, 4000],
    ] as const) {
      let integral = 0;
      const step = 1e-4;
      for (let mu = step / 2; mu < 1; mu += step) {
        integral +=
          2 * Math.sqrt(rho / (2 * Math.PI)) * Math.exp(-0.5 * rho * mu * mu + mu * s - 0.5 * mu * mu * v) * step;
      }
      close(logNormalMixtureE(s, v, rho), Math.log(integral), 1e-5);
    }
    // S = 0: E = 2·sqrt(ρ/(V+ρ))·Φ(0) = sqrt(100/400) = 0.5 by hand.
    close(logNormalMixtureE(0, 300, 100), Math.log(0.5), 1e-6);
  });

  it("weights each interval by 1/(φ·v) with the predictable overdispersion φ (prior 2 worth 3 pairs)", () => {
    const e = new MeanShiftEProcess({ nullShift: 0.05, badShift: 0.2, rho: 400 });
    e.add({ d: 0.1, v: 0.01 }); // φ = 2
    e.add({ d: 0.3, v: 0.01 }); // φ = 2
    // Pair ratio (0.3 − 0.1)²/(0.02) = 2 → φ = (2·3 + 2)/(3 + 1) = 2
    e.add({ d: 0.0, v: 0.02 });
    const w = [1 / 0.02, 1 / 0.02, 1 / 0.04];
    close(e.precision, w[0]! + w[1]! + w[2]!);
    close(e.weightedSum, 0.1 * w[0]! + 0.3 * w[1]!);
    // Next pair: (0 − 0.3)²/0.03 = 3 → φ = (6 + 2 + 3)/5 = 2.2
    close(e.phi, 2.2);
    close(e.logRollbackE(), logNormalMixtureE(e.weightedSum - 0.05 * e.precision, e.precision, 400));
  });

  it("A/A at the boundary: false rejections ≤ α over 1,000 runs", () => {
    const alpha = 0.05;
    const rng = new Random(2024, "shift-aa");
    let rejected = 0;
    for (let run = 0; run < 1000; run++) {
      const e = new MeanShiftEProcess({ nullShift: Math.log(1.03), badShift: Math.log(1.25), rho: 400 });
      for (let i = 0; i < 120; i++) {
        const v = 0.0025 * (0.5 + rng.uniform());
        e.add({ d: Math.log(1.03) + Math.sqrt(v) * rng.normal(), v });
        if (e.logRollbackE() >= Math.log(1 / alpha)) {
          rejected++;
          break;
        }
      }
    }
    assert.ok(rejected / 1000 <= alpha, `${rejected} of 1000 runs rejected`);
  });

  it("bounds the shift around the estimate; the lower bound passes δ0 exactly when the rollback test rejects it", () => {
    const e = new MeanShiftEProcess(
      { nullShift: 0.03, badShift: 0.2, rho: 400 },
      restartSchedule({ every: 60, share: 0.2 }, 1800),
    );
    for (let i = 1; i <= 50; i++) {
      e.add({ d: 0.1, v: 0.0025 }, 10 * i);
      const lower = e.lowerBound(Math.log(40));
      assert.equal(lower > 0.03, e.logRollbackE() >= Math.log(40), `interval ${i}: lower ${lower}`);
    }
    const b = e.estimateSince(0, Math.log(20));
    close(b.shift, 0.1);
    const lower = e.lowerBound(Math.log(20));
    assert.ok(lower < 0.1 && lower > 0.05 && b.upper > 0.1 && b.upper < 0.15, JSON.stringify({ ...b, lower }));
  });
});

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}
