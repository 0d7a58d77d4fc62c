/**
 * tollgate's sequential judge (design page, (d)): anytime-valid e-processes per metric stream.
 * Roll back the first time any stream's rollback e-value reaches 1/(α·share); promote once every
 * stream's promotion e-value has reached 1/promoteAlpha, after the minimum time, or at the stage cap.
 *
 * Why promotion needs no split of its budget: promoting is wrong only if some stream is materially
 * worse, and that stream's own test reached 1/promoteAlpha with probability ≤ promoteAlpha
 * (an intersection-union test), whichever stream it is.
 *
 * The final look: `finalAlpha` of the rollback budget is kept for one fixed-time test per count
 * stream at the stage cap (`finalZ` ≥ its normal critical value); the e-processes share the rest.
 * An anytime-valid boundary is the price of looking at every interval: at the cap it needs roughly
 * twice the evidence (in log-likelihood) a single planned look needs. Small regressions that are
 * still undecided there are the ones it misses, and the final look catches most of them. False
 * rollbacks stay ≤ (α − finalAlpha) + finalAlpha = α, because the cap is fixed before the stage
 * starts and the look happens once, whenever the judge looks at the e-processes.
 *
 * Guard streams (`StreamConfig.guard`) can roll back but need not pass for promotion; an early
 * promotion waits only while their rollback e-value is above 1.
 */
