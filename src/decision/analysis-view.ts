/**
 * Turns what the telemetry and the analysis say into what the policy reads (per-metric judgements,
 * absolute backstops, spend) and into the evidence lines of a decision commit.
 */
import {
  type AnalysisReport,
  histogramQuantile,
  mergeHistograms,
  STREAM_METRIC,
  type StreamVerdict,
} from "../analysis/index.ts";
import { type EvidenceLine, MAX_RECORDED_E_VALUE, type MetricName, UNBOUNDED_RATIO } from "../model/index.ts";
import type { MetricJudgement, PolicyAnalysis, PolicySampleRatio, PolicySpend, Windowed } from "../policy/index.ts";
import type { IntervalRecord } from "../telemetry/index.ts";

/** Windows of the absolute backstops (the defaults: errors over 2 min, p99 over 3 min). */
export const ERROR_CEILING_WINDOW_S = 120;
export const P99_CEILING_WINDOW_S = 180;
/**
 * Tasks each arm must have served in the step before its mean cost per task is reported. Costs are
 * heavy-tailed (runaway tasks): a mean over fewer tasks swings by tens of percent on one runaway,
 * which would trip the budget breaker on healthy canaries.
 */
export const MIN_TASKS_FOR_COST_MEAN = 2000;
/**
 * Least canary requests (or latency observations) in a backstop window before its ceiling is
 * judged: 11 errors in the first 200 requests is 5.5%, and rolled a healthy canary back.
 */
export const MIN_REQUESTS_FOR_CEILING = 500;
/** Window over which the canary's task rate is measured. */
export const TASK_RATE_WINDOW_S = 60;

/** The unit each stream's levels are in. */
const STREAM_UNIT: Record<StreamVerdict["stream"], NonNullable<MetricJudgement["unit"]>> = {
  error_rate: "fraction",
  intervention_rate: "fraction",
  slow_request_rate: "fraction",
  cost_tail_rate: "fraction",
  latency_logmean: "ms",
  latency_spread: "ratio",
  cost_logmean: "usd",
};

/**
 * Per metric: fail if any of its streams failed, pass if all passed, otherwise inconclusive.
 * Freshness comes from the records, not from what the streams used: a stream that skips its
 * warm-up has no data yet, but the telemetry is not missing.
 */
export function metricJudgements(
  report: AnalysisReport,
  records: readonly IntervalRecord[],
  now: number,
): Partial<Record<MetricName, MetricJudgement>> {
  const byMetric = new Map<MetricName, StreamVerdict[]>();
  for (const s of report.streams) {
    const metric = STREAM_METRIC[s.stream];
    byMetric.set(metric, [...(byMetric.get(metric) ?? []), s]);
  }
  const out: Partial<Record<MetricName, MetricJudgement>> = {};
  for (const [metric, streams] of byMetric) {
    const failed = streams.find((s) => s.verdict === "fail");
    const lead = failed ?? streams.find((s) => s.verdict === "inconclusive") ?? streams[0]!;
    const verdict = failed ? "fail" : streams.every((s) => s.verdict === "pass") ? "pass" : "inconclusive";
    const withoutData = streams.some((s) => s.data.lastDataAt === null || s.data.intervals === 0);
    const lastData = lastSeen(metric, records);
    out[metric] = {
      verdict,
      reason:
        verdict === "fail"
          ? "regression"
          : verdict === "pass"
            ? "not-worse"
            : withoutData
              ? "insufficient-data"
              : "undecided",
      detail: lead.reason,
      ...finite("canary", lead.data.canary),
      ...finite("baseline", lead.data.baseline),
      unit: STREAM_UNIT[lead.stream],
      ...(Number.isFinite(lead.estimate.ratio)
        ? {
            effect: {
              estimate: round(lead.estimate.ratio),
              lower: round(lead.estimate.lower),
              upper: round(clampUpper(lead.estimate.upper)),
            },
          }
        : {}),
      eValue: round(Math.min(MAX_RECORDED_E_VALUE, Math.max(...streams.map((s) => s.eValue.rollback)))),
      eValueThreshold: round(lead.threshold.rollback),
      ...(failed?.finalLook && failed.finalLook.pValue <= failed.finalLook.level
        ? { finalLook: { pValue: round(failed.finalLook.pValue), level: round(failed.finalLook.level) } }
        : {}),
      ...(verdict === "inconclusive" && neededSeconds(streams) !== undefined
        ? { neededSeconds: neededSeconds(streams) }
        : {}),
      samples: {
        canary: Math.min(...streams.map((s) => s.data.canarySamples)),
        baseline: Math.min(...streams.map((s) => s.data.baselineSamples)),
      },
      dataAgeSeconds: Math.max(0, Math.round(now - lastData)),
    };
  }
  return out;
}

