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
}

export class CountEProcess {
  private readonly rollbackNull: number;
  private readonly promoteNull: number;
  private readonly up: Float64Array;
  private readonly down: Float64Array;
  /** Per-interval data, kept for effect estimates and projections. */
  readonly samples: WeightedSample[] = [];
  private readonly pastEvents: number[] = [];
  canaryEvents = 0;
  baselineEvents = 0;
  canaryExposure = 0;
  baselineExposure = 0;
  /** Score Σ w·(x_c − x·θ_i(r0)) and its conditional variance Σ w²·x·θ(1−θ), for `finalZ`. */
  private score = 0;
  private scoreVariance = 0;

  constructor(
    readonly settings: CountEProcessSettings,
    private readonly mixture: Mixture = DEFAULT_COUNT_MIXTURE,
  ) {
    this.rollbackNull = Math.log(settings.nullRatio);
    this.promoteNull = Math.log(settings.badRatio);
    this.up = new Float64Array(mixture.gains.length);
    this.down = new Float64Array(mixture.gains.length);
  }

  /** Adds an interval; intervals where an arm had no traffic carry no information and are skipped. */
  add(sample: CountSample): void {
    const { canaryEvents: xc, baselineEvents: xb, canaryExposure: nc, baselineExposure: nb } = sample;
    if (!(nc > 0 && nb > 0)) return;
    const x = xc + xb;
    const weight = this.burstWeight(x);
    const promoteNull = this.promoteNullNow();
    this.samples.push({ ...sample, weight });
    insertSorted(this.pastEvents, x);
    this.canaryEvents += xc;
    this.baselineEvents += xb;
    this.canaryExposure += nc;
    this.baselineExposure += nb;
    if (x === 0) return;
    const offset = Math.log(nc / nb);
    const theta0 = Math.exp(-negLogSigmoid(this.rollbackNull + offset)); // θ_i(r0)
    this.score += weight * (xc - x * theta0);
    this.scoreVariance += weight * weight * x * theta0 * (1 - theta0);
    accumulate(this.up, this.mixture.gains, this.rollbackNull + offset, weight * xc, weight * xb, +1);
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

  /** log e-value against "canary ratio ≤ r0" (evidence of a regression). */
  logRollbackE(): number {
    return logSumExp(this.mixture.logWeights, this.up);
  }

  /**
   * The final look (a fixed-time test, not an e-value): the standardised score of the split of events
   * at the boundary r0, (Σ w·(x_c − x·θ_i(r0)) − ½) / sqrt(φ·Σ w²·x·θ_i(1 − θ_i)), with a continuity
   * correction of ½ and φ ≥ 1 the Pearson dispersion of the splits. Approximately standard normal at
   * r = r0 (stochastically smaller for r < r0) when read once, at a time fixed in advance; w are the
   * burst weights. 0 while the score's variance is below 5 (too few events for the normal law).
   */
  finalZ(): number {
    if (this.scoreVariance < MIN_FINAL_VARIANCE) return 0;
    return (this.score - 0.5) / Math.sqrt(this.scoreVariance * this.dispersion());
  }

  /**
   * Pearson dispersion (at least 1) of the intervals' splits around the pooled Mantel-Haenszel ratio:
   * extra-binomial variation, e.g. pods with different error rates, widens the final look.
   */
  dispersion(): number {
    let num = 0;
    let den = 0;
    for (const s of this.samples) {
      const n = s.canaryExposure + s.baselineExposure;
      num += (s.weight * s.canaryEvents * s.baselineExposure) / n;
      den += (s.weight * s.baselineEvents * s.canaryExposure) / n;
    }
    if (!(num > 0 && den > 0)) return 1;
    const ratio = num / den;
    let chi = 0;
    let expected = 0;
    let used = 0;
    for (const s of this.samples) {
      const x = s.canaryEvents + s.baselineEvents;
      if (x === 0) continue;
      const theta = (s.canaryExposure * ratio) / (s.canaryExposure * ratio + s.baselineExposure);
      const w2 = s.weight * s.weight;
      chi += w2 * (s.canaryEvents - x * theta) ** 2;
      expected += w2 * x * theta * (1 - theta);
      used++;
    }
    if (used < 2 || !(expected > 0)) return 1;
    return Math.max(1, (chi / expected) * (used / (used - 1)));
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

  /** Point estimate and anytime-valid (1 − α) bounds for the ratio r (see `ratioBounds`). */
  estimate(alpha: number): RatioEstimate {
    return ratioBounds(this.samples, alpha, this.mixture);
  }
}

/** Baseline events needed before the baseline rate sets an absolute material difference. */
const MIN_EVENTS_FOR_RATE = 10;

/** Least variance of the score (n·θ(1 − θ) in one interval's terms) for a final look. */
const MIN_FINAL_VARIANCE = 5;

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

export interface RatioEstimate {
  /** Maximum-likelihood ratio canary/baseline (NaN without events). */
  ratio: number;
  /** Anytime-valid lower and upper confidence bounds (0 and Infinity when unbounded). */
  lower: number;
  upper: number;
}

const CS_STEP = 0.025;
const CS_RANGE = 5;

/**
 * Anytime-valid confidence bounds for r: the lower bound is the smallest r whose one-sided
 * "ratio ≤ r" test (the rollback mixture around r) has not reached 2/α, the upper bound the largest r
 * whose "ratio ≥ r" test (the promotion mixture) has not. The log-likelihood is evaluated on a grid
 * of log r with step 0.025, so bounds are exact to that resolution (conservatively rounded outward).
 */
export function ratioBounds(
  samples: ReadonlyArray<CountSample & { weight?: number }>,
  alpha: number,
  mixture: Mixture = DEFAULT_COUNT_MIXTURE,
): RatioEstimate {
  const points = Math.round((2 * CS_RANGE) / CS_STEP) + 1;
  const loglik = new Float64Array(points);
  let events = 0;
  for (const s of samples) {
    const w = s.weight ?? 1;
    const x = w * (s.canaryEvents + s.baselineEvents);
    if (x === 0 || !(s.canaryExposure > 0 && s.baselineExposure > 0)) continue;
    events += x;
    const xb = w * s.baselineEvents;
    const offset = Math.log(s.canaryExposure / s.baselineExposure);
    for (let j = 0; j < points; j++) {
      const z = -CS_RANGE + j * CS_STEP + offset;
      loglik[j]! += -x * negLogSigmoid(z) - xb * z;
    }
  }
  if (events === 0) return { ratio: Number.NaN, lower: 0, upper: Number.POSITIVE_INFINITY };
  let best = 0;
  for (let j = 1; j < points; j++) if (loglik[j]! > loglik[best]!) best = j;
  const threshold = Math.log(2 / alpha);
  // Mixture components on the grid: gains rounded to grid steps.
  const steps = Array.from(mixture.gains, (g) => Math.max(1, Math.round(g / CS_STEP)));
  const eAt = (j: number, dir: 1 | -1) => {
    const terms = new Float64Array(steps.length);
    for (let k = 0; k < steps.length; k++) {
      const i = j + dir * steps[k]!;
      const clamped = i < 0 ? 0 : i >= points ? points - 1 : i;
      terms[k] = loglik[clamped]! - loglik[j]!;
    }
    return logSumExp(mixture.logWeights, terms);
  };
  let lower = best;
  while (lower > 0 && eAt(lower, 1) < threshold) lower--;
  let upper = best;
  while (upper < points - 1 && eAt(upper, -1) < threshold) upper++;
  const ratioAt = (j: number) => Math.exp(-CS_RANGE + j * CS_STEP);
  return {
    ratio: ratioAt(best),
    lower: lower === 0 ? 0 : ratioAt(lower),
    upper: upper === points - 1 ? Number.POSITIVE_INFINITY : ratioAt(upper),
  };
}
