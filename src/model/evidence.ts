/**
 * The evidence document stored with every decision commit (content-addressed, referenced by the
 * `Tollgate-Evidence` trailer): everything needed to re-derive the decision — the telemetry records
 * the analysis read, the analysis configuration and report, the policy input and result, what was
 * committed. Its format is schemas/evidence.schema.json; this module is its type, its canonical
 * encoding and its validation.
 */
import { sha256Digest } from "./artifact-digest.ts";
import { canonicalJsonOfStringified } from "./canonical-json.ts";
import { type InputProblem, UserError } from "./errors.ts";
import { jsonProblems } from "./schemas.ts";
import type { DecisionAction, DecisionReason, Digest } from "./types.ts";

export const EVIDENCE_FORMAT = "tollgate.dev/evidence/v1";
/** Evidence documents live under this folder, sharded by the first two hex digits of their digest. */
export const EVIDENCE_DIR = "evidence/sha256";
/**
 * Largest evidence document tollgate writes or reads. A decision stores its step's records (about
 * 7 KB per interval for both arms): 128 MiB hold about a day and a half at a 10 s interval, room for a
 * step held past its cap overnight (outside the deployment window, or waiting for a confirmation).
 */
export const MAX_EVIDENCE_BYTES = 128 * 1024 * 1024;

/** JSON has no Infinity: an upper confidence bound on a ratio at this value means "no bound yet". */
export const UNBOUNDED_RATIO = 1e6;
/** E-values are recorded up to this value; a recorded value at it means "at least this much". */
export const MAX_RECORDED_E_VALUE = 1e9;

/**
 * The parts of the document whose types belong to other folders (telemetry records and problems,
 * the judge's configuration and report, the policy's input and answer). `decision/` names them;
 * read back without it, they are JSON values the schema has checked.
 */
export interface EvidenceParts {
  record: unknown;
  signalProblem: unknown;
  judgeConfig: unknown;
  analysisReport: unknown;
  policyInput: unknown;
  policyResult: unknown;
}

export type SituationKind = "steady" | "first-release" | "pending" | "rolling-out";

export interface TelemetryEvidence<P extends EvidenceParts = EvidenceParts> {
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
  records: P["record"][];
  /**
   * Set when the records were left out because the document was over the evidence cap: only a
   * rollback is recorded that way (it must never fail to commit), and its analysis is not re-derivable.
   */
  recordsOmitted?: number;
  problems: P["signalProblem"][];
}

export interface AnalysisEvidence<P extends EvidenceParts = EvidenceParts> {
  config: P["judgeConfig"];
  /** Step timing the analysis ran with (seconds since the step began). */
  /** `horizon` is the step's cap (tollgate writes a number; the schema also lets a document say null). */
  timing: { interval: number; analysisStart: number; horizon: number | null; canaryShare?: number };
  report: P["analysisReport"];
}

/** Which tollgate wrote a document: an auditor with another version knows its compiler may differ. */
export interface Producer {
  name: "tollgate";
  version: string;
}

export interface EvidenceDocument<P extends EvidenceParts = EvidenceParts> {
  format: typeof EVIDENCE_FORMAT;
  producer?: Producer;
  environment: string;
  service: string;
  decidedAt: string;
  /** The commit the decision was made on. */
  decidedOn: string | null;
  situation: SituationKind;
  telemetry?: TelemetryEvidence<P>;
  analysis?: AnalysisEvidence<P>;
  policy: {
    bundle: Digest;
    /** The Rego sources compiled into the bundle (paths relative to `policies/`). */
    sources?: { path: string; digest: Digest }[];
    entrypoint: string;
    input: P["policyInput"];
    /** The policy's answer, or null when evaluating it failed (see `error`). */
    result: P["policyResult"] | null;
    error?: string;
    /** Results of rand.intn / uuid.rfc4122, replayed when the decision is re-derived. */
    nondeterministic?: Record<string, Record<string, unknown>>;
  };
  /** What was committed: the policy's action, or what tollgate made of it (see `note`). */
  decision: { action: DecisionAction; reasons: DecisionReason[]; note?: string };
}

/** An evidence document as stored: canonical JSON bytes and the sha256 digest of exactly those bytes. */
export interface EncodedEvidence {
  digest: Digest;
  path: string;
  bytes: Uint8Array;
}

export type EvidenceProblem = "missing" | "digest-mismatch" | "not-json" | "too-large" | "bad-digest";

/** An evidence document that is absent, altered, or unreadable. */
export class EvidenceError extends UserError {
  constructor(
    readonly problem: EvidenceProblem,
    readonly digest: string,
    message: string,
  ) {
    super(message);
    this.name = "EvidenceError";
  }
}

/** An evidence document about to be written is over the size cap. */
export class EvidenceTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `evidence document is ${bytes} bytes, over the ${limit}-byte limit: the step has been observed too long (its records go into every decision's evidence); promote, roll back or set the release back to end it`,
    );
    this.name = "EvidenceTooLargeError";
  }
}

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** `evidence/sha256/<2 hex>/<64 hex>.json` */
export function evidencePath(digest: Digest): string {
  const match = DIGEST.exec(digest);
  if (!match)
    throw new EvidenceError("bad-digest", digest, `not an evidence digest: "${digest}" (expected sha256:<64 hex>)`);
  const hex = match[1]!;
  return `${EVIDENCE_DIR}/${hex.slice(0, 2)}/${hex}.json`;
}

/**
 * Canonical JSON (sorted keys, no whitespace, no trailing newline), so one document has one digest;
 * of the document as JSON holds it (non-finite numbers are null), so a re-derivation compares equal.
 */
export function encodeEvidence(document: unknown, limit = MAX_EVIDENCE_BYTES): EncodedEvidence {
  const bytes = new TextEncoder().encode(canonicalJsonOfStringified(document));
  if (bytes.byteLength > limit) throw new EvidenceTooLargeError(bytes.byteLength, limit);
  const digest = sha256Digest(bytes);
  return { digest, path: evidencePath(digest), bytes };
}

/** The digest an evidence document gets when stored. */
export function evidenceDigest(document: unknown): Digest {
  return encodeEvidence(document).digest;
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

/**
 * Problems of a parsed document against schemas/evidence.schema.json, each naming `file` and the
 * field; [] when it is an evidence document.
 */
export function evidenceProblems(document: unknown, file: string): InputProblem[] {
  return jsonProblems("evidence", document, file);
}
