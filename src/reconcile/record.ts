/**
 * A decision as gitops records it: the commit message's words for the analysis, and for a rollback
 * the evidence to store instead when the whole document is over the cap.
 */
import { type EvidenceDocument, evidenceLines } from "../decision/index.ts";
import type { DecisionChange } from "../gitops/index.ts";
import type { ServiceDecision } from "./decide-service.ts";

export function decisionChange(decision: ServiceDecision): DecisionChange {
  const { report, evidence, ...rest } = decision;
  return {
    ...rest,
    evidenceLines: report ? evidenceLines(report) : [],
    // Stored as JSON by encodeEvidence (non-finite numbers become null there, without a copy here).
    evidence,
    // A rollback must be recorded whatever it costs the audit: without its records if need be.
    ...(decision.action === "rollback" && evidence.telemetry ? { smallerEvidence: withoutRecords(evidence) } : {}),
  };
}

/** The evidence of a rollback too large to store: everything but the telemetry records. */
function withoutRecords(evidence: EvidenceDocument): EvidenceDocument {
  const telemetry = evidence.telemetry!;
  return { ...evidence, telemetry: { ...telemetry, records: [], recordsOmitted: telemetry.records.length } };
}
