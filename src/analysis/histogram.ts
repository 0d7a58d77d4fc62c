/**
 * Summaries of interval histograms: moments of the log of the observed value (from bucket geometric
 * midpoints, as the design page says) and Prometheus-style quantiles.
 */
import type { Histogram, HistogramBuckets } from "../telemetry/index.ts";

export interface HistogramSummary {
  /** Observations in the interval (Σ bucket counts). */
  count: number;
  /** Mean of log(value). */
  logMean: number;
  /** Sample variance of log(value) (n − 1 denominator); 0 with fewer than 2 observations. */
  logVar: number;
  /** Fourth central moment of log(value) (n denominator). */
  logM4: number;
  /** Arithmetic mean from the histogram's sum (NaN when empty). */
  mean: number;
  /** The buckets themselves, for quantiles and merging. */
  buckets: HistogramBuckets;
}

/** Log geometric midpoint of every bucket; cached for the few bucket layouts a stream uses. */
const midpointCache: Array<{ bounds: Array<number | null>; logMid: Float64Array }> = [];

function logMidpoints(buckets: HistogramBuckets): Float64Array {
  for (const entry of midpointCache) {
    if (sameBounds(entry.bounds, buckets)) return entry.logMid;
  }
  const n = buckets.length;
  const logMid = new Float64Array(n);
  const bound = (i: number) => buckets[i]![0];
  for (let i = 0; i < n; i++) {
    const upper = bound(i);
    const lower = i === 0 ? 0 : (bound(i - 1) as number);
    if (upper !== null && lower > 0) {
      logMid[i] = 0.5 * (Math.log(lower) + Math.log(upper));
    } else if (upper !== null) {
      // First bucket [0, upper]: assume the same log width as the next bucket.
      const next = n > 2 ? bound(1) : null;
      const halfWidth = next !== null && next > upper ? 0.5 * Math.log(next / upper) : Math.LN2;
      logMid[i] = Math.log(upper) - halfWidth;
    } else {
      // +Inf bucket: half a bucket above the last finite bound, using the previous bucket's width.
      const before = i >= 2 ? (bound(i - 2) as number) : 0;
      const halfWidth = before > 0 && lower > before ? 0.5 * Math.log(lower / before) : Math.LN2;
      logMid[i] = lower > 0 ? Math.log(lower) + halfWidth : 0;
    }
  }
  if (midpointCache.length >= 8) midpointCache.shift();
  midpointCache.push({ bounds: buckets.map((b) => b[0]), logMid });
  return logMid;
}

function sameBounds(bounds: Array<number | null>, buckets: HistogramBuckets): boolean {
  if (bounds.length !== buckets.length) return false;
  for (let i = 0; i < bounds.length; i++) if (bounds[i] !== buckets[i]![0]) return false;
  return true;
}

export function summarizeHistogram(h: Histogram): HistogramSummary {
  const { buckets } = h;
  const logMid = logMidpoints(buckets);
  let count = 0;
  let s1 = 0;
  for (let i = 0; i < buckets.length; i++) {
    const c = buckets[i]![1];
    if (c > 0) {
      count += c;
      s1 += c * logMid[i]!;
    }
  }
  if (count === 0) return { count: 0, logMean: Number.NaN, logVar: 0, logM4: 0, mean: Number.NaN, buckets };
  const logMean = s1 / count;
  let s2 = 0;
  let s4 = 0;
  for (let i = 0; i < buckets.length; i++) {
    const c = buckets[i]![1];
    if (c > 0) {
      const d = logMid[i]! - logMean;
      const d2 = d * d;
      s2 += c * d2;
      s4 += c * d2 * d2;
    }
  }
  return {
    count,
    logMean,
    logVar: count > 1 ? s2 / (count - 1) : 0,
    logM4: s4 / count,
    mean: h.sum / count,
    buckets,
  };
}

/**
 * The q-quantile as Prometheus' `histogram_quantile` computes it: linear interpolation inside the
 * bucket holding rank q·count, the first bucket starting at 0, and the highest finite bound when the
 * rank falls in the +Inf bucket. NaN for an empty histogram.
 */
export function histogramQuantile(q: number, buckets: HistogramBuckets): number {
  let total = 0;
  for (const b of buckets) total += b[1];
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i++) {
    const [upper, c] = buckets[i]!;
    if (cumulative + c >= rank && c > 0) {
      const lower = i === 0 ? 0 : (buckets[i - 1]![0] as number);
      if (upper === null) return lower;
      return lower + ((upper - lower) * (rank - cumulative)) / c;
    }
    cumulative += c;
  }
  const last = buckets[buckets.length - 2];
  return last ? (last[0] as number) : Number.NaN;
}

/**
 * Observations above `threshold`, counting the straddling bucket's share by linear interpolation
 * (the same assumption `histogramQuantile` makes).
 */
export function countAbove(threshold: number, buckets: HistogramBuckets): number {
  let above = 0;
  for (let i = buckets.length - 1; i >= 0; i--) {
    const [upper, c] = buckets[i]!;
    const lower = i === 0 ? 0 : (buckets[i - 1]![0] as number);
    if (lower >= threshold) {
      above += c;
      continue;
    }
    if (upper !== null && upper > threshold && c > 0) above += (c * (upper - threshold)) / (upper - lower);
    break;
  }
  return above;
}

/**
 * Adds histograms bucket by bucket. Histograms with a different bucket layout than the first are
 * left out (returned in `skipped`), as a merge across layouts would be meaningless.
 */
export function mergeHistograms(histograms: readonly HistogramBuckets[]): {
  buckets: HistogramBuckets | undefined;
  skipped: number;
} {
  const first = histograms[0];
  if (!first) return { buckets: undefined, skipped: 0 };
  const merged: HistogramBuckets = first.map(([bound]) => [bound, 0]);
  let skipped = 0;
  for (const h of histograms) {
    if (h.length !== merged.length || h.some((b, i) => b[0] !== merged[i]![0])) {
      skipped++;
      continue;
    }
    for (let i = 0; i < h.length; i++) merged[i]![1] += h[i]![1];
  }
  return { buckets: merged, skipped };
}
