/**
 * The count e-process (design page, statistics (a)): events such as errors in canary and baseline,
 * compared through the split of each interval's events between the arms.
 *
 * With n_c, n_b requests and x = x_c + x_b events in interval i, under "canary rate = r × baseline
 * rate" x_c ~ Binomial(x, θ_i(r)), θ_i(r) = n_c·r / (n_c·r + n_b). In log-ratio form β = log r that is
 * a logistic model with offset o_i = log(n_c/n_b): θ_i = σ(β + o_i). Everything below works in β.
 *
 * Rollback test: H0 r ≤ r0, alternatives β0 + g_k mixed with fixed weights w_k. Each factor has
 * conditional expectation ≤ 1 under any r ≤ r0 (monotone likelihood ratio), so the mixture is an
 * e-process however often it is looked at and however the traffic split changes.
 * Promotion test: H0 r ≥ r_bad, alternatives β_bad − g_k (optionally with a smaller, predictable
 * r_bad per interval for an absolute material difference, see `materialDifference`).
 * Final look (`finalZ`): a fixed-time score test of r ≤ r0, for one read at the stage cap.
 */
import { logSumExp, negLogSigmoid } from "../math.ts";
import { type CorrelationPrior, type SplitInterval, splitCorrelation, splitUpperTail } from "./exact-split.ts";
import { logAddExp, NO_RESTARTS, type RestartSchedule, StartClock } from "./restarts.ts";

export interface CountEProcessSettings {
  /** r0: the canary's rate may be this many times the baseline's before it is a regression. */
  nullRatio: number;
  /** r_bad: materially worse; promotion needs evidence the ratio is below it. */
  badRatio: number;
  /**
   * An absolute difference of rates that is material even when it is a smaller ratio than
   * `badRatio` (0.005 = half a percentage point more events per unit of exposure). The promotion
   * null of interval i becomes r ≥ min(badRatio, 1 + difference / p̂), with p̂ the baseline rate of
   * the intervals before i: predictable, so the promotion test stays valid. 0 or unset: ratios only.
   */
  materialDifference?: number;
  /**
   * Bursts: an interval with more than `burstFactor` × the median event count of past intervals has
   * its evidence tempered (likelihood ratios raised to the power burstFactor·median/x ≤ 1). Bursts
   * hitting both arms (an incident, a retry storm) say little about the canary. Tempering by a power
   * that depends only on the interval's total events (which the test conditions on) and the past keeps
   * every factor's conditional expectation ≤ 1 (Jensen). 0 disables it.
   */
  burstFactor?: number;
  /** Only the rollback test is wanted (the promotion test is not computed). */
  rollbackOnly?: boolean;
}

/** The mixture over alternatives: gains g_k (log-ratio steps from the null) and their log-weights. */
export interface Mixture {
  gains: Float64Array;
  logWeights: Float64Array;
}

/**
 * Grid g = step, 2·step, …, max with weights ∝ 1/(g + scale): most mass on small effects (the hard
 * ones to see) while large effects still get enough weight to be caught in a few intervals.
 */
export function gridMixture(step = 0.025, max = 2, scale = 0.05): Mixture {
  const k = Math.round(max / step);
  const gains = new Float64Array(k);
  const raw = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    gains[i] = step * (i + 1);
    raw[i] = 1 / (gains[i]! + scale);
  }
  const total = raw.reduce((a, b) => a + b, 0);
  return { gains, logWeights: raw.map((w) => Math.log(w / total)) };
}

export const DEFAULT_COUNT_MIXTURE: Mixture = gridMixture();

/** One interval of a count stream, already oriented so that "more canary events" is the harm. */
export interface CountSample {
  canaryEvents: number;
  baselineEvents: number;
  canaryExposure: number;
  baselineExposure: number;
}

/** A used interval: its sample and the power its evidence was tempered with (1 = full weight). */
interface WeightedSample extends CountSample {
  weight: number;
  /** End of the interval, seconds since stage start. */
  t: number;
}

