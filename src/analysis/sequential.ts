/**
 * tollgate's sequential judge (design page, (d)): anytime-valid e-processes per metric stream.
 * Roll back the first time any stream's rollback e-value reaches 1/(α·share); promote once every
 * stream's promotion e-value has reached 1/promoteAlpha, after the minimum time, or at the stage cap.
 *
 * Why promotion needs no split of its budget: promoting is wrong only if some stream is materially
 * worse, and that stream's own test reached 1/promoteAlpha with probability ≤ promoteAlpha
 * (an intersection-union test), whichever stream it is.
 */
import type { SequentialJudgeConfig } from "./config.ts";
import { type Decision, type JudgeRun, tidy } from "./decision.ts";
import type { StageTiming, Tick } from "./observations.ts";
import { createStream, type Estimate, type MetricStream, STREAM_METRIC, type StreamKind, type StreamSummary } from "./streams.ts";

export type Verdict = "fail" | "pass" | "inconclusive";

export interface StreamVerdict {
  stream: StreamKind;
  metric: string;
  verdict: Verdict;
  /** One sentence for people (and policy messages). */
  reason: string;
  /** Canary/baseline ratio with anytime-valid (1 − α) confidence bounds. */
  estimate: Estimate;
  eValue: { rollback: number; promote: number };
  threshold: { rollback: number; promote: number };
  /** Decision times at which the tests first crossed their thresholds. */
  failedAt: number | null;
  passedAt: number | null;
  data: StreamSummary;
}

export interface AnalysisReport {
  /** Time of the report, seconds since stage start. */
  t: number;
  /** `continue` = keep observing. */
  action: "rollback" | "promote" | "continue";
  trigger: StreamKind | null;
  reason: string;
  streams: StreamVerdict[];
}

export class SequentialJudgeRun implements JudgeRun {
  private readonly streams: MetricStream[];
  private readonly rollbackLog: number[];
  private readonly promoteLog: number;
  private readonly failedAt: Array<number | null>;
  private readonly passedAt: Array<number | null>;
  private t = 0;

  constructor(
    readonly config: SequentialJudgeConfig,
    readonly timing: StageTiming,
  ) {
    this.streams = config.streams.map(createStream);
    const shares = config.streams.reduce((sum, s) => sum + s.alphaShare, 0);
    this.rollbackLog = config.streams.map((s) => Math.log(shares / (config.alpha * s.alphaShare)));
    this.promoteLog = Math.log(1 / config.promoteAlpha);
    this.failedAt = this.streams.map(() => null);
    this.passedAt = this.streams.map(() => null);
  }

  observe(tick: Tick): Decision | undefined {
    this.t = tick.t;
    this.streams.forEach((s, i) => {
      s.observe(tick);
      if (this.failedAt[i] === null && s.logRollbackE() >= this.rollbackLog[i]!) this.failedAt[i] = tick.t;
      if (this.passedAt[i] === null && s.logPromoteE() >= this.promoteLog) this.passedAt[i] = tick.t;
    });
    if (tick.t < this.timing.analysisStart) return undefined;
    const action = this.action();
    if (action.action === "continue") return undefined;
    return { action: action.action, at: tick.t, trigger: action.trigger, evidence: this.evidence() };
  }

  /** The full per-stream picture at the last observed tick (what the policy input is built from). */
  report(): AnalysisReport {
    const { action, trigger } = this.t >= this.timing.analysisStart ? this.action() : { action: "continue" as const, trigger: null };
    const streams = this.streams.map((_, i) => this.verdict(i));
    let reason: string;
    if (action === "rollback") reason = streams.find((s) => s.stream === trigger)?.reason ?? "a stream failed";
    else if (action === "promote" && streams.every((s) => s.verdict === "pass")) reason = "every metric is shown not materially worse than the baseline";
    else if (action === "promote") reason = `stage cap reached without evidence of a regression; still inconclusive: ${inconclusiveNames(streams)}`;
    else if (this.t < this.timing.analysisStart) reason = `analysis starts at ${this.timing.analysisStart} s`;
    else if (streams.every((s) => s.verdict === "pass")) reason = `every metric passed; promotion waits for the minimum time of ${this.config.minDuration} s`;
    else reason = `observing: ${inconclusiveNames(streams)} not yet decided`;
    return { t: this.t, action, trigger, reason, streams };
  }

