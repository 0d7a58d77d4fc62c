/**
 * An in-process cluster with the ClusterApplier contract, for the demo and the reconciler's tests.
 * It keeps, per environment, cluster and service, which artifact each arm runs with how many pods,
 * applies plans in the same order as the Kubernetes applier (traffic to ready pods first, scale-downs
 * last), and can be told to drift or to fail.
 *
 * It is also a DeployedVersionsSource: simulated telemetry asks it which digests run at which weight,
 * so the numbers it generates describe what is actually deployed.
 */
import type { Logger } from "pino";
import { type ClusterTarget, type Digest, directClusters } from "../../model/index.ts";
import { FailureStreaks } from "../failures.ts";
import { configMapName, deploymentName, serviceName } from "../manifests.ts";
import { ClusterMetrics } from "../metrics.ts";
import { gatewaySplit, planService, replicaSplit, serviceResult } from "../plan.ts";
import type {
  AppliedObject,
  ApplyRequest,
  Arm,
  ClusterApplier,
  ClusterApplyResult,
  ClusterFailure,
  ClusterPruneResult,
  DeployedVersions,
  DeployedVersionsSource,
  DriftFinding,
  OrphanedObject,
  PruneRequest,
  PruneResult,
  ServiceApplyResult,
  ServicePlan,
  WorkloadStatus,
} from "../types.ts";

export interface SimulatedWorkload {
  digest: Digest;
  image: string;
  replicas: number;
  generation: number;
}

export interface SimulatedService {
  stable?: SimulatedWorkload;
  canary?: SimulatedWorkload;
  mode: "replicas" | "gateway";
  /** Canary share of traffic (0-100) as deployed. */
  canaryWeight: number;
  /** What tollgate last applied per arm; live arms that differ from it have drifted. */
  applied: { stable?: SimulatedWorkload; canary?: SimulatedWorkload };
}

/** One step the simulated cluster took, in order (for tests of ordering, e.g. rollback). */
export interface SimulatedEvent {
  environment: string;
  cluster: string;
  service: string;
  change: string;
}

export interface SimulatedClusterOptions {
  /** Pods per service; 100 by default so replica-ratio weights come out exact. */
  replicas?: number;
  persistentFailureThreshold?: number;
  metrics?: ClusterMetrics;
  logger?: Logger;
}

export class SimulatedCluster implements ClusterApplier, DeployedVersionsSource {
  readonly metrics: ClusterMetrics;
  readonly events: SimulatedEvent[] = [];
  private readonly services = new Map<string, SimulatedService>();
  private readonly failing = new Map<string, ClusterFailure>();
  private readonly clustersByEnvironment = new Map<string, string[]>();
  private readonly streaks: FailureStreaks;
  private readonly replicas: number;

  constructor(private readonly options: SimulatedClusterOptions = {}) {
    this.metrics = options.metrics ?? new ClusterMetrics();
    this.replicas = options.replicas ?? 100;
    this.streaks = new FailureStreaks(options.persistentFailureThreshold ?? 3);
  }

  private key(environment: string, cluster: string, service: string): string {
    return `${environment}/${cluster}/${service}`;
  }

  private targets(environment: ApplyRequest["environment"]): ClusterTarget[] {
    const targets: ClusterTarget[] =
      environment.clusters.length > 0 ? directClusters(environment) : [{ name: "simulated", namespace: "default" }];
    this.clustersByEnvironment.set(
      environment.name,
      targets.map((t) => t.name),
    );
    return targets;
  }

  async apply(request: ApplyRequest): Promise<ServiceApplyResult> {
    const environment = request.environment;
    const plan = planService(environment.name, request.release, request.status);
    const clusters = this.targets(environment).map((target) => this.applyToCluster(plan, target));
    return serviceResult(plan, clusters);
  }

  /** Same contract as the Kubernetes applier: the objects a removed service would have there, deleted with `prune: true`. */
  async prune(request: PruneRequest): Promise<PruneResult> {
    const environment = request.environment;
    const remove = environment.prune === true;
    const clusters = this.targets(environment).map((target) =>
      this.pruneCluster(environment.name, target, request.keep, remove),
    );
    return { environment: environment.name, prune: remove, ok: clusters.every((c) => c.ok), clusters };
  }

