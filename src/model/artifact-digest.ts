import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.ts";
import type { Artifact, ArtifactParts, Digest } from "./types.ts";

/**
 * The five parts exactly as they are hashed. The allowed tool list is a set, so it is sorted
 * (and must be free of duplicates, which the schema enforces) before hashing.
 */
export function canonicalParts(parts: ArtifactParts): ArtifactParts {
  return {
    code: { image: parts.code.image, sourceCommit: parts.code.sourceCommit },
    model: { provider: parts.model.provider, name: parts.model.name, snapshot: parts.model.snapshot },
    prompts: { digest: parts.prompts.digest },
    tools: { manifestDigest: parts.tools.manifestDigest, allowed: [...parts.tools.allowed].sort() },
    index: { buildId: parts.index.buildId, digest: parts.index.digest },
  };
}

export function sha256Digest(text: string | Uint8Array): Digest {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** `sha256:` + hex SHA-256 of the UTF-8 canonical JSON of the five parts. */
export function artifactDigest(parts: ArtifactParts): Digest {
  return sha256Digest(canonicalJson(canonicalParts(parts)));
}

/** Builds an artifact whose digest matches its parts. */
export function sealArtifact(parts: ArtifactParts): Artifact {
  return { digest: artifactDigest(parts), ...canonicalParts(parts) };
}

/** First 12 hex digits, for commit subjects and tables. */
export function shortDigest(digest: Digest | undefined): string {
  if (!digest) return "none";
  return digest.replace(/^sha256:/, "").slice(0, 12);
}