/** The longest any of a metric's open streams needs at current traffic (undefined: some never, or none open). */
function neededSeconds(streams: readonly StreamVerdict[]): number | undefined {
  const open = streams.filter((s) => s.verdict === "inconclusive" && s.data.intervals > 0);
  if (open.length === 0 || open.some((s) => s.neededSeconds === null)) return undefined;
  return Math.max(...open.map((s) => s.neededSeconds!));
}

/** The traffic split check as the policy reads it (absent when the report has none). */
export function sampleRatioView(report: AnalysisReport): PolicySampleRatio | undefined {
  const r = report.sampleRatio;
  if (!r) return undefined;
  return {
    expectedShare: round(r.expectedShare),
    ...(Number.isFinite(r.observedShare) ? { observedShare: round(r.observedShare) } : {}),
    mismatch: r.mismatchAt !== null,
    eValue: round(Math.min(MAX_RECORDED_E_VALUE, r.eValue)),
    eValueThreshold: round(r.threshold),
    reason: r.reason,
  };
}

/**
 * Judgements when the canary serves all traffic: there is no baseline, so nothing is compared, but
 * each metric's canary level, samples and freshness are reported (missing telemetry still counts).
 */
export function fullWeightJudgements(
  metrics: readonly MetricName[],
  stepRecords: readonly IntervalRecord[],
  now: number,
): Partial<Record<MetricName, MetricJudgement>> {
  const canary = stepRecords.filter((r) => r.arm === "canary");
  const out: Partial<Record<MetricName, MetricJudgement>> = {};
  for (const metric of metrics) {
    const { has, level } = CANARY_LEVEL[metric];
    const rs = canary.filter(has);
    const measured = level(rs);
    const lastData = rs.length > 0 ? rs[rs.length - 1]!.t : 0;
    out[metric] = {
      verdict: "inconclusive",
      reason: "no-baseline",
      detail: "the canary serves all traffic; there is no baseline to compare with",
      ...(measured && Number.isFinite(measured.value) ? { canary: round(measured.value) } : {}),
      unit: CANARY_UNIT[metric],
      samples: { canary: measured?.samples ?? 0, baseline: 0 },
      dataAgeSeconds: Math.max(0, Math.round(now - lastData)),
    };
  }
  return out;
}

/** The end of the last interval in which both arms reported what `metric` needs (0 if none). */
function lastSeen(metric: MetricName, records: readonly IntervalRecord[]): number {
  const { has } = CANARY_LEVEL[metric];
  const last = (arm: "canary" | "baseline") =>
    records.reduce((t, r) => (r.arm === arm && has(r) && r.t > t ? r.t : t), 0);
  return Math.min(last("canary"), last("baseline"));
}