export class CountEProcess {
  private readonly rollbackNull: number;
  private readonly promoteNull: number;
  private readonly up: Float64Array;
  private readonly down: Float64Array;
  /** Restarts (restarts.ts): log Σ_j π_j·e^(−U_k at s_j) per alternative, over the starts begun so far... */
  private readonly restartLog: Float64Array;
  /** ...and log(π₀ + that): what each alternative's cumulative sum is weighted with. */
  private readonly startWeightLog: Float64Array;
  private readonly clock: StartClock;
  /** Per-interval data, kept for effect estimates, bounds and projections. */
  readonly samples: WeightedSample[] = [];
  private readonly pastEvents: number[] = [];
  canaryEvents = 0;
  baselineEvents = 0;
  canaryExposure = 0;
  baselineExposure = 0;
  /** Time of the last interval added, with or without traffic (the restarts begun by then). */
  private lastT = 0;
  private cachedGrid: SplitGrid | undefined;

  constructor(
    readonly settings: CountEProcessSettings,
    private readonly mixture: Mixture = DEFAULT_COUNT_MIXTURE,
    readonly restarts: RestartSchedule = NO_RESTARTS,
  ) {
    this.rollbackNull = Math.log(settings.nullRatio);
    this.promoteNull = Math.log(settings.badRatio);
    this.up = new Float64Array(mixture.gains.length);
    this.down = new Float64Array(mixture.gains.length);
    this.restartLog = new Float64Array(mixture.gains.length).fill(Number.NEGATIVE_INFINITY);
    this.startWeightLog = new Float64Array(mixture.gains.length).fill(Math.log(restarts.atDeploy));
    this.clock = new StartClock(restarts);
  }

  /**
   * Adds the interval ending at `t` (seconds since stage start; it places the restarts). Intervals
   * where an arm had no traffic carry no information and are skipped.
   */
  add(sample: CountSample, t = 0): void {
    const begun = this.clock.advance(t);
    if (begun > 0) {
      const logBegun = Math.log(begun);
      const logAtDeploy = Math.log(this.restarts.atDeploy);
      for (let k = 0; k < this.up.length; k++) {
        this.restartLog[k] = logAddExp(this.restartLog[k]!, logBegun - this.up[k]!);
        this.startWeightLog[k] = logAddExp(logAtDeploy, this.restartLog[k]!);
      }
    }
    this.lastT = t;
    const { canaryEvents: xc, baselineEvents: xb, canaryExposure: nc, baselineExposure: nb } = sample;
    if (!(nc > 0 && nb > 0)) return;
    const x = xc + xb;
    const weight = this.burstWeight(x);
    const promoteNull = this.promoteNullNow();
    this.samples.push({ ...sample, weight, t });
    insertSorted(this.pastEvents, x);
    this.canaryEvents += xc;
    this.baselineEvents += xb;
    this.canaryExposure += nc;
    this.baselineExposure += nb;
    if (x === 0) return;
    const offset = Math.log(nc / nb);
    accumulate(this.up, this.mixture.gains, this.rollbackNull + offset, weight * xc, weight * xb, +1);
    if (!this.settings.rollbackOnly)
      accumulate(this.down, this.mixture.gains, promoteNull + offset, weight * xc, weight * xb, -1);
  }

  /** log of this interval's promotion null ratio (see `materialDifference`), from past intervals only. */
  private promoteNullNow(): number {
    const difference = this.settings.materialDifference ?? 0;
    if (!(difference > 0) || this.baselineEvents < MIN_EVENTS_FOR_RATE) return this.promoteNull;
    const rate = this.baselineEvents / this.baselineExposure;
    return Math.min(this.promoteNull, Math.log1p(difference / rate));
  }

  private burstWeight(x: number): number {
    const factor = this.settings.burstFactor ?? 0;
    const past = this.pastEvents;
    if (!(factor > 0) || past.length < MIN_PAST_FOR_BURSTS || x === 0) return 1;
    const mid = past.length >> 1;
    const median = past.length % 2 ? past[mid]! : (past[mid - 1]! + past[mid]!) / 2;
    return Math.min(1, (factor * Math.max(1, median)) / x);
  }

