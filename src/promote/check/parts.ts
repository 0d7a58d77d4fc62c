import { shortDigest } from "../../model/artifact-digest.ts";
import { ARTIFACT_PARTS, type ArtifactDiff, type ArtifactPartName, describeChange } from "../../model/artifact-diff.ts";
import type { Artifact } from "../../model/types.ts";

export interface PartLine {
  part: ArtifactPartName;
  changed: boolean;
  /** `unchanged`, what changed (`snapshot 20250929 → 20251101`), or the part of a first release. */
  text: string;
}

/** The five parts in canonical order, each with what the change does to it. */
export function partLines(diff: ArtifactDiff, to: Artifact): PartLine[] {
  return ARTIFACT_PARTS.map((part) => {
    if (diff.fromDigest === null) return { part, changed: true, text: `new: ${describePart(to, part)}` };
    const change = diff.changes.find((c) => c.part === part);
    return change ? { part, changed: true, text: describeChange(change).slice(part.length + 1) } : { part, changed: false, text: "unchanged" };
  });
}

function describePart(a: Artifact, part: ArtifactPartName): string {
  switch (part) {
    case "code":
      return `${a.code.image.split("/").pop()} (source ${a.code.sourceCommit.slice(0, 7)})`;
    case "model":
      return `${a.model.provider}/${a.model.name}@${a.model.snapshot}`;
    case "prompts":
      return shortDigest(a.prompts.digest);
    case "tools":
      return `${[...a.tools.allowed].sort().join(", ") || "no tools"} (manifest ${shortDigest(a.tools.manifestDigest)})`;
    case "index":
      return a.index.buildId;
  }
}
