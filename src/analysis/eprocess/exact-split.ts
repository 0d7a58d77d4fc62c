/**
 * The exact conditional distribution of a count stream's canary events, for the final look at the
 * stage cap (a fixed-time test, read once).
 *
 * Given each interval's total events x_i, the canary's share of them is x_c,i ~ Binomial(x_i, θ_i)
 * with θ_i = σ(β + o_i) (count.ts). Extra-binomial variation — pods with different error rates,
 * retries in clumps — makes the split beta-binomial: x_c,i ~ BetaBinomial(x_i, θ_i, ρ) with
 * intra-interval correlation ρ, variance x·θ(1 − θ)·(1 + (x − 1)·ρ). The test statistic T = Σ x_c,i
 * has the distribution of a sum of independent such variables, computed here exactly by
 * convolution (no normal approximation, so it holds at 5 events as at 5,000).
 *
 * ρ comes from `splitCorrelation`: a moment estimate over intervals with at least two events (one
 * event cannot be overdispersed, so such intervals say nothing about ρ) shrunk towards a prior
 * value with a fixed weight. At low counts the prior dominates and barely matters (1 + (x − 1)·ρ ≈ 1
 * for small x); at high counts the data decide.
 */

/** One interval as the exact test reads it: its events split between the arms, and log(n_c/n_b). */
export interface SplitInterval {
  canaryEvents: number;
  events: number;
  offset: number;
}

/** Mass below this fraction of the largest entry is dropped from the convolution (far below any α). */
const NEGLIGIBLE = 1e-18;

/** P(T ≥ observed T) at log-ratio β, for intervals with independent beta-binomial splits. */
export function splitUpperTail(intervals: readonly SplitInterval[], beta: number, rho: number): number {
  let total = 0;
  let observed = 0;
  for (const s of intervals) {
    total += s.events;
    observed += s.canaryEvents;
  }
  // dist[t] = P(T = t) over the intervals so far, nonzero only in [low, high].
  const dist = new Float64Array(total + 1);
  dist[0] = 1;
  let low = 0;
  let high = 0;
  for (const s of intervals) {
    if (s.events === 0) continue;
    const pmf = splitPmf(s.events, sigmoid(beta + s.offset), rho);
    // In place, from the top down: each dist[t] is read before anything is added to it.
    for (let t = high; t >= low; t--) {
      const d = dist[t]!;
      dist[t] = d * pmf[0]!;
      for (let k = 1; k < pmf.length; k++) dist[t + k]! += d * pmf[k]!;
    }
    high += s.events;
    // Drop negligible mass at both ends: the support stays about ±9 standard deviations wide.
    let max = 0;
    for (let t = low; t <= high; t++) if (dist[t]! > max) max = dist[t]!;
    while (low < high && dist[low]! < max * NEGLIGIBLE) dist[low++] = 0;
    while (high > low && dist[high]! < max * NEGLIGIBLE) dist[high--] = 0;
  }
  let mass = 0;
  let tail = 0;
  for (let t = low; t <= high; t++) {
    mass += dist[t]!;
    if (t >= observed) tail += dist[t]!;
  }
  return mass > 0 ? tail / mass : 1;
}

/** Probabilities of 0..n canary events out of n, at share θ and intra-interval correlation ρ. */
export function splitPmf(n: number, theta: number, rho: number): Float64Array {
  const logs = new Float64Array(n + 1);
  // Beta-binomial with a = θ(1 − ρ)/ρ, b = (1 − θ)(1 − ρ)/ρ; ρ = 0 is the binomial.
  const scale = rho > 0 ? (1 - rho) / rho : 0;
  const a = theta * scale;
  const b = (1 - theta) * scale;
  const logOdds = Math.log(theta) - Math.log1p(-theta);
  for (let k = 0; k < n; k++) {
    const choose = Math.log((n - k) / (k + 1));
    logs[k + 1] = logs[k]! + choose + (rho > 0 ? Math.log((k + a) / (n - k - 1 + b)) : logOdds);
  }
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logs) if (v > max) max = v;
  const pmf = new Float64Array(n + 1);
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    pmf[k] = Math.exp(logs[k]! - max);
    sum += pmf[k]!;
  }
  for (let k = 0; k <= n; k++) pmf[k]! /= sum;
  return pmf;
}

/** The prior of the intra-interval correlation ρ and its weight (see the module comment). */
export interface CorrelationPrior {
  rho: number;
  /** Weight of the prior in units of Σ x(x − 1)θ(1 − θ) (e.g. 500 ≈ 80 intervals of 6 events). */
  weight: number;
}

/**
 * ρ by moments at log-ratio β: Σ [(x_c − xθ)² − xθ(1 − θ)] / Σ x(x − 1)θ(1 − θ), over intervals with
 * x ≥ 2, with the prior added to both sums; clipped to [0, 0.5].
 */
export function splitCorrelation(intervals: readonly SplitInterval[], beta: number, prior: CorrelationPrior): number {
  let excess = prior.rho * prior.weight;
  let scale = prior.weight;
  for (const s of intervals) {
    if (s.events < 2) continue;
    const theta = sigmoid(beta + s.offset);
    const v = theta * (1 - theta);
    excess += (s.canaryEvents - s.events * theta) ** 2 - s.events * v;
    scale += s.events * (s.events - 1) * v;
  }
  if (!(scale > 0)) return prior.rho;
  return Math.min(0.5, Math.max(0, excess / scale));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
