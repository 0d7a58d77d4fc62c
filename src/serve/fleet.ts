/**
 * The overview: every service in every environment at one commit, as the reconciler reads it, with
 * the owning team, filtered by environment, team, state and name.
 */
import type { InputProblem, RepositoryState } from "../model/index.ts";
import { type OverviewState, overview, type ServiceOverview } from "../reconcile/index.ts";

export const OVERVIEW_STATES: readonly OverviewState[] = [
  "rolling-out",
  "blocked",
  "frozen",
  "pending",
  "stopping",
  "superseding",
  "first-release",
  "steady",
];

export interface FleetFilter {
  environment?: string;
  team?: string;
  state?: OverviewState;
  /** Part of a service name. */
  service?: string;
}

export interface FleetRow {
  service: string;
  team?: string;
  /** By environment name; absent where the service has no release. */
  cells: Map<string, ServiceOverview>;
}

export interface Fleet {
  /** Every environment, upstream first (dev before staging before prod). */
  environments: string[];
  /** The environments shown (all, or the one filtered on). */
  shown: string[];
  teams: string[];
  /** Rows that pass the filter, by service name. */
  rows: FleetRow[];
  /** Services in the repository, and cells per state before filtering by state. */
  services: number;
  counts: Partial<Record<OverviewState, number>>;
  problems: InputProblem[];
}

export function fleet(state: RepositoryState, problems: InputProblem[], now: Date, filter: FleetFilter = {}): Fleet {
  const environments = promotionOrder(state);
  const shown = filter.environment ? environments.filter((e) => e === filter.environment) : environments;
  const owners = state.teams?.owners ?? {};
  const byService = new Map<string, FleetRow>();
  for (const cell of overview(state, now)) {
    let row = byService.get(cell.service);
    if (!row) {
      const team = owners[cell.service];
      row = { service: cell.service, ...(team ? { team } : {}), cells: new Map() };
      byService.set(cell.service, row);
    }
    row.cells.set(cell.environment, cell);
  }
  const counts: Fleet["counts"] = {};
  const needle = filter.service?.toLowerCase();
  const rows: FleetRow[] = [];
  for (const row of [...byService.values()].sort((a, b) => a.service.localeCompare(b.service))) {
    if (filter.team && row.team !== filter.team) continue;
    if (needle && !row.service.includes(needle)) continue;
    const cells = shown.flatMap((env) => row.cells.get(env) ?? []);
    if (cells.length === 0) continue;
    for (const c of cells) counts[c.state] = (counts[c.state] ?? 0) + 1;
    if (filter.state && !cells.some((c) => c.state === filter.state)) continue;
    rows.push(row);
  }
  return {
    environments,
    shown,
    teams: Object.keys(state.teams?.teams ?? {}).sort(),
    rows,
    services: byService.size,
    counts,
    problems,
  };
}

/** Environments in promotion order: each after the one it promotes from; ties by name. */
export function promotionOrder(state: RepositoryState): string[] {
  const names = [...state.environments.keys()].sort();
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const from = state.environments.get(name)?.environment.promotesFrom;
    const d = from && state.environments.has(from) && !seen.has(from) ? depthOf(from, new Set([...seen, name])) + 1 : 0;
    depth.set(name, d);
    return d;
  };
  return names.sort((a, b) => depthOf(a, new Set()) - depthOf(b, new Set()) || a.localeCompare(b));
}
