/**
 * The judge under hard conditions (issue 22): the traffic split check (sample ratio mismatch), the
 * agreement of every verdict with its reported bound, low traffic, regressions that begin mid-step,
 * and never promoting without data.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defaultFixedThresholdConfig,
  defaultMannWhitneyConfig,
  defaultSequentialConfig,
  type SequentialJudgeConfig,
} from "../../src/analysis/config.ts";
import type { Tick } from "../../src/analysis/observations.ts";
import { analyzeStage, judgeRecords } from "../../src/analysis/run.ts";
import { DEFAULT_SAMPLE_RATIO, SampleRatioTest } from "../../src/analysis/sample-ratio.ts";
import { SequentialJudgeRun } from "../../src/analysis/sequential.ts";
import { TickClock } from "../../src/analysis/observations.ts";
import type { IntervalRecord } from "../../src/telemetry/records.ts";
import { simulateStage, type SimulationOptions, type WorldSettings } from "../../src/telemetry/simulated/generator.ts";
import { type BehaviourProfile, PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { Random } from "../../src/telemetry/simulated/random.ts";

const TIMING = { interval: 10, analysisStart: 60, horizon: 1800 };

function records(
  scenario: string,
  canary: BehaviourProfile,
  options: Partial<SimulationOptions> & { horizon?: number; canaryPercent?: number } = {},
  world: Partial<WorldSettings> = {},
): IntervalRecord[] {
  return [...simulateStage({ seed: 22, scenario, canary, horizon: 1800, ...options, world })].flatMap((i) => i.records);
}

/** Ticks with just request counts, for the split check alone. */
function countTick(t: number, canary: number, baseline: number): Tick {
  const record = (arm: "canary" | "baseline", requests: number) => ({ record: { t, arm, requests } });
  return { t, canary: record("canary", canary), baseline: record("baseline", baseline) };
}

describe("sample ratio mismatch", () => {
  it("holds a canary getting 1% of requests when its step set 5%, within minutes, saying so", () => {
    // The stable version serves the rest; the split is wrong from the start.
    for (const [rate, within] of [
      [200, 60],
      [20, 600],
    ] as const) {
      const rs = records(
        `srm-${rate}`,
        {},
        { baselineTraffic: "remainder", canaryPercent: 1 },
        { serviceRatePerSecond: rate },
      );
      const [d] = judgeRecords({ ...TIMING, canaryShare: 0.05 }, rs, [defaultSequentialConfig()]);
      assert.equal(d!.action, "hold", `${rate} req/s: ${JSON.stringify(d)}`);
      assert.equal(d!.evidence["hold"], "sample-ratio");
      assert.ok(d!.at <= within, `${rate} req/s: held at ${d!.at} s, later than ${within} s`);
      const report = analyzeStage({ ...TIMING, canaryShare: 0.05 }, rs, defaultSequentialConfig(), d!.at);
      assert.equal(report.action, "hold");
      assert.match(
        report.reason,
        /^canary receives (0\.\d+|1(\.\d)?)% of requests, expected 5%: the traffic split is not what the step set/,
      );
      assert.ok(report.sampleRatio!.mismatchAt !== null && report.sampleRatio!.observedShare < 0.015);
    }
  });

  it("holds a canary getting too much traffic too (25% where the step set 5%)", () => {
    const test = new SampleRatioTest({ ...DEFAULT_SAMPLE_RATIO, expectedShare: 0.05 });
    for (let i = 1; i <= 30; i++) test.observe(countTick(10 * i, 50, 150));
    assert.ok(test.mismatch);
    assert.match(test.report().reason, /^canary receives 25% of requests, expected 5%/);
  });

  it("never holds a correct split: A/A, 1,000 steps at each of two traffic levels and both baseline kinds", () => {
    const rng = new Random(22, "srm-aa");
    let held = 0;
    let runs = 0;
    for (const [perSecond, share] of [
      [2, 0.05],
      [100, 0.05],
      [2, 0.5],
    ] as const) {
      for (let run = 0; run < 1000; run++) {
        const test = new SampleRatioTest({ ...DEFAULT_SAMPLE_RATIO, expectedShare: share });
        for (let i = 1; i <= 180; i++) {
          const canary = rng.poisson(perSecond * 10 * share);
          const baseline = rng.poisson(perSecond * 10 * (1 - share));
          test.observe(countTick(10 * i, canary, baseline));
        }
        runs++;
        if (test.mismatch) held++;
      }
    }
    assert.equal(held, 0, `${held} of ${runs} correct splits held`);
  });

  it("the whole judge on simulated A/A canaries: no split hold in 200 healthy stages", () => {
    let held = 0;
    for (let run = 0; run < 200; run++) {
      const rs = [
        ...simulateStage({ seed: 23, scenario: `aa-${run}`, horizon: 300, world: { serviceRatePerSecond: 20 } }),
      ].flatMap((i) => i.records);
      const run_ = new SequentialJudgeRun(
        defaultSequentialConfig(),
        { ...TIMING, horizon: 300, canaryShare: 0.5 },
        { decisionEvidence: false },
      );
      const clock = new TickClock({ ...TIMING, horizon: 300 }, (tick) => run_.observe(tick));
      for (const r of rs) clock.push(r);
      clock.end();
      if (run_.report().sampleRatio?.mismatchAt !== null) held++;
    }
    assert.equal(held, 0);
  });
});

