import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DEFAULT_STREAMS,
  defaultFixedThresholdConfig,
  defaultMannWhitneyConfig,
  defaultSequentialConfig,
  FINAL_ALPHA_SHARE,
  judgeConfigFromSettings,
  type SequentialJudgeConfig,
} from "../../src/analysis/config.ts";
import { parseJudgeConfig } from "../../src/analysis/config-file.ts";
import { countAbove, histogramQuantile, mergeHistograms } from "../../src/analysis/histogram.ts";
import { mannWhitneyPValue } from "../../src/analysis/mann-whitney.ts";
import { analyzeStage, judgeRecords, judgeScenarioFile } from "../../src/analysis/run.ts";
import type { IntervalRecord } from "../../src/telemetry/records.ts";
import { writeScenarioFile } from "../../src/telemetry/scenario-file.ts";
import { simulateStage, type WorldSettings } from "../../src/telemetry/simulated/generator.ts";
import { type BehaviourProfile, PROFILES } from "../../src/telemetry/simulated/profiles.ts";

const TIMING = { interval: 10, analysisStart: 60, horizon: 1800 };

function records(
  scenario: string,
  canary: BehaviourProfile,
  horizon = 1800,
  seed = 5,
  world?: Partial<WorldSettings>,
): IntervalRecord[] {
  return [...simulateStage({ seed, scenario, canary, horizon, ...(world ? { world } : {}) })].flatMap((i) => i.records);
}

describe("histograms", () => {
  const h: Array<[number | null, number]> = [
    [1, 10],
    [2, 10],
    [4, 0],
    [null, 5],
  ];
  it("computes quantiles as histogram_quantile does", () => {
    assert.equal(histogramQuantile(0.4, h), 1); // rank 10 ends the first bucket [0, 1]
    assert.equal(histogramQuantile(0.6, h), 1.5); // rank 15: halfway through (1, 2]
    assert.equal(histogramQuantile(0.99, h), 4); // the +Inf bucket: highest finite bound
    assert.ok(
      Number.isNaN(
        histogramQuantile(0.5, [
          [1, 0],
          [null, 0],
        ]),
      ),
    );
  });
  it("counts observations above a threshold, interpolating in the straddling bucket", () => {
    assert.equal(countAbove(1.5, h), 10); // 5 above 4, half of (1, 2]
    assert.equal(countAbove(0, h), 25);
  });
  it("merges only histograms with the same layout", () => {
    const merged = mergeHistograms([
      h,
      h,
      [
        [1, 1],
        [null, 1],
      ],
    ]);
    assert.deepEqual(merged, {
      buckets: [
        [1, 20],
        [2, 20],
        [4, 0],
        [null, 10],
      ],
      skipped: 1,
    });
  });
});