type Level = { value: number; samples: number } | undefined;
const histogramMean = (
  rs: readonly IntervalRecord[],
  pick: (r: IntervalRecord) => IntervalRecord["latencyMs"],
): Level => {
  const n = rs.reduce((total, r) => total + pick(r)!.buckets.reduce((m, [, c]) => m + c, 0), 0);
  return n > 0 ? { value: rs.reduce((total, r) => total + pick(r)!.sum, 0) / n, samples: n } : undefined;
};
const ratio = (
  rs: readonly IntervalRecord[],
  part: (r: IntervalRecord) => number,
  whole: (r: IntervalRecord) => number,
): Level => {
  const n = rs.reduce((total, r) => total + whole(r), 0);
  return n > 0 ? { value: rs.reduce((total, r) => total + part(r), 0) / n, samples: n } : undefined;
};
const CANARY_UNIT: Record<MetricName, NonNullable<MetricJudgement["unit"]>> = {
  error_rate: "fraction",
  intervention_rate: "fraction",
  latency: "ms",
  slow_request_rate: "ms",
  cost_per_task: "usd",
};
const CANARY_LEVEL: Record<
  MetricName,
  { has: (r: IntervalRecord) => boolean; level: (rs: readonly IntervalRecord[]) => Level }
> = {
  error_rate: {
    has: (r) => r.errors !== undefined,
    level: (rs) =>
      ratio(
        rs,
        (r) => r.errors!,
        (r) => r.requests!,
      ),
  },
  intervention_rate: {
    has: (r) => r.interventions !== undefined,
    level: (rs) =>
      ratio(
        rs,
        (r) => r.interventions!,
        (r) => r.tasks!,
      ),
  },
  latency: { has: (r) => r.latencyMs !== undefined, level: (rs) => histogramMean(rs, (r) => r.latencyMs) },
  slow_request_rate: { has: (r) => r.latencyMs !== undefined, level: (rs) => histogramMean(rs, (r) => r.latencyMs) },
  cost_per_task: { has: (r) => r.costUsd !== undefined, level: (rs) => histogramMean(rs, (r) => r.costUsd) },
};

/**
 * The canary's own error rate and p99 over the backstop windows ending at `now`, with the
 * baseline's over the same windows (when it takes traffic) so an incident on both can be told apart.
 */
export function absoluteBackstops(records: readonly IntervalRecord[], now: number): PolicyAnalysis["absolute"] {
  const absolute: PolicyAnalysis["absolute"] = {};
  const errorRate = (arm: "canary" | "baseline") => {
    const rs = records.filter(
      (r) => r.arm === arm && r.t > now - ERROR_CEILING_WINDOW_S && r.requests !== undefined && r.errors !== undefined,
    );
    const requests = rs.reduce((n, r) => n + (r.requests ?? 0), 0);
    return requests >= MIN_REQUESTS_FOR_CEILING ? rs.reduce((n, r) => n + (r.errors ?? 0), 0) / requests : undefined;
  };
  const p99 = (arm: "canary" | "baseline") => {
    const histograms = records
      .filter((r) => r.arm === arm && r.t > now - P99_CEILING_WINDOW_S && r.latencyMs)
      .map((r) => r.latencyMs!.buckets);
    const merged = mergeHistograms(histograms).buckets;
    if (!merged || merged.reduce((n, [, c]) => n + c, 0) < MIN_REQUESTS_FOR_CEILING) return undefined;
    const q = histogramQuantile(0.99, merged);
    return Number.isFinite(q) ? q : undefined;
  };
  const canaryErrors = errorRate("canary");
  if (canaryErrors !== undefined)
    absolute.errorRate = windowed(canaryErrors, ERROR_CEILING_WINDOW_S, errorRate("baseline"));
  const canaryP99 = p99("canary");
  if (canaryP99 !== undefined) absolute.p99LatencyMs = windowed(canaryP99, P99_CEILING_WINDOW_S, p99("baseline"));
  return absolute;
}

/**
 * Spend of the deploy so far (what earlier steps carried, `earlierSpendUsd`, plus every canary
 * interval of `rolloutRecords`, the records since) and the recent cost per
 * task of both arms. The task rate is scaled to full traffic (`weight` percent on the canary), so a
 * runaway loop shows the same way at 5% as at 50%.
 */