import { probit } from "simple-statistics";
import type { SequentialJudgeConfig } from "./config.ts";
import { type Decision, type JudgeRun, tidy } from "./decision.ts";
import type { StageTiming, Tick } from "./observations.ts";
import {
  createStream,
  type Estimate,
  type MetricStream,
  STREAM_METRIC,
  type StreamKind,
  type StreamSummary,
} from "./streams.ts";

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
  /** The final look at the stage cap (count streams, once it has happened): statistic and critical value. */
  finalLook?: { z: number; critical: number };
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
  /** Critical value of each stream's final look (Infinity: none). */
  private readonly finalCritical: number[];
  private readonly promoteLog: number;
  private readonly failedAt: Array<number | null>;
  /** True for streams failed by the final look rather than by their e-process. */
  private readonly failedFinally: boolean[];
  private readonly passedAt: Array<number | null>;
  private finalLookDone = false;
  private t = 0;

  /**
   * `decisionEvidence: false` leaves a decision's evidence empty, for callers that only want the
   * report (computing the evidence at every decision time would cost more than the analysis itself).
   */
  constructor(
    readonly config: SequentialJudgeConfig,
    readonly timing: StageTiming,
    private readonly options: { decisionEvidence?: boolean } = {},
  ) {
    this.streams = config.streams.map(createStream);
    const shares = config.streams.reduce((sum, s) => sum + s.alphaShare, 0);
    const finalAlpha = config.finalAlpha ?? 0;
    this.rollbackLog = config.streams.map((s) => Math.log(shares / ((config.alpha - finalAlpha) * s.alphaShare)));
    const looks = this.streams.map((s) => s.finalZ() !== null);
    const finalShares = config.streams.reduce((sum, s, i) => sum + (looks[i] ? s.alphaShare : 0), 0);
    this.finalCritical = config.streams.map((s, i) =>
      looks[i] && finalAlpha > 0 ? -probit((finalAlpha * s.alphaShare) / finalShares) : Number.POSITIVE_INFINITY,
    );
    this.promoteLog = Math.log(1 / config.promoteAlpha);
    this.failedAt = this.streams.map(() => null);
    this.failedFinally = this.streams.map(() => false);
    this.passedAt = this.streams.map(() => null);
  }

  observe(tick: Tick): Decision | undefined {
    this.t = tick.t;
    this.streams.forEach((s, i) => {
      s.observe(tick);
      if (this.failedAt[i] === null && s.logRollbackE() >= this.rollbackLog[i]!) this.failedAt[i] = tick.t;
      if (this.passedAt[i] === null && s.logPromoteE() >= this.promoteLog) this.passedAt[i] = tick.t;
    });
    if (tick.t >= this.timing.horizon && !this.finalLookDone) this.finalLook(tick.t);
    if (tick.t < this.timing.analysisStart) return undefined;
    const action = this.action();
    if (action.action === "continue") return undefined;
    return {
      action: action.action,
      at: tick.t,
      trigger: action.trigger,
      evidence: this.options.decisionEvidence === false ? {} : this.evidence(),
    };
  }

  /** The full per-stream picture at the last observed tick (what the policy input is built from). */
  report(): AnalysisReport {
    const { action, trigger } =
      this.t >= this.timing.analysisStart ? this.action() : { action: "continue" as const, trigger: null };
    const streams = this.streams.map((_, i) => this.verdict(i));
    let reason: string;
    if (action === "rollback") reason = streams.find((s) => s.stream === trigger)?.reason ?? "a stream failed";
    else if (action === "promote" && streams.every((s) => s.verdict === "pass"))
      reason = "every metric is shown not materially worse than the baseline";
    else if (action === "promote")
      reason = `stage cap reached without evidence of a regression; still inconclusive: ${inconclusiveNames(streams)}`;
    else if (this.t < this.timing.analysisStart) reason = `analysis starts at ${this.timing.analysisStart} s`;
    else if (streams.every((s) => s.verdict === "pass"))
      reason = `every metric passed; promotion waits for the minimum time of ${this.config.minDuration} s`;
    else reason = `observing: ${inconclusiveNames(streams)} not yet decided`;
    return { t: this.t, action, trigger, reason, streams };
  }

  /** The one fixed-time look at the stage cap (see the module comment). */
  private finalLook(t: number): void {
    this.finalLookDone = true;
    this.streams.forEach((s, i) => {
      if (this.failedAt[i] !== null) return;
      if ((s.finalZ() ?? Number.NEGATIVE_INFINITY) >= this.finalCritical[i]!) {
        this.failedAt[i] = t;
        this.failedFinally[i] = true;
      }
    });
  }

  private action(): { action: AnalysisReport["action"]; trigger: StreamKind | null } {
    // The trigger is the failed stream with the strongest evidence: e-processes first, then final looks.
    let worst = -1;
    let worstMargin = Number.NEGATIVE_INFINITY;
    this.streams.forEach((s, i) => {
      if (this.failedAt[i] === null) return;
      const margin = this.failedFinally[i] ? Number.MIN_SAFE_INTEGER : s.logRollbackE() - this.rollbackLog[i]!;
      if (margin > worstMargin) {
        worstMargin = margin;
        worst = i;
      }
    });
    if (worst >= 0) return { action: "rollback", trigger: this.streams[worst]!.config.stream };
    const allPassed = this.passedAt.every((p, i) => p !== null || this.config.streams[i]!.guard === true);
    const leaning = this.streams.some((_, i) => this.leaning(i));
    if ((allPassed && !leaning && this.t >= this.config.minDuration) || this.t >= this.timing.horizon)
      return { action: "promote", trigger: null };
    return { action: "continue", trigger: null };
  }

  /** The stream's rollback evidence leans towards a regression: early promotion waits. */
  private leaning(i: number): boolean {
    const limit = this.config.streams[i]!.guard ? GUARD_LEAN_LIMIT : this.config.leanLimit;
    return this.streams[i]!.logRollbackE() > Math.log(limit);
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
    const passed = c.guard ? !this.leaning(i) : this.passedAt[i] !== null;
    const verdict: Verdict = failed ? "fail" : passed ? "pass" : "inconclusive";
    const look =
      this.finalLookDone && Number.isFinite(this.finalCritical[i]!)
        ? { z: s.finalZ() ?? 0, critical: this.finalCritical[i]! }
        : undefined;
    const name = c.stream.replace(/_/g, " ");
    const levels = `canary ${fmt(data.canary)} vs baseline ${fmt(data.baseline)} (${data.measure}); ratio ${fmt(estimate.ratio)}, ${Math.round((1 - this.config.alpha) * 100)}% bounds ${fmt(estimate.lower)}–${fmt(estimate.upper)}`;
    let reason: string;
    if (failed && this.failedFinally[i] && look) {
      reason = `${name} is worse than the ${fmtPct(c.tolerance)} tolerance at the stage cap: ${levels}; final look z ${fmt(look.z)} ≥ ${fmt(look.critical)}`;
    } else if (failed) {
      reason = `${name} is worse than the ${fmtPct(c.tolerance)} tolerance: ${levels}; e-value ${fmt(rollbackE)} ≥ ${fmt(threshold.rollback)}`;
    } else if (passed && c.guard) {
      reason = `${name} shows no sign of a regression (e-value ${fmt(rollbackE)} ≤ ${GUARD_LEAN_LIMIT}; a guard, it need not show the canary is fine): ${levels}`;
    } else if (passed) {
      reason = `${name} is not materially worse (${material(c)}): ${levels}`;
    } else if (c.guard) {
      reason = `${name} leans towards a regression (e-value ${fmt(rollbackE)} > ${GUARD_LEAN_LIMIT}, rollback at ${fmt(threshold.rollback)}): ${levels}; early promotion waits`;
    } else if (data.intervals === 0) {
      reason = `${name}: no usable data yet (both arms needed in the same interval)`;
    } else {
      const intervals = s.intervalsToPromote(this.promoteLog);
      const minutes = (intervals * this.timing.interval) / 60;
      const remaining = Math.max(0, this.timing.horizon - this.t) / 60;
      const outlook = !Number.isFinite(minutes)
        ? "at the current estimate it cannot be shown to be below the material ratio"
        : minutes > remaining
          ? `needs about ${Math.ceil(minutes)} more minutes at current traffic, longer than the ${Math.ceil(remaining)} left in this stage`
          : `needs about ${Math.max(1, Math.ceil(minutes))} more minutes at current traffic to show it is ${material(c)}`;
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
      ...(look ? { finalLook: look } : {}),
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
        ...(v.finalLook ? { zFinal: tidy(v.finalLook.z), zCritical: tidy(v.finalLook.critical) } : {}),
      };
    });
    return { judge: "sequential", alpha: this.config.alpha, finalAlpha: this.config.finalAlpha ?? 0, streams };
  }
}

/** Guards hold an early promotion while their rollback e-value is above this (the data favour a regression). */
const GUARD_LEAN_LIMIT = 1;

/** "below ×1.5", or "below ×1.5 and less than 0.5% more" with an absolute material increase. */
function material(c: { materialRatio: number; materialIncrease?: number }): string {
  return c.materialIncrease
    ? `below ×${c.materialRatio} and less than ${fmtPct(c.materialIncrease)} more`
    : `below ×${c.materialRatio}`;
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