describe("Mann-Whitney", () => {
  it("matches hand-computed p-values (normal approximation, continuity and tie corrections)", () => {
    // U = 0, mean 12.5, variance 25·11/12: z = 12/4.787 = 2.507, p = 0.012186.
    assert.ok(Math.abs(mannWhitneyPValue([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) - 0.012185780355344818) < 1e-6);
    assert.ok(Math.abs(mannWhitneyPValue([1, 1, 2, 3, 3, 3], [2, 3, 4, 4, 5, 5]) - 0.040124257265355845) < 1e-6);
    assert.equal(mannWhitneyPValue([1], [2, 3]), 1);
    assert.equal(mannWhitneyPValue([2, 2, 2], [2, 2]), 1);
  });

  it("rolls back on the first degraded metric and otherwise promotes when the bake ends", () => {
    const bad = judgeRecords(TIMING, records("mw-bad", { errorRateMultiplier: 10 }), [defaultMannWhitneyConfig()]);
    assert.equal(bad[0]!.action, "rollback");
    assert.equal(bad[0]!.trigger, "error_rate");
    assert.ok(bad[0]!.at >= 60 && bad[0]!.at <= 300 && bad[0]!.at % 30 === 0);
    const noChecks = judgeRecords(TIMING, records("mw-bake", {}, 400), [defaultMannWhitneyConfig({ pValue: 1e-12 })]);
    assert.deepEqual([noChecks[0]!.action, noChecks[0]!.at], ["promote", 300]);
  });
});

describe("fixed thresholds", () => {
  it("rolls back when the canary's error rate over 2 minutes is above 5%", () => {
    const d = judgeRecords(TIMING, records("fixed", { errorRateAdd: 0.2 }, 600), [defaultFixedThresholdConfig()]);
    assert.deepEqual([d[0]!.action, d[0]!.at, d[0]!.trigger], ["rollback", 90, "error_rate"]);
    const slow = judgeRecords(TIMING, records("fixed-slow", { latencyMultiplier: 8 }, 600), [
      defaultFixedThresholdConfig(),
    ]);
    assert.deepEqual([slow[0]!.action, slow[0]!.trigger], ["rollback", "latency"]);
  });
});

describe("sequential judge", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-judges-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("rolls back a clear regression, naming the stream, with bounds that exclude no effect", () => {
    const [d] = judgeRecords(TIMING, records("seq-x3", PROFILES["err x3"]), [defaultSequentialConfig()]);
    assert.equal(d!.action, "rollback");
    assert.equal(d!.trigger, "error_rate");
    const evidence = d!.evidence as { streams: Record<string, { verdict: string; lower: number }> };
    assert.equal(evidence.streams.error_rate!.verdict, "fail");
    assert.ok(evidence.streams.error_rate!.lower > 1.02);
  });

  it("is a pure function of the records: same records, same decision, whether from memory or a file", async () => {
    const rs = records("seq-pure", PROFILES["p99+30%"], 1800, 9);
    const judges = [defaultSequentialConfig(), defaultMannWhitneyConfig(), defaultFixedThresholdConfig()];
    const first = judgeRecords(TIMING, rs, judges);
    assert.deepEqual(judgeRecords(TIMING, structuredClone(rs), judges), first);
    const file = join(dir, "pure.ndjson");
    await writeScenarioFile(file, { scenario: "pure", ...TIMING }, rs);
    const fromFile = await judgeScenarioFile(file, judges);
    assert.deepEqual(fromFile.decisions, first);
  });

  it("promotes a healthy canary after the minimum time, and never before the analysis starts", () => {
    const [d] = judgeRecords(TIMING, records("seq-healthy", {}, 1800, 12), [defaultSequentialConfig()]);
    assert.equal(d!.action, "promote");
    assert.ok(d!.at >= defaultSequentialConfig().minDuration);
    const early = judgeRecords({ ...TIMING, analysisStart: 300 }, records("seq-x10", { errorRateMultiplier: 10 }), [
      defaultSequentialConfig(),
    ]);
    assert.equal(early[0]!.at, 300);
  });

  it("never promotes without data: with one arm missing it holds at the horizon, saying so", () => {
    const canaryOnly = records("seq-missing", {}, 600).filter((r) => r.arm === "canary");
    const [d] = judgeRecords({ ...TIMING, horizon: 600 }, canaryOnly, [defaultSequentialConfig()]);
    assert.deepEqual([d!.action, d!.at, d!.evidence["hold"]], ["hold", 600, "no-data"]);
    const atCap = analyzeStage({ ...TIMING, horizon: 600 }, canaryOnly, defaultSequentialConfig(), 600);
    assert.match(atCap.reason, /no data for error_rate, .* a missing signal never promotes/);
    const [none] = judgeRecords({ ...TIMING, horizon: 600 }, [], [defaultSequentialConfig()]);
    assert.equal(none!.action, "hold");
    const report = analyzeStage({ ...TIMING, horizon: 600 }, canaryOnly, defaultSequentialConfig(), 300);
    assert.equal(report.action, "continue");
    assert.match(report.streams[0]!.reason, /error rate: no usable data yet/);
  });

  it("reports per-stream verdicts with reasons, effect bounds and how long an inconclusive one needs", () => {
    const report = analyzeStage(TIMING, records("seq-report", {}, 1800, 3), defaultSequentialConfig(), 240);
    assert.equal(report.action, "continue");
    assert.equal(report.t, 240);
    assert.deepEqual(
      report.streams.map((s) => s.stream),
      DEFAULT_STREAMS.map((s) => s.stream),
    );
    for (const s of report.streams) {
      assert.ok(
        s.estimate.lower <= s.estimate.ratio && s.estimate.ratio <= s.estimate.upper,
        `${s.stream}: ${JSON.stringify(s.estimate)}`,
      );
      assert.ok(s.data.lastDataAt !== null && s.data.lastDataAt <= 240);
    }
    const inconclusive = report.streams.find((s) => s.verdict === "inconclusive");
    assert.ok(inconclusive, "some stream is still open at 4 minutes");
    assert.match(inconclusive.reason, /needs about \d+ more minutes at current traffic|cannot be shown/);
    assert.match(report.reason, /observing:/);
  });

  it("rolls back at the stage cap by the final look when the e-process fell short, and only then", () => {
    // +0.5 pp on a 2% base (×1.25): the error e-process ends at about 18, short of its threshold of 75.
    const rs = records("final-24", PROFILES["err+0.5pp"], 1800, 5, { errorRateRange: [0.02, 0.02] });
    const [d] = judgeRecords(TIMING, rs, [defaultSequentialConfig()]);
    assert.deepEqual([d!.action, d!.at, d!.trigger], ["rollback", 1800, "error_rate"]);
    const e = (d!.evidence as { streams: Record<string, { eRollback: number; pFinal: number; finalLevel: number }> })
      .streams.error_rate!;
    assert.ok(e.eRollback < 75 && e.pFinal <= e.finalLevel, JSON.stringify(e));
    const report = analyzeStage(TIMING, rs, defaultSequentialConfig(), 1800);
    assert.match(report.reason, /at the stage cap: .*final look p .* \(exact test of the split of events\)/);
    const before = analyzeStage(TIMING, rs, defaultSequentialConfig(), 1790);
    assert.equal(before.action, "continue");
    assert.equal(before.streams[0]!.finalLook, undefined);
    const [without] = judgeRecords(TIMING, rs, [{ ...defaultSequentialConfig(), finalAlpha: 0 }]);
    assert.deepEqual([without!.action, without!.at], ["promote", 1800]);
  });

  it("keeps watching past the stage cap while the step is held: a regression that starts after it still rolls back", () => {
    const cap = { ...TIMING, horizon: 600 };
    const healthy = records("past-cap", {}, 1500, 8).filter((r) => r.t <= 600);
    const worse = records("past-cap", PROFILES["err+2pp"], 1500, 8).filter((r) => r.t > 600);
    const rs = [...healthy, ...worse];
    assert.equal(analyzeStage(cap, rs, defaultSequentialConfig(), 600).action, "promote", "healthy up to the cap");
    const later = analyzeStage(cap, rs, defaultSequentialConfig(), 1500);
    assert.deepEqual([later.action, later.trigger], ["rollback", "error_rate"]);
    assert.ok(later.streams.find((s) => s.stream === "error_rate")!.failedAt! > 600);
    assert.doesNotMatch(later.streams.map((s) => s.reason).join("\n"), /-\d+ left/);
  });

  it("rolls back a canary with five times the runaway tasks by the cost-tail guard", () => {
    const [d] = judgeRecords(TIMING, records("runaway-4", PROFILES["runaway cost"]), [defaultSequentialConfig()]);
    assert.deepEqual([d!.action, d!.trigger], ["rollback", "cost_tail_rate"]);
    // Location of cost is unchanged: the log-mean stream alone misses it.
    const withoutGuard = {
      ...defaultSequentialConfig(),
      streams: DEFAULT_STREAMS.filter((s) => s.stream !== "cost_tail_rate"),
    };
    assert.equal(
      judgeRecords(TIMING, records("runaway-4", PROFILES["runaway cost"]), [withoutGuard])[0]!.action,
      "promote",
    );
  });

  it("does not wait for a guard's promotion test, only while the guard leans towards a regression", () => {
    // A cost-tail stream whose promotion test cannot finish (material ratio just above its tolerance).
    const strict = (guard: boolean): SequentialJudgeConfig => ({
      ...defaultSequentialConfig(),
      streams: DEFAULT_STREAMS.map((s) =>
        s.stream === "cost_tail_rate" ? { ...s, materialRatio: 1.16, guard } : { ...s },
      ),
    });
    const rs = records("h-3", {}, 1800, 12);
    const [asGuard, asStream] = judgeRecords(TIMING, rs, [strict(true), strict(false)]);
    assert.deepEqual([asGuard!.action, asGuard!.at], ["promote", 900]);
    assert.deepEqual([asStream!.action, asStream!.at], ["promote", 1800]);
    const guard = analyzeStage(TIMING, rs, strict(true), 900).streams.find((s) => s.stream === "cost_tail_rate")!;
    assert.deepEqual([guard.verdict, guard.passedAt], ["pass", null]);
    assert.ok(guard.eValue.rollback <= 1);
    assert.match(guard.reason, /a guard, it need not show the canary is fine/);
  });

  it("treats `decrease` as the harmful direction when configured so", () => {
    const config: SequentialJudgeConfig = {
      ...defaultSequentialConfig(),
      streams: [
        { stream: "error_rate", harm: "decrease", tolerance: 0.02, materialRatio: 1.5, alphaShare: 1, warmup: 0 },
      ],
    };
    const fewer = judgeRecords(TIMING, records("seq-dec", { errorRateMultiplier: 0.2 }), [config]);
    assert.deepEqual([fewer[0]!.action, fewer[0]!.trigger], ["rollback", "error_rate"]);
    const more = judgeRecords(TIMING, records("seq-dec", { errorRateMultiplier: 3 }), [config]);
    assert.equal(more[0]!.action, "promote");
  });

  it("A/A: the whole judge rolls back at most α of 1,000 healthy canaries", () => {
    // Short, low-traffic stages keep this to about a second; the full-size run is bench:decisions.
    const alpha = 0.05;
    let rolledBack = 0;
    const timing = { interval: 10, analysisStart: 60, horizon: 300 };
    for (let i = 0; i < 1000; i++) {
      const rs = [
        ...simulateStage({ seed: 77, scenario: `aa-${i}`, horizon: 300, world: { serviceRatePerSecond: 60 } }),
      ].flatMap((s) => s.records);
      const [d] = judgeRecords(timing, rs, [defaultSequentialConfig()]);
      if (d!.action === "rollback") rolledBack++;
    }
    assert.ok(rolledBack / 1000 <= alpha, `${rolledBack} of 1000 healthy canaries rolled back`);
  });
});

