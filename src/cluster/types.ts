/**
 * The contract between the reconciler and the clusters.
 *
 * The reconciler decides (and commits to git) which artifact serves stable traffic and which one is the
 * canary at what weight; a ClusterApplier makes every cluster of the environment look like that. Applying
 * is idempotent: a second call with the same request changes nothing.
 */
import type { Artifact, Digest, Environment, Release, Status } from "../model/index.ts";

/** The two workloads of every service: the verified version and the one being rolled out. */
export type Arm = "stable" | "canary";

/** What should run for one service in one environment, derived from its Release and Status. */
export interface ServicePlan {
  environment: string;
  service: string;
  /** The artifact serving stable traffic (kept warm so a rollback is only a traffic shift). */
  stable: Artifact;
  /** The artifact being rolled out and its share of traffic (0-100); absent: the canary arm is scaled to zero. */
  canary?: { artifact: Artifact; weight: number };
}

export interface ApplyRequest {
  /** The environment supplies the name and the clusters (`Environment.clusters`). */
  environment: Environment;
  release: Release;
  /** The rollout status from git; absent when tollgate has not acted on the service yet. */
  status?: Status;
  signal?: AbortSignal;
}

export interface ClusterApplier {
  /** Make every cluster of the environment run the plan derived from release + status. Never throws for a cluster's failure: see each ClusterApplyResult. */
  apply(request: ApplyRequest): Promise<ServiceApplyResult>;
  /**
   * Find, in every cluster of the environment, tollgate's objects of services not in `keep`, and
   * delete them when the environment says `prune: true` (else only report them). Never throws for a
   * cluster's failure: see each ClusterPruneResult. Appliers without it are never pruned.
   */
  prune?(request: PruneRequest): Promise<PruneResult>;
}

export interface PruneRequest {
  /** The environment supplies the name, the clusters and `prune` (delete, or only report). */
  environment: Environment;
  /** Services that stay: every service the environment has in git. */
  keep: ReadonlySet<string>;
  signal?: AbortSignal;
}

export interface OrphanedObject {
  kind: string;
  name: string;
  namespace: string;
  /** Deleted in this call; false: found only (prune off, or the cluster failed before it). */
  deleted: boolean;
}

/** A service's objects left in one cluster after the service was removed from git. */
export interface OrphanSet {
  service: string;
  /** Traffic objects first (Services), then workloads (Deployments), then ConfigMaps: the deletion order. */
  objects: OrphanedObject[];
}

export interface ClusterPruneResult {
  cluster: string;
  namespace: string;
  /** The cluster was searched and, when pruning, every orphan was deleted. */
  ok: boolean;
  orphans: OrphanSet[];
  /** Tries made in this call (transient failures are retried). */
  attempts: number;
  error?: ClusterFailure;
}

export interface PruneResult {
  environment: string;
  /** `environment.prune`: orphans were deleted; false: only reported. */
  prune: boolean;
  /** Every cluster was searched (and pruned). */
  ok: boolean;
  /** One entry per cluster of the environment, in its order; a failing cluster is never left out. */
  clusters: ClusterPruneResult[];
}

export type ObjectAction = "created" | "updated" | "unchanged" | "deleted";

export interface AppliedObject {
  kind: string;
  name: string;
  namespace: string;
  action: ObjectAction;
}

/** A workload as the cluster reported it after the apply. */
export interface WorkloadStatus {
  arm: Arm;
  name: string;
  /** Artifact digest the workload runs (from its annotation). */
  digest?: Digest;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  generation: number;
  observedGeneration: number;
  /** The controller has seen the newest spec and every desired replica is updated and ready. */
  ready: boolean;
}

/** A field tollgate owns that someone else changed in the cluster; it was set back. */
export interface DriftFinding {
  kind: string;
  name: string;
  /** Field path as the API server names it, e.g. `.spec.replicas`. */
  field: string;
  /** Field manager that had taken the field over, e.g. `kubectl-edit`. */
  manager?: string;
  expected?: unknown;
  actual?: unknown;
}

export type ClusterFailureKind =
  | "config"
  | "unreachable"
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "invalid"
  | "conflict"
  | "timeout"
  | "server";

export interface ClusterFailure {
  kind: ClusterFailureKind;
  /** Names the cluster, e.g. `cluster "eu-1": forbidden: deployments.apps "x" is forbidden: ...`. */
  message: string;
  /** HTTP status from the API server, when there was one. */
  httpStatus?: number;
}

export interface ClusterApplyResult {
  cluster: string;
  namespace: string;
  ok: boolean;
  objects: AppliedObject[];
  workloads: WorkloadStatus[];
  drift: DriftFinding[];
  /** How traffic is split and the canary's effective share (replica ratios round); absent when the apply failed. */
  traffic?: { mode: "replicas" | "gateway"; canaryWeight: number };
  /** Tries made in this call (transient failures are retried). */
  attempts: number;
  error?: ClusterFailure;
  /** Failed calls in a row for this cluster (0 after a success). */
  consecutiveFailures: number;
  /** The cluster has failed `persistentFailureThreshold` calls in a row: it needs a human. */
  persistentlyFailing: boolean;
}

export interface ServiceApplyResult {
  environment: string;
  service: string;
  plan: ServicePlan;
  /** Every cluster applied the plan. */
  ok: boolean;
  /** Some object changed in some cluster. */
  changed: boolean;
  /** One entry per cluster of the environment, in its order; a failing cluster is never left out. */
  clusters: ClusterApplyResult[];
}

/**
 * What is deployed for a service, for telemetry that must describe the versions actually running
 * (the simulated telemetry source reads this; it never imports cluster code beyond this type).
 */
export interface DeployedVersions {
  stableDigest: Digest;
  canaryDigest?: Digest;
  /** Share of traffic (0-100) the canary actually gets. */
  canaryWeight: number;
}

export interface DeployedVersionsSource {
  deployedVersions(environment: string, service: string): DeployedVersions | undefined;
}
