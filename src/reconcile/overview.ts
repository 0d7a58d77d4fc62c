/**
 * Where every service stands, read from the desired state at one commit: what serves, what is being
 * rolled out and how far, what waits and why, and the last decision. What `tollgate status` prints;
 * pure over the loaded state, so it says exactly what the reconciler would start from.
 */

import { situationOf } from "../decision/index.ts";
import {
  type DecisionAction,
  type Digest,
  type Environment,
  formatAge,
  type Release,
  type RepositoryState,
  type Status,
  shortDigest,
} from "../model/index.ts";
import { table as textTable } from "../text/index.ts";

export type OverviewState =
  | "steady"
  | "rolling-out"
  | "pending"
  | "stopping"
  | "superseding"
  | "first-release"
  | "frozen"
  | "blocked";

export interface ServiceOverview {
  environment: string;
  service: string;
  state: OverviewState;
  /** The digest serving stable traffic (null: nothing yet). */
  live: Digest | null;
  /** The digest the release file asks for. */
  desired: Digest;
  /** While rolling out: the canary, its step (1-based) of how many, its weight and how long it has run. */
  rollout?: {
    canary: Digest;
    step: number;
    steps: number;
    weight: number;
    stepSeconds: number;
    rolloutSeconds: number;
  };
  frozenUntil?: string;
  lastDecision?: { action: DecisionAction; at: string; ageSeconds: number; rule?: string; message?: string };
  /** One line for people. */
  summary: string;
}

export interface OverviewFilter {
  environment?: string;
  service?: string;
}

export function overview(state: RepositoryState, now: Date, filter: OverviewFilter = {}): ServiceOverview[] {
  const rows: ServiceOverview[] = [];
  for (const [name, env] of [...state.environments].sort(([a], [b]) => a.localeCompare(b))) {
    if (filter.environment && name !== filter.environment) continue;
    for (const [service, release] of [...env.releases].sort(([a], [b]) => a.localeCompare(b))) {
      if (filter.service && service !== filter.service) continue;
      rows.push(serviceOverview(env.environment, release, env.statuses.get(service), now));
    }
  }
  return rows;
}

function serviceOverview(
  environment: Environment,
  release: Release,
  status: Status | undefined,
  now: Date,
): ServiceOverview {
  const situation = situationOf(release, status);
  const seconds = (iso: string | undefined) =>
    iso ? Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000)) : 0;
  const frozenUntil =
    status?.frozenUntil && Date.parse(status.frozenUntil) > now.getTime() ? status.frozenUntil : undefined;
  const last = status?.lastDecision;
  const row: ServiceOverview = {
    environment: environment.name,
    service: release.service,
    state: "steady",
    live: status?.liveDigest ?? null,
    desired: release.artifact.digest,
    ...(frozenUntil ? { frozenUntil } : {}),
    ...(last
      ? {
          lastDecision: {
            action: last.action,
            at: last.at,
            ageSeconds: seconds(last.at),
            ...(last.reasons[0] ? { rule: last.reasons[0].rule, message: last.reasons[0].message } : {}),
          },
        }
      : {}),
    summary: "",
  };
  const desired = shortDigest(release.artifact.digest);
  switch (situation.kind) {
    case "steady": {
      row.summary = `${desired} serves all traffic`;
      const rejected = status?.rejected?.at(-1);
      if (status?.phase === "rolled-back" && rejected) {
        row.state = frozenUntil ? "frozen" : "steady";
        row.summary += ` after ${shortDigest(rejected.digest)} was rolled back at ${rejected.at}${frozenUntil ? `; frozen until ${frozenUntil}` : ""}`;
      }
      break;
    }
    case "first-release":
      row.state = "first-release";
      row.summary = `first release ${desired}: deployed directly at the next reconcile, as there is no baseline`;
      break;
    case "rolling-out": {
      const steps = environment.rollout.steps.length;
      const rollout = {
        canary: situation.digest,
        step: situation.step + 1,
        steps,
        weight: status?.weight ?? 0,
        stepSeconds: seconds(status?.stepStartedAt),
        rolloutSeconds: seconds(status?.rolloutStartedAt),
      };
      row.state = "rolling-out";
      row.rollout = rollout;
      row.summary = `rolling out ${desired}: step ${rollout.step} of ${steps} at ${rollout.weight}% of traffic for ${formatAge(rollout.stepSeconds * 1000)}`;
      if (status?.phase === "progressing" && last?.action === "hold")
        row.summary += `; holding: ${last.reasons[0]?.message ?? "no reason recorded"}`;
      if (status?.phase === "progressing" && last?.action === "block")
        row.summary += `; blocked: ${last.reasons[0]?.message ?? "no reason recorded"}`;
      break;
    }
    case "pending":
      if (situation.reverts) {
        row.state = "stopping";
        row.summary = `set back to the live ${desired}: the rollout of ${shortDigest(situation.supersedes)} is withdrawn at the next reconcile`;
      } else if (situation.supersedes) {
        row.state = "superseding";
        row.summary = `${desired} replaces the rollout of ${shortDigest(situation.supersedes)} at the next reconcile`;
      } else if (frozenUntil) {
        row.state = "frozen";
        row.summary = `${desired} waits: frozen after a rollback until ${frozenUntil}`;
      } else if (status?.phase === "blocked" && last) {
        row.state = "blocked";
        row.summary = `${desired} is blocked: ${last.reasons[0]?.message ?? "no reason recorded"}`;
      } else {
        row.state = "pending";
        row.summary = `${desired} waits to be rolled out${last?.action === "hold" && last.reasons[0] ? ` (last hold: ${last.reasons[0].message})` : ""}`;
      }
      break;
  }
  return row;
}

/** The overview as a text table, one service per line, then each summary. */
export function formatOverview(rows: readonly ServiceOverview[]): string[] {
  if (rows.length === 0) return ["no services"];
  const table = rows.map((r) => [
    `${r.environment}/${r.service}`,
    r.state,
    r.live ? shortDigest(r.live) : "-",
    r.rollout ? shortDigest(r.rollout.canary) : r.desired !== r.live ? shortDigest(r.desired) : "-",
    r.rollout ? `${r.rollout.step}/${r.rollout.steps} ${r.rollout.weight}%` : "-",
    r.lastDecision ? `${r.lastDecision.action} ${age(r.lastDecision.ageSeconds)}` : "-",
  ]);
  const header = ["SERVICE", "STATE", "LIVE", "TARGET", "STEP", "LAST DECISION"];
  return [...textTable(header, table), "", ...rows.map((r) => `${r.environment}/${r.service}: ${r.summary}`)];
}

function age(seconds: number): string {
  return seconds < 1 ? "just now" : `${formatAge(seconds * 1000)} ago`;
}