describe("configuration files", () => {
  it("reads the final look's budget and per-stream material increase and guard", () => {
    const c = parseJudgeConfig(
      "judge: sequential\nalpha: 0.1\nsequential:\n  finalAlpha: 0.02\n  streams:\n    error_rate: { materialIncrease: 0.01 }\n    cost_tail_rate: { guard: false }\n",
      "judge.yaml",
    );
    assert.equal(c.judge, "sequential");
    if (c.judge !== "sequential") return;
    assert.equal(c.finalAlpha, 0.02);
    assert.equal(c.streams.find((s) => s.stream === "error_rate")!.materialIncrease, 0.01);
    assert.equal(c.streams.find((s) => s.stream === "cost_tail_rate")!.guard, false);
    const byDefault = parseJudgeConfig("judge: sequential\nalpha: 0.1\n", "judge.yaml");
    assert.equal(byDefault.judge === "sequential" && byDefault.finalAlpha, 0.1 * FINAL_ALPHA_SHARE);
    assert.throws(
      () => parseJudgeConfig("judge: sequential\nalpha: 0.05\nsequential:\n  finalAlpha: 0.05\n", "judge.yaml"),
      /finalAlpha \(0\.05\) must be below alpha/,
    );
  });
});

describe("configuration from environment settings", () => {
  it("maps listed metrics to streams with their tolerance and material ratio", () => {
    const c = judgeConfigFromSettings({
      judge: "sequential",
      alpha: 0.1,
      minDuration: "10m",
      metrics: {
        error_rate: { tolerance: 0.1, materialRatio: 2 },
        latency: { tolerance: 0.05 },
        cost_per_task: { tolerance: 0.1, enabled: false },
      },
    });
    assert.equal(c.judge, "sequential");
    if (c.judge !== "sequential") return;
    assert.equal(c.minDuration, 600);
    assert.equal(c.alpha, 0.1);
    assert.deepEqual(
      c.streams.map((s) => [s.stream, s.tolerance, s.materialRatio]),
      [
        ["error_rate", 0.1, 2],
        ["latency_logmean", 0.05, 1.25],
        ["latency_spread", 0.05, 1.25],
      ],
    );
    const fixed = judgeConfigFromSettings({
      judge: "fixed-threshold",
      alpha: 0.05,
      minDuration: "5m",
      metrics: {},
      ceilings: { errorRate: 0.02 },
    });
    assert.deepEqual(fixed.judge === "fixed-threshold" && [fixed.errorRate, fixed.p99Ms], [0.02, 2000]);
  });
});
