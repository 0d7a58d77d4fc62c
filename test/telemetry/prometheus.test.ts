/**
 * The Prometheus source against a real Prometheus (Debian package), backfilled with known telemetry
 * through promtool: it must return exactly the counts that were written, and every data fault
 * (gaps, a counter reset, NaN and +Inf samples, one arm missing, a PromQL error) must come back as
 * explicit missing or insufficient data for the affected signal, logged once, never as zeros.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { PrometheusSettings } from "../../src/model/types.ts";
import { validateRecords } from "../../src/telemetry/records.ts";
import { PrometheusSource } from "../../src/telemetry/prometheus/source.ts";
import type { SignalName, TelemetryWindow } from "../../src/telemetry/source.ts";
import { LATENCY_LE, type PodTelemetry, serviceOpenMetrics } from "../support/prometheus/openmetrics.ts";
import { type PrometheusServer, prometheusSkip, startPrometheus } from "../support/prometheus/server.ts";
import { captureLogs, counts, expectedRecords, podInterval } from "./helpers.ts";

const INTERVAL_S = 10;
const N = 12;
const NAMESPACE = "agents";
const STAGE_START = Math.floor((Date.now() - 3_600_000) / 10_000) * 10_000;
const ALL_SIGNALS: SignalName[] = ["requests", "errors", "tasks", "interventions", "latency", "cost"];

function pods(
  seed: number,
  arms: Record<string, number>,
  edit: (pod: PodTelemetry, podIndex: number) => void = () => {},
): PodTelemetry[] {
  const random = counts(seed);
  const result: PodTelemetry[] = [];
  for (const [arm, n] of Object.entries(arms)) {
    for (let p = 0; p < n; p++) {
      const pod: PodTelemetry = { arm, pod: `${arm}-${p}`, initial: 1000 + 100 * p, intervals: [] };
      for (let k = 0; k < N; k++) pod.intervals.push(podInterval(random, arm === "canary" ? 1 : 1.2));
      edit(pod, p);
      result.push(pod);
    }
  }
  return result;
}

const SERVICES: Record<string, PodTelemetry[]> = {
  exact: pods(1, { canary: 2, baseline: 2 }),
  gappy: pods(2, { canary: 1, baseline: 1 }, (pod) => {
    if (pod.arm === "canary") pod.intervals[4] = null; // the scrape ending interval 5 was missed
  }),
  resetting: pods(3, { canary: 2, baseline: 2 }, (pod, p) => {
    if (pod.arm === "canary" && p === 0) pod.intervals[6]!.reset = true; // restarted during interval 7
  }),
  nan: pods(4, { canary: 1, baseline: 1 }, (pod) => {
    if (pod.arm === "canary") pod.intervals[3]!.requestsValue = Number.NaN;
  }),
  inf: pods(5, { canary: 1, baseline: 1 }, (pod) => {
    if (pod.arm === "baseline") pod.intervals[5]!.requestsValue = Number.POSITIVE_INFINITY;
  }),
  lonely: pods(6, { baseline: 2 }),
};

function openMetrics(): string {
  const parts = Object.entries(SERVICES).map(([service, list]) =>
    serviceOpenMetrics({
      service,
      namespace: NAMESPACE,
      stageStartMs: STAGE_START,
      intervalMs: INTERVAL_S * 1000,
      offsetMs: 3000,
      pods: list,
    }).replace(/# EOF\n$/, ""),
  );
  // One family may appear only once in a file: merge the per-service texts family by family.
  const families = new Map<string, string[]>();
  for (const part of parts) {
    let current = "";
    for (const line of part.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        current = line;
        if (!families.has(current)) families.set(current, []);
      } else if (line) families.get(current)!.push(line);
    }
  }
  return `${[...families].map(([type, lines]) => `${type}\n${lines.join("\n")}`).join("\n")}\n# EOF\n`;
}

describe("Prometheus source against a real Prometheus", { skip: prometheusSkip() }, () => {
  let prometheus: PrometheusServer;
  before(async () => {
    prometheus = await startPrometheus({ backfill: openMetrics() });
  });
  after(async () => {
    await prometheus?.stop();
  });

  const source = (settings: Partial<PrometheusSettings> = {}) => {
    const logs = captureLogs();
    const src = new PrometheusSource({
      settings: { url: prometheus.url, timeout: "10s", ...settings },
      intervalMs: INTERVAL_S * 1000,
      logger: logs.logger,
      backoffMs: 10,
    });
    return { src, logs };
  };
  const fetch = (src: PrometheusSource, service: string): Promise<TelemetryWindow> =>
    src.fetch({ service, namespace: NAMESPACE, stageStart: new Date(STAGE_START), from: 0, to: N * INTERVAL_S });

  test("returns exactly the counts and histograms that were written, summed over pods", async () => {
    const { src, logs } = source();
    const window = await fetch(src, "exact");
    assert.deepEqual(window.problems, []);
    assert.deepEqual(window.records, expectedRecords(SERVICES.exact!, INTERVAL_S, N));
    validateRecords(window.records, "window");
    assert.deepEqual(logs.warnings(), []);
  });

  test("a window inside the stage returns only its intervals", async () => {
    const { src } = source();
    const window = await src.fetch({
      service: "exact",
      namespace: NAMESPACE,
      stageStart: new Date(STAGE_START),
      from: 35,
      to: 70,
    });
    assert.deepEqual(
      window.records.map((r) => `${r.t}/${r.arm}`),
      ["40/canary", "40/baseline", "50/canary", "50/baseline", "60/canary", "60/baseline", "70/canary", "70/baseline"],
    );
    const all = expectedRecords(SERVICES.exact!, INTERVAL_S, N);
    assert.deepEqual(
      window.records,
      all.filter((r) => r.t > 35 && r.t <= 70),
    );
  });

  test("a template with {{interval}} is evaluated by Prometheus as per-interval increments", async () => {
    const selector = 'tollgate_requests_total{service="{{service}}",tollgate_dev_arm="{{arm}}"}';
    const { src } = source({ queries: { requests: `sum(${selector}) - sum(${selector} offset {{interval}})` } });
    const window = await fetch(src, "exact");
    assert.deepEqual(window.problems, []);
    assert.deepEqual(window.records, expectedRecords(SERVICES.exact!, INTERVAL_S, N));
  });

  test("any other expression is read through a subquery at the interval's resolution", async () => {
    const { src } = source({
      queries: { requests: 'sum by (pod) (tollgate_requests_total{service="{{service}}",tollgate_dev_arm="{{arm}}"})' },
    });
    const window = await fetch(src, "exact");
    assert.deepEqual(window.problems, []);
    assert.deepEqual(window.records, expectedRecords(SERVICES.exact!, INTERVAL_S, N));
  });

  test("a latency histogram in seconds is read in milliseconds with latencyUnit: seconds", async () => {
    const selector = 'service="{{service}}",namespace="{{namespace}}",tollgate_dev_arm="{{arm}}"';
    const queries = {
      latencyBuckets: `tollgate_request_duration_seconds_bucket{${selector}}`,
      latencySum: `tollgate_request_duration_seconds_sum{${selector}}`,
    };
    const { src } = source({ latencyUnit: "seconds", queries });
    const window = await fetch(src, "exact");
    assert.deepEqual(window.problems, []);
    const expected = expectedRecords(SERVICES.exact!, INTERVAL_S, N);
    assert.equal(window.records.length, expected.length);
    window.records.forEach((r, i) => {
      const want = expected[i]!;
      assert.deepEqual(r.latencyMs!.buckets, want.latencyMs!.buckets, `bounds and counts at t=${r.t} ${r.arm}`);
      assert.ok(
        Math.abs(r.latencyMs!.sum - want.latencyMs!.sum) <= 1e-6 * want.latencyMs!.sum,
        `sum at t=${r.t} ${r.arm}: ${r.latencyMs!.sum} vs ${want.latencyMs!.sum}`,
      );
      assert.deepEqual({ ...r, latencyMs: undefined }, { ...want, latencyMs: undefined });
    });
    // Read as milliseconds by mistake, the same series would be 1000 times too fast: the setting matters.
    const { src: wrong } = source({ queries });
    const misread = await fetch(wrong, "exact");
    assert.equal(misread.records[0]!.latencyMs!.buckets[0]![0], LATENCY_LE[0]! / 1000);
  });

  test("gaps: the interval without a scrape and the one after it are missing, not zero", async () => {
    const { src, logs } = source();
    const window = await fetch(src, "gappy");
    const expected = expectedRecords(SERVICES.gappy!, INTERVAL_S, N).filter(
      (r) => !(r.arm === "canary" && (r.t === 50 || r.t === 60)),
    );
    assert.deepEqual(window.records, expected);
    for (const signal of ALL_SIGNALS) {
      assertProblem(window, signal, "canary", "gap", "missing", [50]);
      assertProblem(window, signal, "canary", "no-start", "insufficient", [60]);
    }
    assert.equal(window.problems.filter((p) => p.arm === "baseline").length, 0);
    assertLoggedOnce(logs.warnings(), "gap");
    assertLoggedOnce(logs.warnings(), "no-start");
  });

  test("a counter reset makes that interval insufficient for the restarted arm; the next interval counts again", async () => {
    const { src, logs } = source();
    const window = await fetch(src, "resetting");
    const expected = expectedRecords(SERVICES.resetting!, INTERVAL_S, N).filter(
      (r) => !(r.arm === "canary" && r.t === 70),
    );
    assert.deepEqual(window.records, expected);
    for (const signal of ALL_SIGNALS) assertProblem(window, signal, "canary", "counter-reset", "insufficient", [70]);
    const warnings = logs.warnings();
    assertLoggedOnce(warnings, "counter-reset");
    assert.match(warnings[0]!.msg, /pod="canary-0"/);
  });

  test("NaN samples: the counter is insufficient where the NaN is used, errors lose their denominator", async () => {
    const { src, logs } = source();
    const window = await fetch(src, "nan");
    assertProblem(window, "requests", "canary", "non-finite", "insufficient", [40, 50]);
    assertProblem(window, "errors", "canary", "inconsistent", "insufficient", [40, 50]);
    const expected = expectedRecords(SERVICES.nan!, INTERVAL_S, N).map((r) => {
      if (r.arm !== "canary" || (r.t !== 40 && r.t !== 50)) return r;
      const { requests: _r, errors: _e, ...rest } = r;
      return rest;
    });
    assert.deepEqual(window.records, expected);
    assert.match(logs.warnings().find((l) => l.cause === "non-finite")!.msg, /NaN/);
    assertLoggedOnce(logs.warnings(), "non-finite");
  });

  test("+Inf samples are insufficient data, never a count", async () => {
    const { src } = source();
    const window = await fetch(src, "inf");
    assertProblem(window, "requests", "baseline", "non-finite", "insufficient", [60, 70]);
    for (const r of window.records.filter((r) => r.arm === "baseline" && (r.t === 60 || r.t === 70))) {
      assert.equal(r.requests, undefined);
      assert.equal(r.errors, undefined);
      assert.ok(r.latencyMs, "the other signals of the interval are kept");
    }
    assert.ok(window.problems.find((p) => p.cause === "non-finite")!.reason.includes("+Inf"));
  });

  test("one arm missing: every signal of that arm is missing for the whole window", async () => {
    const { src, logs } = source();
    const window = await fetch(src, "lonely");
    const all = Array.from({ length: N }, (_, k) => (k + 1) * INTERVAL_S);
    for (const signal of ALL_SIGNALS) assertProblem(window, signal, "canary", "no-data", "missing", all);
    assert.ok(window.records.every((r) => r.arm === "baseline"));
    assert.deepEqual(window.records, expectedRecords(SERVICES.lonely!, INTERVAL_S, N));
    // One line for the fault, not one per signal, interval or fetch.
    assertLoggedOnce(logs.warnings(), "no-data");
    assert.equal(logs.warnings().length, 1);
    assert.deepEqual(
      logs.warnings()[0]!.signals,
      ALL_SIGNALS.map((s) => `${s}/canary`),
    );
    await fetch(src, "lonely");
    assert.equal(logs.warnings().length, 1, "a lasting problem is not logged again");
  });

  test("a PromQL error leaves that signal missing with Prometheus's message", async () => {
    const { src, logs } = source({
      queries: { requests: 'sum(tollgate_requests_total{service="{{service}}"}[{{interval}}])' },
    });
    const window = await fetch(src, "exact");
    const all = Array.from({ length: N }, (_, k) => (k + 1) * INTERVAL_S);
    for (const arm of ["canary", "baseline"] as const)
      assertProblem(window, "requests", arm, "query-error", "missing", all);
    const problem = window.problems.find((p) => p.cause === "query-error")!;
    assert.match(problem.reason, /Prometheus rejected the query \(bad_data\)/);
    assert.match(problem.reason, /range vector/);
    assert.ok(
      window.records.every((r) => r.requests === undefined && r.errors === undefined && r.latencyMs !== undefined),
    );
    assertLoggedOnce(logs.warnings(), "query-error");
  });
});

function assertProblem(
  window: TelemetryWindow,
  signal: SignalName,
  arm: string,
  cause: string,
  kind: string,
  intervals: number[],
): void {
  const found = window.problems.filter((p) => p.signal === signal && p.arm === arm && p.cause === cause);
  assert.ok(
    found.length > 0,
    `expected a ${cause} problem for ${signal}/${arm}; got ${JSON.stringify(window.problems.map((p) => `${p.signal}/${p.arm}/${p.cause}`))}`,
  );
  for (const p of found) {
    assert.equal(p.kind, kind);
    assert.ok(p.reason.length > 10);
  }
  assert.deepEqual(
    [...new Set(found.flatMap((p) => p.intervals))].sort((a, b) => a - b),
    intervals,
  );
  for (const t of intervals) {
    const record = window.records.find((r) => r.t === t && r.arm === arm);
    const field = signal === "latency" ? "latencyMs" : signal === "cost" ? "costUsd" : signal;
    assert.equal(
      record?.[field],
      undefined,
      `${signal}/${arm} at t=${t} must be absent, not ${JSON.stringify(record?.[field])}`,
    );
  }
}

function assertLoggedOnce(warnings: Array<{ cause?: string }>, cause: string): void {
  assert.equal(
    warnings.filter((w) => w.cause === cause).length,
    1,
    `one warning for ${cause}: ${JSON.stringify(warnings)}`,
  );
}
