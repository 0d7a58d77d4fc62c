/**
 * Signed eval attestations: the eval an attestation states, as an in-toto Statement (v1) in a DSSE
 * envelope signed by an eval runner's Ed25519 key.
 *
 *   { "_type": "https://in-toto.io/Statement/v1",
 *     "subject": [{ "name": <service>, "digest": { "sha256": <hex> } }],
 *     "predicateType": "https://tollgate.dev/attestations/eval/v1",
 *     "predicate": { suite, score, pass, by, at, sampleSize?, judgeModel?, metrics? } }
 *
 * The release file keeps the same fields in the clear for people and policies; an attestation
 * counts as verified only when an allowed eval runner's signature verifies over the envelope, the
 * statement's subject is the attestation's digest, and the clear fields say what the signed
 * predicate says.
 */
import { type Attestation, canonicalJson } from "../model/index.ts";
import type { AllowedKey } from "./allowed.ts";
import { signEnvelope, verifyEnvelope } from "./dsse.ts";
import type { Signer } from "./signer.ts";
import type { SshPublicKey } from "./ssh-keys.ts";
import { sshKeyOf } from "./verify-commit.ts";

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
export const IN_TOTO_STATEMENT = "https://in-toto.io/Statement/v1";
export const EVAL_PREDICATE_TYPE = "https://tollgate.dev/attestations/eval/v1";

/** What the governance gate is told about one attestation's signature. */
export interface AttestationVerification {
  verified: boolean;
  /** Who the eval runner key belongs to (its allowed-signers principals), when verified. */
  signer?: string;
  /** Why it does not count, in words (when not verified). */
  problem?: string;
}

type ClearFields = Omit<Attestation, "envelope">;

/** The attestation's fields, signed by `signer` (an Ed25519 SSH key) as an in-toto Statement. */
export function signAttestation(attestation: ClearFields, service: string, signer: Signer): Attestation {
  const statement = {
    _type: IN_TOTO_STATEMENT,
    subject: [{ name: service, digest: { sha256: attestation.digest.replace(/^sha256:/, "") } }],
    predicateType: EVAL_PREDICATE_TYPE,
    predicate: predicateOf(attestation),
  };
  const body = Buffer.from(canonicalJson(statement), "utf8");
  return { ...attestation, envelope: signEnvelope(IN_TOTO_PAYLOAD_TYPE, body, signer) };
}

/** Whether an eval runner `runners` lists signed what the attestation says, and if not, why. */
export function verifyAttestation(attestation: Attestation, runners: AllowedKey[]): AttestationVerification {
  const envelope = attestation.envelope;
  if (!envelope) return { verified: false, problem: "not signed" };
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return {
      verified: false,
      problem: `the envelope's payloadType is "${envelope.payloadType}", not ${IN_TOTO_PAYLOAD_TYPE}`,
    };
  const keys = runners.map((r) => ({ runner: r, key: sshKeyOf(r) }));
  const usable = keys.filter((k): k is { runner: AllowedKey; key: SshPublicKey } => !("problem" in k.key));
  if (usable.length === 0) return { verified: false, problem: "signers.yaml lists no eval runner keys (evalRunners)" };
  const verdict = verifyEnvelope(
    envelope,
    usable.map((k) => k.key),
  );
  if (!verdict.signer) return { verified: false, problem: verdict.problem ?? "no allowed eval runner signed it" };
  const runner = usable.find((k) => k.key === verdict.signer)!.runner;
  const mismatch = statementMismatch(verdict.body, attestation);
  if (mismatch) return { verified: false, problem: `signed by ${runner.who}, but ${mismatch}` };
  return { verified: true, signer: runner.who };
}

/** What differs between the signed statement and the attestation's clear fields; undefined: nothing. */
function statementMismatch(body: Buffer, attestation: Attestation): string | undefined {
  let statement: unknown;
  try {
    statement = JSON.parse(body.toString("utf8"));
  } catch {
    return "the signed payload is not JSON";
  }
  const s = statement as {
    _type?: unknown;
    predicateType?: unknown;
    subject?: { digest?: { sha256?: unknown } }[];
    predicate?: Record<string, unknown>;
  };
  if (s._type !== IN_TOTO_STATEMENT) return `the signed payload is not an in-toto Statement (${IN_TOTO_STATEMENT})`;
  if (s.predicateType !== EVAL_PREDICATE_TYPE)
    return `the signed statement's predicateType is ${JSON.stringify(s.predicateType)}, not ${EVAL_PREDICATE_TYPE}`;
  const subjects = Array.isArray(s.subject) ? s.subject.map((x) => `sha256:${String(x?.digest?.sha256)}`) : [];
  if (!subjects.includes(attestation.digest))
    return `the signed statement is about ${subjects.join(", ") || "no digest"}, not ${attestation.digest}`;
  const signed = s.predicate && typeof s.predicate === "object" ? s.predicate : {};
  const clear = predicateOf(attestation) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(clear), ...Object.keys(signed)])].sort();
  const differ = fields.filter((f) => !same(clear[f], signed[f]));
  if (differ.length === 0) return undefined;
  return `the release file says ${differ.map((f) => `${f} ${show(clear[f])}`).join(", ")} where the signed statement says ${differ.map((f) => `${f} ${show(signed[f])}`).join(", ")}`;
}

function predicateOf(a: ClearFields): Record<string, unknown> {
  return {
    suite: a.suite,
    score: a.score,
    pass: a.pass,
    by: a.by,
    at: a.at,
    ...(a.sampleSize !== undefined ? { sampleSize: a.sampleSize } : {}),
    ...(a.judgeModel !== undefined ? { judgeModel: a.judgeModel } : {}),
    ...(a.metrics !== undefined ? { metrics: a.metrics } : {}),
  };
}

function same(a: unknown, b: unknown): boolean {
  return a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b);
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}
