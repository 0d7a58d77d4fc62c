/**
 * tollgate's sequential judge (design page, (d)): anytime-valid e-processes per metric stream.
 * Roll back the first time (from `analysisStart` on) a stream's rollback e-value reaches
 * 1/(α·share); promote once every stream's promotion e-value has reached 1/promoteAlpha, after the
 * minimum time, or at the stage cap.
 *
 * Why promotion needs no split of its budget: promoting is wrong only if some stream is materially
 * worse, and that stream's own test reached 1/promoteAlpha with probability ≤ promoteAlpha
 * (an intersection-union test), whichever stream it is.
 *
 * Rollback tests mix over start times (eprocess/restarts.ts) when the configuration has restarts,
 * so a regression that begins mid-step is not slowed by the healthy intervals before it.
 *
 * The final look: `finalAlpha` of the rollback budget is kept for one fixed-time test per count
 * stream at the stage cap, the exact conditional test of the split of events (eprocess/exact-split.ts);
 * the e-processes share the rest. An anytime-valid boundary is the price of looking at every
 * interval: at the cap it needs roughly twice the evidence (in log-likelihood) a single planned look
 * needs. Small regressions still undecided there are the ones it misses, and the final look catches
 * most of them. False rollbacks stay ≤ (α − finalAlpha) + finalAlpha = α, because the cap is fixed
 * before the stage starts and the look happens once.
 *
 * Verdicts and bounds agree by construction: a stream's lower bound is the largest ratio its own
 * rollback test (e-process, then final look) has rejected, kept from the moment the stream failed
 * (a running intersection, which anytime validity allows), so a stream fails exactly when its
 * reported lower bound is above 1 + tolerance.
 *
 * Guard streams (`StreamConfig.guard`) can roll back but need not pass for promotion; an early
 * promotion waits only while their rollback e-value is above 1.
 *
 * Holding: the judge never promotes a stream that has no data (whatever else holds), and at the
 * cap holds streams not shown to be no worse when the configuration says `lowTraffic: hold`. With
 * the expected split known (`StageTiming.canaryShare`), a sample ratio mismatch holds at once
 * (sample-ratio.ts): metrics are not promoted on a broken split. A stream that fails still rolls
 * back: its test conditions on the requests each arm actually served, and rolling back is safe.
 */
import type { SequentialJudgeConfig } from "./config.ts";
import { type Decision, type JudgeRun, tidy, tidyAbove } from "./decision.ts";
import { restartSchedule } from "./eprocess/restarts.ts";
import type { StageTiming, Tick } from "./observations.ts";
import { DEFAULT_SAMPLE_RATIO, type SampleRatioReport, SampleRatioTest } from "./sample-ratio.ts";
import {
  type BoundLevels,
  createStream,
  type Estimate,
  type FinalLook,
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
  /** Canary/baseline ratio with anytime-valid bounds (see `Estimate`). */
  estimate: Estimate;
  eValue: { rollback: number; promote: number };
  threshold: { rollback: number; promote: number };
  /** Decision times at which the tests first crossed their thresholds. */
  failedAt: number | null;
  passedAt: number | null;
  /** The final look at the stage cap (count streams, once it has happened): exact p-value and level. */
  finalLook?: { pValue: number; level: number; rho: number };
  /**
   * Inconclusive with data: seconds the promotion test needs at current traffic to show the stream
   * is not materially worse (if later intervals look like the average one); null otherwise or never.
   */
  neededSeconds: number | null;
  data: StreamSummary;
}

/**
 * Why a judge holds for a person rather than deciding: no data, too little traffic to show "no worse"
 * by the cap, or a traffic split that is not what the step set.
 */
export type HoldCause = "no-data" | "low-traffic" | "sample-ratio";

export interface AnalysisReport {
  /** Time of the report, seconds since stage start. */
  t: number;
  /** `continue` = keep observing; `hold` = decided not to decide: a person is needed. */
  action: "rollback" | "promote" | "hold" | "continue";
  trigger: StreamKind | null;
  /** With `hold`: why. */
  hold?: HoldCause;
  reason: string;
  streams: StreamVerdict[];
  /** The traffic split check, when the expected split is known. */
  sampleRatio?: SampleRatioReport;
}

interface Failure {
  at: number;
  /** By the final look rather than the e-process. */
  final: boolean;
  /** The lower bound the failing test gave then (kept: a running intersection). */
  lower: number;
  /** Restart whose data showed it (0 = deploy). */
  since: number;
}

