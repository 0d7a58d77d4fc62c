import { pushWithLease, RemoteMovedError } from "../git/index.ts";
import type { GitRepo } from "./repo.ts";

export interface SyncResult {
  /** The commit both the local branch and (with a remote) the remote branch are at now. */
  head: string | null;
  /** Local decision commits that were committed but not yet pushed, and were pushed now. */
  publishedPending: string | null;
  /** Local commits dropped because the remote moved under them; they are never rebased. */
  discarded: string | null;
}

/** How far back to look when telling "local is ahead" from "local diverged". */
const MAX_PENDING = 10_000;

/**
 * Makes the local branch equal to the remote branch. Local commits that sit directly on the remote
 * head (a crash between commit and push) are pushed: each was decided on the commit it sits on,
 * which is still the remote head. Local commits the remote moved away from are dropped, since they
 * were decided on state that is no longer current. Without a remote this returns the local head.
 */
export async function syncWithRemote(repo: GitRepo): Promise<SyncResult> {
  const local = await repo.head();
  if (!repo.remote) return { head: local, publishedPending: null, discarded: null };
  for (let round = 0; round < 3; round++) {
    const remote = await repo.fetchRemote();
    const current = await repo.head();
    if (current === remote) return { head: remote, publishedPending: null, discarded: null };
    if (current !== null && (await reaches(repo, current, remote))) {
      try {
        await repo.point("before-push", { commit: current });
        await pushWithLease(repo, remote);
        await repo.point("pushed", { commit: current });
        return { head: current, publishedPending: current, discarded: null };
      } catch (error) {
        if (error instanceof RemoteMovedError) continue;
        throw error;
      }
    }
    if (remote === null) return { head: current, publishedPending: null, discarded: null };
    const behind = current === null || (await reaches(repo, remote, current));
    await repo.updateBranch(current, remote);
    return { head: remote, publishedPending: null, discarded: behind ? null : current };
  }
  throw new RemoteMovedError(repo.branchRef, null, null, "the remote kept moving while syncing");
}

/** Whether `ancestor` (null: the empty history) is on the first-parent chain of `from`, within a bound. */
async function reaches(repo: GitRepo, from: string, ancestor: string | null): Promise<boolean> {
  if (ancestor === null) return true;
  let oid: string | undefined = from;
  for (let i = 0; oid && i < MAX_PENDING; i++) {
    if (oid === ancestor) return true;
    oid = (await repo.store.readCommit(oid)).parent[0];
  }
  return false;
}
