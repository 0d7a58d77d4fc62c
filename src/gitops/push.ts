import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { authCallbacks } from "./auth.ts";
import { RemoteMovedError } from "./errors.ts";
import { type GitRepo, remoteError } from "./repo.ts";
import { ZERO_OID } from "./ref-update.ts";

/**
 * Publishes the local branch to the remote branch only if the remote is still at `expectedRemote`
 * (null: the remote branch must not exist). The check is made against the refs the server
 * advertises for this very push, and the server applies the update only if the ref still has
 * that value; so a remote that moved at any time after the caller's decision rejects the push
 * with RemoteMovedError. Never forces.
 */
export async function pushWithLease(repo: GitRepo, expectedRemote: string | null): Promise<void> {
  const remote = repo.requireRemote();
  let advertised: string | null = null;
  try {
    await git.push({
      fs: repo.fs,
      http,
      gitdir: repo.gitdir,
      url: remote.url,
      remote: remote.name,
      ref: repo.branchRef,
      remoteRef: repo.branchRef,
      cache: repo.store.gitCache,
      ...(remote.headers ? { headers: remote.headers } : {}),
      ...authCallbacks(remote.auth),
      onPrePush: ({ remoteRef }) => {
        advertised = remoteRef.oid === ZERO_OID ? null : remoteRef.oid;
        return advertised === expectedRemote;
      },
    });
  } catch (error) {
    const e = error as { code?: string; data?: { reason?: string; result?: { refs?: Record<string, { ok: boolean; error?: string }> } } };
    if (e.code === "UserCanceledError" && advertised !== expectedRemote) {
      throw new RemoteMovedError(repo.branchRef, expectedRemote, advertised);
    }
    if (e.code === "PushRejectedError") {
      throw new RemoteMovedError(repo.branchRef, expectedRemote, advertised, e.data?.reason ?? "rejected");
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
}
