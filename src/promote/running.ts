import { type Artifact, type EnvironmentState, type Release, type Status, servingArtifact } from "../model/index.ts";

/**
 * The artifact serving stable traffic for a service: of the release's artifact and its last good
 * one, the one the status names as live. Without a status, the release's artifact is taken to be
 * what runs; while a rollout is under way the last good artifact still serves the stable traffic.
 */
export function runningArtifact(release: Release | undefined, status: Status | undefined): Artifact | undefined {
  if (!release) return undefined;
  const live = servingArtifact(release, status);
  if (live) return live;
  if (status?.phase === "progressing") return release.lastGood ?? release.artifact;
  return release.artifact;
}

/** When `digest` was verified (promoted) in an environment, or undefined if it never was. */
export function verifiedAt(
  envState: EnvironmentState | undefined,
  service: string,
  digest: string,
): string | undefined {
  const verified = envState?.statuses.get(service)?.verified ?? [];
  // Newest last: a digest verified twice counts from its latest verification.
  for (let i = verified.length - 1; i >= 0; i--) {
    if (verified[i]!.digest === digest) return verified[i]!.at;
  }
  return undefined;
}

/** The rejection of `digest` in an environment (it was rolled back there), if any. */
export function rejectionOf(status: Status | undefined, digest: string): { at: string; reason: string } | undefined {
  const found = status?.rejected?.find((r) => r.digest === digest);
  return found ? { at: found.at, reason: found.reason } : undefined;
}
