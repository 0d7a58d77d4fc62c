import {
  type Digest,
  EvidenceError,
  evidencePath,
  InvalidInputError,
  MAX_EVIDENCE_BYTES,
  sha256Digest,
} from "../model/index.ts";
import type { GitTree } from "./git-tree.ts";

/**
 * Reads the evidence document with `digest` from a commit's tree and checks that its bytes hash to
 * that digest. Throws EvidenceError naming what is wrong: missing, altered, or not JSON. Whether it
 * is an evidence document is `evidenceProblems`' question (src/model/evidence.ts).
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
