/**
 * The reconciler's side of "knowing the change took effect": while a step's clock waits for the
 * `gitops` clusters (`status.awaitingSync`), read the GitOps engines it has access to. A revision an
 * engine applied serves the step when it is a commit of this repository at which the service waits
 * for the same step (the same `awaitingSync.since`, so the step's commit or a later one) and whose
 * rendered file for that cluster is byte for byte the one at the head.
 */
import { type EngineStatusSource, readEngines, type ServesCheck } from "../cluster/index.ts";
import type { GitRepo } from "../gitops/index.ts";
import {
  type ClusterTarget,
  clusterFolder,
  type Environment,
  parseStatus,
  renderedFile,
  type Status,
  type SyncReading,
  statusFile,
  type TreeReader,
} from "../model/index.ts";

export interface SyncContext {
  repo: GitRepo;
  /** The head the decision is made on, and its tree. */
  head: string;
  tree: TreeReader;
  environment: Environment;
  service: string;
  status: Status;
  engines: EngineStatusSource;
}

/** The engines' readings, or none when the step's clock does not wait (or no cluster names an engine). */
export async function readSyncStatus(ctx: SyncContext): Promise<SyncReading[]> {
  if (!ctx.status.awaitingSync) return [];
  return readEngines(ctx.environment, ctx.engines, servesCheck(ctx));
}

function servesCheck(ctx: SyncContext): ServesCheck {
  const since = ctx.status.awaitingSync!.since;
  const statusPath = statusFile(ctx.environment.name, ctx.service);
  return async (revision: string, target: ClusterTarget) => {
    const path = renderedFile(clusterFolder(target)!, target.namespace, ctx.service);
    const at = ctx.repo.treeAt(revision, revision.slice(0, 12));
    let status: Status;
    let rendered: string;
    try {
      status = parseStatus(await at.read(statusPath), at.display(statusPath));
      rendered = await at.read(path);
    } catch {
      return `${revision.slice(0, 7)} is not a commit of this repository that renders ${ctx.service} (fetched up to ${ctx.head.slice(0, 7)})`;
    }
    if (status.awaitingSync?.since !== since)
      return `${ctx.service} there is not at the step committed at ${since} (an earlier commit)`;
    if (rendered !== (await ctx.tree.read(path))) return `its ${path} differs from the step's`;
    return true;
  };
}
