/**
 * The `rendered` check: what a `gitops` cluster is told is in git, under clusters/, and only tollgate
 * writes it. A decision commit's rendered files are exactly what rendering its service's release and
 * status at that commit gives, each folder's kustomization lists the folder's service files, and no
 * other file under clusters/ changes; any other commit changing a file under clusters/ is a hand edit.
 */
import { expectedKustomization, kustomizationPath, renderService } from "../cluster/index.ts";
import { changedFiles, type PathChange, type HistoryEntry } from "../gitops/index.ts";
import { CLUSTERS_DIR, directClusters, gitopsClusters } from "../model/index.ts";
import { firstDifferentLine } from "./compare.ts";
import type { AuditFilter } from "./types.ts";
import type { AuditContext } from "./verify-decision.ts";

export function isRenderedPath(path: string): boolean {
  return path.startsWith(`${CLUSTERS_DIR}/`);
}

/** The problems of a decision's rendered files; null when its environment has no `gitops` cluster and it touched none. */
export async function decisionRenderedProblems(
  ctx: AuditContext,
  entry: HistoryEntry,
  environment: string,
  service: string,
): Promise<string[] | null> {
  const parent = entry.parents[0];
  const touched = parent ? (await changedFiles(ctx.repo, parent, entry.oid)).filter((c) => isRenderedPath(c.path)) : [];
  const envState = (await ctx.states.at(entry.oid)).state.environments.get(environment);
  const release = envState?.releases.get(service);
  const rendered =
    envState && release ? renderService(envState.environment, release, envState.statuses.get(service)) : [];
  if (rendered.length === 0 && touched.length === 0) return null;

  const problems: string[] = [];
  const tree = ctx.repo.treeAt(entry.oid);
  const expected = new Map<string, string>();
  for (const r of rendered) {
    expected.set(r.path, r.text);
    expected.set(kustomizationPath(r.folder), await expectedKustomization(tree, environment, r.cluster, r.folder));
  }
  // A decision also brings its environment's folders in line: other services' files rendered as at
  // this commit, files of services removed from a `prune: true` environment deleted, and what is
  // left in the default folder of a cluster switched back to direct deleted.
  const prunable = new Set<string>();
  const state = envState ? (await ctx.states.at(entry.oid)).state : undefined;
  const taken = new Set(
    [...(state?.environments.values() ?? [])].flatMap((e) => gitopsClusters(e.environment).map((c) => c.folder)),
  );
  for (const change of touched) {
    if (!envState || expected.has(change.path)) continue;
    const env = envState.environment;
    if (change.kind === "deleted") {
      const leftover = directClusters(env).some(
        (c) => change.path.startsWith(`${CLUSTERS_DIR}/${c.name}/`) && !taken.has(`${CLUSTERS_DIR}/${c.name}`),
      );
      if (leftover) {
        prunable.add(change.path);
        continue;
      }
    }
    const folder = gitopsClusters(env).find((c) => change.path.startsWith(`${c.folder}/`));
    const service = folder && /^[^/]+\/([^/]+)\.yaml$/.exec(change.path.slice(folder.folder.length + 1))?.[1];
    if (!folder || !service) continue;
    const other = envState.releases.get(service);
    if (change.kind === "deleted") {
      if (env.prune !== true || other || envState.statuses.has(service)) continue;
      prunable.add(change.path);
    } else if (other) {
      try {
        const again = renderService(env, other, envState.statuses.get(service)).find((r) => r.path === change.path);
        if (again) expected.set(change.path, again.text);
      } catch {
        continue; // it does not render: the file is not a decision's
      }
    }
    expected.set(
      kustomizationPath(folder.folder),
      await expectedKustomization(tree, environment, folder.target.name, folder.folder),
    );
  }
  for (const [path, text] of expected) {
    const actual = (await tree.exists(path)) ? await tree.read(path) : undefined;
    if (actual === undefined)
      problems.push(`${path} is missing: the decision writes what ${environment}/${service} renders to`);
    else if (actual !== text)
      problems.push(
        `${path} is not what rendering ${environment}/${service} at this commit gives: ${firstDifferentLine(text, actual)}`,
      );
  }
  for (const change of touched) {
    if (!expected.has(change.path) && !prunable.has(change.path))
      problems.push(
        `${change.path} was ${change.kind}, which a decision about ${environment}/${service} does not render`,
      );
  }
  return problems;
}

/** A commit that is not a decision and changes files under clusters/: one problem per file. */
export function handEditProblems(changes: readonly PathChange[]): string[] {
  return changes
    .filter((c) => isRenderedPath(c.path))
    .map(
      (c) =>
        `${c.path} was ${c.kind} by hand: cluster folders hold what tollgate rendered for the clusters' GitOps engines, written by decisions only`,
    );
}

/**
 * The changes under clusters/ an audit restricted by `--env` / `--service` covers: files in the
 * gitops folders of that environment (as the commit or its parent configures them), and of those
 * only `<namespace>/<service>.yaml` of that service. Unrestricted, every change under clusters/.
 */
export async function coveredRenderedChanges(
  ctx: AuditContext,
  commits: readonly string[],
  changes: readonly PathChange[],
  filter: Pick<AuditFilter, "environment" | "service">,
): Promise<PathChange[]> {
  const rendered = changes.filter((c) => isRenderedPath(c.path));
  if ((!filter.environment && !filter.service) || rendered.length === 0) return rendered;
  const folders = new Map<string, Set<string>>();
  for (const commit of commits) {
    for (const [name, envState] of (await ctx.states.at(commit)).state.environments) {
      for (const { folder } of gitopsClusters(envState.environment)) {
        folders.set(folder, (folders.get(folder) ?? new Set()).add(name));
      }
    }
  }
  return rendered.filter((change) => {
    for (const [folder, environments] of folders) {
      if (!change.path.startsWith(`${folder}/`)) continue;
      if (filter.environment && !environments.has(filter.environment)) continue;
      if (!filter.service) return true;
      return /^[^/]+\/([^/]+)\.yaml$/.exec(change.path.slice(folder.length + 1))?.[1] === filter.service;
    }
    return false;
  });
}
