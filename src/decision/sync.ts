/**
 * Whether a step's change took effect in the environment's `gitops` clusters. A step change there is
 * only a commit: the step's clock starts once every gitops cluster serves it. What each cluster's
 * GitOps engine reports (read by the reconciler, where it has read access) comes in as facts; a
 * cluster without read access is judged from the telemetry: the canary's share of requests since the
 * step change, near the step's weight. Pure, so audit re-derives it from the evidence.
 */
import {
  DEFAULT_SYNC_TIMEOUT,
  type Environment,
  gitopsClusters,
  parseDuration,
  type Status,
  type SyncReading,
} from "../model/index.ts";
import type { PolicySync, PolicySyncCluster } from "../policy/index.ts";
import type { IntervalRecord } from "../telemetry/index.ts";
import type { Situation } from "./transitions.ts";

/** Intervals of telemetry, counted back from the decision, that show the canary's share. */
const SHARE_INTERVALS = 3;
/** Fewer requests than this in those intervals cannot tell a share. */
const SHARE_MIN_REQUESTS = 20;
/** The canary's share may differ from the step's weight by this much, relative (as the sample-ratio test). */
const SHARE_TOLERANCE = 0.25;

/** The rollout's telemetry on the record clock, as a decision read it. */
export interface SyncTelemetry {
  interval: number;
  /** When the rollout began (record `t` counts seconds from here), and the decision on that clock. */
  stageStart: string;
  now: number;
  records: readonly IntervalRecord[];
}

/**
 * The gitops clusters' sync while the step's clock waits (`status.awaitingSync`); undefined when it
 * does not wait. `readings` are the engines' statuses the reconciler read (a cluster with an engine
 * but no reading is unknown, never synced).
 */
export function syncOf(
  facts: {
    environment: Environment;
    status: Status | undefined;
    now: Date;
    sync?: readonly SyncReading[];
    decidedOn?: string | null;
  },
  situation: Situation,
  telemetry: SyncTelemetry | undefined,
): PolicySync | undefined {
  const waiting = facts.status?.awaitingSync;
  if (situation.kind !== "rolling-out" || !waiting) return undefined;
  const weight = facts.status?.weight ?? facts.environment.rollout.steps[situation.step]?.weight ?? 0;
  const clusters = gitopsClusters(facts.environment).map(({ target }): PolicySyncCluster => {
    const gitops = target.apply?.mode === "gitops" ? target.apply : undefined;
    const timeoutSeconds = Math.floor(parseDuration(gitops?.syncTimeout ?? DEFAULT_SYNC_TIMEOUT) / 1000);
    const engine = gitops?.engine;
    const reading: Omit<SyncReading, "cluster"> = engine
      ? (facts.sync?.find((r) => r.cluster === target.name && r.source === engine.kind) ?? {
          source: engine.kind,
          state: "unknown",
          detail: `the ${engine.kind === "argocd" ? "Application" : "Kustomization"} ${engine.namespace}/${engine.name} was not read`,
        })
      : telemetryReading(telemetry, waiting.since, weight);
    return {
      cluster: target.name,
      source: reading.source,
      state: reading.state,
      ...(reading.revision !== undefined ? { revision: reading.revision } : {}),
      ...(reading.source !== "telemetry" && facts.decidedOn ? { wants: facts.decidedOn } : {}),
      detail: reading.detail,
      timeoutSeconds,
    };
  });
  return {
    waitedSeconds: Math.max(0, Math.floor((facts.now.getTime() - Date.parse(waiting.since)) / 1000)),
    synced: clusters.every((c) => c.state === "synced"),
    clusters,
  };
}

/** Without read access to the engine: does the canary get about the step's weight of the requests since the step change? */
function telemetryReading(
  telemetry: SyncTelemetry | undefined,
  since: string,
  weight: number,
): Omit<SyncReading, "cluster"> {
  if (!telemetry) return { source: "telemetry", state: "unknown", detail: "no telemetry was read" };
  const changed = (Date.parse(since) - Date.parse(telemetry.stageStart)) / 1000;
  const from = Math.max(changed, telemetry.now - SHARE_INTERVALS * telemetry.interval);
  let canary = 0;
  let baseline = 0;
  for (const r of telemetry.records) {
    if (r.t <= from || r.t > telemetry.now) continue;
    if (r.arm === "canary") canary += r.requests ?? 0;
    else baseline += r.requests ?? 0;
  }
  const total = canary + baseline;
  if (total < SHARE_MIN_REQUESTS)
    return {
      source: "telemetry",
      state: "waiting",
      detail: `${Math.round(total)} request(s) since the step change are too few to show the canary's share`,
    };
  const share = canary / total;
  const expected = weight / 100;
  const seen = `the canary receives ${percent(share)} of requests, expected ${weight}%`;
  return Math.abs(share - expected) <= SHARE_TOLERANCE * expected
    ? { source: "telemetry", state: "synced", detail: seen }
    : { source: "telemetry", state: "waiting", detail: `${seen}: the step is not served yet` };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** The engines' readings a decision's sync view holds (what the reconciler read; audit takes them as facts). */
export function engineReadings(sync: PolicySync | undefined): SyncReading[] {
  return (sync?.clusters ?? [])
    .filter((c) => c.source !== "telemetry")
    .map((c) => ({
      cluster: c.cluster,
      source: c.source,
      state: c.state,
      ...(c.revision !== undefined ? { revision: c.revision } : {}),
      detail: c.detail,
    }));
}