  /**
   * log e-value against "canary ratio ≤ r0" (evidence of a regression): the mixture over
   * alternatives, and over start times when the schedule has restarts.
   */
  logRollbackE(): number {
    const pending = this.clock.pending;
    const mixed = logSumExp(this.mixture.logWeights, this.up, this.startWeightLog);
    return pending > 0 ? logAddExp(mixed, Math.log(pending)) : mixed;
  }

  /** log e-value against "canary ratio ≥ r_bad" (evidence the canary is not materially worse). */
  logPromoteE(): number {
    return logSumExp(this.mixture.logWeights, this.down);
  }

  /**
   * Intervals the promotion test would need, if future intervals looked like the average past one,
   * to reach `logThreshold`; Infinity if the trend never gets there.
   */
  intervalsToPromote(logThreshold: number): number {
    const used = this.samples.length;
    if (used === 0) return Number.POSITIVE_INFINITY;
    const rate = this.down.map((v) => v / used);
    return solveLinearGrowth(this.mixture.logWeights, this.down, rate, logThreshold);
  }

  /**
   * The start time (0 = deploy) of the restart whose e-process holds most of the rollback evidence
   * now: where a regression that began mid-step is best seen.
   */
  leadStart(): number {
    return replayRollback(this.samples, this.rollbackNull, this.mixture, this.restarts, this.lastT).leadStart;
  }

  /**
   * Anytime-valid lower bound of the ratio: the largest r whose rollback test ("ratio ≤ r", with the
   * same mixture and restarts) has reached `logThreshold`; 0 if none has. The rollback test at r0
   * has reached its threshold exactly when this bound is above r0 (each test is monotone in r), so a
   * verdict and its bound cannot disagree. On a grid through r0 (rounded down to it), or `exact`.
   */
  lowerBound(logThreshold: number, exact = false): number {
    const onGrid = this.grid().lowerBound(logThreshold);
    if (!exact || !(onGrid > 0) || !Number.isFinite(onGrid)) return onGrid;
    // Between the last grid point rejected and the next: the crossing itself, by bisection.
    const rejects = (beta: number) =>
      replayRollback(this.samples, beta, this.mixture, this.restarts, this.lastT).logE >= logThreshold;
    let lo = Math.log(onGrid);
    let hi = lo + GRID_STEP;
    if (rejects(hi)) return Math.exp(hi);
    for (let i = 0; i < 30; i++) {
      const mid = (lo + hi) / 2;
      if (rejects(mid)) lo = mid;
      else hi = mid;
    }
    return Math.exp(lo);
  }

  /**
   * Point estimate and upper bound of the ratio over the intervals after `since`: the conditional
   * maximum-likelihood ratio and the smallest r whose promotion test ("ratio ≥ r") over those
   * intervals has reached `logThreshold` (Infinity if none has).
   */
  estimateSince(since: number, logThreshold: number): { ratio: number; upper: number } {
    const used = this.samples.filter((s) => s.t > since);
    return { ratio: Math.exp(splitMle(used)), upper: this.grid().upperBound(logThreshold, since) };
  }

  /** The split's likelihood on a grid through r0, for the bounds (cached until the next interval). */
  private grid(): SplitGrid {
    if (!this.cachedGrid || this.cachedGrid.intervals !== this.samples.length || this.cachedGrid.until !== this.lastT)
      this.cachedGrid = new SplitGrid(this.samples, this.rollbackNull, this.mixture, this.restarts, this.lastT);
    return this.cachedGrid;
  }

  /**
   * The final look (a fixed-time test, read once at the stage cap): the exact conditional p-value of
   * the canary's share of events at r0 (exact-split.ts), with overdispersion ρ estimated around the
   * fitted ratio.
   * Intervals tempered as bursts are left out (which ones depends only on the event totals the test
   * conditions on). p = 1 without events.
   */
  finalPValue(prior: CorrelationPrior = DEFAULT_CORRELATION_PRIOR): { pValue: number; rho: number } {
    const intervals = splitIntervals(this.samples);
    // ρ around the fitted ratio: a shift of the whole split is not overdispersion.
    const fitted = splitMle(this.samples);
    const rho = splitCorrelation(intervals, Number.isFinite(fitted) ? fitted : this.rollbackNull, prior);
    return { pValue: splitUpperTail(intervals, this.rollbackNull, rho), rho };
  }

