/**
 * The reconciler's transaction: read the head, load the desired state at it, decide, commit the
 * decisions on that head with compare-and-swap. When the head moved in between (the remote, or
 * another local writer), wait (the one retry policy of src/async) and start over from a fresh read:
 * decisions made on a stale head are discarded, never rebased.
 */
import { type RetryPolicy, retry } from "../async/index.ts";
import {
  type BranchHead,
  type CommitResult,
  commitDecisions,
  type DecisionChange,
  type GitRepo,
  isConflict,
  readHead,
  type SkippedDecision,
  type SyncResult,
  type WrittenDecision,
} from "../gitops/index.ts";
import { type LoadedRepository, loadRepository } from "../model/index.ts";

/** The state a decision is made on: the head commit and the desired state read from it. */
export interface HeadState extends BranchHead {
  /** The repository state at `commit`, every file validated; problems are collected, not thrown. */
  loaded: LoadedRepository;
  /** 1 for the first attempt; higher after the head moved and the state was read again. */
  attempt: number;
}

/**
 * Decides on one head. Return the decisions to record (several become a chain of commits, one per
 * decision, published together), or null when there is nothing to record. It is called again,
 * on the new head, whenever the head moved: it must decide from `head` alone, never reuse an
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
  /** The head moved on every attempt. Nothing was published. */
  | { kind: "conflict"; attempts: number; lastError: Error };

/**
 * Reads the head (synced with the remote), asks `decide`, and commits what it returns on that head
 * (see commitDecisions), one writer of the repository at a time. A failure other than a moved head
 * (network down, bad credentials) is thrown; a commit written locally but not pushed stays on the
 * local branch, and the next read pushes it if the remote is still where it was decided, or drops
 * it if not.
 */
export function commitDecisionWithRetry(
  repo: GitRepo,
  decide: Decide,
  options: RetryOptions = {},
): Promise<CommitOutcome> {
  const policy: RetryPolicy = {
    attempts: options.maxAttempts ?? 5,
    backoffMs: options.backoffMs ?? 100,
    maxBackoffMs: options.maxBackoffMs ?? 2000,
    jitter: 0.5,
  };
  return repo.exclusive(async () => {
    const { result, attempts } = await retry(
      policy,
      (attempt) => attemptOnce(repo, decide, attempt).catch(movedHead),
      (result) => result instanceof Error,
      { ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.random ? { random: options.random } : {}) },
    );
    if (result instanceof Error) return { kind: "conflict", attempts, lastError: result };
    return { ...result.committed, attempts, sync: result.sync };
  });
}

async function attemptOnce(
  repo: GitRepo,
  decide: Decide,
  attempt: number,
): Promise<{ committed: CommitResult; sync: SyncResult }> {
  const head = await readHead(repo);
  const loaded = head.tree ? await loadRepository(head.tree) : noState();
  const decided = await decide({ ...head, loaded, attempt });
  const changes = decided === null ? [] : Array.isArray(decided) ? decided : [decided];
  return { committed: await commitDecisions(repo, head.commit, changes, attempt), sync: head.sync };
}

function noState(): LoadedRepository {
  return { state: { environments: new Map() }, problems: [], filesRead: 0 };
}

/** A moved head is a result (decide again); any other failure propagates. */
function movedHead(error: unknown): Error {
  if (isConflict(error)) return error;
  throw error;
}
