import { existsSync } from "node:fs";
import git from "isomorphic-git";
import { configuredSigner } from "../signing/index.ts";
import {
  type CommitSigner,
  compareAndSwapRef,
  editTree,
  type GitIdentity,
  type GitRepo,
  RefConflictError,
} from "../gitops/index.ts";
import { parseRelease, shortDigest, UserError, updateReleaseText } from "../model/index.ts";
import { promotionMessage } from "./message.ts";
import type { Promotion } from "./plan.ts";

/** `promote/<service>/<env>/<short-digest>`: one branch per artifact and target. */
export function promotionBranchName(p: Pick<Promotion, "service" | "target" | "artifact">): string {
  return `promote/${p.service}/${p.target}/${shortDigest(p.artifact.digest)}`;
}

/** Refuses branch names git itself would refuse (see git-check-ref-format), with the rule broken. */
export function checkBranchName(name: string): void {
  const broken =
    name === ""
      ? "it is empty"
      : [...name].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f || "~^:?*[\\".includes(c))
        ? "it contains a space, a control character or one of ~ ^ : ? * [ \\"
        : name.includes("..")
          ? 'it contains ".."'
          : name.includes("@{")
            ? 'it contains "@{"'
            : name.startsWith("-")
              ? 'it starts with "-"'
              : name.startsWith("/") || name.endsWith("/") || name.includes("//")
                ? "it has an empty path segment"
                : name.split("/").some((s) => s.startsWith(".") || s.endsWith(".lock"))
                  ? 'a segment starts with "." or ends with ".lock"'
                  : name.endsWith(".")
                    ? 'it ends with "."'
                    : name === "@"
                      ? 'it is "@"'
                      : undefined;
  if (broken) throw new UserError(`invalid branch name "${name}": ${broken}`);
}

/** The text the target's release file gets: the author's comments kept where the file had them. */
export function promotedReleaseText(original: string | undefined, p: Promotion): string {
  const text =
    original === undefined
      ? `# ${p.service} in ${p.target}: promoted from ${p.source} by tollgate promote.\n${updateReleaseText(undefined, p.release)}`
      : updateReleaseText(original, p.release);
  try {
    parseRelease(text, p.releasePath);
  } catch (error) {
    throw new Error(`refusing to commit an invalid ${p.releasePath}: ${(error as Error).message}`);
  }
  return text;
}

export interface WrittenPromotion {
  branch: string;
  commit: string;
  parent: string;
  message: string;
}

export interface ReleaseBranchOptions {
  branch: string;
  identity: GitIdentity;
  now: Date;
  /** Signs the commit (the person's key, when one is configured). */
  sign?: CommitSigner;
}

/** Writes the promotion as one commit on top of `parent` on a new `branch` (see `writeReleaseBranch`). */
export async function writePromotionBranch(
  repo: GitRepo,
  parent: string,
  p: Promotion,
  options: ReleaseBranchOptions,
): Promise<WrittenPromotion> {
  const tree = repo.treeAt(parent);
  const original = (await tree.exists(p.releasePath)) ? await tree.read(p.releasePath) : undefined;
  return writeReleaseBranch(
    repo,
    parent,
    { path: p.releasePath, text: promotedReleaseText(original, p), message: promotionMessage(p) },
    options,
  );
}

/**
 * Writes one release file change as one commit on top of `parent` and creates `branch` pointing at
 * it. Only objects and the new ref are written: the work tree, the index and the checked-out branch
 * are left exactly as they were. Refuses when the branch exists.
 */
export async function writeReleaseBranch(
  repo: GitRepo,
  parent: string,
  change: { path: string; text: string; message: string },
  options: ReleaseBranchOptions,
): Promise<WrittenPromotion> {
  checkBranchName(options.branch);
  const root = await editTree(
    repo.store,
    (await repo.store.readCommit(parent)).tree,
    new Map([[change.path, change.text]]),
  );
  const message = change.message;
  const person = {
    name: options.identity.name,
    email: options.identity.email,
    timestamp: Math.floor(options.now.getTime() / 1000),
    timezoneOffset: 0,
  };
  const commit = await repo.store.writeCommit(
    { message, tree: root, parent: [parent], author: person, committer: person },
    options.sign,
  );
  const ref = `refs/heads/${options.branch}`;
  try {
    await compareAndSwapRef({
      fs: repo.fs,
      gitdir: repo.gitdir,
      ref,
      expected: null,
      value: commit,
      durable: repo.durable,
    });
  } catch (error) {
    if (error instanceof RefConflictError) {
      throw new UserError(
        `branch ${options.branch} already exists (at ${error.actual?.slice(0, 12)}); delete it or choose another name with --branch`,
      );
    }
    throw error;
  }
  return { branch: options.branch, commit, parent, message };
}

/**
 * Who a promotion commit is by: TOLLGATE_GIT_AUTHOR_NAME/EMAIL, else the repository's
 * user.name/user.email, else GIT_AUTHOR_NAME/EMAIL, else tollgate's default identity.
 */
export async function promotionIdentity(repo: GitRepo, env: NodeJS.ProcessEnv): Promise<GitIdentity> {
  const config = async (path: string) =>
    (await git.getConfig({ fs: repo.fs, gitdir: repo.gitdir, path })) as string | undefined;
  const name = env.TOLLGATE_GIT_AUTHOR_NAME || (await config("user.name")) || env.GIT_AUTHOR_NAME || repo.identity.name;
  const email =
    env.TOLLGATE_GIT_AUTHOR_EMAIL || (await config("user.email")) || env.GIT_AUTHOR_EMAIL || repo.identity.email;
  return { name, email };
}

/**
 * The key a person's promotion or confirmation commit is signed with: TOLLGATE_SIGNING_KEY, else
 * git's own SSH signing setup (`gpg.format ssh`, `user.signingKey` naming a key file and
 * `commit.gpgSign true`); none: the commit is not signed.
 */
export async function promotionSigner(repo: GitRepo, env: NodeJS.ProcessEnv): Promise<CommitSigner | undefined> {
  const config = async (path: string) =>
    (await git.getConfig({ fs: repo.fs, gitdir: repo.gitdir, path })) as string | boolean | undefined;
  let signer = await configuredSigner(env);
  if (!signer && (await config("gpg.format")) === "ssh" && String(await config("commit.gpgsign")) === "true") {
    const key = await config("user.signingkey");
    if (typeof key === "string" && !key.startsWith("key::") && !key.startsWith("ssh-")) {
      const path = key.replace(/^~(?=\/)/, env.HOME ?? "~");
      signer = await configuredSigner(
        env,
        path.endsWith(".pub") && existsSync(path.slice(0, -4)) ? path.slice(0, -4) : path,
      );
    }
  }
  return signer && ((payload) => signer.signGit(payload));
}