  /** The largest r the final look at level `alpha` rejects "ratio ≤ r" at (0 if it rejects none). */
  finalLowerBound(alpha: number, rho: number): number {
    const intervals = splitIntervals(this.samples);
    if (intervals.length === 0) return 0;
    const rejects = (beta: number) => splitUpperTail(intervals, beta, rho) <= alpha;
    return Math.exp(largestRejected(rejects, splitMle(this.samples)));
  }
}

/** Prior of the split's intra-interval correlation: about what per-pod error-rate jitter of ±10% gives. */
export const DEFAULT_CORRELATION_PRIOR: CorrelationPrior = Object.freeze({ rho: 0.01, weight: 500 });

function splitIntervals(samples: readonly WeightedSample[]): SplitInterval[] {
  return samples
    .filter((s) => s.weight === 1 && s.canaryEvents + s.baselineEvents > 0)
    .map((s) => ({
      canaryEvents: s.canaryEvents,
      events: s.canaryEvents + s.baselineEvents,
      offset: Math.log(s.canaryExposure / s.baselineExposure),
    }));
}

/** Baseline events needed before the baseline rate sets an absolute material difference. */
const MIN_EVENTS_FOR_RATE = 10;

/** Past intervals needed before bursts are recognised. */
const MIN_PAST_FOR_BURSTS = 6;

function insertSorted(xs: number[], x: number): void {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  xs.splice(lo, 0, x);
}

/** Adds one interval's log-likelihood ratios of the alternatives null ± g_k against the null. */
function accumulate(sums: Float64Array, gains: Float64Array, z0: number, xc: number, xb: number, sign: 1 | -1): void {
  const x = xc + xb;
  const sp0 = negLogSigmoid(z0);
  for (let k = 0; k < gains.length; k++) {
    const g = sign * gains[k]!;
    // xc·log(θ_alt/θ_0) + xb·log((1−θ_alt)/(1−θ_0)), with log(1−σ(z)) = log σ(z) − z.
    sums[k]! += x * (sp0 - negLogSigmoid(z0 + g)) - xb * g;
  }
}

/**
 * Smallest Δ ≥ 0 with logsumexp_k(w_k + s_k + Δ·rate_k) ≥ target (a convex function of Δ);
 * Infinity if it is never reached.
 */