describe("verdicts and bounds agree", () => {
  it("a stream fails exactly when its reported lower bound is above 1 + tolerance, at every look", () => {
    const config = defaultSequentialConfig();
    const cases: Array<[string, BehaviourProfile, Partial<WorldSettings>]> = [
      ["healthy", {}, {}],
      ["err x3", PROFILES["err x3"], {}],
      ["err+0.5pp", PROFILES["err+0.5pp"], { errorRateRange: [0.02, 0.02] }],
      ["late err x3", { errorRateMultiplier: 3, onset: 400 }, {}],
      ["p99+30%", PROFILES["p99+30%"], {}],
      ["cost+20%", PROFILES["cost+20%"], {}],
      ["intv x2", PROFILES["intv x2"], { serviceRatePerSecond: 20 }],
      ["lat creep", PROFILES["lat creep"], {}],
      ["low traffic err x3", PROFILES["err x3"], { serviceRatePerSecond: 10 }],
      ["incidents", {}, { incidentsPer30Min: 6, incidentErrorAdd: [0, 0.2] }],
    ];
    let failures = 0;
    for (const [name, profile, world] of cases) {
      for (let seed = 1; seed <= 2; seed++) {
        const rs = [...simulateStage({ seed, scenario: name, canary: profile, horizon: 1800, world })].flatMap(
          (i) => i.records,
        );
        const run = new SequentialJudgeRun(config, TIMING, { decisionEvidence: false });
        const clock = new TickClock(TIMING, (tick) => {
          run.observe(tick);
          if (tick.t % 300 !== 0 && tick.t !== TIMING.horizon) return;
          for (const s of run.report().streams) {
            const stream = config.streams.find((c) => c.stream === s.stream)!;
            const excludes = s.estimate.lower > (1 + stream.tolerance) * (1 - 1e-9);
            assert.equal(
              s.verdict === "fail",
              excludes,
              `${name} seed ${seed} at ${tick.t} s, ${s.stream}: ${s.verdict} with bounds ${s.estimate.lower}–${s.estimate.upper}`,
            );
            if (s.verdict === "fail") failures++;
          }
        });
        for (const r of rs) clock.push(r);
        clock.end();
      }
    }
    assert.ok(failures > 10, `only ${failures} failing looks: the test would not see a disagreement`);
  });

  it("the final look's rollback shows a bound that excludes the tolerance, in the reason too", () => {
    const rs = [
      ...simulateStage({
        seed: 5,
        scenario: "final-24",
        canary: PROFILES["err+0.5pp"],
        horizon: 1800,
        world: { errorRateRange: [0.02, 0.02] },
      }),
    ].flatMap((i) => i.records);
    const report = analyzeStage(TIMING, rs, defaultSequentialConfig(), 1800);
    const error = report.streams.find((s) => s.stream === "error_rate")!;
    assert.equal(error.verdict, "fail");
    assert.ok(error.finalLook && error.finalLook.pValue <= error.finalLook.level);
    assert.ok(error.estimate.lower > 1.02, JSON.stringify(error.estimate));
    const bounds = /anytime-valid bounds ([\d.]+)–/.exec(error.reason);
    assert.ok(bounds && Number(bounds[1]) > 1.02, error.reason);
  });
});

describe("low traffic", () => {
  const lowWorld: Partial<WorldSettings> = { serviceRatePerSecond: 2 }; // 0.2 requests/s per arm

  it("pools intervals for latency so 0.2 requests per second still gives every stream data", () => {
    const report = analyzeStage(TIMING, records("low-pool", {}, {}, lowWorld), defaultSequentialConfig(), 1800);
    for (const s of report.streams.filter((s) => s.stream !== "cost_tail_rate"))
      assert.ok(s.data.intervals > 10, `${s.stream}: ${s.data.intervals} intervals`);
  });

  it("at the cap, holds for a person with lowTraffic: hold and says how long it would take; advances by default", () => {
    const rs = records("low-hold", {}, {}, lowWorld);
    const hold: SequentialJudgeConfig = { ...defaultSequentialConfig(), lowTraffic: "hold" };
    const [held, advanced] = judgeRecords(TIMING, rs, [hold, defaultSequentialConfig()]);
    assert.deepEqual([held!.action, held!.at, held!.evidence["hold"]], ["hold", 1800, "low-traffic"]);
    assert.deepEqual([advanced!.action, advanced!.at], ["promote", 1800]);
    const report = analyzeStage(TIMING, rs, hold, 1800);
    assert.match(report.reason, /traffic was too low to show .* no worse; the environment holds for a person/);
    const open = report.streams.find((s) => s.verdict === "inconclusive")!;
    assert.match(open.reason, /by the stage cap: it needs about \d+ more minutes at current traffic/);
  });
});

describe("missing data never promotes", () => {
  it("every judge holds a stage with no records at all", () => {
    const judges = [defaultSequentialConfig(), defaultMannWhitneyConfig(), defaultFixedThresholdConfig()];
    const decisions = judgeRecords(TIMING, [], judges);
    assert.deepEqual(
      decisions.map((d) => [d.action, d.evidence["hold"]]),
      judges.map(() => ["hold", "no-data"]),
    );
  });
});

describe("regressions that begin mid-step", () => {
  it("restarts catch a late ×3 error rate sooner than the cumulative test, from onset", () => {
    const plain: SequentialJudgeConfig = { ...defaultSequentialConfig() };
    delete plain.restarts;
    let sooner = 0;
    let total = 0;
    for (let i = 0; i < 12; i++) {
      const rs = records(`late-${i}`, { errorRateMultiplier: 3, onset: 420 });
      const [restarting, cumulative] = judgeRecords(TIMING, rs, [defaultSequentialConfig(), plain]);
      assert.equal(restarting!.action, "rollback");
      total++;
      if (cumulative!.action !== "rollback" || restarting!.at < cumulative!.at) sooner++;
    }
    assert.ok(sooner >= 9, `sooner in ${sooner} of ${total}`);
  });
});
