/**
 * Time series for the rollout report, from the telemetry interval records in the evidence: per arm
 * and chart, the value over a trailing one-minute window at every interval (pooled, so a rate is
 * Σerrors/Σrequests over the window, not an average of per-interval rates).
 */
import { histogramQuantile, mergeHistograms } from "../analysis/index.ts";
import type { Arm, IntervalRecord } from "../telemetry/index.ts";

export const SMOOTHING_WINDOW_S = 60;

export interface SeriesPoint {
  /** Seconds since the rollout began. */
  t: number;
  value: number;
}

export interface ChartSeries {
  id: "error_rate" | "latency_mean" | "latency_p99" | "cost_per_task" | "intervention_rate" | "throughput";
  title: string;
  unit: "ratio" | "ms" | "usd" | "per-second";
  arms: Record<Arm, SeriesPoint[]>;
}

interface Definition {
  id: ChartSeries["id"];
  title: string;
  unit: ChartSeries["unit"];
  value(window: readonly IntervalRecord[], seconds: number): number | undefined;
}

const sum = (rs: readonly IntervalRecord[], pick: (r: IntervalRecord) => number | undefined) =>
  rs.reduce((n, r) => n + (pick(r) ?? 0), 0);
const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : undefined);
const count = (h: IntervalRecord["latencyMs"]) => (h ? h.buckets.reduce((n, [, c]) => n + c, 0) : 0);

const DEFINITIONS: Definition[] = [
  {
    id: "error_rate",
    title: "Error rate",
    unit: "ratio",
    value: (w) =>
      ratio(
        sum(w, (r) => r.errors),
        sum(w, (r) => (r.errors !== undefined ? r.requests : 0)),
      ),
  },
  {
    id: "latency_mean",
    title: "Latency, mean",
    unit: "ms",
    value: (w) =>
      ratio(
        sum(w, (r) => r.latencyMs?.sum),
        sum(w, (r) => count(r.latencyMs)),
      ),
  },
  {
    id: "latency_p99",
    title: "Latency, p99",
    unit: "ms",
    value: (w) => {
      const merged = mergeHistograms(w.flatMap((r) => (r.latencyMs ? [r.latencyMs.buckets] : []))).buckets;
      const q = merged ? histogramQuantile(0.99, merged) : Number.NaN;
      return Number.isFinite(q) ? q : undefined;
    },
  },
  {
    id: "cost_per_task",
    title: "Cost per task",
    unit: "usd",
    value: (w) =>
      ratio(
        sum(w, (r) => r.costUsd?.sum),
        sum(w, (r) => count(r.costUsd)),
      ),
  },
  {
    id: "intervention_rate",
    title: "Human intervention rate",
    unit: "ratio",
    value: (w) =>
      ratio(
        sum(w, (r) => r.interventions),
        sum(w, (r) => (r.interventions !== undefined ? r.tasks : 0)),
      ),
  },
  {
    id: "throughput",
    title: "Requests per second",
    unit: "per-second",
    value: (w, seconds) => (w.some((r) => r.requests !== undefined) ? sum(w, (r) => r.requests) / seconds : undefined),
  },
];

/** Every chart with data in at least one arm. */
export function chartSeries(records: readonly IntervalRecord[], interval: number): ChartSeries[] {
  const byArm: Record<Arm, IntervalRecord[]> = {
    canary: records.filter((r) => r.arm === "canary").sort((a, b) => a.t - b.t),
    baseline: records.filter((r) => r.arm === "baseline").sort((a, b) => a.t - b.t),
  };
  const out: ChartSeries[] = [];
  for (const def of DEFINITIONS) {
    const arms = { canary: points(byArm.canary, def, interval), baseline: points(byArm.baseline, def, interval) };
    if (arms.canary.length + arms.baseline.length > 0) out.push({ id: def.id, title: def.title, unit: def.unit, arms });
  }
  return out;
}

function points(records: readonly IntervalRecord[], def: Definition, interval: number): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (let i = 0; i < records.length; i++) {
    const t = records[i]!.t;
    const window = records.filter((r) => r.t > t - SMOOTHING_WINDOW_S && r.t <= t);
    const value = def.value(window, window.length * interval);
    if (value !== undefined && Number.isFinite(value)) out.push({ t, value });
  }
  return out;
}
