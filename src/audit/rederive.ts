/**
 * Re-derives what a decision saw from its evidence and the repository state it was decided on:
 * the telemetry window, the analysis report, the policy input. Follows the reconciler's steps
 * (src/reconcile/decide-service.ts, observeRollout and decideService) with the same exported pure
 * functions, so any difference is a difference in the data, not in the method.
 */
import { type JudgeConfig, judgeConfigFromSettings } from "../analysis/config.ts";
import { analyzeStage } from "../analysis/run.ts";
import type { AnalysisReport } from "../analysis/sequential.ts";
import { STREAM_METRIC } from "../analysis/streams.ts";
import { parseDuration } from "../model/duration.ts";
import type { Artifact, Environment, Release, RepositoryState, Status } from "../model/types.ts";
import type { PolicyInput } from "../policy/types.ts";
import { absoluteBackstops, fullWeightJudgements, metricJudgements, spendOf } from "../reconcile/analysis-view.ts";
import { rebase } from "../reconcile/decide-service.ts";
import { type EvidenceDocument, jsonSafe } from "../reconcile/evidence.ts";
import { buildPolicyInput } from "../reconcile/policy-input.ts";
import type { Situation } from "../reconcile/transitions.ts";
import { differences } from "./compare.ts";

export interface Rederived {
  /** The analysis report recomputed from the records (sequential judge, canary below full weight). */
  report?: AnalysisReport;
  analysis?: PolicyInput["analysis"];
  spend?: PolicyInput["spend"];
  problems: string[];
}

/**
 * Recomputes the telemetry window's timing, the analysis and the spend from the evidence records,
 * and compares each with what the evidence holds. `status` is the service's status the decision was
 * made on.
 */
export function rederiveObservation(evidence: EvidenceDocument, environment: Environment, status: Status | undefined): Rederived {
  const telemetry = evidence.telemetry;
  const problems: string[] = [];
  if (!telemetry) {
    if (evidence.situation === "rolling-out") problems.push("the decision was taken during a rollout but its evidence holds no telemetry");
    if (evidence.analysis) problems.push("the evidence holds an analysis but no telemetry records");
    return { problems };
  }
  if (!status) return { problems: ["the evidence holds telemetry but the service had no status to roll out from"] };

  const decidedAt = new Date(evidence.decidedAt);
  const interval = telemetry.interval;
  const stageStart = new Date(status.rolloutStartedAt ?? status.stepStartedAt ?? evidence.decidedAt);
  const now = Math.max(0, Math.floor((decidedAt.getTime() - stageStart.getTime()) / 1000 / interval + 1e-9) * interval);
  const stepElapsed = (Date.parse(status.stepStartedAt ?? stageStart.toISOString()) - stageStart.getTime()) / 1000;
  const stepStart = Math.min(now, Math.ceil(stepElapsed / interval - 1e-9) * interval);
  if (Date.parse(telemetry.stageStart) !== stageStart.getTime()) problems.push(`telemetry.stageStart is ${telemetry.stageStart}, but the status says the rollout began ${stageStart.toISOString()}`);
  if (telemetry.now !== now) problems.push(`telemetry.now is ${telemetry.now} s, but the decision at ${evidence.decidedAt} is ${now} s into the rollout`);
  if (telemetry.stepStart !== stepStart) problems.push(`telemetry.stepStart is ${telemetry.stepStart} s, but the status says the step began at ${stepStart} s`);
  const late = telemetry.records.filter((r) => r.t > telemetry.now);
  if (late.length > 0) problems.push(`${late.length} telemetry record(s) are later than the decision (t > ${telemetry.now} s)`);

  const records = telemetry.records;
  const stepRecords = rebase(records, telemetry.stepStart);
  const span = telemetry.now - telemetry.stepStart;
  const spend = spendOf(records, stepRecords, span, status.weight ?? 0);
  const judge: JudgeConfig = judgeConfigFromSettings(environment.analysis);
  if (judge.judge !== "sequential") {
    if (evidence.analysis) problems.push(`the environment's judge is ${judge.judge}, which feeds no live analysis, yet the evidence holds one`);
    return { ...(spend ? { spend } : {}), problems };
  }
  const step = environment.rollout.steps[status.step ?? 0];
  if (!step) return { ...(spend ? { spend } : {}), problems: [...problems, `the status is at step ${status.step}, which the environment does not have`] };
  if ((status.weight ?? step.weight) >= 100) {
    if (evidence.analysis) problems.push("the canary served all traffic, so there was no baseline to analyse, yet the evidence holds an analysis");
    const metrics = judge.streams.map((s) => STREAM_METRIC[s.stream]).filter((m, i, all) => all.indexOf(m) === i);
    const analysis = { judge: "sequential" as const, metrics: fullWeightJudgements(metrics, stepRecords, span), absolute: absoluteBackstops(stepRecords, span) };
    return { analysis, ...(spend ? { spend } : {}), problems };
  }
  const timing = { interval, analysisStart: interval, horizon: parseDuration(step.maxDuration) / 1000 };
  const report = analyzeStage(timing, stepRecords, judge, span);
  const stored = evidence.analysis;
  if (!stored) {
    problems.push("the evidence holds no analysis, yet the canary was below full weight with the sequential judge");
  } else {
    problems.push(...differences(jsonSafe(judge), stored.config, "analysis.config").map((d) => `${d}: the stored judge configuration is not the environment's`));
    problems.push(...differences(timing, stored.timing, "analysis.timing"));
    const reportDiffs = differences(jsonSafe(report), stored.report, "analysis.report");
    if (reportDiffs.length > 0) problems.push(`re-running the analysis on the evidence records does not give the stored report: ${reportDiffs.slice(0, 3).join("; ")}`);
  }
  const analysis = { judge: "sequential" as const, metrics: metricJudgements(report, span), absolute: absoluteBackstops(stepRecords, span) };
  return { report, analysis, ...(spend ? { spend } : {}), problems };
}

/**
 * The policy input the reconciler builds for this decision from the state it was decided on and the
 * re-derived analysis and spend.
 */
export function expectedPolicyInput(args: {
  state: RepositoryState;
  environment: string;
  release: Release;
  status: Status | undefined;
  situation: Situation;
  decidedAt: Date;
  observed: Rederived;
}): PolicyInput {
  return buildPolicyInput({
    mode: "live",
    state: args.state,
    environment: args.environment,
    service: args.release.service,
    release: args.release,
    status: policyFacingStatus(args.situation, args.status),
    now: args.decidedAt,
    ...(args.observed.analysis ? { analysis: args.observed.analysis } : {}),
    ...(args.observed.spend ? { spend: args.observed.spend } : {}),
  });
}

/** Mirrors decide-service.ts: a rollout being superseded is not "progressing" for the new digest. */
export function policyFacingStatus(situation: Situation, status: Status | undefined): Status | undefined {
  if (situation.kind === "pending" && situation.supersedes && status) {
    return { ...status, phase: "idle", canaryDigest: undefined, step: undefined, weight: undefined };
  }
  return status;
}

/** Mirrors decide-service.ts: what served before the decision (subject `from`). */
export function liveArtifact(release: Release, status: Status | undefined): Artifact | undefined {
  const live = status?.liveDigest;
  if (live && release.lastGood?.digest === live) return release.lastGood;
  if (live && release.artifact.digest === live) return release.artifact;
  return release.lastGood;
}
