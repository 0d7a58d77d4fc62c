/**
 * One service's plan applied to one cluster, in an order that never leaves traffic without ready pods:
 *
 *   1. ConfigMaps (one immutable per artifact) and Services;
 *   2. workloads that gain pods or change version, then a wait (with a deadline) until they are ready;
 *   3. HTTPRoute backend weights (gateway mode);
 *   4. workloads that only lose pods; ConfigMaps of artifacts no arm runs any more are deleted.
 *
 * So a rollback first moves traffic to the warm stable workload (scale-up or route weights) and only
 * then scales the canary down. Objects already as desired are not written: a second call with the
 * same plan makes no change.
 */
import type { KubernetesObject, V1ConfigMap, V1Deployment } from "@kubernetes/client-node";
import { sleep } from "../../async/index.ts";
import type { Artifact } from "../../model/index.ts";
import {
  ANNOTATION_DIGEST,
  artifactFromConfigMap,
  configMapName,
  deploymentName,
  FIELD_MANAGER,
  LABEL_SERVICE,
  type ManifestOptions,
} from "../manifests.ts";
import { desiredObjects } from "../desired.ts";
import type { AppliedObject, Arm, DriftFinding, ServicePlan, WorkloadStatus } from "../types.ts";
import type { ClusterConnection } from "./connection.ts";
import { ClusterError } from "./errors.ts";
import { applyObject, isSubset, type ObjectRef, readObject, refOf } from "./objects.ts";

export interface RolloutOptions {
  manifest: ManifestOptions;
  /** Longest wait for new or scaled-up workloads to become ready. */
  readinessTimeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
}

export interface RolloutOutcome {
  workloads: WorkloadStatus[];
  traffic: { mode: "replicas" | "gateway"; canaryWeight: number };
}

const ACTION_RANK: Record<AppliedObject["action"], number> = { unchanged: 0, updated: 1, created: 2, deleted: 3 };

/** What one cluster saw during an apply call; kept across retries so changes made by an earlier try still show. */
export class ClusterSession {
  readonly objects: AppliedObject[] = [];
  readonly drift: DriftFinding[] = [];
  private live = new Map<string, KubernetesObject | undefined>();

  constructor(readonly connection: ClusterConnection) {}

  /** Forget what was read: every try starts from the cluster's current state. */
  refresh(): void {
    this.live.clear();
  }

  private key(ref: ObjectRef): string {
    return `${ref.kind}/${ref.metadata.namespace}/${ref.metadata.name}`;
  }

  async read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    const key = this.key(ref);
    if (!this.live.has(key)) this.live.set(key, await readObject<T>(this.connection.objects, ref));
    return this.live.get(key) as T | undefined;
  }

  remember(object: KubernetesObject): void {
    this.live.set(this.key(refOf(object)), object);
  }

  record(object: KubernetesObject, action: AppliedObject["action"]): void {
    const entry = {
      kind: object.kind ?? "",
      name: object.metadata?.name ?? "",
      namespace: object.metadata?.namespace ?? "",
      action,
    };
    const seen = this.objects.find(
      (o) => o.kind === entry.kind && o.name === entry.name && o.namespace === entry.namespace,
    );
    if (!seen) this.objects.push(entry);
    else if (ACTION_RANK[action] > ACTION_RANK[seen.action]) seen.action = action;
  }

  /** Applies `desired` unless the live object already has every field of it. */
  async ensure<T extends KubernetesObject>(desired: T): Promise<T> {
    const live = await this.read<T>(refOf(desired));
    if (live && isSubset(desired, live)) {
      this.record(desired, "unchanged");
      return live;
    }
    const outcome = await applyObject(this.connection.objects, desired, live);
    this.drift.push(...outcome.drift);
    this.record(desired, live ? "updated" : "created");
    this.remember(outcome.object);
    return outcome.object;
  }

  async delete(object: KubernetesObject): Promise<void> {
    await this.connection.objects.delete(object);
    this.record(object, "deleted");
    this.live.set(this.key(refOf(object)), undefined);
  }
}

interface ArmWorkload {
  arm: Arm;
  artifact: Artifact;
  desired: V1Deployment;
  live: V1Deployment | undefined;
}

function deploymentRef(service: string, namespace: string, arm: Arm): ObjectRef {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: deploymentName(service, arm), namespace } };
}

export function workloadStatus(arm: Arm, d: V1Deployment): WorkloadStatus {
  const replicas = d.spec?.replicas ?? 0;
  const readyReplicas = d.status?.readyReplicas ?? 0;
  const updatedReplicas = d.status?.updatedReplicas ?? 0;
  const generation = d.metadata?.generation ?? 0;
  const observedGeneration = d.status?.observedGeneration ?? 0;
  const settled = observedGeneration >= generation;
  const ready =
    replicas === 0
      ? settled && (d.status?.replicas ?? 0) === 0
      : settled && updatedReplicas >= replicas && readyReplicas >= replicas;
  const digest = d.metadata?.annotations?.[ANNOTATION_DIGEST];
  return {
    arm,
    name: d.metadata?.name ?? "",
    ...(digest !== undefined ? { digest } : {}),
    replicas,
    readyReplicas,
    updatedReplicas,
    generation,
    observedGeneration,
    ready,
  };
}

/** Only the replica count goes down: such a workload is changed last, after traffic has moved. */
function onlyScalesDown(w: ArmWorkload): boolean {
  if (!w.live) return false;
  const { replicas: desiredReplicas, ...desiredRest } = w.desired.spec!;
  const { replicas: liveReplicas, ...liveRest } = w.live.spec ?? ({} as NonNullable<V1Deployment["spec"]>);
  return (
    isSubset(desiredRest, liveRest) &&
    isSubset(w.desired.metadata, w.live.metadata) &&
    (desiredReplicas ?? 0) < (liveReplicas ?? 0)
  );
}

