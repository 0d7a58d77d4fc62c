/**
 * What a rollout's telemetry says, as pure functions of the status and the records: where the
 * stage and the step begin on the record clock, the analysis of the current step, and the spend.
 * The reconciler calls them live; `tollgate audit` calls them again on the stored evidence.
 */
import {
  type AnalysisReport,
  analyzeStage,
  judgeConfigFromSettings,
  type SequentialJudgeConfig,
  STREAM_METRIC,
} from "../analysis/index.ts";
import { type EarlierTelemetry, type Environment, parseDuration, type Status } from "../model/index.ts";
import type { PolicyAnalysis, PolicySpend } from "../policy/index.ts";
import type { IntervalRecord } from "../telemetry/index.ts";
import {
  absoluteBackstops,
  canarySpendUsd,
  fullWeightJudgements,
  metricJudgements,
  sampleRatioView,
  spendOf,
} from "./analysis-view.ts";
import type { AnalysisEvidence } from "./evidence.ts";

/** Where a decision stands on the record clock (seconds since the rollout began). */
export interface StageWindow {
  /** When the rollout began: record `t` counts seconds from here. */
  stageStart: Date;
  /** The decision time: the end of the last whole interval. */
  now: number;
  /** Where the current step begins (on the interval grid, at most `now`). */
  stepStart: number;
  /** The telemetry a decision reads begins after this (`earlierTelemetry.through`, 0 without it). */
  from: number;
}

export function stageWindow(status: Status, at: Date, interval: number): StageWindow {
  const stageStart = new Date(status.rolloutStartedAt ?? status.stepStartedAt ?? at.toISOString());
  const now = Math.max(0, Math.floor((at.getTime() - stageStart.getTime()) / 1000 / interval + 1e-9) * interval);
  const stepElapsed = (Date.parse(status.stepStartedAt ?? stageStart.toISOString()) - stageStart.getTime()) / 1000;
  // A step waiting for its gitops clusters has not begun: nothing of it is observed yet.
  const stepStart = status.awaitingSync ? now : Math.min(now, Math.ceil(stepElapsed / interval - 1e-9) * interval);
  const from = Math.min(stepStart, status.earlierTelemetry?.through ?? 0);
  return { stageStart, now, stepStart, from };
}

export interface Observed {
  /** Why nothing was analysed, when nothing was (another judge, a step the environment lacks). */
  unanalysed?: string;
  /** The sequential judge's report of the current step; absent at full weight. */
  report?: AnalysisReport;
  analysis?: PolicyAnalysis;
  analysisEvidence?: AnalysisEvidence;
  spend?: PolicySpend;
}

/**
 * The analysis and spend of the current step from the rollout's records since the status's
 * `earlierTelemetry` (earlier ones are ignored: their spend is carried there). At full weight there
 * is no baseline: metrics are reported without a comparison (their freshness still counts).
 */
export function observeRecords(
  environment: Environment,
  status: Status,
  records: readonly IntervalRecord[],
  window: { interval: number; now: number; stepStart: number },
): Observed {
  const earlier = status.earlierTelemetry;
  const since = earlier ? records.filter((r) => r.t > earlier.through) : records;
  const stepRecords = rebase(since, window.stepStart);
  const span = window.now - window.stepStart;
  const spend = spendOf(since, stepRecords, span, status.weight ?? 0, earlier?.canarySpendUsd);
  const withSpend = spend ? { spend } : {};
  const judge = judgeConfigFromSettings(environment.analysis);
  if (judge.judge !== "sequential")
    return { unanalysed: `the ${judge.judge} judge does not feed live decisions`, ...withSpend };
  const step = environment.rollout.steps[status.step ?? 0];
  if (!step)
    return {
      unanalysed: `the status is at step ${(status.step ?? 0) + 1}, which the environment does not have`,
      ...withSpend,
    };
  if ((status.weight ?? step.weight) >= 100) {
    const metrics = judge.streams.map((s) => STREAM_METRIC[s.stream]).filter((m, i, all) => all.indexOf(m) === i);
    return {
      analysis: {
        judge: "sequential",
        metrics: fullWeightJudgements(metrics, stepRecords, span),
        absolute: absoluteBackstops(stepRecords, span),
      },
      ...withSpend,
    };
  }
  // The baseline is the stable version serving the rest: the canary should get the step's weight.
  const timing = {
    interval: window.interval,
    analysisStart: window.interval,
    horizon: parseDuration(step.maxDuration) / 1000,
    canaryShare: (status.weight ?? step.weight) / 100,
  };
  const config: SequentialJudgeConfig = judge;
  const report = analyzeStage(timing, stepRecords, config, span);
  const sampleRatio = sampleRatioView(report);
  const analysis: PolicyAnalysis = {
    judge: "sequential",
    metrics: metricJudgements(report, stepRecords, span),
    absolute: absoluteBackstops(stepRecords, span),
    ...(sampleRatio ? { sampleRatio } : {}),
  };
  return { report, analysis, analysisEvidence: { config, timing, report }, ...withSpend };
}

/**
 * What a step change carries into the next step's status: the rollout's telemetry up to `now`,
 * reduced to the canary's spend (see `Status.earlierTelemetry`). `records` are those the decision read.
 */
export function earlierTelemetryAt(status: Status, records: readonly IntervalRecord[], now: number): EarlierTelemetry {
  const earlier = status.earlierTelemetry;
  const from = earlier?.through ?? 0;
  const spent = canarySpendUsd(
    records.filter((r) => r.t > from && r.t <= now),
    earlier?.canarySpendUsd,
  );
  if (spent === undefined) return { through: now };
  // Micro-dollars: exact enough to carry for days, and a status file stays readable.
  return { through: now, canarySpendUsd: Math.round(spent * 1e6) / 1e6 };
}

/** Records after `stepStart`, with `t` counted from the step's start. */
export function rebase(records: readonly IntervalRecord[], stepStart: number): IntervalRecord[] {
  return records.filter((r) => r.t > stepStart).map((r) => ({ ...r, t: r.t - stepStart }));
}