export function solveLinearGrowth(
  logWeights: ArrayLike<number>,
  sums: ArrayLike<number>,
  rate: ArrayLike<number>,
  target: number,
): number {
  const at = (delta: number) => {
    const shifted = new Float64Array(sums.length);
    for (let k = 0; k < sums.length; k++) shifted[k] = sums[k]! + delta * rate[k]!;
    return logSumExp(logWeights, shifted);
  };
  if (at(0) >= target) return 0;
  let maxRate = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < rate.length; k++) maxRate = Math.max(maxRate, rate[k]!);
  if (!(maxRate > 0)) return Number.POSITIVE_INFINITY;
  let hi = 1;
  while (at(hi) < target) {
    hi *= 2;
    if (hi > 1e7) return Number.POSITIVE_INFINITY;
  }
  let lo = hi / 2;
  if (hi === 1) lo = 0;
  while (hi - lo > 0.5) {
    const mid = (lo + hi) / 2;
    if (at(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

const BETA_RANGE = 12;

/**
 * The rollback mixture at log-ratio `beta`, recomputed from the samples: its log e-value and the
 * start time of its largest component.
 */
export function replayRollback(
  samples: readonly WeightedSample[],
  beta: number,
  mixture: Mixture,
  restarts: RestartSchedule,
  until: number,
): { logE: number; leadStart: number } {
  const gains = mixture.gains;
  const up = new Float64Array(gains.length);
  const clock = new StartClock(restarts);
  const snapshots: Array<{ start: number; logWeight: number; up: Float64Array }> = [];
  let started = 0;
  const begin = (t: number) => {
    const begun = clock.advance(t);
    if (begun === 0) return;
    const count = Math.round(begun / restarts.each);
    started += count;
    snapshots.push({ start: restarts.starts[started - 1]!, logWeight: Math.log(begun), up: up.slice() });
  };
  for (const s of samples) {
    begin(s.t);
    const x = s.canaryEvents + s.baselineEvents;
    if (x === 0) continue;
    const offset = Math.log(s.canaryExposure / s.baselineExposure);
    accumulate(up, gains, beta + offset, s.weight * s.canaryEvents, s.weight * s.baselineEvents, +1);
  }
  begin(until);
  let leadStart = 0;
  let best = Math.log(restarts.atDeploy) + logSumExp(mixture.logWeights, up);
  const parts = [best];
  for (const snap of snapshots) {
    const since = up.map((u, k) => u - snap.up[k]!);
    const part = snap.logWeight + logSumExp(mixture.logWeights, since);
    parts.push(part);
    if (part > best) {
      best = part;
      leadStart = snap.start;
    }
  }
  if (clock.pending > 0) parts.push(Math.log(clock.pending));
  return { logE: logSumExp(parts), leadStart };
}

const GRID_STEP = 0.025;
/**
 * Grid points below and above r0 where bounds are looked for: ratios r0·e^(±4) (a bound beyond is
 * reported as the end of the grid, or 0 or ∞: wider, so still valid).
 */
const GRID_REACH = 160;

/**
 * Cumulative log-likelihoods of the split on a grid of log-ratios with step 0.025 through log r0
 * (so r0 is a grid point and the test at r0 is evaluated exactly), with a copy at each restart.
 * The mixtures' gains are multiples of the step, so every e-value on the grid is exact there; a
 * bound is the last grid point a test rejects, rounded outward (conservative by at most 2.5%).
 */
class SplitGrid {
  readonly intervals: number;
  private readonly loglik: Float64Array;
  private readonly snapshots: Array<{ start: number; logWeight: number; loglik: Float64Array }> = [];
  private readonly logPending: number;
  private readonly steps: number[];
  private readonly margin: number;

  constructor(
    samples: readonly WeightedSample[],
    private readonly anchor: number,
    private readonly mixture: Mixture,
    private readonly restarts: RestartSchedule,
    readonly until: number,
  ) {
    this.intervals = samples.length;
    this.steps = Array.from(mixture.gains, (g) => Math.round(g / GRID_STEP));
    this.margin = Math.max(...this.steps);
    const points = 2 * GRID_REACH + 2 * this.margin + 1;
    const loglik = new Float64Array(points);
    const clock = new StartClock(restarts);
    let begun = 0;
    const begin = (t: number) => {
      const weight = clock.advance(t);
      if (weight === 0) return;
      begun += Math.round(weight / restarts.each);
      this.snapshots.push({ start: restarts.starts[begun - 1]!, logWeight: Math.log(weight), loglik: loglik.slice() });
    };
    for (const s of samples) {
      begin(s.t);
      const x = s.weight * (s.canaryEvents + s.baselineEvents);
      if (x === 0) continue;
      const xb = s.weight * s.baselineEvents;
      // x·log σ(z) − x_b·z along z_j = z_0 + j·h, with e^(−z_j) by repeated multiplication.
      const z0 = this.betaAt(0) + Math.log(s.canaryExposure / s.baselineExposure);
      const shrink = Math.exp(-GRID_STEP);
      let expMinusZ = Math.exp(-z0);
      for (let j = 0; j < points; j++) {
        const z = z0 + j * GRID_STEP;
        // log σ(z) = −log(1 + e^(−z)); for large negative z, −log(1 + e^(−z)) = z − log(1 + e^z).
        const logSigma = expMinusZ < 1e15 ? -Math.log1p(expMinusZ) : z - Math.log1p(Math.exp(z));
        loglik[j]! += x * logSigma - xb * z;
        expMinusZ *= shrink;
      }
    }
    begin(until);
    this.loglik = loglik;
    this.logPending = clock.pending > 0 ? Math.log(clock.pending) : Number.NEGATIVE_INFINITY;
  }

  private betaAt(j: number): number {
    return this.anchor + (j - GRID_REACH - this.margin) * GRID_STEP;
  }

  /** The rollback mixture (with restarts) at grid point j, testing "ratio ≤ e^β_j". */
  private rollbackLogE(j: number): number {
    const parts: number[] = [];
    const at = (l: Float64Array, base: Float64Array | undefined, logWeight: number) => {
      const terms = this.steps.map((k) => l[j + k]! - l[j]! - (base ? base[j + k]! - base[j]! : 0));
      parts.push(logWeight + logSumExp(this.mixture.logWeights, terms));
    };
    at(this.loglik, undefined, Math.log(this.restarts.atDeploy));
    for (const snap of this.snapshots) at(this.loglik, snap.loglik, snap.logWeight);
    parts.push(this.logPending);
    return logSumExp(parts);
  }

  /** The promotion mixture at grid point j ("ratio ≥ e^β_j"), over the intervals after `since`. */
  private promoteLogE(j: number, base: Float64Array | undefined): number {
    const l = this.loglik;
    const terms = this.steps.map((k) => l[j - k]! - l[j]! - (base ? base[j - k]! - base[j]! : 0));
    return logSumExp(this.mixture.logWeights, terms);
  }

  /** The largest grid ratio the rollback test rejects at `logThreshold` (0 if none). */
  lowerBound(logThreshold: number): number {
    let lo = 0;
    let hi = this.loglik.length - 1 - this.margin;
    if (this.rollbackLogE(lo) < logThreshold) return 0;
    if (this.rollbackLogE(hi) >= logThreshold) return Math.exp(this.betaAt(hi));
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.rollbackLogE(mid) >= logThreshold) lo = mid;
      else hi = mid;
    }
    return Math.exp(this.betaAt(lo));
  }

  /** The smallest grid ratio the promotion test over the intervals after `since` rejects (∞ if none). */
  upperBound(logThreshold: number, since: number): number {
    const base = since > 0 ? this.snapshots.find((s) => s.start >= since)?.loglik : undefined;
    let lo = this.margin;
    let hi = this.loglik.length - 1;
    if (this.promoteLogE(hi, base) < logThreshold) return Number.POSITIVE_INFINITY;
    if (this.promoteLogE(lo, base) >= logThreshold) return Math.exp(this.betaAt(lo));
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.promoteLogE(mid, base) >= logThreshold) hi = mid;
      else lo = mid;
    }
    return Math.exp(this.betaAt(hi));
  }
}