  private pruneCluster(
    env: string,
    target: ClusterTarget,
    keep: ReadonlySet<string>,
    remove: boolean,
  ): ClusterPruneResult {
    const base = { cluster: target.name, namespace: target.namespace, attempts: 1 };
    const failure = this.failing.get(target.name);
    if (failure) {
      this.metrics.failures.inc({ environment: env, cluster: target.name, kind: failure.kind });
      return { ...base, ok: false, orphans: [], error: failure };
    }
    const prefix = this.key(env, target.name, "");
    const orphaned = [...this.services.keys()]
      .filter((k) => k.startsWith(prefix) && !keep.has(k.slice(prefix.length)))
      .sort();
    const orphans = orphaned.map((key) => {
      const service = key.slice(prefix.length);
      const objects = simulatedObjects(service, target.namespace, this.services.get(key)!);
      if (remove) {
        this.services.delete(key);
        for (const o of objects) {
          o.deleted = true;
          this.metrics.objectChanges.inc({ environment: env, cluster: target.name, kind: o.kind, action: "deleted" });
        }
        this.events.push({ environment: env, cluster: target.name, service, change: "pruned" });
      }
      return { service, objects };
    });
    this.metrics.orphanedObjects.set(
      { environment: env, cluster: target.name },
      remove ? 0 : orphans.reduce((n, o) => n + o.objects.length, 0),
    );
    return { ...base, ok: true, orphans };
  }

  private applyToCluster(plan: ServicePlan, target: ClusterTarget): ClusterApplyResult {
    const env = plan.environment;
    const key = this.key(env, target.name, plan.service);
    const failure = this.failing.get(target.name);
    if (failure) {
      const streak = this.streaks.record(key, false);
      this.metrics.applies.inc({ environment: env, cluster: target.name, result: "failed" });
      this.metrics.failures.inc({ environment: env, cluster: target.name, kind: failure.kind });
      this.metrics.consecutiveFailures.set({ environment: env, cluster: target.name, service: plan.service }, streak);
      this.options.logger?.error(
        { environment: env, cluster: target.name, service: plan.service, failure: failure.kind },
        failure.message,
      );
      return {
        cluster: target.name,
        namespace: target.namespace,
        ok: false,
        objects: [],
        workloads: [],
        drift: [],
        attempts: 1,
        error: failure,
        consecutiveFailures: streak,
        persistentlyFailing: this.streaks.isPersistent(streak),
      };
    }

    const mode = target.traffic?.mode ?? "replicas";
    const weight = plan.canary?.weight ?? 0;
    const split = mode === "gateway" ? gatewaySplit(this.replicas, weight) : replicaSplit(this.replicas, weight);
    const current: SimulatedService = this.services.get(key) ?? { mode, canaryWeight: 0, applied: {} };
    const objects: AppliedObject[] = [];
    const drift: DriftFinding[] = [];
    const note = (change: string): void => {
      this.events.push({ environment: env, cluster: target.name, service: plan.service, change });
    };
    const desiredArm = (arm: Arm): SimulatedWorkload | undefined => {
      const artifact = arm === "stable" ? plan.stable : plan.canary?.artifact;
      const replicas = arm === "stable" ? split.stable : split.canary;
      if (artifact) return { digest: artifact.digest, image: artifact.code.image, replicas, generation: 0 };
      // No canary in the plan: a canary that exists is scaled to zero with the version it has.
      const known = current.applied.canary ?? current.canary;
      return known ? { ...known, replicas: 0 } : undefined;
    };
    const setArm = (arm: Arm, desired: SimulatedWorkload | undefined): void => {
      if (!desired) return;
      const live = current[arm];
      const name = `${plan.service}-${arm}`;
      if (
        live &&
        live.digest === desired.digest &&
        live.image === desired.image &&
        live.replicas === desired.replicas
      ) {
        objects.push({ kind: "Deployment", name, namespace: target.namespace, action: "unchanged" });
        return;
      }
      const applied = current.applied[arm];
      if (live && applied && live.image !== applied.image) {
        drift.push({
          kind: "Deployment",
          name,
          field: '.spec.template.spec.containers[name="agent"].image',
          expected: desired.image,
          actual: live.image,
        });
      }
      if (live && applied && live.replicas !== applied.replicas) {
        drift.push({
          kind: "Deployment",
          name,
          field: ".spec.replicas",
          expected: desired.replicas,
          actual: live.replicas,
        });
      }
      current[arm] = { ...desired, generation: (live?.generation ?? 0) + 1 };
      current.applied[arm] = { ...current[arm] };
      objects.push({ kind: "Deployment", name, namespace: target.namespace, action: live ? "updated" : "created" });
      note(`${arm} ${desired.digest} at ${desired.replicas} replicas`);
    };

    const stable = desiredArm("stable");
    const canary = desiredArm("canary");
    const scalesDown = (arm: Arm, desired: SimulatedWorkload | undefined): boolean => {
      const live = current.applied[arm];
      return (
        !!desired &&
        !!live &&
        live.digest === desired.digest &&
        live.image === desired.image &&
        desired.replicas < live.replicas
      );
    };
    // Same order as on Kubernetes: what gains pods or changes version, then traffic, then scale-downs.
    const later: Arm[] = (["stable", "canary"] as const).filter((a) => scalesDown(a, a === "stable" ? stable : canary));
    for (const arm of ["stable", "canary"] as const)
      if (!later.includes(arm)) setArm(arm, arm === "stable" ? stable : canary);
    if (current.canaryWeight !== split.canaryWeight || current.mode !== mode) {
      note(`traffic ${mode} canary weight ${split.canaryWeight}`);
      current.canaryWeight = split.canaryWeight;
      current.mode = mode;
    }
    for (const arm of later) setArm(arm, arm === "stable" ? stable : canary);
    this.services.set(key, current);

    for (const d of drift) {
      this.metrics.driftRepaired.inc({
        environment: env,
        cluster: target.name,
        service: plan.service,
        kind: d.kind,
        field: d.field,
      });
      this.options.logger?.warn(
        { environment: env, cluster: target.name, service: plan.service, event: "drift-repaired", ...d },
        "drift repaired",
      );
    }
    const streak = this.streaks.record(key, true);
    this.metrics.consecutiveFailures.set({ environment: env, cluster: target.name, service: plan.service }, streak);
    this.metrics.applies.inc({ environment: env, cluster: target.name, result: "ok" });
    const workloads: WorkloadStatus[] = (["stable", "canary"] as const).flatMap((arm) => {
      const w = current[arm];
      if (!w) return [];
      return [
        {
          arm,
          name: `${plan.service}-${arm}`,
          digest: w.digest,
          replicas: w.replicas,
          readyReplicas: w.replicas,
          updatedReplicas: w.replicas,
          generation: w.generation,
          observedGeneration: w.generation,
          ready: true,
        },
      ];
    });
    return {
      cluster: target.name,
      namespace: target.namespace,
      ok: true,
      objects,
      workloads,
      drift,
      traffic: { mode, canaryWeight: split.canaryWeight },
      attempts: 1,
      consecutiveFailures: 0,
      persistentlyFailing: false,
    };
  }

