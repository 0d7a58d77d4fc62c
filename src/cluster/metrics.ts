/**
 * Prometheus metrics of the cluster layer, in a registry of their own so the reconciler can merge it
 * into the one it serves on /metrics (`Registry.merge([theirs, clusterMetrics.registry])`).
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class ClusterMetrics {
  readonly registry: Registry;
  /** Apply calls per cluster by result (`ok` / `failed`). */
  readonly applies: Counter<"environment" | "cluster" | "result">;
  /** Objects created, updated or deleted. */
  readonly objectChanges: Counter<"environment" | "cluster" | "kind" | "action">;
  /** Fields someone else changed that tollgate set back. */
  readonly driftRepaired: Counter<"environment" | "cluster" | "service" | "kind" | "field">;
  /** Failed apply calls by failure kind (unreachable, forbidden, timeout, ...). */
  readonly failures: Counter<"environment" | "cluster" | "kind">;
  /** Failed apply calls in a row per cluster and service (0 after a success). */
  readonly consecutiveFailures: Gauge<"environment" | "cluster" | "service">;
  readonly applySeconds: Histogram<"environment" | "cluster">;
  /** Objects of services removed from git still in the cluster (environments without `prune: true`, or a failed prune). */
  readonly orphanedObjects: Gauge<"environment" | "cluster">;
  /** 1 while this process holds the leader Lease. */
  readonly leader: Gauge<"lease" | "identity">;
  readonly leaderTransitions: Counter<"lease" | "identity">;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.applies = new Counter({
      name: "tollgate_cluster_applies_total",
      help: "Apply calls per cluster by result",
      labelNames: ["environment", "cluster", "result"],
      registers,
    });
    this.objectChanges = new Counter({
      name: "tollgate_cluster_object_changes_total",
      help: "Kubernetes objects created, updated or deleted by tollgate",
      labelNames: ["environment", "cluster", "kind", "action"],
      registers,
    });
    this.driftRepaired = new Counter({
      name: "tollgate_cluster_drift_repaired_total",
      help: "Fields changed outside tollgate (another field manager) and set back to the state in git",
      labelNames: ["environment", "cluster", "service", "kind", "field"],
      registers,
    });
    this.failures = new Counter({
      name: "tollgate_cluster_failures_total",
      help: "Failed apply calls by kind of failure",
      labelNames: ["environment", "cluster", "kind"],
      registers,
    });
    this.consecutiveFailures = new Gauge({
      name: "tollgate_cluster_consecutive_failures",
      help: "Failed apply calls in a row for a service in a cluster",
      labelNames: ["environment", "cluster", "service"],
      registers,
    });
    this.applySeconds = new Histogram({
      name: "tollgate_cluster_apply_seconds",
      help: "Time to apply one service to one cluster, readiness wait included",
      labelNames: ["environment", "cluster"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.orphanedObjects = new Gauge({
      name: "tollgate_cluster_orphaned_objects",
      help: "Objects tollgate created for services no longer in git, still in the cluster",
      labelNames: ["environment", "cluster"],
      registers,
    });
    this.leader = new Gauge({
      name: "tollgate_leader",
      help: "1 while this process holds the leader Lease",
      labelNames: ["lease", "identity"],
      registers,
    });
    this.leaderTransitions = new Counter({
      name: "tollgate_leader_transitions_total",
      help: "Times this process became leader",
      labelNames: ["lease", "identity"],
      registers,
    });
  }
}
