/**
 * ClusterApplier for real clusters, through @kubernetes/client-node: the plan of one service is
 * applied to every cluster of the environment, a few at a time, each with its own retries, result
 * and error. A cluster that keeps failing is flagged in the result, the logs and the metrics.
 */
import { type Logger, pino } from "pino";
import { mapBounded } from "../../async/index.ts";
import { type ClusterTarget, directClusters } from "../../model/index.ts";
import { FailureStreaks, tryCluster } from "../failures.ts";
import { checkService, DEFAULT_MANIFEST_OPTIONS, type ManifestOptions } from "../manifests.ts";
import { ClusterMetrics } from "../metrics.ts";
import { planService, serviceResult } from "../plan.ts";
import type {
  ApplyRequest,
  ClusterApplier,
  ClusterApplyResult,
  ClusterPruneResult,
  PruneRequest,
  PruneResult,
  ServiceApplyResult,
  ServicePlan,
} from "../types.ts";
import { type ClusterConnection, connect, defaultKubeConfigLoader, type KubeConfigLoader } from "./connection.ts";
import { describeClusterError, isTransient } from "./errors.ts";
import { type PruneSession, pruneCluster } from "./prune.ts";
import { ClusterSession, rollOutToCluster } from "./rollout.ts";

export interface KubernetesApplierOptions {
  manifest?: Partial<ManifestOptions>;
  /** Clusters applied at the same time. */
  concurrency?: number;
  /** Tries per cluster and call for transient failures (unreachable, 409, 5xx). */
  attempts?: number;
  retryBackoffMs?: number;
  readinessTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Deadline of each request to an API server. */
  requestTimeoutMs?: number;
  /** Failed calls in a row after which a cluster is reported as persistently failing. */
  persistentFailureThreshold?: number;
  /** Default: the target's kubeconfig file (relative to the working directory) or KUBECONFIG / ~/.kube/config. */
  loadKubeConfig?: KubeConfigLoader;
  logger?: Logger;
  metrics?: ClusterMetrics;
}

export class KubernetesApplier implements ClusterApplier {
  readonly metrics: ClusterMetrics;
  private readonly logger: Logger;
  private readonly manifest: ManifestOptions;
  private readonly loadKubeConfig: KubeConfigLoader;
  private readonly streaks: FailureStreaks;
  private readonly connections = new Map<string, ClusterConnection>();

  constructor(private readonly options: KubernetesApplierOptions = {}) {
    this.metrics = options.metrics ?? new ClusterMetrics();
    this.logger = options.logger ?? pino({ name: "tollgate-cluster" }, pino.destination(2));
    this.manifest = { ...DEFAULT_MANIFEST_OPTIONS, ...options.manifest };
    this.loadKubeConfig = options.loadKubeConfig ?? defaultKubeConfigLoader();
    this.streaks = new FailureStreaks(options.persistentFailureThreshold ?? 3);
  }

  /** Throws only for invalid input from git (a UserError); cluster failures are in the result. */
  async apply(request: ApplyRequest): Promise<ServiceApplyResult> {
    const environment = request.environment;
    const plan = planService(environment.name, request.release, request.status);
    checkService(environment.name, plan.service, [plan.stable, ...(plan.canary ? [plan.canary.artifact] : [])]);
    const clusters = await mapBounded(directClusters(environment), this.options.concurrency ?? 4, (target) =>
      this.applyToCluster(plan, target, request.signal),
    );
    return serviceResult(plan, clusters);
  }

  /** Finds (and with `environment.prune`, deletes) the objects of services not in `keep`; a cluster's failure is in its result. */
  async prune(request: PruneRequest): Promise<PruneResult> {
    const environment = request.environment;
    const remove = environment.prune === true;
    const clusters = await mapBounded(directClusters(environment), this.options.concurrency ?? 4, (target) =>
      this.pruneInCluster(environment.name, target, request.keep, remove, request.signal),
    );
    return { environment: environment.name, prune: remove, ok: clusters.every((c) => c.ok), clusters };
  }

  private async pruneInCluster(
    env: string,
    target: ClusterTarget,
    keep: ReadonlySet<string>,
    remove: boolean,
    signal?: AbortSignal,
  ): Promise<ClusterPruneResult> {
    const session: PruneSession = { orphans: [] };
    let server = "(unknown server)";
    const { result, attempts } = await tryCluster(
      { attempts: this.options.attempts ?? 3, backoffMs: this.options.retryBackoffMs ?? 500 },
      async () => {
        const connection = this.connection(target);
        server = connection.server;
        await pruneCluster(connection, env, keep, remove, session);
      },
      (error) => describeClusterError(target.name, server, error),
      isTransient,
      signal,
    );
    const objects = session.orphans.flatMap((o) => o.objects);
    for (const o of objects) {
      if (o.deleted)
        this.metrics.objectChanges.inc({ environment: env, cluster: target.name, kind: o.kind, action: "deleted" });
    }
    const base = { cluster: target.name, namespace: target.namespace, orphans: session.orphans, attempts };
    if (result.ok) {
      this.metrics.orphanedObjects.set(
        { environment: env, cluster: target.name },
        objects.filter((o) => !o.deleted).length,
      );
      return { ...base, ok: true };
    }
    this.metrics.failures.inc({ environment: env, cluster: target.name, kind: result.failure.kind });
    return { ...base, ok: false, error: result.failure };
  }

