import { formatArtifactDiff } from "../../gitops/index.ts";
import { ARTIFACT_PARTS, type Artifact, type ArtifactPartName, diffArtifacts } from "../../model/index.ts";

export interface PartLine {
  part: ArtifactPartName;
  changed: boolean;
  /** `unchanged`, what changed (`snapshot 20250929 → 20251101`), or the part of a first release. */
  text: string;
}

/**
 * The five parts in canonical order, each with what the change does to it: worded exactly as the
 * artifact diff of promotion and decision commits (`formatArtifactDiff`), so a reviewer reads the
 * same lines in the pull request and in `git log`.
 */
export function partLines(from: Artifact | undefined, to: Artifact): PartLine[] {
  const changed = new Set(diffArtifacts(from, to).changed);
  const texts = new Map<string, string>();
  for (const line of formatArtifactDiff(from, to).slice(1)) {
    const m = /^- ([a-z]+): (.*)$/.exec(line);
    if (m) texts.set(m[1]!, m[2]!);
  }
  return ARTIFACT_PARTS.map((part) => ({
    part,
    changed: changed.has(part),
    text: texts.get(part) ?? (changed.has(part) ? "changed" : "unchanged"),
  }));
}
