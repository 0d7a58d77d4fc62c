/**
 * Metric streams of the sequential judge: what each one reads from a tick and which e-process it
 * feeds. Every stream skips an interval unless both arms have the data it needs (skipping that does
 * not depend on the values keeps the tests valid).
 */
import type { MetricName } from "../model/index.ts";
import { CountEProcess, type CountSample } from "./eprocess/count.ts";
import { MeanShiftEProcess, type MeanShiftSample } from "./eprocess/mean-shift.ts";
import { countAbove, type HistogramSummary, histogramQuantile, mergeHistograms } from "./histogram.ts";
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

export interface Estimate {
  /** Canary/baseline ratio (of rates, geometric means, or p99/p50 spreads). */
  ratio: number;
  lower: number;
  upper: number;
}

export interface MetricStream {
  readonly config: StreamConfig;
  observe(tick: Tick): void;
  logRollbackE(): number;
  logPromoteE(): number;
  /** The final look's standardised statistic (count streams), or null for streams without one. */
  finalZ(): number | null;
  intervalsToPromote(logThreshold: number): number;
  estimate(alpha: number): Estimate;
  summary(): StreamSummary;
}

/** Prior precision of the normal mixtures: typical effect 5% for latency, 10% for cost (design page). */
const RHO_LATENCY = 1 / 0.05 ** 2;
const RHO_COST = 1 / 0.1 ** 2;
/** Intervals with more than this × the usual event count are tempered as bursts (see CountEProcessSettings). */
const BURST_FACTOR = 2;
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

export function createStream(config: StreamConfig): MetricStream {
  switch (config.stream) {
    case "error_rate":
      return new CountStream(config, "error rate", { events: "errors", exposure: "requests" });
    case "intervention_rate":
      return new CountStream(config, "intervention rate", { events: "interventions", exposure: "tasks" });
    case "slow_request_rate":
      return new TailCountStream(config, "share of requests slower than the baseline p99", (a) => a.latency, 0.99);
    case "cost_tail_rate":
      return new TailCountStream(
        config,
        "share of tasks dearer than the baseline p99.9",
        (a) => a.cost,
        COST_TAIL_QUANTILE,
      );
    case "latency_logmean":
      return new LogMeanStream(config, "geometric mean latency (ms)", RHO_LATENCY, (a) => a.latency);
    case "cost_logmean":
      return new LogMeanStream(config, "geometric mean cost per task (USD)", RHO_COST, (a) => a.cost);
    case "latency_spread":
      return new SpreadStream(config);
  }
}

class CountStream implements MetricStream {
  protected readonly test: CountEProcess;
  private lastDataAt: number | null = null;

  constructor(
    readonly config: StreamConfig,
    private readonly measure: string,
    private readonly fields?: { events: "errors" | "interventions"; exposure: "requests" | "tasks" },
  ) {
    this.test = new CountEProcess(countSettings(config));
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
    this.test.add(sample);
    this.lastDataAt = tick.t;
  }

  protected afterRead(_tick: Tick): void {}

  logRollbackE(): number {
    return this.test.logRollbackE();
  }
  logPromoteE(): number {
    return this.test.logPromoteE();
  }
  finalZ(): number {
    return this.test.finalZ();
  }
  intervalsToPromote(logThreshold: number): number {
    return this.test.intervalsToPromote(logThreshold);
  }
  estimate(alpha: number): Estimate {
    const e = this.test.estimate(alpha);
    return this.config.harm === "increase" ? e : { ratio: 1 / e.ratio, lower: 1 / e.upper, upper: 1 / e.lower };
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
    measure: string,
    private readonly pick: (arm: ArmObservation) => HistogramSummary | undefined,
    private readonly quantile: number,
  ) {
    super(config, measure);
  }

  protected override read(arm: ArmObservation): [number, number] | undefined {
    const h = this.pick(arm);
    if (this.threshold === undefined || !h || h.count === 0) return undefined;
    return [countAbove(this.threshold, h.buckets), h.count];
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

/** Shared bookkeeping of the two normal-mixture streams. */
abstract class ShiftStream implements MetricStream {
  protected readonly test: MeanShiftEProcess;
  protected canarySamples = 0;
  protected baselineSamples = 0;
  private lastDataAt: number | null = null;

  constructor(
    readonly config: StreamConfig,
    rho: number,
  ) {
    this.test = new MeanShiftEProcess({
      nullShift: Math.log(1 + config.tolerance),
      badShift: Math.log(config.materialRatio),
      rho,
    });
  }

  protected abstract read(canary: HistogramSummary, baseline: HistogramSummary): MeanShiftSample | undefined;
  protected abstract histogram(arm: ArmObservation): HistogramSummary | undefined;

  observe(tick: Tick): void {
    if (tick.t <= this.config.warmup || !tick.canary || !tick.baseline) return;
    const c = this.histogram(tick.canary);
    const b = this.histogram(tick.baseline);
    if (!c || !b || c.count < MIN_OBSERVATIONS || b.count < MIN_OBSERVATIONS) return;
    const sample = this.read(c, b);
    if (!sample) return;
    const sign = this.config.harm === "increase" ? 1 : -1;
    this.test.add({ d: sign * sample.d, v: sample.v });
    this.canarySamples += c.count;
    this.baselineSamples += b.count;
    this.lastDataAt = tick.t;
  }

  logRollbackE(): number {
    return this.test.logRollbackE();
  }
  logPromoteE(): number {
    return this.test.logPromoteE();
  }
  finalZ(): null {
    return null;
  }
  intervalsToPromote(logThreshold: number): number {
    return this.test.intervalsToPromote(logThreshold);
  }
  estimate(alpha: number): Estimate {
    const e = this.test.estimate(alpha);
    const sign = this.config.harm === "increase" ? 1 : -1;
    const [lo, hi] = sign > 0 ? [e.lower, e.upper] : [-e.upper, -e.lower];
    return { ratio: Math.exp(sign * e.shift), lower: Math.exp(lo), upper: Math.exp(hi) };
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

/** Shift of the mean of log(value): d = ȳ_c − ȳ_b, v = s_c²/n_c + s_b²/n_b. */
class LogMeanStream extends ShiftStream {
  private canaryLogSum = 0;
  private baselineLogSum = 0;

  constructor(
    config: StreamConfig,
    private readonly measure: string,
    rho: number,
    private readonly pick: (arm: ArmObservation) => HistogramSummary | undefined,
  ) {
    super(config, rho);
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

  constructor(config: StreamConfig) {
    super(config, RHO_LATENCY);
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
