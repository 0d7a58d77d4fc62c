/**
 * Metric streams of the sequential judge: what each one reads from a tick and which e-process it
 * feeds. Every stream skips an interval unless both arms have the data it needs (skipping that does
 * not depend on the values keeps the tests valid).
 */
import type { MetricName } from "../model/index.ts";
import { CountEProcess, type CountSample, DEFAULT_COUNT_MIXTURE } from "./eprocess/count.ts";
import { MeanShiftEProcess, type MeanShiftSample } from "./eprocess/mean-shift.ts";
import { NO_RESTARTS, type RestartSchedule } from "./eprocess/restarts.ts";
import {
  countAbove,
  type HistogramSummary,
  histogramQuantile,
  mergeHistograms,
  summarizeHistogram,
} from "./histogram.ts";
import { Z_P99 } from "./math.ts";
import type { ArmObservation, Tick } from "./observations.ts";

export type StreamKind =
  | "error_rate"
  | "intervention_rate"
  | "slow_request_rate"
  | "cost_tail_rate"
  | "latency_logmean"
  | "latency_spread"
  | "cost_logmean";

export const STREAM_METRIC: Record<StreamKind, MetricName> = {
  error_rate: "error_rate",
  intervention_rate: "intervention_rate",
  slow_request_rate: "slow_request_rate",
  cost_tail_rate: "cost_per_task",
  latency_logmean: "latency",
  latency_spread: "latency",
  cost_logmean: "cost_per_task",
};

export interface StreamConfig {
  stream: StreamKind;
  /** Which direction hurts: `increase` (more errors, slower, dearer) or `decrease`. */
  harm: "increase" | "decrease";
  /** The canary may be this much worse (0.05 = 5%) before it is a regression. */
  tolerance: number;
  /** Canary/baseline ratio that is materially worse; promotion needs evidence of less. */
  materialRatio: number;
  /**
   * Count streams: an absolute rise of the rate that is material even below `materialRatio`
   * (0.005 = +0.5 percentage points); early promotion needs evidence against it too. 0/unset: none.
   */
  materialIncrease?: number;
  /** Share of the rollback α budget given to this stream (shares are normalised over streams). */
  alphaShare: number;
  /** Data from intervals ending at or before this many seconds after stage start is not used. */
  warmup: number;
  /**
   * Shift streams: after `warmup`, keep waiting, up to this many seconds more, while the canary is
   * still settling (its difference from the baseline falling over the last intervals, as a cold start
   * does). Whether to wait is decided from past intervals only, so the tests stay valid. 0/unset: no.
   */
  settling?: number;
  /**
   * A guard can roll back but never has to show the canary is fine: early promotion does not wait
   * for its promotion test, only while its rollback e-value is above 1 (its evidence favours a
   * regression). For rare-event streams whose promotion test could not finish within a stage.
   */
  guard?: boolean;
}

/** What a stream says about the canary, in the metric's own terms. */
export interface StreamSummary {
  /** Canary and baseline level (rate, geometric mean, or p99/p50 spread), NaN without data. */
  canary: number;
  baseline: number;
  /** What `canary` and `baseline` are, e.g. "error rate". */
  measure: string;
  /** Intervals used, and observations (requests, tasks) per arm. */
  intervals: number;
  canarySamples: number;
  baselineSamples: number;
  /** Seconds since stage start of the last interval used (freshness), or null. */
  lastDataAt: number | null;
}

/**
 * Canary/baseline ratio (of rates, geometric means, or p99/p50 spreads) with anytime-valid bounds:
 * `lower` from the stream's own rollback test (the largest ratio it has rejected, with its restarts
 * and, once it has happened, its final look), `upper` from its promotion test, each at the level of
 * its own threshold. A stream fails exactly when `lower` is above 1 + tolerance.
 */
export interface Estimate {
  ratio: number;
  lower: number;
  upper: number;
  /**
   * Seconds since stage start after which `ratio` and `upper` are measured: 0, or the restart of the
   * rollback test that holds most of its evidence (a regression that began then).
   */
  since: number;
}

/** The log thresholds an estimate's bounds are read at. */
export interface BoundLevels {
  rollback: number;
  promote: number;
}

