/**
 * What every judge sees at each decision time: the records of one scrape interval for both arms,
 * with their histograms summarised once (several judges read the same tick).
 */
import type { Arm, IntervalRecord } from "../telemetry/index.ts";
import { type HistogramSummary, summarizeHistogram } from "./histogram.ts";

export interface ArmObservation {
  record: IntervalRecord;
  latency?: HistogramSummary;
  cost?: HistogramSummary;
}

/** One decision time: the interval ending at `t`, with whichever arms were scraped. */
export interface Tick {
  t: number;
  canary?: ArmObservation;
  baseline?: ArmObservation;
}

/** Stage timing, from the scenario header (or the rollout step for a live stage). */
export interface StageTiming {
  /** Scrape interval, seconds. */
  interval: number;
  /** First decision time, seconds since stage start. */
  analysisStart: number;
  /** Stage cap: the decision at this time is final. */
  horizon: number;
  /**
   * The canary's expected share of the two arms' requests (step weight / 100 when the baseline is the
   * stable version serving the rest; ½ with a matched baseline). Set, the sequential judge tests the
   * split (sample-ratio.ts); unset, it does not.
   */
  canaryShare?: number;
}

export function observe(record: IntervalRecord): ArmObservation {
  return {
    record,
    latency: record.latencyMs ? summarizeHistogram(record.latencyMs) : undefined,
    cost: record.costUsd ? summarizeHistogram(record.costUsd) : undefined,
  };
}

/** The tick (decision time) a record belongs to: the end of its interval, rounded up to the grid. */
export function tickIndex(t: number, interval: number): number {
  return Math.max(0, Math.ceil(t / interval - 1e-9));
}

/**
 * Groups records (in time order) into ticks on the `interval` grid, emitting every tick from the
 * first up to `horizon`, with or without data, so judges can decide on time even when scrapes are
 * missing. Records after the horizon are ignored.
 */
export class TickClock {
  private next = 1;
  private pending: Partial<Record<Arm, ArmObservation>> = {};
  private pendingIndex = 0;

  constructor(
    private readonly timing: StageTiming,
    private readonly emit: (tick: Tick) => void,
  ) {}

  private get lastIndex(): number {
    return tickIndex(this.timing.horizon, this.timing.interval);
  }

  /** Adds one record; emits the ticks that are complete before it. */
  push(record: IntervalRecord): void {
    const index = tickIndex(record.t, this.timing.interval);
    if (index === 0 || index > this.lastIndex) return;
    if (index !== this.pendingIndex) {
      this.flushUntil(index - 1);
      this.pendingIndex = index;
    }
    this.pending[record.arm] = observe(record);
  }

  /** No more records: emits every remaining tick up to the horizon. */
  end(): void {
    this.flushUntil(this.lastIndex);
  }

  private flushUntil(index: number): void {
    while (this.next <= index) {
      const tick: Tick = { t: this.next * this.timing.interval };
      if (this.next === this.pendingIndex) {
        if (this.pending.canary) tick.canary = this.pending.canary;
        if (this.pending.baseline) tick.baseline = this.pending.baseline;
        this.pending = {};
      }
      this.next++;
      this.emit(tick);
    }
  }
}
