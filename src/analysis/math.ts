/** Numerics in log space for the e-processes. */
import { errorFunction } from "simple-statistics";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log(Σ exp(x_i + y_i + z_i)) without overflow; `y` and `z` optional. */
export function logSumExp(x: ArrayLike<number>, y?: ArrayLike<number>, z?: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! + (y ? y[i]! : 0) + (z ? z[i]! : 0);
    if (v > max) max = v;
  }
  if (max === Number.NEGATIVE_INFINITY || !Number.isFinite(max)) return max;
  let total = 0;
  for (let i = 0; i < x.length; i++) total += Math.exp(x[i]! + (y ? y[i]! : 0) + (z ? z[i]! : 0) - max);
  return max + Math.log(total);
}

/** softplus(−z) = −log σ(z) = log(1 + e^{−z}), stable for any z. */
export function negLogSigmoid(z: number): number {
  return z >= 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
}

/**
 * log Φ(x) of the standard normal. Uses simple-statistics' erfc-accurate `errorFunction` where Φ is
 * not tiny, and the asymptotic series of the Mills ratio in the far left tail.
 */
export function logNormalCdf(x: number): number {
  if (x > -6) {
    const p = 0.5 * (1 + errorFunction(x / Math.SQRT2));
    return p > 0 ? Math.log(p) : Number.NEGATIVE_INFINITY;
  }
  // Φ(x) = φ(x)/|x| · (1 − 1/x² + 3/x⁴ − 15/x⁶ + …) for x → −∞.
  const x2 = x * x;
  const series = 1 - 1 / x2 + 3 / (x2 * x2) - 15 / (x2 * x2 * x2);
  return -0.5 * x2 - LOG_SQRT_2PI - Math.log(-x) + Math.log(series);
}

/** Standard normal quantile z with Φ(z) = p, for choosing display quantiles. */
export const Z_P99 = 2.3263478740408408;
