/**
 * The two halves of a decision transaction that touch git: the state at the head (synced with the
 * remote first) and "commit these decisions on that head with compare-and-swap". The reconciler owns
 * the transaction around them: it decides on the head, and when the head moved (`isConflict`) it
 * reads the head again and decides again.
 */
import { pushWithLease, RefConflictError, RefLockedError, RemoteMovedError, sendPackWithLease } from "../git/index.ts";
import { type DecisionChange, keyOf, type WrittenDecision, writeDecisionCommit } from "./decision-commit.ts";
import type { GitTree } from "./git-tree.ts";
import { findDecisionsByKey } from "./history.ts";
import type { GitRepo } from "./repo.ts";
import { type SyncResult, syncWithRemote } from "./sync.ts";

/** The head of the branch decisions are made on, synced with the remote. */
export interface BranchHead {
  /** Null when the branch has no commit yet. */
  commit: string | null;
  /** The tree at `commit` (files named `<branch>@<short>:<path>`); null without a commit. */
  tree: GitTree | null;
  /** What syncing with the remote did before reading the head. */
  sync: SyncResult;
}

export interface SkippedDecision {
  idempotencyKey: string;
  /** The commit that already records this decision. */
  existing: string;
}

export type CommitResult =
  | {
      kind: "committed";
      /** The new head, published to the remote when there is one. */
      head: string;
      decisions: WrittenDecision[];
      /** Decisions the history already had (not committed again). */
      skipped: SkippedDecision[];
    }
  | { kind: "unchanged"; head: string | null; skipped: SkippedDecision[] };

/**
 * Syncs the local branch with the remote (see syncWithRemote), finishes an interrupted checkout
 * move, and names the head and its tree.
 */
export async function readHead(repo: GitRepo): Promise<BranchHead> {
  const sync = await syncWithRemote(repo);
  await repo.repairCheckout();
  const commit = sync.head;
  const tree = commit ? repo.treeAt(commit, `${repo.branch}@${commit.slice(0, 12)}`) : null;
  return { commit, tree, sync };
}

/** The head moved between reading it and publishing on it (the remote, or another local writer). */
export function isConflict(error: unknown): error is RemoteMovedError | RefConflictError | RefLockedError {
  return error instanceof RemoteMovedError || error instanceof RefConflictError || error instanceof RefLockedError;
}

/**
 * Commits `changes` as a chain on `head`, leaving out decisions whose idempotency key the history
 * already has; moves the local branch with compare-and-swap from `head`, and pushes with a lease on
 * `head`. Throws an error for which `isConflict` holds when anything moved meanwhile: nothing is
 * published then (a commit moved locally but not pushed is repaired by the next readHead).
 */
export async function commitDecisions(
  repo: GitRepo,
  head: string | null,
  changes: readonly DecisionChange[],
  attempt = 1,
): Promise<CommitResult> {
  const keys = changes.map(keyOf);
  const duplicateInBatch = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicateInBatch) throw new Error(`two decisions have the idempotency key ${duplicateInBatch}`);
  const existing = await findDecisionsByKey(repo, head, keys);
  const skipped: SkippedDecision[] = [];
  const fresh: DecisionChange[] = [];
  for (const change of changes) {
    const found = existing.get(keyOf(change));
    if (found) skipped.push({ idempotencyKey: keyOf(change), existing: found });
    else fresh.push(change);
  }
  if (fresh.length === 0) return { kind: "unchanged", head, skipped };

  // The whole chain goes into one batch, stored (as one pack when large) before the branch moves.
  const written: WrittenDecision[] = [];
  let tip = head;
  const batch = repo.store.batch();
  let pack: Buffer | undefined;
  try {
    for (const change of fresh) {
      const decision = await writeDecisionCommit(repo, tip, change, batch);
      written.push(decision);
      tip = decision.commit;
    }
    pack = await batch.flush();
  } finally {
    batch.discard();
  }
  await repo.point("objects-stored", { commit: tip!, attempt });
  await repo.updateBranch(head, tip!);
  await repo.point("ref-updated", { commit: tip!, attempt });
  if (repo.remote) {
    await repo.point("before-push", { commit: tip!, attempt });
    // The batch's pack holds everything the chain adds to `head`: send it as it is.
    const sent = pack ? await sendPackWithLease(repo, head, tip!, pack) : "unsupported";
    if (sent === "unsupported") await pushWithLease(repo, head);
    await repo.point("pushed", { commit: tip!, attempt });
  }
  return { kind: "committed", head: tip!, decisions: written, skipped };
}