  private action(): { action: AnalysisReport["action"]; trigger: StreamKind | null } {
    let worst = -1;
    let worstMargin = Number.NEGATIVE_INFINITY;
    this.streams.forEach((s, i) => {
      if (this.failedAt[i] === null) return;
      const margin = s.logRollbackE() - this.rollbackLog[i]!;
      if (margin > worstMargin) {
        worstMargin = margin;
        worst = i;
      }
    });
    if (worst >= 0) return { action: "rollback", trigger: this.streams[worst]!.config.stream };
    const allPassed = this.passedAt.every((p) => p !== null);
    const leaning = this.streams.some((s) => s.logRollbackE() > Math.log(this.config.leanLimit));
    if ((allPassed && !leaning && this.t >= this.config.minDuration) || this.t >= this.timing.horizon) return { action: "promote", trigger: null };
    return { action: "continue", trigger: null };
  }

  private verdict(i: number): StreamVerdict {
    const s = this.streams[i]!;
    const c = s.config;
    const rollbackE = Math.exp(s.logRollbackE());
    const promoteE = Math.exp(s.logPromoteE());
    const threshold = { rollback: Math.exp(this.rollbackLog[i]!), promote: Math.exp(this.promoteLog) };
    const estimate = s.estimate(this.config.alpha);
    const data = s.summary();
    const failed = this.failedAt[i] !== null;
    const passed = this.passedAt[i] !== null;
    const verdict: Verdict = failed ? "fail" : passed ? "pass" : "inconclusive";
    const name = c.stream.replace(/_/g, " ");
    const levels = `canary ${fmt(data.canary)} vs baseline ${fmt(data.baseline)} (${data.measure}); ratio ${fmt(estimate.ratio)}, ${Math.round((1 - this.config.alpha) * 100)}% bounds ${fmt(estimate.lower)}–${fmt(estimate.upper)}`;
    let reason: string;
    if (failed) {
      reason = `${name} is worse than the ${fmtPct(c.tolerance)} tolerance: ${levels}; e-value ${fmt(rollbackE)} ≥ ${fmt(threshold.rollback)}`;
    } else if (passed) {
      reason = `${name} is not materially worse (below ×${c.materialRatio}): ${levels}`;
    } else if (data.intervals === 0) {
      reason = `${name}: no usable data yet (both arms needed in the same interval)`;
    } else {
      const intervals = s.intervalsToPromote(this.promoteLog);
      const minutes = (intervals * this.timing.interval) / 60;
      const remaining = (this.timing.horizon - this.t) / 60;
      const outlook = !Number.isFinite(minutes)
        ? "at the current estimate it cannot be shown to be below the material ratio"
        : minutes > remaining
          ? `needs about ${Math.ceil(minutes)} more minutes at current traffic, longer than the ${Math.ceil(remaining)} left in this stage`
          : `needs about ${Math.max(1, Math.ceil(minutes))} more minutes at current traffic to show it is below ×${c.materialRatio}`;
      reason = `${name} inconclusive: ${levels}; ${outlook}`;
    }
    return {
      stream: c.stream,
      metric: STREAM_METRIC[c.stream],
      verdict,
      reason,
      estimate,
      eValue: { rollback: rollbackE, promote: promoteE },
      threshold,
      failedAt: this.failedAt[i] ?? null,
      passedAt: this.passedAt[i] ?? null,
      data,
    };
  }

  private evidence(): Record<string, unknown> {
    const streams: Record<string, unknown> = {};
    this.streams.forEach((_, i) => {
      const v = this.verdict(i);
      streams[v.stream] = {
        verdict: v.verdict,
        ratio: tidy(v.estimate.ratio),
        lower: tidy(v.estimate.lower),
        upper: tidy(v.estimate.upper),
        eRollback: tidy(v.eValue.rollback),
        ePromote: tidy(v.eValue.promote),
        canary: tidy(v.data.canary),
        baseline: tidy(v.data.baseline),
        intervals: v.data.intervals,
      };
    });
    return { judge: "sequential", alpha: this.config.alpha, streams };
  }
}

function inconclusiveNames(streams: StreamVerdict[]): string {
  return streams
    .filter((s) => s.verdict === "inconclusive")
    .map((s) => s.stream)
    .join(", ");
}

function fmt(x: number): string {
  if (Number.isNaN(x)) return "n/a";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

function fmtPct(x: number): string {
  return `${Number((x * 100).toPrecision(3))}%`;
}