/** The final look of a count stream at the stage cap (see sequential.ts). */
export interface FinalLook {
  pValue: number;
  /** Intra-interval correlation of the split the exact test allowed for. */
  rho: number;
  /** Lower bound of the ratio from the final look at `alpha` (0 when it rejects nothing). */
  lower: number;
}
export interface MetricStream {
  readonly config: StreamConfig;
  observe(tick: Tick): void;
  logRollbackE(): number;
  logPromoteE(): number;
  /** Count streams share the final look's α (whether or not they can take the look). */
  readonly counts: boolean;
  /** The final look at level `alpha`: exact conditional p-value (counts of events), or null. */
  finalLook(alpha: number): FinalLook | null;
  intervalsToPromote(logThreshold: number): number;
  /** Start time (0 = deploy) of the restart holding most of the rollback evidence now. */
  leadStart(): number;
  /**
   * Ratio and bounds (see Estimate), the ratio and upper bound measured after `since`; the lower
   * bound exact rather than on a grid when `exact` (dearer: for the moment a stream fails).
   */
  estimate(levels: BoundLevels, since?: number, exact?: boolean): Estimate;
  summary(): StreamSummary;
}

/** Prior precision of the normal mixtures: typical effect 5% for latency, 10% for cost (design page). */
const RHO_LATENCY = 1 / 0.05 ** 2;
const RHO_COST = 1 / 0.1 ** 2;
/**
 * Intervals with more than this × the usual event count are tempered as bursts (see
 * CountEProcessSettings). 3 rather than 2: a regression that begins mid-step doubles the events of
 * an interval, and must not be taken for a burst (issue 22's mid-step family); incidents hitting
 * both arms are larger than that.
 */
const BURST_FACTOR = 3;
/** Least observations per arm per interval for a log-mean or spread to be used. */
const MIN_OBSERVATIONS = 10;
/** Least baseline observations before a tail threshold is set from past baseline data. */
const MIN_BASELINE_FOR_THRESHOLD = 1000;
/**
 * The cost-tail stream counts tasks dearer than this quantile of the baseline's past costs. Far in the
 * tail, runaway tasks (Pareto-tailed) make up most of the exceedances, so a rise in their share shows
 * as a large ratio (about ×2.6 at p99.9 for five times the runaways, ×1.4 at p99), while host-to-host
 * cost offsets of a few percent move it by at most ~10% at any quantile.
 */
const COST_TAIL_QUANTILE = 0.999;

/** A stream of the given kind; `restarts` are its rollback test's start times (restarts.ts). */
export function createStream(config: StreamConfig, restarts: RestartSchedule = NO_RESTARTS): MetricStream {
  switch (config.stream) {
    case "error_rate":
      return new CountStream(config, restarts, "error rate", { events: "errors", exposure: "requests" });
    case "intervention_rate":
      return new CountStream(config, restarts, "intervention rate", { events: "interventions", exposure: "tasks" });
    case "slow_request_rate":
      return new TailCountStream(
        config,
        restarts,
        "share of requests slower than the baseline p99",
        (a) => a.latency,
        0.99,
      );
    case "cost_tail_rate":
      return new TailCountStream(
        config,
        restarts,
        "share of tasks dearer than the baseline p99.9",
        (a) => a.cost,
        COST_TAIL_QUANTILE,
      );
    case "latency_logmean":
      return new LogMeanStream(config, restarts, "geometric mean latency (ms)", RHO_LATENCY, (a) => a.latency);
    case "cost_logmean":
      return new LogMeanStream(config, restarts, "geometric mean cost per task (USD)", RHO_COST, (a) => a.cost);
    case "latency_spread":
      return new SpreadStream(config, restarts);
  }
}

class CountStream implements MetricStream {
  protected readonly test: CountEProcess;
  private lastDataAt: number | null = null;
  readonly counts = true;

  constructor(
    readonly config: StreamConfig,
    restarts: RestartSchedule,
    private readonly measure: string,
    private readonly fields?: { events: "errors" | "interventions"; exposure: "requests" | "tasks" },
  ) {
    this.test = new CountEProcess(countSettings(config), DEFAULT_COUNT_MIXTURE, restarts);
  }

  /** [events, exposure] of one arm, or undefined when the arm lacks them this interval. */
  protected read(arm: ArmObservation): [number, number] | undefined {
    if (!this.fields) return undefined;
    const events = arm.record[this.fields.events];
    const exposure = arm.record[this.fields.exposure];
    return events === undefined || exposure === undefined ? undefined : [events, exposure];
  }

