import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateRecords, type IntervalRecord } from "../../src/telemetry/records.ts";
import { simulateStage, TelemetrySimulation } from "../../src/telemetry/simulated/generator.ts";
import { PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { Random } from "../../src/telemetry/simulated/random.ts";

function stage(options: Parameters<typeof simulateStage>[0]): IntervalRecord[] {
  return [...simulateStage(options)].flatMap((i) => i.records);
}

function totals(records: IntervalRecord[], arm: "canary" | "baseline") {
  const mine = records.filter((r) => r.arm === arm);
  const sum = (f: (r: IntervalRecord) => number) => mine.reduce((a, r) => a + f(r), 0);
  return { requests: sum((r) => r.requests ?? 0), errors: sum((r) => r.errors ?? 0), records: mine.length };
}

describe("simulated telemetry", () => {
  it("is deterministic per seed and scenario id, and different across ids", () => {
    const a = stage({ seed: 7, scenario: "x", horizon: 300 });
    assert.deepEqual(stage({ seed: 7, scenario: "x", horizon: 300 }), a);
    assert.notDeepEqual(stage({ seed: 7, scenario: "y", horizon: 300 }), a);
    assert.notDeepEqual(stage({ seed: 8, scenario: "x", horizon: 300 }), a);
  });

  it("produces valid records: dense histograms, missing scrapes as missing records", () => {
    const records = stage({ seed: 1, scenario: "valid", horizon: 1800 });
    validateRecords(records, "simulated");
    const first = records[0]!;
    assert.equal(first.latencyMs!.buckets.length, 129);
    assert.equal(first.costUsd!.buckets.length, 145);
    const histogramCount = first.latencyMs!.buckets.reduce((n, [, c]) => n + c, 0);
    assert.equal(histogramCount, first.requests);
    // 2% per arm plus 0.5% outages: some of the 360 records are missing, most are there.
    assert.ok(records.length < 360 && records.length > 320, `${records.length} records`);
  });

  it("splits traffic by the canary weight given at each step", () => {
    const ten = new TelemetrySimulation({ seed: 3, scenario: "w" });
    const fifty = new TelemetrySimulation({ seed: 3, scenario: "w" });
    let canary10 = 0;
    let canary50 = 0;
    for (let i = 0; i < 60; i++) {
      const a = ten.next(10);
      const b = fifty.next(50);
      canary10 += a.served.canary;
      canary50 += b.served.canary;
    }
    assert.ok(canary50 / canary10 > 4.5 && canary50 / canary10 < 5.5, `ratio ${canary50 / canary10}`);
    const rest = new TelemetrySimulation({ seed: 3, scenario: "w", baselineTraffic: "remainder" });
    const step = rest.next(25);
    assert.ok(step.served.baseline > 2 * step.served.canary);
  });

  it("keeps the baseline's draws when only the canary changes (paired comparisons)", () => {
    const baseline = (canary: object) =>
      stage({ seed: 4, scenario: "pair", canary, horizon: 600 }).filter((r) => r.arm === "baseline");
    assert.deepEqual(baseline(PROFILES["err x3"]), baseline(PROFILES.healthy));
  });

  it("applies a profile's effect to its version only, from its onset", () => {
    const records = stage({ seed: 11, scenario: "x3", canary: PROFILES["err x3"], world: { incidentsPer30Min: 0 } });
    const c = totals(records, "canary");
    const b = totals(records, "baseline");
    const ratio = c.errors / c.requests / (b.errors / b.requests);
    assert.ok(ratio > 2.3 && ratio < 3.8, `error ratio ${ratio}`);
    const late = [
      ...simulateStage({
        seed: 11,
        scenario: "late",
        canary: { errorRateMultiplier: 5, onset: 900 },
        world: { incidentsPer30Min: 0 },
      }),
    ];
    const before = late.filter((i) => i.t <= 900).flatMap((i) => i.records);
    const early = totals(before, "canary").errors / Math.max(1, totals(before, "baseline").errors);
    assert.ok(early < 1.6, `before onset the canary is healthy (ratio ${early})`);
    const down = stage({ seed: 2, scenario: "down", canary: { down: { from: 100, until: 200 } }, horizon: 300 });
    assert.ok(!down.some((r) => r.arm === "canary" && r.t > 100 && r.t <= 200));
  });

  it("draws from its distributions with the right mean", () => {
    const r = new Random(5, "moments");
    const mean = (f: () => number, n = 20000) => Array.from({ length: n }, f).reduce((a, b) => a + b, 0) / n;
    assert.ok(Math.abs(mean(() => r.poisson(200)) - 200) < 1);
    assert.ok(Math.abs(mean(() => r.poisson(3)) - 3) < 0.05);
    assert.ok(Math.abs(mean(() => r.binomial(250, 0.02)) - 5) < 0.1);
    assert.ok(Math.abs(mean(() => r.normal())) < 0.03);
    assert.ok(Math.abs(mean(() => r.normal() ** 2) - 1) < 0.03);
  });
});
