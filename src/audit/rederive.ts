/**
 * Re-derives what a decision saw from its evidence and the repository state it was decided on:
 * the telemetry window, the analysis report, the policy input. Uses the reconciler's own pure steps
 * (src/reconcile/observe.ts and decide-service.ts), so any difference is a difference in the data,
 * not in the method.
 */
import type { AnalysisReport } from "../analysis/sequential.ts";
import type { Environment, Release, RepositoryState, Status } from "../model/types.ts";
import type { PolicyInput } from "../policy/types.ts";
import { policyFacingStatus } from "../reconcile/decide-service.ts";
import { type EvidenceDocument, jsonSafe } from "../reconcile/evidence.ts";
import { observeRecords, stageWindow } from "../reconcile/observe.ts";
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
export function rederiveObservation(
  evidence: EvidenceDocument,
  environment: Environment,
  status: Status | undefined,
): Rederived {
  const telemetry = evidence.telemetry;
  const problems: string[] = [];
  if (!telemetry) {
    if (evidence.situation === "rolling-out")
      problems.push("the decision was taken during a rollout but its evidence holds no telemetry");
    if (evidence.analysis) problems.push("the evidence holds an analysis but no telemetry records");
    return { problems };
  }
  if (!status) return { problems: ["the evidence holds telemetry but the service had no status to roll out from"] };
  if (telemetry.recordsOmitted !== undefined) {
    // Taken as recorded, so the one problem is stated once rather than as every difference it causes.
    const input = evidence.policy.input;
    return {
      ...(input.analysis ? { analysis: input.analysis } : {}),
      ...(input.spend ? { spend: input.spend } : {}),
      problems: [
        `the evidence omits its ${telemetry.recordsOmitted} telemetry records (the document was over the evidence cap when this ${evidence.decision.action} was recorded): its analysis and spend cannot be re-derived`,
      ],
    };
  }

  const { stageStart, now, stepStart, from } = stageWindow(status, new Date(evidence.decidedAt), telemetry.interval);
  if (Date.parse(telemetry.stageStart) !== stageStart.getTime())
    problems.push(
      `telemetry.stageStart is ${telemetry.stageStart}, but the status says the rollout began ${stageStart.toISOString()}`,
    );
  if (telemetry.now !== now)
    problems.push(
      `telemetry.now is ${telemetry.now} s, but the decision at ${evidence.decidedAt} is ${now} s into the rollout`,
    );
  if (telemetry.stepStart !== stepStart)
    problems.push(
      `telemetry.stepStart is ${telemetry.stepStart} s, but the status says the step began at ${stepStart} s`,
    );
  const late = telemetry.records.filter((r) => r.t > telemetry.now);
  if (late.length > 0)
    problems.push(`${late.length} telemetry record(s) are later than the decision (t > ${telemetry.now} s)`);
  const early = telemetry.records.filter((r) => r.t <= from);
  if (early.length > 0)
    problems.push(
      `${early.length} telemetry record(s) are from before ${from} s, which the status says earlier steps already accounted for`,
    );

  const observed = observeRecords(environment, status, telemetry.records, {
    interval: telemetry.interval,
    now: telemetry.now,
    stepStart: telemetry.stepStart,
  });
  const stored = evidence.analysis;
  if (!observed.analysisEvidence) {
    if (stored)
      problems.push(
        `the evidence holds an analysis, but none was made here (${observed.unanalysed ?? "the canary served all traffic, so there was no baseline to analyse"})`,
      );
  } else if (!stored) {
    problems.push("the evidence holds no analysis, yet the canary was below full weight with the sequential judge");
  } else {
    const again = jsonSafe(observed.analysisEvidence);
    problems.push(
      ...differences(again.config, stored.config, "analysis.config").map(
        (d) => `${d}: the stored judge configuration is not the environment's`,
      ),
    );
    problems.push(...differences(again.timing, stored.timing, "analysis.timing"));
    const reportDiffs = differences(again.report, stored.report, "analysis.report");
    if (reportDiffs.length > 0)
      problems.push(
        `re-running the analysis on the evidence records does not give the stored report: ${reportDiffs.slice(0, 3).join("; ")}`,
      );
  }
  return {
    ...(observed.report ? { report: observed.report } : {}),
    ...(observed.analysis ? { analysis: observed.analysis } : {}),
    ...(observed.spend ? { spend: observed.spend } : {}),
    problems,
  };
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
