/**
 * The evidence document (src/model/evidence.ts, schemas/evidence.schema.json) with the types of
 * what the reconciler puts in it: telemetry records and problems, the sequential judge's
 * configuration and report, the policy's input and answer.
 */
import type { SequentialJudgeConfig } from "../analysis/config.ts";
import type { AnalysisReport } from "../analysis/sequential.ts";
import type {
  AnalysisEvidence as StoredAnalysisEvidence,
  EvidenceDocument as StoredEvidenceDocument,
  TelemetryEvidence as StoredTelemetryEvidence,
} from "../model/evidence.ts";
import type { PolicyDecision, PolicyInput } from "../policy/types.ts";
import type { IntervalRecord } from "../telemetry/records.ts";
import type { SignalProblem } from "../telemetry/source.ts";

export { EVIDENCE_FORMAT, jsonSafe, type Producer } from "../model/evidence.ts";

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
