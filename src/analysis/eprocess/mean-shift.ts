/**
 * The mean-shift e-process (design page, statistics (b)1 and (c)): per interval a difference d_i
 * between canary and baseline (e.g. of mean log-latency) with variance v_i, tested for a shift.
 *
 * φ_i = max(1, mean over past consecutive pairs j of (d_j − d_{j−1})² / (v_j + v_{j−1})) is a
 * predictable overdispersion factor: it absorbs per-pod jitter and other variation the within-interval
 * variance misses, and it cancels slow drift common to both arms. Until a few pairs are seen, the mean
 * is shrunk towards a cautious prior value (`PHI_PRIOR` with the weight of `PHI_PRIOR_PAIRS` pairs),
 * so that the first intervals of a stream are not over-trusted.
 *
 * With S = Σ (d_i − δ0)/(φ_i v_i) and V = Σ 1/(φ_i v_i), the one-sided normal mixture over shifts
 * μ > 0 with a half-normal prior of precision ρ is
 *   E = 2·sqrt(ρ/(V+ρ)) · exp(S²/(2(V+ρ))) · Φ(S/sqrt(V+ρ)).
 * Rollback tests "shift ≤ δ0", promotion tests "shift ≥ δ_bad" (S with the sign flipped, around δ_bad).
 * The rollback test may also mix over start times (restarts.ts): each restart uses the sums since it.
 */
import { logNormalCdf, logSumExp } from "../math.ts";
import { NO_RESTARTS, type RestartSchedule, StartClock } from "./restarts.ts";

export interface MeanShiftSettings {
  /** δ0: tolerated shift (log units, e.g. log 1.05). */
  nullShift: number;
  /** δ_bad: materially worse shift (log units). */
  badShift: number;
  /** Prior precision of the mixture, 1/(typical effect)². */
  rho: number;
}

const PHI_PRIOR = 2;
const PHI_PRIOR_PAIRS = 3;

export interface MeanShiftSample {
  /** Canary minus baseline, oriented so that positive is the harm. */
  d: number;
  v: number;
}

/** log of the one-sided normal-mixture e-value for statistics S, V and prior precision ρ. */
export function logNormalMixtureE(s: number, v: number, rho: number): number {
  const p = v + rho;
  return Math.LN2 + 0.5 * Math.log(rho / p) + (s * s) / (2 * p) + logNormalCdf(s / Math.sqrt(p));
}

export class MeanShiftEProcess {
  /** Σ d/(φv) and Σ 1/(φv). */
  weightedSum = 0;
  precision = 0;
  intervals = 0;
  private previous: MeanShiftSample | undefined;
  private dispersionSum = 0;
  private dispersionPairs = 0;
  private readonly clock: StartClock;
  /** The sums when each group of restarts began, with the group's weight. */
  private readonly starts: Array<{ start: number; weight: number; weightedSum: number; precision: number }> = [];
  private begun = 0;

  constructor(
    readonly settings: MeanShiftSettings,
    readonly restarts: RestartSchedule = NO_RESTARTS,
  ) {
    this.clock = new StartClock(restarts);
  }

  /** The overdispersion factor the next interval will be weighted with. */
  get phi(): number {
    return Math.max(1, (PHI_PRIOR * PHI_PRIOR_PAIRS + this.dispersionSum) / (PHI_PRIOR_PAIRS + this.dispersionPairs));
  }

  /** Moves the clock to `t` (seconds since stage start): restarts scheduled before it begin now. */
  advance(t: number): void {
    const weight = this.clock.advance(t);
    if (weight === 0) return;
    this.begun += Math.round(weight / this.restarts.each);
    this.starts.push({
      start: this.restarts.starts[this.begun - 1]!,
      weight,
      weightedSum: this.weightedSum,
      precision: this.precision,
    });
  }

  /** Adds the interval ending at `t`. */
  add(sample: MeanShiftSample, t = 0): void {
    this.advance(t);
    const { d, v } = sample;
    if (!(v > 0) || !Number.isFinite(d) || !Number.isFinite(v)) return;
    const w = 1 / (this.phi * v);
    this.weightedSum += d * w;
    this.precision += w;
    this.intervals++;
    if (this.previous) {
      const diff = d - this.previous.d;
      this.dispersionSum += (diff * diff) / (v + this.previous.v);
      this.dispersionPairs++;
    }
    this.previous = sample;
  }

