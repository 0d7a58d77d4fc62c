import git from "isomorphic-git";
import { authCallbacks } from "./auth.ts";
import { RemoteMovedError } from "./errors.ts";
import { gitHttp as http } from "./http-client.ts";
import { ZERO_OID } from "./refs.ts";
import { type GitRepository, type RemoteOptions, remoteError } from "./repository.ts";

/** Where a leased push goes: a remote (its URL, name, headers and credentials) and the ref on both sides. */
export interface LeasedPushTarget extends RemoteOptions {
  name: string;
  ref: string;
}

export type LeasedPushOutcome = { pushed: true } | { pushed: false; advertised: string | null };

/**
 * Pushes the local `ref` to the same ref of the remote only if the remote advertises it at `expected`
 * (null: the ref must not exist) for this very push; the server applies the update only if the ref
 * still has that value. When the advertised value differs nothing is sent and it is returned. Every
 * other failure (authentication, HTTP, a ref update the server refused) is isomorphic-git's error,
 * for the caller to word. Never forces.
 */
export async function pushRefWithLease(
  repo: GitRepository,
  target: LeasedPushTarget,
  expected: string | null,
): Promise<LeasedPushOutcome> {
  let advertised: string | null | undefined;
  try {
    await git.push({
      fs: repo.fs,
      http,
      gitdir: repo.gitdir,
      url: target.url,
      remote: target.name,
      ref: target.ref,
      remoteRef: target.ref,
      cache: repo.store.gitCache,
      ...(target.headers ? { headers: target.headers } : {}),
      ...authCallbacks(target.auth),
      onPrePush: ({ remoteRef }) => {
        advertised = remoteRef.oid === ZERO_OID ? null : remoteRef.oid;
        return advertised === expected;
      },
    });
    return { pushed: true };
  } catch (error) {
    if (
      (error as { code?: string }).code === "UserCanceledError" &&
      advertised !== undefined &&
      advertised !== expected
    )
      return { pushed: false, advertised };
    throw error;
  }
}

/**
 * Publishes the local branch to the remote branch only if the remote is still at `expectedRemote`
 * (null: the remote branch must not exist), with `pushRefWithLease`: a remote that moved at any time
 * after the caller's decision rejects the push with RemoteMovedError.
 */
export async function pushWithLease(repo: GitRepository, expectedRemote: string | null): Promise<void> {
  const remote = repo.requireRemote();
  let outcome: LeasedPushOutcome;
  try {
    outcome = await pushRefWithLease(repo, { ...remote, ref: repo.branchRef }, expectedRemote);
  } catch (error) {
    const e = error as {
      code?: string;
      data?: { reason?: string; result?: { refs?: Record<string, { ok: boolean; error?: string }> } };
    };
    if (e.code === "PushRejectedError") {
      throw new RemoteMovedError(repo.branchRef, expectedRemote, expectedRemote, e.data?.reason ?? "rejected");
    }
    if (e.code === "GitPushError") {
      // The server refused the ref update: its value changed between advertisement and update.
      const detail = Object.entries(e.data?.result?.refs ?? {})
        .filter(([, r]) => !r.ok)
        .map(([ref, r]) => `${ref}: ${r.error ?? "rejected"}`)
        .join("; ");
      throw new RemoteMovedError(repo.branchRef, expectedRemote, null, detail || "rejected by the server");
    }
    throw remoteError(error, remote.url, "push to", remote.auth !== undefined);
  }
  if (!outcome.pushed) throw new RemoteMovedError(repo.branchRef, expectedRemote, outcome.advertised);
}
