import git from "isomorphic-git";
import { type GitAuth, type GitRepo, type LeasedPushOutcome, pushRefWithLease, redactUrl } from "../gitops/index.ts";
import { UserError } from "../model/index.ts";

export type PushOutcome = "pushed" | "already-there";

export interface PushRemote {
  name: string;
  url: string;
}

/** The remote named `name` in the repository's config, if tollgate can push to it (http(s), no credentials in the URL). */
export async function pushRemote(repo: GitRepo, name: string): Promise<PushRemote> {
  const url = (await git.getConfig({ fs: repo.fs, gitdir: repo.gitdir, path: `remote.${name}.url` })) as
    | string
    | undefined;
  if (!url) throw new UserError(`--push ${name}: no remote of that name in this repository (git remote -v lists them)`);
  if (!/^https?:\/\//.test(url)) {
    throw new UserError(
      `--push ${name}: the remote is ${redactUrl(url)}, and tollgate pushes over http(s) only; leave out --push and run \`git push ${name} BRANCH\` yourself`,
    );
  }
  if (/\/\/[^/@]*@/.test(url))
    throw new UserError(
      `--push ${name}: the remote's URL holds credentials; remove them and set TOLLGATE_GIT_TOKEN or TOLLGATE_GIT_USERNAME/TOLLGATE_GIT_PASSWORD`,
    );
  return { name, url };
}

/**
 * Publishes a freshly created local branch to the remote named `remoteName` (its URL from the
 * repository's config) under the same name, only if the remote has no such branch yet: the check
 * is made against the refs the server advertises for this very push, and the server applies the
 * update only while the ref still does not exist. A remote branch that already exists is never
 * overwritten (unless it already holds exactly this commit, which is success).
 */
export async function pushNewBranch(
  repo: GitRepo,
  remote: PushRemote,
  branch: string,
  commit: string,
  auth: GitAuth | undefined,
): Promise<PushOutcome> {
  const { name: remoteName, url } = remote;
  const ref = `refs/heads/${branch}`;
  const where = `${remoteName} (${redactUrl(url)})`;
  let outcome: LeasedPushOutcome;
  try {
    outcome = await pushRefWithLease(repo, { name: remoteName, url, ref, ...(auth ? { auth } : {}) }, null);
  } catch (error) {
    const e = error as { code?: string; message?: string; data?: { statusCode?: number; reason?: string } };
    if (e.code === "PushRejectedError" || e.code === "GitPushError") {
      throw new UserError(
        `${where} refused the new branch ${branch} (it was created there meanwhile, or a hook refused it): ${e.message ?? e.data?.reason ?? "rejected"}`,
      );
    }
    if (e.code === "UserCanceledError") {
      throw new UserError(
        `cannot push to ${where}: ${auth ? "authentication failed: the server refused the credentials" : "authentication required; set TOLLGATE_GIT_TOKEN or TOLLGATE_GIT_USERNAME/TOLLGATE_GIT_PASSWORD"}`,
      );
    }
    if (e.code === "HttpError") throw new UserError(`cannot push to ${where}: ${e.message}`);
    if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" || e.code === "ECONNRESET")
      throw new UserError(`cannot push to ${where}: ${e.code}`);
    throw error;
  }
  if (outcome.pushed) return "pushed";
  if (outcome.advertised === commit) return "already-there";
  throw new UserError(
    `${where} already has a branch ${branch} (at ${outcome.advertised?.slice(0, 12)}); not overwriting it. Delete it there or choose another name with --branch`,
  );
}
