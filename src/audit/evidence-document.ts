/**
 * Reads the evidence document of a decision commit and validates it against
 * schemas/evidence.schema.json, so the checks after it can trust field types (a tampered document
 * must fail a check, never crash the audit).
 */

import type { EvidenceDocument } from "../decision/index.ts";
import { EvidenceError, type GitRepo, readEvidence } from "../gitops/index.ts";
import { type Digest, evidenceProblems, UserError } from "../model/index.ts";

/** The evidence is unreadable, altered, or not an evidence document; `message` says which. */
export class EvidenceProblem extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "EvidenceProblem";
  }
}

export async function readEvidenceDocument(
  repo: GitRepo,
  commit: string,
  digest: Digest,
): Promise<{ document: EvidenceDocument; path: string }> {
  let read: Awaited<ReturnType<typeof readEvidence>>;
  try {
    read = await readEvidence(repo.treeAt(commit, commit.slice(0, 12)), digest);
  } catch (error) {
    if (error instanceof EvidenceError) throw new EvidenceProblem(error.message);
    throw error;
  }
  const problems = evidenceProblems(read.document, read.path);
  if (problems.length > 0)
    throw new EvidenceProblem(
      `${read.path}: not a tollgate evidence document: ${problems.map((p) => `${p.message} (field ${p.field})`).join("; ")}`,
    );
  return { document: read.document as EvidenceDocument, path: read.path };
}
