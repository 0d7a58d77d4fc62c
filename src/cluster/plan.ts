/**
 * From git state (Release + Status) to what should run: which artifact is stable, which is the canary
 * and at what weight. Pure; every cluster implementation starts from this.
 */
import { InvalidInputError, type Release, type Status, servingArtifact, statusFile } from "../model/index.ts";
import type { ClusterApplyResult, ServiceApplyResult, ServicePlan } from "./types.ts";

export function planService(environment: string, release: Release, status: Status | undefined): ServicePlan {
  const service = release.service;
  const live = servingArtifact(release, status);
  const liveDigest = status?.liveDigest;
  if (liveDigest !== undefined && !live) {
    throw new InvalidInputError([
      {
        file: statusFile(environment, service),
        field: "/liveDigest",
        message: `liveDigest ${liveDigest} is neither the release's artifact nor its lastGood, so the image serving stable traffic is unknown`,
      },
    ]);
  }
  // Nothing recorded live yet: the release's artifact is what stable traffic gets.
  const stable = live ?? release.artifact;

  const plan: ServicePlan = { environment, service, stable };
  const canaryDigest = status?.canaryDigest;
  if (status?.phase === "progressing" && canaryDigest !== undefined && canaryDigest !== stable.digest) {
    // A canary can only be the release's current artifact: a digest the release no longer names was
    // superseded in git, and the reconciler will restart the rollout; until then nothing new runs.
    if (canaryDigest === release.artifact.digest) {
      plan.canary = { artifact: release.artifact, weight: clampWeight(status.weight ?? 0) };
    }
  }
  return plan;
}

export function clampWeight(weight: number): number {
  if (!Number.isFinite(weight)) return 0;
  return Math.min(100, Math.max(0, weight));
}

/** Replica counts per arm and the share of traffic the canary really gets. */
export interface ReplicaSplit {
  stable: number;
  canary: number;
  /** Effective canary share of traffic, 0-100. */
  canaryWeight: number;
}

/**
 * Traffic split by replica ratio: `total` pods shared between the arms. Any positive weight gets at
 * least one canary pod and (below 100) at least one stable pod, so the effective weight is rounded;
 * choose `total` ≥ 100 / smallest step weight, or gateway mode, for exact weights.
 */
export function replicaSplit(total: number, weight: number): ReplicaSplit {
  const w = clampWeight(weight);
  let canary = 0;
  if (w >= 100) canary = total;
  else if (w > 0) canary = Math.min(Math.max(Math.round((total * w) / 100), 1), Math.max(total - 1, 1));
  const stable = total - canary;
  const sum = stable + canary;
  return { stable, canary, canaryWeight: sum === 0 ? 0 : (canary * 100) / sum };
}

/**
 * Traffic split by HTTPRoute weights: stable keeps every replica (warm for a rollback); the canary gets
 * enough pods for its share, at least one while it has any traffic.
 */
export function gatewaySplit(total: number, weight: number): ReplicaSplit {
  const w = clampWeight(weight);
  const canary = w <= 0 ? 0 : Math.min(total, Math.max(1, Math.ceil((total * w) / 100)));
  return { stable: total, canary, canaryWeight: w };
}

/** The result of one apply call from its clusters' results. */
export function serviceResult(plan: ServicePlan, clusters: ClusterApplyResult[]): ServiceApplyResult {
  return {
    environment: plan.environment,
    service: plan.service,
    plan,
    ok: clusters.every((c) => c.ok),
    changed: clusters.some((c) => c.objects.some((o) => o.action !== "unchanged")),
    clusters,
  };
}
