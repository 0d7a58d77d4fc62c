/**
 * The canary analysis, as other parts of tollgate use it. Everything here is a pure function of
 * interval records (src/telemetry/records.ts): the same records always give the same decisions.
 *
 * - Live stage (reconciler): `analyzeStage(timing, records, config, now)` recomputes the sequential
 *   judge's report from all records of the step so far (fast: milliseconds for a 30-minute step).
 *   Per stream: verdict fail / pass / inconclusive with a reason, ratio estimate with anytime-valid
 *   bounds, e-values and thresholds, data used and its freshness.
 * - Recorded stage: `judgeRecords(timing, records, judges)` or `judgeScenarioFile(file, judges)`
 *   run one or more judges as if live and return one `Decision` each (what `tollgate analyze` prints).
 * - Streaming: `StageJudging` takes records one at a time (the benchmark feeds it from the generator).
 * - Configuration: `defaultSequentialConfig()`, `judgeConfigFromSettings(environment.analysis)`,
 *   `loadJudgeConfig(file)`; the Mann-Whitney and fixed-threshold judges for comparison.
 *
 * Decisions of the sequential judge: roll back when a stream's e-process crosses its threshold, or
 * at the stage cap when a count stream's final look (`finalAlpha`, a fifth of α by default) finds a
 * regression the e-process was still short of; promote early once every non-guard stream shows the
 * canary is not materially worse and no stream leans towards a regression, else at the cap.
 * A rollback at the cap is a real outcome: callers must not assume "cap reached = promote".
 */
export {
  DEFAULT_STREAMS,
  defaultFixedThresholdConfig,
  defaultMannWhitneyConfig,
  defaultSequentialConfig,
  describeJudge,
  type FixedThresholdJudgeConfig,
  type JudgeConfig,
  judgeConfigFromSettings,
  type MannWhitneyJudgeConfig,
  METRIC_STREAMS,
  type SequentialJudgeConfig,
} from "./config.ts";
export { loadJudgeConfig, parseJudgeConfig } from "./config-file.ts";
export type { Decision, JudgeAction, JudgeRun } from "./decision.ts";
export { histogramQuantile, mergeHistograms } from "./histogram.ts";
export type { StageTiming, Tick } from "./observations.ts";
export { analyzeStage, judgeRecords, judgeScenarioFile, StageJudging, startJudge, timingOf } from "./run.ts";
export type { AnalysisReport, StreamVerdict, Verdict } from "./sequential.ts";
export { STREAM_METRIC, type StreamConfig, type StreamKind, type StreamSummary } from "./streams.ts";