  observe(tick: Tick): void {
    if (tick.t <= this.config.warmup || !tick.canary || !tick.baseline) return;
    const c = this.read(tick.canary);
    const b = this.read(tick.baseline);
    this.afterRead(tick);
    if (!c || !b) return;
    const sample: CountSample =
      this.config.harm === "increase"
        ? { canaryEvents: c[0], canaryExposure: c[1], baselineEvents: b[0], baselineExposure: b[1] }
        : { canaryEvents: b[0], canaryExposure: b[1], baselineEvents: c[0], baselineExposure: c[1] };
    this.test.add(sample, tick.t);
    this.lastDataAt = tick.t;
  }

  protected afterRead(_tick: Tick): void {}

  logRollbackE(): number {
    return this.test.logRollbackE();
  }
  logPromoteE(): number {
    return this.test.logPromoteE();
  }
  finalLook(alpha: number): FinalLook | null {
    const { pValue, rho } = this.test.finalPValue();
    return { pValue, rho, lower: pValue <= alpha ? this.test.finalLowerBound(alpha, rho) : 0 };
  }
  intervalsToPromote(logThreshold: number): number {
    return this.test.intervalsToPromote(logThreshold);
  }
  leadStart(): number {
    return this.test.leadStart();
  }
  estimate(levels: BoundLevels, since = 0, exact = false): Estimate {
    const { ratio, upper } = this.test.estimateSince(since, levels.promote);
    const lower = this.test.lowerBound(levels.rollback, exact);
    return oriented(this.config, { ratio, lower, upper, since });
  }
  summary(): StreamSummary {
    const t = this.test;
    const inc = this.config.harm === "increase";
    const [cx, cn, bx, bn] = inc
      ? [t.canaryEvents, t.canaryExposure, t.baselineEvents, t.baselineExposure]
      : [t.baselineEvents, t.baselineExposure, t.canaryEvents, t.canaryExposure];
    return {
      measure: this.measure,
      canary: cn > 0 ? cx / cn : Number.NaN,
      baseline: bn > 0 ? bx / bn : Number.NaN,
      intervals: t.samples.length,
      canarySamples: cn,
      baselineSamples: bn,
      lastDataAt: this.lastDataAt,
    };
  }
}

/**
 * Observations above a high quantile of the baseline's past intervals (design page (b)3 and (c)):
 * requests slower than the baseline's p99, tasks dearer than its tail. A count stream whose
 * threshold is predictable (set only from baseline data before the interval it is applied to).
 */
class TailCountStream extends CountStream {
  private pastBaseline: HistogramSummary["buckets"] | undefined;
  private pastCount = 0;
  private threshold: number | undefined;

  constructor(
    config: StreamConfig,
    restarts: RestartSchedule,
    measure: string,
    private readonly pick: (arm: ArmObservation) => HistogramSummary | undefined,
    private readonly quantile: number,
  ) {
    super(config, restarts, measure);
  }

  protected override read(arm: ArmObservation): [number, number] | undefined {
    const h = this.pick(arm);
    if (this.threshold === undefined || !h || h.count === 0) return undefined;
    return [countAbove(this.threshold, h.buckets), h.count];
  }

  /** Counts above a threshold inside a bucket are interpolated, not whole: no exact final look. */
  override finalLook(): null {
    return null;
  }

  protected override afterRead(tick: Tick): void {
    const h = tick.baseline && this.pick(tick.baseline);
    if (!h || h.count === 0) return;
    const merged = mergeHistograms(this.pastBaseline ? [this.pastBaseline, h.buckets] : [h.buckets]);
    if (merged.skipped > 0 || !merged.buckets) return;
    this.pastBaseline = merged.buckets;
    this.pastCount += h.count;
    if (this.pastCount >= MIN_BASELINE_FOR_THRESHOLD)
      this.threshold = histogramQuantile(this.quantile, this.pastBaseline);
  }
}

/**
 * Shared bookkeeping of the two normal-mixture streams. An interval is used when both arms have at
 * least `MIN_OBSERVATIONS` observations; at lower traffic, consecutive intervals where both arms were
 * scraped are pooled until they do (whether to pool depends only on counts, so the tests stay valid).
 */
abstract class ShiftStream implements MetricStream {
  protected readonly test: MeanShiftEProcess;
  protected canarySamples = 0;
  protected baselineSamples = 0;
  private lastDataAt: number | null = null;
  private pooled: { canary: HistogramSummary[]; baseline: HistogramSummary[] } = { canary: [], baseline: [] };
  /** Differences seen while settling (time, d), and whether the stream has settled. */
  private readonly early: Array<{ t: number; d: number }> = [];
  private settled: boolean;
  readonly counts = false;

