/**
 * Re-derives what a decision saw from its evidence and the repository state it was decided on:
 * the telemetry window, the analysis report, the policy input. Runs the stages of the decision core
 * the reconciler decided with (src/decision), so any difference is a difference in the data, not in
 * the method.
 */
import type { AnalysisReport } from "../analysis/index.ts";
import { type DecisionCore, type DecisionFacts, type EvidenceDocument, jsonSafe } from "../decision/index.ts";
import type { PolicyInput } from "../policy/index.ts";
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
 * and compares each with what the evidence holds. `facts` are the service's at the decided-on state,
 * at the decision time.
 */
export function rederiveObservation(evidence: EvidenceDocument, facts: DecisionFacts, core: DecisionCore): Rederived {
  const { status } = facts;
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

  const observed = core.observe(facts, {
    source: telemetry.source,
    interval: telemetry.interval,
    records: telemetry.records,
    problems: telemetry.problems,
  });
  const { stageStart, now, stepStart } = observed.telemetry;
  const { from } = core.window(status, facts.now, telemetry.interval);
  if (Date.parse(telemetry.stageStart) !== Date.parse(stageStart))
    problems.push(
      `telemetry.stageStart is ${telemetry.stageStart}, but the status says the rollout began ${stageStart}`,
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
