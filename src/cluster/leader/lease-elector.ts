/**
 * Leader election through a coordination.k8s.io/v1 Lease, so that of several reconciler replicas
 * exactly one acts at a time.
 *
 * The holder renews the Lease every `retryPeriodMs`; the others watch it. A Lease held by someone else
 * counts as taken until `leaseDurationSeconds` have passed on *this* process's clock since this
 * process last saw the record change (so clocks of different machines need not agree). Every write
 * carries the resourceVersion that was read, so of two candidates racing for an expired Lease the
 * API server lets exactly one win (the other gets 409). A leader that cannot renew for
 * `renewDeadlineMs` steps down before anyone else may take over.
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import { type Logger, pino } from "pino";
import { sleep } from "../../async/index.ts";
import { UserError } from "../../model/index.ts";
import { apiConfiguration } from "../kubernetes/connection.ts";
import { httpStatusOf } from "../kubernetes/errors.ts";
import type { ClusterMetrics } from "../metrics.ts";

export interface LeaseElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Unique per replica, e.g. the pod name. */
  identity: string;
  leaseDurationSeconds?: number;
  /** A leader that has not renewed for this long stops acting (must be below the lease duration). */
  renewDeadlineMs?: number;
  /** Time between tries to acquire or renew. */
  retryPeriodMs?: number;
  /** Deadline of each request to the API server. */
  requestTimeoutMs?: number;
  /** Milliseconds clock; replaceable in tests. */
  now?: () => number;
  logger?: Logger;
  metrics?: ClusterMetrics;
}

export interface LeadershipCallbacks {
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
}

interface Observed {
  holder: string;
  renewTime: string;
  resourceVersion: string;
  /** Local clock when this record was first seen. */
  at: number;
}

export class LeaseElector {
  private readonly api: CoordinationV1Api;
  private readonly now: () => number;
  private readonly durationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;
  private observed: Observed | undefined;
  private leading = false;
  private lastRenew = 0;

  constructor(private readonly options: LeaseElectorOptions) {
    this.api = new CoordinationV1Api(apiConfiguration(options.kubeConfig, options.requestTimeoutMs ?? 5_000));
    this.now = options.now ?? Date.now;
    this.durationSeconds = options.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.logger = (options.logger ?? pino({ name: "tollgate-leader" }, pino.destination(2))).child({
      lease: `${options.namespace}/${options.name}`,
      identity: options.identity,
    });
    if (this.renewDeadlineMs >= this.durationSeconds * 1000) {
      throw new Error("renewDeadlineMs must be shorter than the lease duration, or two replicas could act at once");
    }
  }

  get identity(): string {
    return this.options.identity;
  }

  /** Whether this replica may act now. */
  isLeader(): boolean {
    if (this.leading && this.now() - this.lastRenew >= this.renewDeadlineMs)
      this.setLeading(false, "renew deadline passed");
    return this.leading;
  }

  private setLeading(leading: boolean, why: string): void {
    if (leading === this.leading) return;
    this.leading = leading;
    const labels = { lease: `${this.options.namespace}/${this.options.name}`, identity: this.options.identity };
    this.options.metrics?.leader.set(labels, leading ? 1 : 0);
    if (leading) this.options.metrics?.leaderTransitions.inc(labels);
    this.logger.info(
      { event: leading ? "leader-elected" : "leader-lost", why },
      leading ? "became leader" : `stopped leading: ${why}`,
    );
  }

  private micro(ms: number): V1MicroTime {
    return new V1MicroTime(ms);
  }