  constructor(
    readonly config: StreamConfig,
    rho: number,
    restarts: RestartSchedule,
  ) {
    this.test = new MeanShiftEProcess(
      { nullShift: Math.log(1 + config.tolerance), badShift: Math.log(config.materialRatio), rho },
      restarts,
    );
    this.settled = !(config.settling && config.settling > 0);
  }

  protected abstract read(canary: HistogramSummary, baseline: HistogramSummary): MeanShiftSample | undefined;
  protected abstract histogram(arm: ArmObservation): HistogramSummary | undefined;

  observe(tick: Tick): void {
    const warming = tick.t <= this.config.warmup;
    if ((warming && this.settled) || !tick.canary || !tick.baseline) return;
    const c = this.histogram(tick.canary);
    const b = this.histogram(tick.baseline);
    if (!c || !b) return;
    const pair = this.pool(c, b);
    if (!pair) return;
    const sample = this.read(pair.canary, pair.baseline);
    if (!sample) return;
    const sign = this.config.harm === "increase" ? 1 : -1;
    if (!this.settled) {
      const waiting = warming || (tick.t <= this.config.warmup + this.config.settling! && falling(this.early));
      this.early.push({ t: tick.t, d: sign * sample.d });
      if (waiting) return;
      this.settled = true;
    }
    this.test.add({ d: sign * sample.d, v: sample.v }, tick.t);
    this.canarySamples += pair.canary.count;
    this.baselineSamples += pair.baseline.count;
    this.lastDataAt = tick.t;
  }

  /** This interval's pair, or the pool it completes; undefined while the pool is still too small. */
  private pool(
    c: HistogramSummary,
    b: HistogramSummary,
  ): { canary: HistogramSummary; baseline: HistogramSummary } | undefined {
    const p = this.pooled;
    if (p.canary.length === 0 && c.count >= MIN_OBSERVATIONS && b.count >= MIN_OBSERVATIONS)
      return { canary: c, baseline: b };
    p.canary.push(c);
    p.baseline.push(b);
    const count = (hs: HistogramSummary[]) => hs.reduce((n, h) => n + h.count, 0);
    if (count(p.canary) < MIN_OBSERVATIONS || count(p.baseline) < MIN_OBSERVATIONS) return undefined;
    this.pooled = { canary: [], baseline: [] };
    const canary = merged(p.canary);
    const baseline = merged(p.baseline);
    return canary && baseline ? { canary, baseline } : undefined;
  }

  logRollbackE(): number {
    return this.test.logRollbackE();
  }
  logPromoteE(): number {
    return this.test.logPromoteE();
  }
  finalLook(): null {
    return null;
  }
  intervalsToPromote(logThreshold: number): number {
    return this.test.intervalsToPromote(logThreshold);
  }
  leadStart(): number {
    return this.test.leadStart();
  }
  estimate(levels: BoundLevels, since = 0): Estimate {
    const { shift, upper } = this.test.estimateSince(since, levels.promote);
    const lower = this.test.lowerBound(levels.rollback);
    return oriented(this.config, { ratio: Math.exp(shift), lower: Math.exp(lower), upper: Math.exp(upper), since });
  }
  protected base(measure: string, canary: number, baseline: number): StreamSummary {
    return {
      measure,
      canary,
      baseline,
      intervals: this.test.intervals,
      canarySamples: this.canarySamples,
      baselineSamples: this.baselineSamples,
      lastDataAt: this.lastDataAt,
    };
  }
  abstract summary(): StreamSummary;
}

/**
 * Intervals a settling trend is judged over (the last 12, at least 6), and the t-statistic of its
 * slope that counts as falling.
 */
const SETTLING_WINDOW = 12;
const SETTLING_MIN = 6;
const SETTLING_T = -1.5;

/** The last intervals' differences fall with time: least-squares slope below −1.5 standard errors. */
function falling(points: ReadonlyArray<{ t: number; d: number }>): boolean {
  const recent = points.slice(-SETTLING_WINDOW);
  const n = recent.length;
  if (n < SETTLING_MIN) return true;
  const mt = recent.reduce((s, p) => s + p.t, 0) / n;
  const md = recent.reduce((s, p) => s + p.d, 0) / n;
  let stt = 0;
  let std = 0;
  for (const p of recent) {
    stt += (p.t - mt) ** 2;
    std += (p.t - mt) * (p.d - md);
  }
  const slope = std / stt;
  let residual = 0;
  for (const p of recent) residual += (p.d - md - slope * (p.t - mt)) ** 2;
  const se = Math.sqrt(residual / (n - 2) / stt);
  return slope < SETTLING_T * se;
}

