/**
 * The Kayenta-like judge: at every check, for each per-scrape series (error rate, p50, p99,
 * throughput, cost per task, intervention rate) over all points so far, a two-sided Mann-Whitney
 * test; a metric is degraded when p < pValue and the canary's mean is worse than the baseline's by
 * more than `effectRatio`. The first degraded metric rolls back; otherwise promote when the bake ends.
 * It is here so users coming from Kayenta can reproduce their old behaviour and compare.
 */
import { errorFunction } from "simple-statistics";
import type { MannWhitneyJudgeConfig, MannWhitneyMetric } from "./config.ts";
import { type Decision, type JudgeRun, tidy } from "./decision.ts";
import { histogramQuantile } from "./histogram.ts";
import type { ArmObservation, StageTiming, Tick } from "./observations.ts";

/**
 * Two-sided Mann-Whitney U test, normal approximation with tie and continuity correction.
 * Returns p = 1 when either sample has fewer than 2 points or every value ties.
 */
export function mannWhitneyPValue(a: readonly number[], b: readonly number[]): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < 2 || n2 < 2) return 1;
  const all = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (all[k]!.first) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return 1;
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 1 - errorFunction(z / Math.SQRT2));
}

/** The value of one per-scrape series for one arm in one interval, or undefined when not measured. */
function seriesValue(metric: MannWhitneyMetric, arm: ArmObservation, interval: number): number | undefined {
  const r = arm.record;
  switch (metric) {
    case "error_rate":
      return r.requests && r.errors !== undefined ? r.errors / r.requests : undefined;
    case "p50":
      return arm.latency && arm.latency.count > 0 ? histogramQuantile(0.5, arm.latency.buckets) : undefined;
    case "p99":
      return arm.latency && arm.latency.count > 0 ? histogramQuantile(0.99, arm.latency.buckets) : undefined;
    case "throughput":
      return r.requests !== undefined ? r.requests / interval : undefined;
    case "cost_per_task":
      return r.tasks && r.costUsd ? r.costUsd.sum / r.tasks : undefined;
    case "intervention_rate":
      return r.tasks && r.interventions !== undefined ? r.interventions / r.tasks : undefined;
  }
}

export class MannWhitneyJudgeRun implements JudgeRun {
  private readonly series = new Map<MannWhitneyMetric, { canary: number[]; baseline: number[] }>();
  private readonly end: number;

  constructor(
    readonly config: MannWhitneyJudgeConfig,
    readonly timing: StageTiming,
  ) {
    for (const m of config.metrics) this.series.set(m, { canary: [], baseline: [] });
    this.end = Math.min(config.bake ?? timing.horizon, timing.horizon);
  }

  observe(tick: Tick): Decision | undefined {
    for (const [metric, s] of this.series) {
      for (const arm of ["canary", "baseline"] as const) {
        const obs = tick[arm];
        const v = obs ? seriesValue(metric, obs, this.timing.interval) : undefined;
        if (v !== undefined && Number.isFinite(v)) s[arm].push(v);
      }
    }
    const start = Math.max(this.config.firstCheck, this.timing.analysisStart);
    const isCheck =
      tick.t >= start &&
      Math.abs((tick.t - start) / this.config.checkEvery - Math.round((tick.t - start) / this.config.checkEvery)) <
        1e-9;
    if (isCheck && tick.t <= this.end) {
      for (const [metric, s] of this.series) {
        const p = mannWhitneyPValue(s.canary, s.baseline);
        const mc = mean(s.canary);
        const mb = mean(s.baseline);
        const worse = metric === "throughput" ? mc * this.config.effectRatio < mb : mc > this.config.effectRatio * mb;
        if (p < this.config.pValue && worse) {
          return {
            action: "rollback",
            at: tick.t,
            trigger: metric,
            evidence: {
              judge: "mann-whitney",
              pValue: tidy(p),
              canaryMean: tidy(mc),
              baselineMean: tidy(mb),
              points: { canary: s.canary.length, baseline: s.baseline.length },
            },
          };
        }
      }
    }
    const compared = [...this.series.values()].some((s) => s.canary.length > 0 && s.baseline.length > 0);
    if (tick.t >= this.end && !compared) {
      // Nothing could be compared: a missing signal never promotes.
      return {
        action: "hold",
        at: tick.t,
        trigger: null,
        evidence: { judge: "mann-whitney", checkedUntil: this.end, hold: "no-data" },
      };
    }
    if (tick.t >= this.end) {
      return {
        action: "promote",
        at: tick.t,
        trigger: null,
        evidence: { judge: "mann-whitney", checkedUntil: this.end },
      };
    }
    return undefined;
  }
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : Number.NaN;
}