export class SequentialJudgeRun implements JudgeRun {
  private readonly streams: MetricStream[];
  private readonly rollbackLog: number[];
  /** Level of each stream's final look (0: none). */
  private readonly finalLevel: number[];
  private readonly finalLooks: Array<FinalLook | undefined>;
  private readonly promoteLog: number;
  private readonly failures: Array<Failure | undefined>;
  private readonly passedAt: Array<number | null>;
  private finalLookDone = false;
  private readonly sampleRatio: SampleRatioTest | undefined;
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
    const schedule = restartSchedule(config.restarts, timing.horizon);
    this.streams = config.streams.map((s) => createStream(s, schedule));
    const shares = config.streams.reduce((sum, s) => sum + s.alphaShare, 0);
    const finalAlpha = config.finalAlpha ?? 0;
    this.rollbackLog = config.streams.map((s) => Math.log(shares / ((config.alpha - finalAlpha) * s.alphaShare)));
    const finalShares = config.streams.reduce((sum, s, i) => sum + (this.streams[i]!.counts ? s.alphaShare : 0), 0);
    this.finalLevel = config.streams.map((s, i) =>
      this.streams[i]!.counts && finalAlpha > 0 ? (finalAlpha * s.alphaShare) / finalShares : 0,
    );
    this.finalLooks = this.streams.map(() => undefined);
    this.promoteLog = Math.log(1 / config.promoteAlpha);
    this.failures = this.streams.map(() => undefined);
    this.passedAt = this.streams.map(() => null);
    const share = timing.canaryShare;
    this.sampleRatio =
      share !== undefined && share > 0 && share < 1
        ? new SampleRatioTest({ ...DEFAULT_SAMPLE_RATIO, expectedShare: share })
        : undefined;
  }

  observe(tick: Tick): Decision | undefined {
    this.t = tick.t;
    const judging = tick.t >= this.timing.analysisStart;
    this.sampleRatio?.observe(tick);
    this.streams.forEach((s, i) => {
      s.observe(tick);
      if (judging && !this.failures[i] && s.logRollbackE() >= this.rollbackLog[i]!) {
        const since = s.leadStart();
        const lower = s.estimate(this.levels(i), since, true).lower;
        this.failures[i] = { at: tick.t, final: false, lower, since };
      }
      if (this.passedAt[i] === null && s.logPromoteE() >= this.promoteLog) this.passedAt[i] = tick.t;
    });
    if (tick.t >= this.timing.horizon && !this.finalLookDone) this.finalLook(tick.t);
    if (!judging) return undefined;
    const action = this.action();
    if (action.action === "continue") return undefined;
    return {
      action: action.action,
      at: tick.t,
      trigger: action.trigger,
      evidence:
        this.options.decisionEvidence === false
          ? {}
          : {
              ...this.evidence(),
              ...(action.hold ? { hold: action.hold } : {}),
              ...(this.sampleRatio ? { sampleRatio: tidyRatio(this.sampleRatio.report()) } : {}),
            },
    };
  }

  /** The full per-stream picture at the last observed tick (what the policy input is built from). */
  report(): AnalysisReport {
    const judging = this.t >= this.timing.analysisStart;
    const { action, trigger, hold } = judging ? this.action() : { action: "continue" as const, trigger: null };
    const streams = this.streams.map((_, i) => this.verdict(i));
    const sampleRatio = this.sampleRatio?.report();
    let reason: string;
    if (action === "rollback") reason = streams.find((s) => s.stream === trigger)?.reason ?? "a stream failed";
    else if (action === "hold" && hold === "sample-ratio" && sampleRatio)
      reason = `${sampleRatio.reason}; holding rather than judging the metrics on a broken split`;
    else if (action === "hold" && hold === "no-data")
      reason = `no data for ${names(streams, (s) => s.data.intervals === 0)} by the stage cap: a missing signal never promotes`;
    else if (action === "hold")
      reason = `stage cap reached and traffic was too low to show ${names(streams, (s) => s.verdict === "inconclusive")} no worse; the environment holds for a person (analysis.lowTraffic: hold)`;
    else if (action === "promote" && streams.every((s) => s.verdict === "pass"))
      reason = "every metric is shown not materially worse than the baseline";
    else if (action === "promote")
      reason = `stage cap reached without evidence of a regression; still inconclusive: ${names(streams, (s) => s.verdict === "inconclusive")}`;
    else if (!judging) reason = `analysis starts at ${this.timing.analysisStart} s`;
    else if (streams.every((s) => s.verdict === "pass"))
      reason = `every metric passed; promotion waits for the minimum time of ${this.config.minDuration} s`;
    else reason = `observing: ${names(streams, (s) => s.verdict === "inconclusive")} not yet decided`;
    return {
      t: this.t,
      action,
      trigger,
      ...(hold ? { hold } : {}),
      reason,
      streams,
      ...(sampleRatio ? { sampleRatio } : {}),
    };
  }

  private levels(i: number): BoundLevels {
    return { rollback: this.rollbackLog[i]!, promote: this.promoteLog };
  }

  /** The one fixed-time look at the stage cap (see the module comment). */
  private finalLook(t: number): void {
    this.finalLookDone = true;
    this.streams.forEach((s, i) => {
      const level = this.finalLevel[i]!;
      if (this.failures[i] || !(level > 0)) return;
      const look = s.finalLook(level);
      if (!look) return;
      this.finalLooks[i] = look;
      if (look.pValue <= level) this.failures[i] = { at: t, final: true, lower: look.lower, since: 0 };
    });
  }

  private action(): { action: AnalysisReport["action"]; trigger: StreamKind | null; hold?: HoldCause } {
    // The trigger is the failed stream with the strongest evidence: e-processes first, then final looks.
    let worst = -1;
    let worstMargin = Number.NEGATIVE_INFINITY;
    this.streams.forEach((s, i) => {
      const failure = this.failures[i];
      if (!failure) return;
      const margin = failure.final ? Number.MIN_SAFE_INTEGER : s.logRollbackE() - this.rollbackLog[i]!;
      if (margin > worstMargin) {
        worstMargin = margin;
        worst = i;
      }
    });
    if (worst >= 0) return { action: "rollback", trigger: this.streams[worst]!.config.stream };
    if (this.sampleRatio?.mismatch) return { action: "hold", trigger: null, hold: "sample-ratio" };
    const required = this.streams.map((s, i) => ({ s, i })).filter(({ s }) => s.config.guard !== true);
    const allPassed = required.every(({ i }) => this.passedAt[i] !== null);
    const leaning = this.streams.some((_, i) => this.leaning(i));
    if (allPassed && !leaning && this.t >= this.config.minDuration) return { action: "promote", trigger: null };
    if (this.t < this.timing.horizon) return { action: "continue", trigger: null };
    const empty = required.find(({ s }) => s.summary().intervals === 0);
    if (empty) return { action: "hold", trigger: empty.s.config.stream, hold: "no-data" };
    const unproven = required.find(({ i }) => this.passedAt[i] === null);
    if (unproven && this.config.lowTraffic === "hold")
      return { action: "hold", trigger: unproven.s.config.stream, hold: "low-traffic" };
    return { action: "promote", trigger: null };
  }

  /** The stream's rollback evidence leans towards a regression: early promotion waits. */
  private leaning(i: number): boolean {
    const limit = this.config.streams[i]!.guard ? GUARD_LEAN_LIMIT : this.config.leanLimit;
    return this.streams[i]!.logRollbackE() > Math.log(limit);
  }

  /**
   * The stream's estimate. A failed stream's lower bound is the largest its tests gave (a running
   * intersection, exact at the moment it failed); a stream that has not failed reports at most r0,
   * which is still a valid bound (wider), so that before `analysisStart`, when evidence is gathered
   * but not acted on, the bound does not claim what the verdict does not.
   */
  private estimate(i: number): Estimate {
    const s = this.streams[i]!;
    const failure = this.failures[i];
    const e = s.estimate(this.levels(i), failure?.since ?? 0);
    if (failure) return failure.lower > e.lower ? { ...e, lower: failure.lower } : e;
    const r0 = 1 + s.config.tolerance;
    return s.config.harm === "increase" && e.lower > r0 ? { ...e, lower: r0 } : e;
  }

  private verdict(i: number): StreamVerdict {
    const s = this.streams[i]!;
    const c = s.config;
    const rollbackE = Math.exp(s.logRollbackE());
    const promoteE = Math.exp(s.logPromoteE());
    const threshold = { rollback: Math.exp(this.rollbackLog[i]!), promote: Math.exp(this.promoteLog) };
    const estimate = this.estimate(i);
    const data = s.summary();
    const failure = this.failures[i];
    const passed = c.guard ? !this.leaning(i) : this.passedAt[i] !== null;
    const verdict: Verdict = failure ? "fail" : passed ? "pass" : "inconclusive";
    const look = this.finalLooks[i];
    const finalLook = look ? { pValue: look.pValue, level: this.finalLevel[i]!, rho: look.rho } : undefined;
    const name = c.stream.replace(/_/g, " ");
    const since = estimate.since > 0 ? ` since ${estimate.since} s` : "";
    const lower = fmtAbove(estimate.lower, 1 + c.tolerance);
    const levels = `canary ${fmt(data.canary)} vs baseline ${fmt(data.baseline)} (${data.measure}); ratio ${fmt(estimate.ratio)}${since}, anytime-valid bounds ${lower}–${fmt(estimate.upper)}`;
    let reason: string;
    if (failure?.final && finalLook) {
      reason = `${name} is worse than the ${fmtPct(c.tolerance)} tolerance at the stage cap: ${levels}; final look p ${fmt(finalLook.pValue)} ≤ ${fmt(finalLook.level)} (exact test of the split of events)`;
    } else if (failure) {
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
      reason = `${name} inconclusive: ${levels}; ${this.outlook(i)}`;
    }
    const needed = verdict === "inconclusive" && !c.guard && data.intervals > 0 ? this.neededSeconds(i) : null;
    return {
      stream: c.stream,
      metric: STREAM_METRIC[c.stream],
      verdict,
      reason,
      estimate,
      eValue: { rollback: rollbackE, promote: promoteE },
      threshold,
      failedAt: failure?.at ?? null,
      passedAt: this.passedAt[i] ?? null,
      ...(finalLook ? { finalLook } : {}),
      neededSeconds: needed,
      data,
    };
  }

  private neededSeconds(i: number): number | null {
    const intervals = this.streams[i]!.intervalsToPromote(this.promoteLog);
    return Number.isFinite(intervals) ? Math.ceil(intervals) * this.timing.interval : null;
  }

  /** How long the stream needs at current traffic to show it is no worse, against the time left. */
  private outlook(i: number): string {
    const s = this.streams[i]!;
    const intervals = s.intervalsToPromote(this.promoteLog);
    const minutes = (intervals * this.timing.interval) / 60;
    const remaining = Math.max(0, this.timing.horizon - this.t) / 60;
    if (!Number.isFinite(minutes)) return "at the current estimate it cannot be shown to be below the material ratio";
    if (remaining === 0)
      return `traffic was too low to show it is ${material(s.config)} by the stage cap: it needs about ${Math.ceil(minutes)} more minutes at current traffic`;
    if (minutes > remaining)
      return `needs about ${Math.ceil(minutes)} more minutes at current traffic, longer than the ${Math.ceil(remaining)} left in this stage`;
    return `needs about ${Math.max(1, Math.ceil(minutes))} more minutes at current traffic to show it is ${material(s.config)}`;
  }

  private evidence(): Record<string, unknown> {
    const streams: Record<string, unknown> = {};
    this.streams.forEach((_, i) => {
      const v = this.verdict(i);
      streams[v.stream] = {
        verdict: v.verdict,
        ratio: tidy(v.estimate.ratio),
        lower: tidyAbove(v.estimate.lower, 1 + this.config.streams[i]!.tolerance),
        upper: tidy(v.estimate.upper),
        ...(v.estimate.since > 0 ? { since: v.estimate.since } : {}),
        eRollback: tidy(v.eValue.rollback),
        eRollbackThreshold: tidy(v.threshold.rollback),
        ePromote: tidy(v.eValue.promote),
        canary: tidy(v.data.canary),
        baseline: tidy(v.data.baseline),
        intervals: v.data.intervals,
        ...(v.finalLook
          ? { pFinal: tidy(v.finalLook.pValue), finalLevel: tidy(v.finalLook.level), rho: tidy(v.finalLook.rho) }
          : {}),
      };
    });
    return { judge: "sequential", alpha: this.config.alpha, finalAlpha: this.config.finalAlpha ?? 0, streams };
  }
}

