/**
 * Whether a `gitops` cluster serves what a decision committed, from its GitOps engine's object: an
 * Argo CD Application (`status.sync.revision`, `status.health.status`) or a Flux Kustomization
 * (`status.lastAppliedRevision` as `<branch>@sha1:<commit>`, its Ready condition). The revision must
 * carry the step's rendered files (the reconciler's `serves` check); anything missing, unreadable or
 * not yet reconciled is waiting or unknown, never synced.
 */
import type { ClusterTarget, Environment, SyncEngine, SyncReading } from "../../model/index.ts";
import { gitopsApply } from "../../model/index.ts";

/** Reads an engine's object from its cluster: null when it does not exist; throws when it cannot be read. */
export interface EngineStatusSource {
  get(engine: SyncEngine, target: ClusterTarget): Promise<EngineObject | null>;
}

export type EngineObject = { metadata?: { generation?: number }; status?: unknown };

/** Whether a revision the engine applied carries the step's rendered files: true, or why not. */
export type ServesCheck = (revision: string, target: ClusterTarget) => Promise<true | string>;

export const ENGINE_API = {
  argocd: { apiVersion: "argoproj.io/v1alpha1", kind: "Application" },
  flux: { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" },
} as const;

/** The readings of every `gitops` cluster of the environment that names an engine. */
export async function readEngines(
  environment: Environment,
  source: EngineStatusSource,
  serves: ServesCheck,
): Promise<SyncReading[]> {
  const out: SyncReading[] = [];
  for (const target of environment.clusters) {
    const engine = gitopsApply(target)?.engine;
    if (!engine) continue;
    let reading: Omit<SyncReading, "cluster">;
    try {
      const object = await source.get(engine, target);
      reading = object
        ? await judgeEngineObject(engine, target, object, serves)
        : { source: engine.kind, state: "unknown", detail: `${describeEngine(engine)} does not exist` };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      reading = {
        source: engine.kind,
        state: "unknown",
        detail: `${describeEngine(engine)} could not be read: ${message}`,
      };
    }
    out.push({ cluster: target.name, ...reading });
  }
  return out;
}

export function describeEngine(engine: SyncEngine): string {
  return `${ENGINE_API[engine.kind].kind} ${engine.namespace}/${engine.name}`;
}

/** What one engine object says: synced only at a revision with the step's files, healthy / ready. */
export async function judgeEngineObject(
  engine: SyncEngine,
  target: ClusterTarget,
  object: EngineObject,
  serves: ServesCheck,
): Promise<Omit<SyncReading, "cluster">> {
  const name = describeEngine(engine);
  const seen = engine.kind === "argocd" ? argoStatus(object) : fluxStatus(object);
  const waiting = (detail: string, revision?: string): Omit<SyncReading, "cluster"> => ({
    source: engine.kind,
    state: "waiting",
    ...(revision ? { revision } : {}),
    detail: `${name} ${detail}`,
  });
  if (seen.stale) return waiting(seen.stale);
  if (!seen.revision) return waiting("reports no applied revision yet");
  const at = seen.revision.slice(0, 7);
  const carries = /^[0-9a-f]{40}$/.test(seen.revision) ? await serves(seen.revision, target) : "it is not a commit id";
  if (carries !== true) return waiting(`is at ${at}, which is not the step's: ${carries}`, seen.revision);
  if (!seen.healthy) return waiting(`applied ${at} but ${seen.unhealthy}`, seen.revision);
  return { source: engine.kind, state: "synced", revision: seen.revision, detail: `${name} applied ${at}, ${seen.ok}` };
}

interface EngineView {
  revision?: string;
  healthy: boolean;
  ok: string;
  unhealthy: string;
  /** Why the status does not describe the object's current spec. */
  stale?: string;
}

function argoStatus(object: EngineObject): EngineView {
  const status = record(object.status);
  const sync = record(status["sync"]);
  const revisions = Array.isArray(sync["revisions"]) ? sync["revisions"] : [];
  const revision = text(sync["revision"]) ?? text(revisions[0]);
  const health = text(record(status["health"])["status"]) ?? "unknown";
  return {
    ...(revision ? { revision } : {}),
    healthy: health === "Healthy",
    ok: "health Healthy",
    unhealthy: `its health is ${health}`,
  };
}

function fluxStatus(object: EngineObject): EngineView {
  const status = record(object.status);
  const applied = text(status["lastAppliedRevision"]);
  const ready = (Array.isArray(status["conditions"]) ? status["conditions"] : [])
    .map(record)
    .find((c) => c["type"] === "Ready");
  const generation = object.metadata?.generation;
  const observed = status["observedGeneration"];
  const stale =
    typeof generation === "number" && typeof observed === "number" && observed < generation
      ? `has not reconciled its latest spec (generation ${generation}, observed ${observed})`
      : undefined;
  const revision = applied ? fluxCommit(applied) : undefined;
  const readyStatus = text(ready?.["status"]) ?? "Unknown";
  return {
    ...(revision ? { revision } : {}),
    healthy: readyStatus === "True",
    ok: "Ready",
    unhealthy: `it is not Ready (${readyStatus}${text(ready?.["reason"]) ? `, ${text(ready?.["reason"])}` : ""})`,
    ...(stale ? { stale } : {}),
  };
}

/** `main@sha1:<commit>` (Flux v2), `main/<commit>` (earlier Flux) or a bare commit id. */
function fluxCommit(revision: string): string {
  const sha = /(?:sha1:|\/)([0-9a-f]{40})$/.exec(revision);
  return sha ? sha[1]! : revision;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