  /** One round: create, renew or take over the Lease if this replica may. Returns whether it leads. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const now = this.now();
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
      return this.create(now);
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const record = {
      holder,
      renewTime: String(spec.renewTime ?? ""),
      resourceVersion: lease.metadata?.resourceVersion ?? "",
    };
    if (!this.observed || this.observed.resourceVersion !== record.resourceVersion)
      this.observed = { ...record, at: now };

    const duration = (spec.leaseDurationSeconds ?? this.durationSeconds) * 1000;
    if (holder !== "" && holder !== identity && this.observed.at + duration > now) {
      this.setLeading(false, `held by ${holder}`);
      return false;
    }
    const renewing = holder === identity;
    const body: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace, resourceVersion: record.resourceVersion },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: this.durationSeconds,
        acquireTime: renewing && spec.acquireTime ? spec.acquireTime : this.micro(now),
        renewTime: this.micro(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (renewing ? 0 : 1),
      },
    };
    try {
      const updated = await this.api.replaceNamespacedLease({ name, namespace, body });
      this.observed = {
        holder: identity,
        renewTime: String(updated.spec?.renewTime ?? ""),
        resourceVersion: updated.metadata?.resourceVersion ?? "",
        at: now,
      };
      this.lastRenew = now;
      this.setLeading(true, renewing ? "renewed" : `took over from ${holder || "nobody"}`);
      return true;
    } catch (error) {
      if (httpStatusOf(error) !== 409) throw error;
      this.setLeading(false, "another replica updated the Lease first");
      return false;
    }
  }

  private async create(now: number): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    try {
      const created = await this.api.createNamespacedLease({
        namespace,
        body: {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: this.durationSeconds,
            acquireTime: this.micro(now),
            renewTime: this.micro(now),
            leaseTransitions: 0,
          },
        },
      });
      this.observed = {
        holder: identity,
        renewTime: String(created.spec?.renewTime ?? ""),
        resourceVersion: created.metadata?.resourceVersion ?? "",
        at: now,
      };
      this.lastRenew = now;
      this.setLeading(true, "created the Lease");
      return true;
    } catch (error) {
      if (httpStatusOf(error) !== 409) throw error;
      this.setLeading(false, "another replica created the Lease first");
      return false;
    }
  }

  /** Gives the Lease up (on shutdown) so another replica can take over without waiting for it to expire. */
  async release(): Promise<void> {
    if (!this.leading) return;
    const { namespace, name } = this.options;
    const now = this.now();
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity === this.options.identity) {
        await this.api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion ?? "" },
            spec: {
              ...lease.spec,
              holderIdentity: "",
              leaseDurationSeconds: 1,
              renewTime: this.micro(now),
              acquireTime: this.micro(now),
            },
          },
        });
      }
    } finally {
      this.setLeading(false, "released");
    }
  }

  /** Campaigns and renews until `signal` aborts, then releases the Lease. */
  async run(signal: AbortSignal, callbacks: LeadershipCallbacks = {}): Promise<void> {
    while (!signal.aborted) {
      const was = this.leading;
      try {
        await this.tryAcquireOrRenew();
      } catch (error) {
        this.logger.warn({ event: "leader-election-error", err: error }, "could not read or update the Lease");
      }
      const is = this.isLeader();
      if (!was && is) callbacks.onStartedLeading?.();
      if (was && !is) callbacks.onStoppedLeading?.();
      await sleep(this.retryPeriodMs, signal);
    }
    const was = this.leading;
    await this.release().catch((error: unknown) => this.logger.warn({ err: error }, "could not release the Lease"));
    if (was) callbacks.onStoppedLeading?.();
  }
}

/** Leader-election settings from the environment variables set in deploy/deployment.yaml; undefined when off. */
export function leaseSettingsFromEnv(
  env: Record<string, string | undefined>,
): { name: string; namespace: string; identity: string } | undefined {
  if (env["TOLLGATE_LEADER_ELECTION"] !== "true") return undefined;
  const name = env["TOLLGATE_LEASE_NAME"] ?? "tollgate-reconciler";
  const namespace = env["TOLLGATE_LEASE_NAMESPACE"];
  const identity = env["TOLLGATE_IDENTITY"] ?? env["HOSTNAME"];
  if (!namespace || !identity) {
    throw new UserError(
      "leader election (TOLLGATE_LEADER_ELECTION=true) needs TOLLGATE_LEASE_NAMESPACE and TOLLGATE_IDENTITY (or HOSTNAME)",
    );
  }
  return { name, namespace, identity };
}