function tidyRatio(r: SampleRatioReport): Record<string, unknown> {
  return {
    expectedShare: tidy(r.expectedShare),
    observedShare: tidy(r.observedShare),
    eValue: tidy(r.eValue),
    threshold: tidy(r.threshold),
    mismatchAt: r.mismatchAt,
  };
}

/** Guards hold an early promotion while their rollback e-value is above this (the data favour a regression). */
const GUARD_LEAN_LIMIT = 1;

/** "below ×1.5", or "below ×1.5 and less than 0.5% more" with an absolute material increase. */
function material(c: { materialRatio: number; materialIncrease?: number }): string {
  return c.materialIncrease
    ? `below ×${c.materialRatio} and less than ${fmtPct(c.materialIncrease)} more`
    : `below ×${c.materialRatio}`;
}

function names(streams: StreamVerdict[], which: (s: StreamVerdict) => boolean): string {
  return streams
    .filter(which)
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

/** `fmt`, with more digits if needed so that a bound above `floor` does not print as `floor`. */
function fmtAbove(x: number, floor: number): string {
  if (!(x > floor) || !Number.isFinite(x)) return fmt(x);
  for (let digits = 3; digits <= 9; digits++) {
    const text = x.toPrecision(digits);
    if (Number(text) > floor) return String(Number(text));
  }
  return fmt(x);
}

function fmtPct(x: number): string {
  return `${Number((x * 100).toPrecision(3))}%`;
}
