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
 */
import { logNormalCdf } from "../math.ts";

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

  constructor(readonly settings: MeanShiftSettings) {}

  /** The overdispersion factor the next interval will be weighted with. */
  get phi(): number {
    return Math.max(1, (PHI_PRIOR * PHI_PRIOR_PAIRS + this.dispersionSum) / (PHI_PRIOR_PAIRS + this.dispersionPairs));
  }

  add(sample: MeanShiftSample): void {
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

  logRollbackE(): number {
    if (this.intervals === 0) return 0;
    return logNormalMixtureE(
      this.weightedSum - this.settings.nullShift * this.precision,
      this.precision,
      this.settings.rho,
    );
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
   * Estimated shift and anytime-valid (1 − α) bounds from the two-sided normal mixture:
   * all μ with sqrt(ρ/(V+ρ))·exp((S_μ)²/(2(V+ρ))) < 1/α, where S_μ = Σ (d − μ)/(φv).
   */
  estimate(alpha: number): { shift: number; lower: number; upper: number } {
    const V = this.precision;
    if (V === 0) return { shift: Number.NaN, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY };
    const rho = this.settings.rho;
    const radius = Math.sqrt(2 * (V + rho) * (Math.log(1 / alpha) + 0.5 * Math.log((V + rho) / rho))) / V;
    const shift = this.weightedSum / V;
    return { shift, lower: shift - radius, upper: shift + radius };
  }
}
