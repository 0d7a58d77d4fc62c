import type { GitRepository } from "./repository.ts";

export interface PathChange {
  path: string;
  kind: "added" | "modified" | "deleted";
  /** Blob ids before and after (undefined where the file does not exist). */
  before?: string;
  after?: string;
}

/**
 * Files that differ between two commits (`from` null: the empty tree), optionally only under
 * `under` (a folder path). Subtrees with the same id are skipped, so the cost follows the change.
 */
export async function changedFiles(
  repo: GitRepository,
  from: string | null,
  to: string,
  under = "",
): Promise<PathChange[]> {
  const rootOf = async (commit: string | null) => (commit ? (await repo.store.readCommit(commit)).tree : undefined);
  const start = async (root: string | undefined) =>
    root && under ? (await repo.store.entryAt(root, under))?.oid : root;
  const changes: PathChange[] = [];
  await diffTrees(
    repo,
    await start(await rootOf(from)),
    await start(await rootOf(to)),
    under ? `${under}/` : "",
    changes,
  );
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function diffTrees(
  repo: GitRepository,
  a: string | undefined,
  b: string | undefined,
  prefix: string,
  out: PathChange[],
): Promise<void> {
  if (a === b) return;
  const before = new Map((a ? await repo.store.readTree(a) : []).map((e) => [e.path, e]));
  const after = new Map((b ? await repo.store.readTree(b) : []).map((e) => [e.path, e]));
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const x = before.get(name);
    const y = after.get(name);
    if (x?.oid === y?.oid && x?.type === y?.type) continue;
    const path = `${prefix}${name}`;
    const xTree = x?.type === "tree" ? x.oid : undefined;
    const yTree = y?.type === "tree" ? y.oid : undefined;
    if (xTree || yTree) await diffTrees(repo, xTree, yTree, `${path}/`, out);
    const xBlob = x && x.type !== "tree" ? x.oid : undefined;
    const yBlob = y && y.type !== "tree" ? y.oid : undefined;
    if (xBlob && yBlob) out.push({ path, kind: "modified", before: xBlob, after: yBlob });
    else if (xBlob) out.push({ path, kind: "deleted", before: xBlob });
    else if (yBlob) out.push({ path, kind: "added", after: yBlob });
  }
}
