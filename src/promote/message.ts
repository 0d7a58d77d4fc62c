import { formatArtifactDiff } from "../gitops/index.ts";
import { type Attestation, shortDigest } from "../model/index.ts";
import type { Promotion } from "./plan.ts";

/** Trailer naming the service and the environments of a promotion commit. */
export const PROMOTION_TRAILER = "Tollgate-Promotion";
/** Trailer holding the promoted artifact digest. */
export const PROMOTION_ARTIFACT_TRAILER = "Tollgate-Promotion-Artifact";

/**
 * The commit message of a promotion. Its subject is deliberately not a decision subject
 * (`<action>(<env>/<service>): ...`) and it carries no `Tollgate-Decision` trailer: a promotion
 * is a proposal a person makes, not a decision of the reconciler, and audit must not read it as one.
 *
 *   Promote support-agent to prod: fa7f76f33947 → f806ccf0be4b
 *
 *   The artifact verified in staging at 2026-11-19T15:40:02Z. What prod runs now stays as lastGood.
 *
 *   Artifact diff fa7f76f33947 → f806ccf0be4b (2 of 5 parts changed):
 *   - code: ...
 *   ...
 */
export function promotionMessage(p: Promotion): string {
  const lines = [
    `Promote ${p.service} to ${p.target}: ${shortDigest(p.running?.digest)} → ${shortDigest(p.artifact.digest)}`,
    "",
  ];
  const kept = p.running && p.running.digest !== p.artifact.digest;
  lines.push(
    `The artifact verified in ${p.source} at ${p.verifiedAt}.${kept ? ` What ${p.target} runs now (${shortDigest(p.running!.digest)}) stays as lastGood, so a rollback is a pointer flip.` : ""}`,
  );
  lines.push("", ...formatArtifactDiff(p.running, p.artifact));
  lines.push("");
  if (p.carried.length === 0) lines.push(`Attestations carried over from ${p.source}: none`);
  else
    lines.push(`Attestations carried over from ${p.source}:`, ...p.carried.map((a) => `- ${describeAttestation(a)}`));
  for (const note of p.notes) lines.push("", `Note: ${note}`);
  lines.push(
    "",
    `${PROMOTION_TRAILER}: ${p.service} ${p.source} -> ${p.target}`,
    `${PROMOTION_ARTIFACT_TRAILER}: ${p.artifact.digest}`,
    "",
  );
  return lines.join("\n");
}

export function describeAttestation(a: Attestation): string {
  return `${a.kind} ${a.suite}: score ${a.score}, ${a.pass ? "pass" : "fail"} (${a.by}, ${a.at})`;
}