  private connection(target: ClusterTarget): ClusterConnection {
    const key = JSON.stringify([target.name, target.kubeconfig, target.context]);
    let conn = this.connections.get(key);
    if (!conn) {
      conn = connect(target, this.loadKubeConfig, this.options.requestTimeoutMs ?? 30_000);
      this.connections.set(key, conn);
    }
    return conn;
  }

  private async applyToCluster(
    plan: ServicePlan,
    target: ClusterTarget,
    signal?: AbortSignal,
  ): Promise<ClusterApplyResult> {
    const env = plan.environment;
    const log = this.logger.child({
      environment: env,
      cluster: target.name,
      namespace: target.namespace,
      service: plan.service,
    });
    const timer = this.metrics.applySeconds.startTimer({ environment: env, cluster: target.name });
    let session: ClusterSession | undefined;
    const server = (): string => session?.connection.server ?? "(unknown server)";
    const { result, attempts } = await tryCluster(
      { attempts: this.options.attempts ?? 3, backoffMs: this.options.retryBackoffMs ?? 500 },
      async () => {
        session ??= new ClusterSession(this.connection(target));
        session.refresh();
        return rollOutToCluster(session, plan, {
          manifest: this.manifest,
          readinessTimeoutMs: this.options.readinessTimeoutMs ?? 120_000,
          pollIntervalMs: this.options.pollIntervalMs ?? 2_000,
          ...(signal ? { signal } : {}),
        });
      },
      (error) => describeClusterError(target.name, server(), error),
      isTransient,
      signal,
    );
    timer();

    const streak = this.streaks.record(`${env}/${target.name}/${plan.service}`, result.ok);
    const persistentlyFailing = this.streaks.isPersistent(streak);
    this.metrics.consecutiveFailures.set({ environment: env, cluster: target.name, service: plan.service }, streak);
    this.metrics.applies.inc({ environment: env, cluster: target.name, result: result.ok ? "ok" : "failed" });
    const objects = session?.objects ?? [];
    const drift = session?.drift ?? [];
    for (const o of objects) {
      if (o.action !== "unchanged")
        this.metrics.objectChanges.inc({ environment: env, cluster: target.name, kind: o.kind, action: o.action });
    }
    for (const d of drift) {
      this.metrics.driftRepaired.inc({
        environment: env,
        cluster: target.name,
        service: plan.service,
        kind: d.kind,
        field: d.field,
      });
      log.warn(
        {
          event: "drift-repaired",
          kind: d.kind,
          name: d.name,
          field: d.field,
          manager: d.manager,
          expected: d.expected,
          actual: d.actual,
        },
        `drift repaired: ${d.kind} ${d.name} ${d.field} had been changed by ${d.manager ?? "another field manager"}; set back to the state in git`,
      );
    }
    const base = {
      cluster: target.name,
      namespace: target.namespace,
      objects,
      drift,
      attempts,
      consecutiveFailures: streak,
      persistentlyFailing,
    };
    if (result.ok) {
      const changed = objects.filter((o) => o.action !== "unchanged");
      log.info(
        {
          event: "applied",
          stableDigest: plan.stable.digest,
          canaryDigest: plan.canary?.artifact.digest,
          canaryWeight: result.value.traffic.canaryWeight,
          changed: changed.map((o) => `${o.action} ${o.kind}/${o.name}`),
          attempts,
        },
        changed.length > 0 ? `applied ${changed.length} change(s)` : "already up to date",
      );
      return { ...base, ok: true, workloads: result.value.workloads, traffic: result.value.traffic };
    }
    const failure = result.failure;
    this.metrics.failures.inc({ environment: env, cluster: target.name, kind: failure.kind });
    log.error(
      {
        event: "apply-failed",
        failure: failure.kind,
        httpStatus: failure.httpStatus,
        attempts,
        consecutiveFailures: streak,
        persistentlyFailing,
      },
      persistentlyFailing ? `${failure.message} (failed ${streak} times in a row: needs attention)` : failure.message,
    );
    return { ...base, ok: false, workloads: [], error: failure };
  }
}