  /** What runs for a service: from the environment's first cluster that has it. */
  deployedVersions(environment: string, service: string): DeployedVersions | undefined {
    for (const cluster of this.clustersByEnvironment.get(environment) ?? []) {
      const s = this.services.get(this.key(environment, cluster, service));
      if (!s?.stable) continue;
      const canaryRuns = s.canary !== undefined && s.canary.replicas > 0 && s.canaryWeight > 0;
      return {
        stableDigest: s.stable.digest,
        ...(canaryRuns ? { canaryDigest: s.canary!.digest } : {}),
        canaryWeight: canaryRuns ? s.canaryWeight : 0,
      };
    }
    return undefined;
  }

  /** The full simulated state of a service in one cluster (a copy). */
  inspect(environment: string, cluster: string, service: string): SimulatedService | undefined {
    const s = this.services.get(this.key(environment, cluster, service));
    return s ? structuredClone(s) : undefined;
  }

  /** Someone changes a workload by hand; the next apply sets it back and reports drift. */
  injectDrift(
    environment: string,
    cluster: string,
    service: string,
    arm: Arm,
    change: { image?: string; replicas?: number },
  ): void {
    const s = this.services.get(this.key(environment, cluster, service));
    const w = s?.[arm];
    if (!w) throw new Error(`simulated cluster: no ${arm} workload of ${service} in ${environment}/${cluster}`);
    if (change.image !== undefined) w.image = change.image;
    if (change.replicas !== undefined) w.replicas = change.replicas;
  }

  /** Makes every apply to `cluster` fail with `failure` (undefined: heal it). */
  failCluster(cluster: string, failure: ClusterFailure | undefined): void {
    if (failure) this.failing.set(cluster, failure);
    else this.failing.delete(cluster);
  }
}

/** The objects the Kubernetes applier would have made for a service, in pruning order. */
function simulatedObjects(service: string, namespace: string, state: SimulatedService): OrphanedObject[] {
  const object = (kind: string, name: string): OrphanedObject => ({ kind, name, namespace, deleted: false });
  const services = [
    serviceName(service),
    ...(state.mode === "gateway" ? [serviceName(service, "stable"), serviceName(service, "canary")] : []),
  ];
  const arms = (["canary", "stable"] as const).filter((arm) => state[arm] !== undefined);
  const digests = [...new Set(arms.map((arm) => state[arm]!.digest))].sort();
  return [
    ...services.map((name) => object("Service", name)),
    ...arms.map((arm) => object("Deployment", deploymentName(service, arm))),
    ...digests.map((digest) => object("ConfigMap", configMapName(service, digest))),
  ];
}
