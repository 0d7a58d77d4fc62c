/**
 * The evidence document (src/model/evidence.ts, schemas/evidence.schema.json) with the types of
 * what the reconciler puts in it: telemetry records and problems, the sequential judge's
 * configuration and report, the policy's input and answer.
 */
import type { AnalysisReport, SequentialJudgeConfig } from "../analysis/index.ts";
import type {
  AnalysisEvidence as StoredAnalysisEvidence,
  EvidenceDocument as StoredEvidenceDocument,
  TelemetryEvidence as StoredTelemetryEvidence,
} from "../model/index.ts";
import type { PolicyDecision, PolicyInput } from "../policy/index.ts";
import type { IntervalRecord, SignalProblem } from "../telemetry/index.ts";

export { EVIDENCE_FORMAT, jsonSafe, type Producer } from "../model/index.ts";

export interface DecisionEvidenceParts {
  record: IntervalRecord;
  signalProblem: SignalProblem;
  judgeConfig: SequentialJudgeConfig;
  analysisReport: AnalysisReport;
  policyInput: PolicyInput;
  policyResult: PolicyDecision;
}

export type EvidenceDocument = StoredEvidenceDocument<DecisionEvidenceParts>;
export type TelemetryEvidence = StoredTelemetryEvidence<DecisionEvidenceParts>;
export type AnalysisEvidence = StoredAnalysisEvidence<DecisionEvidenceParts>;
