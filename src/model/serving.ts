import type { Artifact, Release, Status } from "./types.ts";

/**
 * What serves a service's stable traffic, as git records it: of the release's artifact and its last
 * good one, the one the status names live. Undefined when the status names neither (no status yet,
 * no live digest, or a digest the release no longer holds); each caller says what that means for it.
 */
export function servingArtifact(release: Release, status: Status | undefined): Artifact | undefined {
  const live = status?.liveDigest;
  if (live === undefined) return undefined;
  if (release.lastGood?.digest === live) return release.lastGood;
  if (release.artifact.digest === live) return release.artifact;
  return undefined;
}
