/**
 * decision: the pure core of a decision — facts at a commit + telemetry records + policy →
 * situation, analysis, policy input and answer, interpretation, transition, evidence. No clock,
 * no I/O: the reconciler does the I/O around `decide`; audit and replay re-derive stored decisions
 * with the same stages (`decisionCore`), so the two cannot drift apart.
 *
 * - decide.ts: `decide` and `decisionCore`, the stages in order (situationOf, window, observe,
 *   policyInput, evaluate, interpret, isRoutineHold, transition, evidence).
 * - transitions.ts: situations, the next status and release of a decision, idempotency keys.
 * - observe.ts: the rollout's record window, the analysis and spend of the current step.
 * - analysis-view.ts: the analysis as the policy reads it and as the commit message words it.
 * - interpretation.ts: what tollgate commits for each policy answer in each situation.
 * - sync.ts: whether the gitops clusters serve a step, while its clock waits for them.
 * - evidence.ts: the evidence document with the types of what a decision puts in it.
 */
export { ERROR_CEILING_WINDOW_S, evidenceLines, P99_CEILING_WINDOW_S } from "./analysis-view.ts";
export {
  type DecisionCore,
  type DecisionFacts,
  type DecisionOutcome,
  type DecisionPolicy,
  decide,
  decisionCore,
  type Evaluated,
  type FetchedTelemetry,
  type Observation,
  policyFacingStatus,
} from "./decide.ts";
export {
  type AnalysisEvidence,
  type DecisionEvidenceParts,
  EVIDENCE_FORMAT,
  type EvidenceDocument,
  jsonSafe,
  type Producer,
  type TelemetryEvidence,
} from "./evidence.ts";
export { type Interpretation, interpret, interpretation, syncState } from "./interpretation.ts";
export { engineReadings, type SyncTelemetry, syncOf } from "./sync.ts";
export { earlierTelemetryAt, type Observed, observeRecords, rebase, type StageWindow, stageWindow } from "./observe.ts";
export { PRODUCER } from "./producer.ts";
export {
  type Decision,
  idempotencyKey,
  SYNCED_RULE,
  type Situation,
  situationOf,
  type Transition,
  type TransitionInput,
  transition,
  unknownLiveDigest,
} from "./transitions.ts";
