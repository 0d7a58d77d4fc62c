/**
 * Reads the evidence document of a decision commit and checks that it has the shape the reconciler
 * writes, so the checks after it can trust field types (a tampered document must fail a check, never
 * crash the audit).
 */
import { EvidenceError, type GitRepo, readEvidence } from "../gitops/index.ts";
import { UserError } from "../model/errors.ts";
import type { Digest } from "../model/types.ts";
import { EVIDENCE_FORMAT, type EvidenceDocument } from "../reconcile/evidence.ts";

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
  const problems = shapeProblems(read.document);
  if (problems.length > 0)
    throw new EvidenceProblem(`${read.path}: not a tollgate evidence document: ${problems.join("; ")}`);
  return { document: read.document as EvidenceDocument, path: read.path };
}

function shapeProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ["expected a JSON object"];
  if (doc["format"] !== EVIDENCE_FORMAT)
    problems.push(`format is ${JSON.stringify(doc["format"])}, expected "${EVIDENCE_FORMAT}"`);
  for (const key of ["environment", "service", "decidedAt", "situation"]) {
    if (typeof doc[key] !== "string") problems.push(`${key} must be a string`);
  }
  if (typeof doc["decidedAt"] === "string" && Number.isNaN(Date.parse(doc["decidedAt"])))
    problems.push("decidedAt is not a time");
  if (doc["decidedOn"] !== null && typeof doc["decidedOn"] !== "string")
    problems.push("decidedOn must be a commit id or null");
  const policy = doc["policy"];
  if (!isObject(policy)) problems.push("policy must be an object");
  else {
    if (typeof policy["bundle"] !== "string") problems.push("policy.bundle must be a string");
    if (!isObject(policy["input"])) problems.push("policy.input must be an object");
    if (policy["result"] !== null && !isObject(policy["result"]))
      problems.push("policy.result must be an object or null");
  }
  const decision = doc["decision"];
  if (!isObject(decision) || typeof decision["action"] !== "string" || !Array.isArray(decision["reasons"]))
    problems.push("decision must have an action and reasons");
  const telemetry = doc["telemetry"];
  if (telemetry !== undefined) {
    if (!isObject(telemetry) || !Array.isArray(telemetry["records"])) problems.push("telemetry must hold records");
    else {
      for (const key of ["interval", "stepStart", "now"])
        if (typeof telemetry[key] !== "number") problems.push(`telemetry.${key} must be a number`);
      if (typeof telemetry["stageStart"] !== "string") problems.push("telemetry.stageStart must be a time");
    }
  }
  const analysis = doc["analysis"];
  if (
    analysis !== undefined &&
    (!isObject(analysis) ||
      !isObject(analysis["config"]) ||
      !isObject(analysis["report"]) ||
      !isObject(analysis["timing"]))
  ) {
    problems.push("analysis must hold config, timing and report");
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
