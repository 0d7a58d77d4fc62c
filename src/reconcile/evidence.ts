/**
 * The evidence document stored with every decision commit (content-addressed, referenced by the
 * `Tollgate-Evidence` trailer). It holds everything needed to re-derive the decision: the telemetry
 * records the analysis read, the analysis configuration and report, the policy input and result.
 */
import type { SequentialJudgeConfig } from "../analysis/config.ts";
import type { AnalysisReport } from "../analysis/sequential.ts";
import type { DecisionAction, DecisionReason, Digest } from "../model/types.ts";
import type { PolicyDecision, PolicyInput } from "../policy/types.ts";
import type { IntervalRecord } from "../telemetry/records.ts";
import type { SignalProblem } from "../telemetry/source.ts";
import type { Situation } from "./transitions.ts";

export const EVIDENCE_FORMAT = "tollgate.dev/evidence/v1";

export interface TelemetryEvidence {
  source: "prometheus" | "file" | "simulated";
  /** Interval, seconds. */
  interval: number;
  /** When the rollout began: record `t` counts seconds from here. */
  stageStart: string;
  /** Seconds from stage start at which the current step began; the analysis reads records after it. */
  stepStart: number;
  /** The decision time, seconds since stage start. */
  now: number;
  /** The records since the status's `earlierTelemetry.through` (0 in the first step): spend reads all of them, the analysis those after stepStart. */
  records: IntervalRecord[];
  /**
   * Set when the records were left out because the document was over the evidence cap: only a
   * rollback is recorded that way (it must never fail to commit), and its analysis is not re-derivable.
   */
  recordsOmitted?: number;
  problems: SignalProblem[];
}

export interface AnalysisEvidence {
  config: SequentialJudgeConfig;
  /** Step timing the analysis ran with (seconds since the step began). */
  timing: { interval: number; analysisStart: number; horizon: number };
  report: AnalysisReport;
}

/** Which tollgate wrote a document: an auditor with another version knows its compiler may differ. */
export interface Producer {
  name: "tollgate";
  version: string;
}

export interface EvidenceDocument {
  format: typeof EVIDENCE_FORMAT;
  producer?: Producer;
  environment: string;
  service: string;
  decidedAt: string;
  /** The commit the decision was made on. */
  decidedOn: string | null;
  situation: Situation["kind"];
  telemetry?: TelemetryEvidence;
  analysis?: AnalysisEvidence;
  policy: {
    bundle: Digest;
    /** The Rego sources compiled into the bundle (paths relative to `policies/`). */
    sources?: { path: string; digest: Digest }[];
    entrypoint: string;
    input: PolicyInput;
    /** The policy's answer, or null when evaluating it failed (see `error`). */
    result: PolicyDecision | null;
    error?: string;
  };
  /** What was committed: the policy's action, or what tollgate made of it (see `note`). */
  decision: { action: DecisionAction; reasons: DecisionReason[]; note?: string };
}

/**
 * The document as JSON will hold it: non-finite numbers (an analysis without data has NaN levels,
 * an e-value can overflow) become null, so the stored evidence and a re-derivation compare equal.
 * JSON.stringify itself writes non-finite numbers as null; a replacer doing the same made this
 * several times slower on evidence with thousands of telemetry values.
 */
export function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