export function spendOf(
  rolloutRecords: readonly IntervalRecord[],
  stepRecords: readonly IntervalRecord[],
  now: number,
  weight: number,
  earlierSpendUsd?: number,
): PolicySpend | undefined {
  const deployUsd = canarySpendUsd(rolloutRecords, earlierSpendUsd);
  if (deployUsd === undefined) return undefined;
  const perTask = (arm: "canary" | "baseline") => {
    const rs = stepRecords.filter((r) => r.arm === arm && r.costUsd !== undefined);
    const tasks = rs.reduce((n, r) => n + r.costUsd!.buckets.reduce((m, [, c]) => m + c, 0), 0);
    return tasks >= MIN_TASKS_FOR_COST_MEAN ? rs.reduce((n, r) => n + r.costUsd!.sum, 0) / tasks : undefined;
  };
  const canaryPerTask = perTask("canary");
  const baselinePerTask = perTask("baseline");
  const recentTasks = stepRecords.filter(
    (r) => r.arm === "canary" && r.tasks !== undefined && r.t > now - TASK_RATE_WINDOW_S,
  );
  const covered = recentTasks.length > 0 ? Math.min(TASK_RATE_WINDOW_S, now) : 0;
  const taskRate =
    covered > 0 && weight > 0
      ? (recentTasks.reduce((n, r) => n + (r.tasks ?? 0), 0) / covered) * 60 * (100 / weight)
      : 0;
  return {
    deployUsd: round(deployUsd),
    ...(canaryPerTask !== undefined ? { canaryCostPerTaskUsd: round(canaryPerTask) } : {}),
    ...(baselinePerTask !== undefined ? { baselineCostPerTaskUsd: round(baselinePerTask) } : {}),
    canaryTaskRatePerMinute: round(taskRate),
  };
}

/**
 * The canary's spend: `earlierSpendUsd` (carried from earlier steps) plus the cost of every canary
 * interval of `records`; undefined when neither says anything about cost.
 */
export function canarySpendUsd(records: readonly IntervalRecord[], earlierSpendUsd?: number): number | undefined {
  const costs = records.filter((r) => r.arm === "canary" && r.costUsd !== undefined);
  if (costs.length === 0 && earlierSpendUsd === undefined) return undefined;
  return costs.reduce((sum, r) => sum + r.costUsd!.sum, earlierSpendUsd ?? 0);
}

/** One line per metric for the commit body: baseline, canary, effect with bounds, statistic. */
export function evidenceLines(report: AnalysisReport): EvidenceLine[] {
  return report.streams.map((s) => ({
    metric: s.stream,
    baseline: formatLevel(s.stream, s.data.baseline),
    canary: formatLevel(s.stream, s.data.canary),
    effect: Number.isFinite(s.estimate.ratio)
      ? `×${s.estimate.ratio.toFixed(3)} [${s.estimate.lower.toFixed(3)}, ${Number.isFinite(s.estimate.upper) ? s.estimate.upper.toFixed(3) : "∞"}]`
      : "no estimate",
    statistic: `e=${formatE(s.eValue.rollback)}/${formatE(s.threshold.rollback)}`,
    verdict: s.verdict,
  }));
}

function formatLevel(stream: StreamVerdict["stream"], value: number): string {
  if (!Number.isFinite(value)) return "no data";
  if (stream.endsWith("_rate")) return `${(value * 100).toFixed(2)}%`;
  if (stream === "latency_logmean") return `${value.toFixed(0)} ms`;
  if (stream === "cost_logmean") return `$${value.toFixed(4)}`;
  return value.toFixed(3);
}

function formatE(e: number): string {
  if (!Number.isFinite(e)) return "∞";
  return e >= 1000 ? e.toExponential(1) : e.toPrecision(3);
}

function windowed(value: number, windowSeconds: number, baseline?: number): Windowed {
  return { value: round(value), ...(baseline !== undefined ? { baseline: round(baseline) } : {}), windowSeconds };
}

function finite<K extends string>(key: K, value: number): Partial<Record<K, number>> {
  return Number.isFinite(value) ? ({ [key]: round(value) } as Record<K, number>) : {};
}

function clampUpper(x: number): number {
  return Number.isFinite(x) ? Math.min(x, UNBOUNDED_RATIO) : UNBOUNDED_RATIO;
}

/** Six significant digits: stable across platforms, enough for every message. */
export function round(x: number): number {
  return Number(x.toPrecision(6));
}