async function recoverArtifact(
  session: ClusterSession,
  plan: ServicePlan,
  namespace: string,
  live: V1Deployment,
): Promise<Artifact | undefined> {
  const digest = live.metadata?.annotations?.[ANNOTATION_DIGEST];
  if (digest === undefined) return undefined;
  if (digest === plan.stable.digest) return plan.stable;
  const configMap = await session.read<V1ConfigMap>({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: configMapName(plan.service, digest), namespace },
  });
  return configMap ? artifactFromConfigMap(configMap) : undefined;
}

async function waitReady(session: ClusterSession, workloads: ArmWorkload[], options: RolloutOptions): Promise<void> {
  const cluster = session.connection.target.name;
  const deadline = Date.now() + options.readinessTimeoutMs;
  for (;;) {
    const pending: WorkloadStatus[] = [];
    for (const w of workloads) {
      const live = await readObject<V1Deployment>(session.connection.objects, refOf(w.desired));
      if (!live)
        throw new ClusterError({
          kind: "not-found",
          message: `cluster "${cluster}": deployment "${w.desired.metadata!.name}" disappeared while waiting for it to become ready`,
        });
      session.remember(live);
      const status = workloadStatus(w.arm, live);
      if (!status.ready) pending.push(status);
    }
    if (pending.length === 0) return;
    if (Date.now() >= deadline || options.signal?.aborted) {
      const what = pending
        .map(
          (s) =>
            `deployment "${s.name}" has ${s.readyReplicas}/${s.replicas} ready replicas (${s.updatedReplicas} updated, observed generation ${s.observedGeneration} of ${s.generation})`,
        )
        .join("; ");
      throw new ClusterError({
        kind: "timeout",
        message: `cluster "${cluster}": not ready within ${Math.round(options.readinessTimeoutMs / 1000)}s: ${what}; traffic was not moved`,
      });
    }
    await sleep(options.pollIntervalMs, options.signal);
  }
}

export async function rollOutToCluster(
  session: ClusterSession,
  plan: ServicePlan,
  options: RolloutOptions,
): Promise<RolloutOutcome> {
  const target = session.connection.target;
  const namespace = target.namespace;
  const { service } = plan;
  const manifest = options.manifest;
  const liveStable = await session.read<V1Deployment>(deploymentRef(service, namespace, "stable"));
  const liveCanary = await session.read<V1Deployment>(deploymentRef(service, namespace, "canary"));
  // Without a canary in the plan, a canary that runs is scaled to zero with the artifact it has.
  let canaryArtifact = plan.canary?.artifact;
  if (!canaryArtifact && liveCanary)
    canaryArtifact = (await recoverArtifact(session, plan, namespace, liveCanary)) ?? plan.stable;
  const desired = desiredObjects(plan, target, manifest, canaryArtifact);

  // 1. Configuration and Services.
  for (const configMap of desired.configMaps) await session.ensure(configMap);
  for (const object of desired.services) await session.ensure(object);
  const route = desired.route;
  if (route && !(await session.read(refOf(route)))) {
    throw new ClusterError({
      kind: "not-found",
      message: `cluster "${target.name}": HTTPRoute "${route.metadata.name}" not found in namespace "${namespace}"; create it (with its parentRefs) first: tollgate only sets its backends and their weights`,
    });
  }

  const workloads: ArmWorkload[] = desired.workloads.map((w) => ({
    arm: w.arm,
    artifact: w.artifact,
    desired: w.object,
    live: w.arm === "stable" ? liveStable : liveCanary,
  }));
  const later = workloads.filter(onlyScalesDown);
  const first = workloads.filter((w) => !later.includes(w));

  // 2. Workloads that gain pods or change version, and the wait for them.
  const before = session.objects.filter((o) => o.action !== "unchanged").length;
  for (const w of first) await session.ensure(w.desired);
  const changedFirst = session.objects.filter((o) => o.action !== "unchanged").length > before;
  const routePending = route !== undefined && !isSubset(route, await session.read(refOf(route)));
  const laterPending = later.length > 0;
  if (changedFirst || routePending || laterPending) {
    await waitReady(
      session,
      first.filter((w) => (w.desired.spec?.replicas ?? 0) > 0),
      options,
    );
  }

  // 3. Traffic, 4. what is no longer needed.
  if (route) await session.ensure(route);
  for (const w of later) await session.ensure(w.desired);
  await collectConfigMaps(session, service, namespace, new Set(desired.configMaps.map((c) => c.metadata!.name!)));

  const statuses: WorkloadStatus[] = [];
  for (const w of workloads) {
    const live = await session.read<V1Deployment>(refOf(w.desired));
    if (live) statuses.push(workloadStatus(w.arm, live));
  }
  return { workloads: statuses, traffic: desired.traffic };
}

/** Deletes this service's tollgate ConfigMaps that no arm mounts any more. */
async function collectConfigMaps(
  session: ClusterSession,
  service: string,
  namespace: string,
  keep: Set<string>,
): Promise<void> {
  const list = await session.connection.objects.list<V1ConfigMap>(
    "v1",
    "ConfigMap",
    namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    `app.kubernetes.io/managed-by=${FIELD_MANAGER},${LABEL_SERVICE}=${service}`,
  );
  for (const item of list.items) {
    const name = item.metadata?.name;
    if (!name || keep.has(name)) continue;
    await session.delete({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace } });
  }
}
