import { sleep as abortableSleep } from "../async/index.ts";
import { pushWithLease, RefConflictError, RefLockedError, RemoteMovedError, sendPackWithLease } from "../git/index.ts";
import { type LoadedRepository, loadRepository } from "../model/index.ts";
import { type DecisionChange, keyOf, type WrittenDecision, writeDecisionCommit } from "./decision-commit.ts";
import type { GitTree } from "./git-tree.ts";
import { findDecisionsByKey } from "./history.ts";
import type { GitRepo } from "./repo.ts";
import { type SyncResult, syncWithRemote } from "./sync.ts";

/** The state a decision is made on: the head commit and the desired state read from it. */
export interface HeadState {
  /** Null when the branch has no commit yet. */
  commit: string | null;
  /** The tree at `commit` (files named `<branch>@<short>:<path>`); null without a commit. */
  tree: GitTree | null;
  /** The repository state at `commit`, every file validated; problems are collected, not thrown. */
  loaded: LoadedRepository;
  /** 1 for the first attempt; higher after the remote moved and the state was read again. */
  attempt: number;
  /** What syncing with the remote did before this attempt. */
  sync: SyncResult;
}

/**
 * Decides on one head. Return the decisions to record (several become a chain of commits, one per
 * decision, published together), or null when there is nothing to record. It is called again,
 * on the new head, whenever the remote moved: it must decide from `head` alone, never reuse an
 * earlier attempt's result.
 */
export type Decide = (
  head: HeadState,
) => Promise<DecisionChange | DecisionChange[] | null> | DecisionChange | DecisionChange[] | null;

export interface RetryOptions {
  /** Attempts before giving up; default 5. */
  maxAttempts?: number;
  /** First backoff in ms, doubled each attempt with ±50% jitter, capped at `maxBackoffMs`; default 100. */
  backoffMs?: number;
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface SkippedDecision {
  idempotencyKey: string;
  /** The commit that already records this decision. */
  existing: string;
}

export type CommitOutcome =
  | {
      kind: "committed";
      /** The new head, published to the remote when there is one. */
      head: string;
      decisions: WrittenDecision[];
      /** Decisions `decide` returned that the history already had (not committed again). */
      skipped: SkippedDecision[];
      attempts: number;
      sync: SyncResult;
    }
  | { kind: "unchanged"; head: string | null; skipped: SkippedDecision[]; attempts: number; sync: SyncResult }
  /** The remote (or another local writer) moved on every attempt. Nothing was published. */
  | { kind: "conflict"; attempts: number; lastError: Error };

/**
 * Syncs with the remote, reads the state at its head, asks `decide`, drops decisions whose
 * idempotency key is already in the history, writes the rest as commits on that head, moves the
 * local branch with compare-and-swap and pushes with a lease on the same head. If anything moved
 * in between, waits (bounded exponential backoff) and starts over from a fresh sync: decisions made
 * on a stale head are discarded, never rebased.
 *
 * A failure other than a conflict (network down, bad credentials) is thrown. A commit that was
 * written locally but not pushed stays on the local branch, and the next call's sync pushes it if
 * the remote is still where it was decided, or drops it if not.
 */
export async function commitDecisionWithRetry(
  repo: GitRepo,
  decide: Decide,
  options: RetryOptions = {},
): Promise<CommitOutcome> {
  return repo.exclusive(() => attemptLoop(repo, decide, options));
}

async function attemptLoop(repo: GitRepo, decide: Decide, options: RetryOptions): Promise<CommitOutcome> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  let lastError: Error = new Error("no attempt was made");
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) {
      const base = Math.min(options.maxBackoffMs ?? 2000, (options.backoffMs ?? 100) * 2 ** (attempt - 2));
      await sleep(Math.round(base * (0.5 + random())));
    }
    try {
      return await attemptOnce(repo, decide, attempt);
    } catch (error) {
      if (error instanceof RemoteMovedError || error instanceof RefConflictError || error instanceof RefLockedError) {
        lastError = error;
        continue;
      }
      throw error;
    }
  }
  return { kind: "conflict", attempts: maxAttempts, lastError };
}

async function attemptOnce(repo: GitRepo, decide: Decide, attempt: number): Promise<CommitOutcome> {
  const sync = await syncWithRemote(repo);
  await repo.repairCheckout();
  const head = sync.head;
  const tree = head ? repo.treeAt(head, `${repo.branch}@${head.slice(0, 12)}`) : null;
  const loaded = tree ? await loadRepository(tree) : { state: { environments: new Map() }, problems: [], filesRead: 0 };
  const decided = await decide({ commit: head, tree, loaded, attempt, sync });
  const changes = decided === null ? [] : Array.isArray(decided) ? decided : [decided];

  const keys = changes.map(keyOf);
  const duplicateInBatch = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicateInBatch) throw new Error(`decide returned two decisions with the idempotency key ${duplicateInBatch}`);
  const existing = await findDecisionsByKey(repo, head, keys);
  const skipped: SkippedDecision[] = [];
  const fresh: DecisionChange[] = [];
  for (const change of changes) {
    const found = existing.get(keyOf(change));
    if (found) skipped.push({ idempotencyKey: keyOf(change), existing: found });
    else fresh.push(change);
  }
  if (fresh.length === 0) return { kind: "unchanged", head, skipped, attempts: attempt, sync };

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
  return { kind: "committed", head: tip!, decisions: written, skipped, attempts: attempt, sync };
}
