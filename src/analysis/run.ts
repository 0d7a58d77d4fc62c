/**
 * Running judges over a stage's records, as if live: records go in in time order, every judge sees
 * every decision time from the first interval to the horizon, and decides once. `tollgate analyze`,
 * the decision-quality benchmark and the reconciler all go through here, so they decide identically.
 */
import { type IntervalRecord, openScenarioFile, type ScenarioHeader } from "../telemetry/index.ts";
import type { JudgeConfig, SequentialJudgeConfig } from "./config.ts";
import type { Decision, JudgeRun } from "./decision.ts";
import { FixedThresholdJudgeRun } from "./fixed-threshold.ts";
import { MannWhitneyJudgeRun } from "./mann-whitney.ts";
import { type StageTiming, type Tick, TickClock } from "./observations.ts";
import { type AnalysisReport, SequentialJudgeRun } from "./sequential.ts";

export function startJudge(config: JudgeConfig, timing: StageTiming): JudgeRun {
  switch (config.judge) {
    case "sequential":
      return new SequentialJudgeRun(config, timing);
    case "mann-whitney":
      return new MannWhitneyJudgeRun(config, timing);
    case "fixed-threshold":
      return new FixedThresholdJudgeRun(config, timing);
  }
}

export function timingOf(header: ScenarioHeader): StageTiming {
  return { interval: header.interval, analysisStart: header.analysisStart, horizon: header.horizon };
}

/** Several judges over one stage, fed record by record. */
export class StageJudging {
  private readonly runs: JudgeRun[];
  private readonly decisions: Array<Decision | undefined>;
  private readonly clock: TickClock;
  private open: number;

  constructor(timing: StageTiming, judges: readonly JudgeConfig[]) {
    this.runs = judges.map((j) => startJudge(j, timing));
    this.decisions = judges.map(() => undefined);
    this.open = judges.length;
    this.clock = new TickClock(timing, (tick) => this.tick(tick));
  }

  /** True once every judge has decided: the caller may stop feeding records. */
  get settled(): boolean {
    return this.open === 0;
  }

  push(record: IntervalRecord): void {
    if (this.open > 0) this.clock.push(record);
  }

  /** No more records: runs the remaining decision times up to the horizon and returns every decision. */
  end(): Decision[] {
    if (this.open > 0) this.clock.end();
    return this.decisions.map((d, i) => {
      if (!d) throw new Error(`judge ${i} reached the horizon without deciding`);
      return d;
    });
  }

  private tick(tick: Tick): void {
    this.runs.forEach((run, i) => {
      if (this.decisions[i]) return;
      const d = run.observe(tick);
      if (d) {
        this.decisions[i] = d;
        this.open--;
      }
    });
  }
}

/** Judges a whole stage from records in memory (e.g. what the file source returned). */
export function judgeRecords(
  timing: StageTiming,
  records: Iterable<IntervalRecord>,
  judges: readonly JudgeConfig[],
): Decision[] {
  const stage = new StageJudging(timing, judges);
  for (const r of records) {
    if (stage.settled) break;
    stage.push(r);
  }
  return stage.end();
}

/**
 * Judges a scenario file as a stream. The whole file is read (and validated) even after every judge
 * has decided, so a damaged file is always reported.
 */
export async function judgeScenarioFile(
  file: string,
  judges: readonly JudgeConfig[],
): Promise<{ header: ScenarioHeader; decisions: Decision[] }> {
  const { header, records } = await openScenarioFile(file);
  const stage = new StageJudging(timingOf(header), judges);
  for await (const r of records) stage.push(r);
  return { header, decisions: stage.end() };
}

/**
 * The sequential judge's full per-stream report for the records observed so far in a live stage
 * (what the reconciler calls every interval; it recomputes from all records, which is pure and fast).
 * `now` is the current decision time in seconds since stage start. A step held past its cap (a
 * confirmation, a closed window) keeps being watched: the e-processes go on past the horizon, which
 * their anytime validity allows, while the final look stays the one fixed look at the horizon.
 */
export function analyzeStage(
  timing: StageTiming,
  records: Iterable<IntervalRecord>,
  config: SequentialJudgeConfig,
  now: number,
): AnalysisReport {
  const run = new SequentialJudgeRun(config, timing, { decisionEvidence: false });
  const clock = new TickClock({ ...timing, horizon: now }, (tick) => run.observe(tick));
  for (const r of records) clock.push(r);
  clock.end();
  return run.report();
}