/**
 * For a test of "log-ratio ≤ β" that rejects every β below some point: that point (the largest
 * rejected β, to 1e-9), −Infinity if it rejects none. `from` is a good place to start (the estimate).
 */
function largestRejected(rejects: (beta: number) => boolean, from: number): number {
  let lo = -BETA_RANGE;
  if (!rejects(lo)) return Number.NEGATIVE_INFINITY;
  let hi = Number.isFinite(from) ? Math.min(BETA_RANGE, Math.max(lo + 1, from + 0.5)) : BETA_RANGE;
  while (rejects(hi) && hi < BETA_RANGE) {
    lo = hi;
    hi = Math.min(BETA_RANGE, hi + 1);
  }
  if (rejects(hi)) return hi;
  while (hi - lo > 1e-9) {
    const mid = (lo + hi) / 2;
    if (rejects(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Conditional maximum-likelihood log-ratio of the samples: the β where the weighted canary events
 * equal their expectation Σ w·x·σ(β + o). NaN without events, ±Infinity when one arm has them all.
 */
export function splitMle(samples: readonly WeightedSample[]): number {
  let canary = 0;
  let total = 0;
  for (const s of samples) {
    canary += s.weight * s.canaryEvents;
    total += s.weight * (s.canaryEvents + s.baselineEvents);
  }
  if (total === 0) return Number.NaN;
  if (canary === 0) return Number.NEGATIVE_INFINITY;
  if (canary === total) return Number.POSITIVE_INFINITY;
  const excess = (beta: number) => {
    let expected = 0;
    for (const s of samples) {
      const x = s.weight * (s.canaryEvents + s.baselineEvents);
      if (x > 0) expected += x * Math.exp(-negLogSigmoid(beta + Math.log(s.canaryExposure / s.baselineExposure)));
    }
    return canary - expected;
  };
  let lo = -30;
  let hi = 30;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (excess(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
