import { shortDigest } from "./artifact-digest.ts";
import type { Artifact, ArtifactParts } from "./types.ts";

export type ArtifactPartName = keyof ArtifactParts;
export const ARTIFACT_PARTS: readonly ArtifactPartName[] = ["code", "model", "prompts", "tools", "index"];

/** One changed part, with the before and after values that matter to a reader. */
export type PartChange =
  | { part: "code"; from: { image: string; sourceCommit: string }; to: { image: string; sourceCommit: string } }
  | { part: "model"; from: ArtifactParts["model"]; to: ArtifactParts["model"] }
  | { part: "prompts"; from: string; to: string }
  | { part: "tools"; manifestFrom: string; manifestTo: string; added: string[]; removed: string[] }
  | { part: "index"; from: ArtifactParts["index"]; to: ArtifactParts["index"] };

export interface ArtifactDiff {
  fromDigest: string | null;
  toDigest: string;
  /** Names of the parts that changed, in the canonical order. */
  changed: ArtifactPartName[];
  changes: PartChange[];
  /** One human-readable line, e.g. "model claude-x 2026-01 → 2026-03; tools +refund". */
  summary: string;
}

/** What changed between the artifact running now (`from`, or none) and the one proposed (`to`). */
export function diffArtifacts(from: Artifact | undefined, to: Artifact): ArtifactDiff {
  const changes: PartChange[] = [];
  if (!from) {
    return {
      fromDigest: null,
      toDigest: to.digest,
      changed: [...ARTIFACT_PARTS],
      changes: [],
      summary: `new artifact ${shortDigest(to.digest)}`,
    };
  }
  if (from.code.image !== to.code.image || from.code.sourceCommit !== to.code.sourceCommit) {
    changes.push({ part: "code", from: { ...from.code }, to: { ...to.code } });
  }
  if (
    from.model.provider !== to.model.provider ||
    from.model.name !== to.model.name ||
    from.model.snapshot !== to.model.snapshot
  ) {
    changes.push({ part: "model", from: { ...from.model }, to: { ...to.model } });
  }
  if (from.prompts.digest !== to.prompts.digest) {
    changes.push({ part: "prompts", from: from.prompts.digest, to: to.prompts.digest });
  }
  const before = new Set(from.tools.allowed);
  const after = new Set(to.tools.allowed);
  const added = [...after].filter((t) => !before.has(t)).sort();
  const removed = [...before].filter((t) => !after.has(t)).sort();
  if (from.tools.manifestDigest !== to.tools.manifestDigest || added.length > 0 || removed.length > 0) {
    changes.push({
      part: "tools",
      manifestFrom: from.tools.manifestDigest,
      manifestTo: to.tools.manifestDigest,
      added,
      removed,
    });
  }
  if (from.index.buildId !== to.index.buildId || from.index.digest !== to.index.digest) {
    changes.push({ part: "index", from: { ...from.index }, to: { ...to.index } });
  }
  return {
    fromDigest: from.digest,
    toDigest: to.digest,
    changed: changes.map((c) => c.part),
    changes,
    summary: changes.length === 0 ? "no change" : changes.map(describeChange).join("; "),
  };
}

export function describeChange(change: PartChange): string {
  switch (change.part) {
    case "code":
      return `code ${imageTag(change.from.image)} → ${imageTag(change.to.image)} (source ${change.from.sourceCommit.slice(0, 7)} → ${change.to.sourceCommit.slice(0, 7)})`;
    case "model": {
      const { from, to } = change;
      if (from.provider === to.provider && from.name === to.name)
        return `model ${to.name} snapshot ${from.snapshot} → ${to.snapshot}`;
      return `model ${from.provider}/${from.name}@${from.snapshot} → ${to.provider}/${to.name}@${to.snapshot}`;
    }
    case "prompts":
      return `prompts ${shortDigest(change.from)} → ${shortDigest(change.to)}`;
    case "tools": {
      const parts: string[] = [];
      if (change.added.length > 0) parts.push(`+${change.added.join(" +")}`);
      if (change.removed.length > 0) parts.push(`-${change.removed.join(" -")}`);
      if (change.manifestFrom !== change.manifestTo)
        parts.push(`manifest ${shortDigest(change.manifestFrom)} → ${shortDigest(change.manifestTo)}`);
      return `tools ${parts.join(", ")}`;
    }
    case "index":
      return `index ${change.from.buildId} → ${change.to.buildId}`;
  }
}

function imageTag(image: string): string {
  const [name, digest] = image.split("@");
  return `${name?.split("/").pop() ?? image}@${shortDigest(digest)}`;
}
