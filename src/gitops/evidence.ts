import { sha256Digest } from "../model/artifact-digest.ts";
import { canonicalJsonOfStringified } from "../model/canonical-json.ts";
import { InvalidInputError } from "../model/errors.ts";
import type { Digest } from "../model/types.ts";
import { EvidenceError, EvidenceTooLargeError } from "./errors.ts";
import type { GitTree } from "./git-tree.ts";

/** Evidence documents live under this folder, sharded by the first two hex digits of their digest. */
export const EVIDENCE_DIR = "evidence/sha256";
/**
 * Largest evidence document tollgate writes or reads. A decision stores its step's records (about
 * 7 KB per interval for both arms): 128 MiB hold about a day and a half at a 10 s interval, room for a
 * step held past its cap overnight (outside the deployment window, or waiting for a confirmation).
 */
export const MAX_EVIDENCE_BYTES = 128 * 1024 * 1024;

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** An evidence document as stored: canonical JSON bytes and the sha256 digest of exactly those bytes. */
export interface EncodedEvidence {
  digest: Digest;
  path: string;
  bytes: Uint8Array;
}

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
 * Reads the evidence document with `digest` from a commit's tree and checks that its bytes hash to
 * that digest. Throws EvidenceError naming what is wrong: missing, altered, or not JSON.
 */
export async function readEvidence(
  tree: GitTree,
  digest: Digest,
): Promise<{ document: unknown; bytes: Uint8Array; path: string }> {
  const path = evidencePath(digest);
  if (!(await tree.exists(path))) {
    throw new EvidenceError(
      "missing",
      digest,
      `${tree.display(path)}: evidence ${digest} is not in the repository at this commit`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await tree.readBytes(path, MAX_EVIDENCE_BYTES);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new EvidenceError("too-large", digest, error.message);
    throw error;
  }
  const actual = sha256Digest(bytes);
  if (actual !== digest) {
    throw new EvidenceError(
      "digest-mismatch",
      digest,
      `${tree.display(path)}: content hashes to ${actual}, not ${digest}: the evidence was altered`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new EvidenceError(
      "not-json",
      digest,
      `${tree.display(path)}: not valid UTF-8 JSON: ${(error as Error).message}`,
    );
  }
  return { document, bytes, path };
}