/** One summary of several intervals' histograms (undefined if their buckets differ). */
function merged(histograms: HistogramSummary[]): HistogramSummary | undefined {
  if (histograms.length === 1) return histograms[0];
  const { buckets, skipped } = mergeHistograms(histograms.map((h) => h.buckets));
  if (!buckets || skipped > 0) return undefined;
  return summarizeHistogram({ buckets, sum: histograms.reduce((sum, h) => sum + h.mean * h.count, 0) });
}

/**
 * An estimate in canary/baseline terms. Tests run oriented so that "more" is the harm; for a stream
 * whose harm is a decrease the ratio is inverted and the bounds swap.
 */
function oriented(config: StreamConfig, e: Estimate): Estimate {
  if (config.harm === "increase") return e;
  return { ratio: 1 / e.ratio, lower: 1 / e.upper, upper: 1 / e.lower, since: e.since };
}

/** Shift of the mean of log(value): d = ȳ_c − ȳ_b, v = s_c²/n_c + s_b²/n_b. */
class LogMeanStream extends ShiftStream {
  private canaryLogSum = 0;
  private baselineLogSum = 0;

  constructor(
    config: StreamConfig,
    restarts: RestartSchedule,
    private readonly measure: string,
    rho: number,
    private readonly pick: (arm: ArmObservation) => HistogramSummary | undefined,
  ) {
    super(config, rho, restarts);
  }

  protected histogram(arm: ArmObservation): HistogramSummary | undefined {
    return this.pick(arm);
  }

  protected read(c: HistogramSummary, b: HistogramSummary): MeanShiftSample {
    this.canaryLogSum += c.logMean * c.count;
    this.baselineLogSum += b.logMean * b.count;
    return { d: c.logMean - b.logMean, v: c.logVar / c.count + b.logVar / b.count };
  }

  summary(): StreamSummary {
    const geo = (sum: number, n: number) => (n > 0 ? Math.exp(sum / n) : Number.NaN);
    return this.base(
      this.measure,
      geo(this.canaryLogSum, this.canarySamples),
      geo(this.baselineLogSum, this.baselineSamples),
    );
  }
}

/**
 * Tail shape: the spread of log-latency, scaled to "log of p99/p50" as a log-normal would have it:
 * d = z₀.₉₉·(s_c − s_b). It sees p99 regressions with an unchanged median and is blind to location
 * (host offsets, warm-up, incidents hitting both arms). Var(s) ≈ s²(κ − 1)/(4n) with κ the interval's
 * pooled kurtosis; φ absorbs the rest.
 */
class SpreadStream extends ShiftStream {
  private canaryVarSum = 0;
  private baselineVarSum = 0;

  constructor(config: StreamConfig, restarts: RestartSchedule) {
    super(config, RHO_LATENCY, restarts);
  }

  protected histogram(arm: ArmObservation): HistogramSummary | undefined {
    return arm.latency;
  }

  protected read(c: HistogramSummary, b: HistogramSummary): MeanShiftSample | undefined {
    const pooledVar = (c.logVar + b.logVar) / 2;
    if (!(pooledVar > 0)) return undefined;
    const kurtosis = Math.max(1.5, (c.logM4 + b.logM4) / 2 / (pooledVar * pooledVar));
    this.canaryVarSum += c.logVar * c.count;
    this.baselineVarSum += b.logVar * b.count;
    const d = Z_P99 * (Math.sqrt(c.logVar) - Math.sqrt(b.logVar));
    const v = ((Z_P99 * Z_P99 * pooledVar * (kurtosis - 1)) / 4) * (1 / c.count + 1 / b.count);
    return { d, v };
  }

  summary(): StreamSummary {
    const spread = (sum: number, n: number) => (n > 0 ? Math.exp(Z_P99 * Math.sqrt(sum / n)) : Number.NaN);
    return this.base(
      "p99/p50 spread (log-normal fit)",
      spread(this.canaryVarSum, this.canarySamples),
      spread(this.baselineVarSum, this.baselineSamples),
    );
  }
}

function countSettings(config: StreamConfig) {
  return {
    nullRatio: 1 + config.tolerance,
    badRatio: config.materialRatio,
    materialDifference: config.materialIncrease ?? 0,
    burstFactor: BURST_FACTOR,
  };
}