  /** The rollback test's log e-value at tolerated shift `nullShift`, and its largest component's start. */
  private rollbackAt(nullShift: number): { logE: number; leadStart: number } {
    const rho = this.settings.rho;
    const component = (sum: number, precision: number) =>
      precision > 0 ? logNormalMixtureE(sum - nullShift * precision, precision, rho) : 0;
    let best = Math.log(this.restarts.atDeploy) + component(this.weightedSum, this.precision);
    let leadStart = 0;
    const parts = [best];
    for (const s of this.starts) {
      const part = Math.log(s.weight) + component(this.weightedSum - s.weightedSum, this.precision - s.precision);
      parts.push(part);
      if (part > best) {
        best = part;
        leadStart = s.start;
      }
    }
    if (this.clock.pending > 0) parts.push(Math.log(this.clock.pending));
    return { logE: logSumExp(parts), leadStart };
  }

  logRollbackE(): number {
    if (this.intervals === 0) return 0;
    return this.rollbackAt(this.settings.nullShift).logE;
  }

  /** Start time (0 = deploy) of the restart holding most of the rollback evidence. */
  leadStart(): number {
    return this.intervals === 0 ? 0 : this.rollbackAt(this.settings.nullShift).leadStart;
  }

  logPromoteE(): number {
    if (this.intervals === 0) return 0;
    return logNormalMixtureE(
      this.settings.badShift * this.precision - this.weightedSum,
      this.precision,
      this.settings.rho,
    );
  }

  /** Intervals until the promotion test reaches `logThreshold` if the average interval repeats. */
  intervalsToPromote(logThreshold: number): number {
    if (this.intervals === 0) return Number.POSITIVE_INFINITY;
    if (this.logPromoteE() >= logThreshold) return 0;
    const dS = (this.settings.badShift * this.precision - this.weightedSum) / this.intervals;
    const dV = this.precision / this.intervals;
    if (!(dS > 0)) return Number.POSITIVE_INFINITY;
    const at = (k: number) =>
      logNormalMixtureE(
        this.settings.badShift * this.precision - this.weightedSum + k * dS,
        this.precision + k * dV,
        this.settings.rho,
      );
    let hi = 1;
    while (at(hi) < logThreshold) {
      hi *= 2;
      if (hi > 1e7) return Number.POSITIVE_INFINITY;
    }
    let lo = hi === 1 ? 0 : hi / 2;
    while (hi - lo > 0.5) {
      const mid = (lo + hi) / 2;
      if (at(mid) >= logThreshold) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /**
   * Anytime-valid lower bound of the shift: the largest δ whose rollback test ("shift ≤ δ", same
   * mixture and restarts) has reached `logThreshold`; −Infinity if none has. The test at δ0 has
   * reached it exactly when this bound is above δ0 (the e-value falls as δ grows).
   */
  lowerBound(logThreshold: number): number {
    if (this.intervals === 0) return Number.NEGATIVE_INFINITY;
    const rejects = (shift: number) => this.rollbackAt(shift).logE >= logThreshold;
    const estimate = this.weightedSum / this.precision;
    let lo = estimate - 1;
    let step = 1;
    while (!rejects(lo)) {
      step *= 2;
      lo = estimate - step;
      if (step > 1e6) return Number.NEGATIVE_INFINITY;
    }
    let hi = estimate + 1;
    step = 1;
    while (rejects(hi)) {
      step *= 2;
      hi = estimate + step;
      if (step > 1e6) return Number.POSITIVE_INFINITY;
    }
    while (hi - lo > 1e-9) {
      const mid = (lo + hi) / 2;
      if (rejects(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The shift over the intervals after `since` (a start time, or 0) and its upper bound: the
   * smallest δ whose promotion test ("shift ≥ δ") over those intervals has reached `logThreshold`.
   */
  estimateSince(since: number, logThreshold: number): { shift: number; upper: number } {
    const from = since > 0 ? this.starts.find((s) => s.start >= since) : undefined;
    const sum = this.weightedSum - (from?.weightedSum ?? 0);
    const precision = this.precision - (from?.precision ?? 0);
    if (!(precision > 0)) return { shift: Number.NaN, upper: Number.POSITIVE_INFINITY };
    const shift = sum / precision;
    const rejects = (bad: number) =>
      logNormalMixtureE(bad * precision - sum, precision, this.settings.rho) >= logThreshold;
    let lo = shift;
    let hi = shift + 1;
    let step = 1;
    while (!rejects(hi)) {
      step *= 2;
      hi = shift + step;
      if (step > 1e6) return { shift, upper: Number.POSITIVE_INFINITY };
    }
    while (hi - lo > 1e-9) {
      const mid = (lo + hi) / 2;
      if (rejects(mid)) hi = mid;
      else lo = mid;
    }
    return { shift, upper: hi };
  }
}
