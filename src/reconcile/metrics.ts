import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TickResult } from "./reconciler.ts";

/** The reconciler's own Prometheus metrics (served on /metrics with the cluster layer's). */
export class ReconcilerMetrics {
  readonly registry: Registry;
  readonly decisions: Counter<"environment" | "action">;
  readonly tickSeconds: Histogram;
  readonly telemetryProblems: Counter<"environment" | "cause">;
  readonly pushRetries: Counter;
  readonly conflicts: Counter;
  readonly errors: Counter<"stage">;
  readonly invalidFiles: Gauge;
  readonly lastTick: Gauge;
  /** Since when (ms since the epoch) every tick has had a policy failure; undefined when the last had none. */
  policyFailingSince: number | undefined;
  /** Why the last tick found nothing it could reconcile; cleared by a tick that ran. */
  nothingToReconcile: string | undefined;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.decisions = new Counter({
      name: "tollgate_decisions_total",
      help: "Decisions committed, by environment and action",
      labelNames: ["environment", "action"],
      registers,
    });
    this.tickSeconds = new Histogram({
      name: "tollgate_reconcile_duration_seconds",
      help: "Duration of one reconcile tick",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.telemetryProblems = new Counter({
      name: "tollgate_telemetry_problems_total",
      help: "Telemetry signals found missing or insufficient, by cause",
      labelNames: ["environment", "cause"],
      registers,
    });
    this.pushRetries = new Counter({
      name: "tollgate_push_retries_total",
      help: "Extra commit attempts because the remote moved",
      registers,
    });
    this.conflicts = new Counter({
      name: "tollgate_push_conflicts_total",
      help: "Ticks whose decisions could not be published because the remote kept moving",
      registers,
    });
    this.errors = new Counter({
      name: "tollgate_reconcile_errors_total",
      help: "Services that could not be decided or applied",
      labelNames: ["stage"],
      registers,
    });
    this.invalidFiles = new Gauge({
      name: "tollgate_invalid_files",
      help: "Invalid files at the head of the GitOps branch",
      registers,
    });
    this.lastTick = new Gauge({
      name: "tollgate_last_tick_timestamp_seconds",
      help: "When the last tick finished",
      registers,
    });
  }

  record(result: TickResult): void {
    for (const d of result.decisions)
      this.decisions.inc({ environment: d.change.environment, action: d.change.action });
    for (const d of result.decisions) {
      const telemetry = (d.change.evidence as { telemetry?: { problems?: { cause: string }[] } }).telemetry;
      for (const p of telemetry?.problems ?? [])
        this.telemetryProblems.inc({ environment: d.change.environment, cause: p.cause });
    }
    this.tickSeconds.observe(result.durationMs / 1000);
    if (result.attempts > 1) this.pushRetries.inc(result.attempts - 1);
    if (result.conflict) this.conflicts.inc();
    for (const e of result.errors) this.errors.inc({ stage: e.stage ?? "service" });
    const policyFailed = result.errors.some((e) => e.stage === "policy");
    if (!policyFailed) this.policyFailingSince = undefined;
    else this.policyFailingSince ??= Date.now();
    this.invalidFiles.set(result.problems.length);
    this.lastTick.set(Date.now() / 1000);
    this.nothingToReconcile = undefined;
  }
}
