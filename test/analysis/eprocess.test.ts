import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CountEProcess, gridMixture, type Mixture, ratioBounds } from "../../src/analysis/eprocess/count.ts";
import { logNormalMixtureE, MeanShiftEProcess } from "../../src/analysis/eprocess/mean-shift.ts";
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

  it("final look: the standardised score at r0 with a continuity correction, widened by overdispersion", () => {
    // r0 = 1 and equal traffic: θ0 = ½. Splits 14:6 and 13:7: score (14 − 10) + (13 − 10) = 7, variance 40·¼ = 10.
    // The splits vary less than binomially around the pooled ratio 27/13, so the dispersion stays 1.
    const e = new CountEProcess({ nullRatio: 1, badRatio: 1.5 }, SINGLE);
    e.add({ canaryEvents: 14, baselineEvents: 6, canaryExposure: 100, baselineExposure: 100 });
    e.add({ canaryEvents: 13, baselineEvents: 7, canaryExposure: 100, baselineExposure: 100 });
    close(e.dispersion(), 1);
    close(e.finalZ(), 6.5 / Math.sqrt(10));
    // Splits 20:0, 0:20, 20:0: pooled ratio 2 (θ = ⅔), Pearson χ² = 2·(20/3)² + (40/3)² = 266.67 over an
    // expected 60·(2/9) = 13.33, times 3/2 for the fitted ratio: dispersion 30. Score 10, variance 15.
    const wild = new CountEProcess({ nullRatio: 1, badRatio: 1.5 }, SINGLE);
    for (const c of [20, 0, 20])
      wild.add({ canaryEvents: c, baselineEvents: 20 - c, canaryExposure: 100, baselineExposure: 100 });
    close(wild.dispersion(), 30);
    close(wild.finalZ(), 9.5 / Math.sqrt(15 * 30));
    // Too few events for the normal law (variance 10·¼ < 5): no final look.
    const few = new CountEProcess({ nullRatio: 1, badRatio: 1.5 }, SINGLE);
    few.add({ canaryEvents: 10, baselineEvents: 0, canaryExposure: 100, baselineExposure: 100 });
    assert.equal(few.finalZ(), 0);
  });

  it("final look at the boundary of the null: P(z ≥ 1.645) is about 5% over 2,000 stages", () => {
    const rng = new Random(2024, "count-final");
    const theta0 = 1.05 / 2.05;
    let rejected = 0;
    for (let run = 0; run < 2000; run++) {
      const e = new CountEProcess({ nullRatio: 1.05, badRatio: 1.5, burstFactor: 2 }, gridMixture());
      for (let i = 0; i < 180; i++) {
        const x = rng.poisson(8);
        const c = rng.binomial(x, theta0);
        e.add({ canaryEvents: c, baselineEvents: x - c, canaryExposure: 200, baselineExposure: 200 });
      }
      if (e.finalZ() >= 1.6448536269514722) rejected++;
    }
    // Standard error of the rate is 0.5 points: a test that kept 5% would not exceed 6%.
    assert.ok(rejected / 2000 <= 0.06, `${rejected} of 2000 stages rejected`);
    assert.ok(rejected / 2000 >= 0.03, `${rejected} of 2000: far below 5% would mean the look wastes its budget`);
  });

  it("gives anytime-valid bounds that contain the ratio and exclude 1 for a clear regression", () => {
    const rng = new Random(1, "bounds");
    const samples = Array.from({ length: 120 }, () => {
      const x = rng.poisson(12);
      const c = rng.binomial(x, 2 / 3); // ratio 2 with equal traffic
      return { canaryEvents: c, baselineEvents: x - c, canaryExposure: 200, baselineExposure: 200 };
    });
    const b = ratioBounds(samples, 0.05);
    assert.ok(b.lower > 1.5 && b.lower < 2 && b.upper > 2 && b.upper < 2.7, JSON.stringify(b));
    assert.ok(Math.abs(b.ratio - 2) < 0.2);
    assert.deepEqual(ratioBounds([], 0.05), { ratio: Number.NaN, lower: 0, upper: Number.POSITIVE_INFINITY });
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

  it("bounds the shift with an anytime-valid interval around the estimate", () => {
    const e = new MeanShiftEProcess({ nullShift: 0, badShift: 0.2, rho: 400 });
    for (let i = 0; i < 50; i++) e.add({ d: 0.1, v: 0.0025 });
    const b = e.estimate(0.05);
    close(b.shift, 0.1);
    assert.ok(b.lower < 0.1 && b.lower > 0.05 && b.upper > 0.1 && b.upper < 0.15, JSON.stringify(b));
  });
});
