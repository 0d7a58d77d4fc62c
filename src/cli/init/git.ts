/**
 * The new repository's history: `git init` (branch main) and a first commit of exactly the files
 * init wrote, with the index updated so that `git status` is clean. isomorphic-git, no git binary.
 */
import * as fs from "node:fs";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import git from "isomorphic-git";
import { DEFAULT_IDENTITY } from "../../gitops/index.ts";

/** The repository `dir` is in (the folder holding `.git`), if any. */
export function enclosingRepository(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** Who the first commit is by: TOLLGATE_GIT_AUTHOR_*, else GIT_AUTHOR_*, else tollgate's default. */
export function authorFromEnv(env: NodeJS.ProcessEnv): { name: string; email: string } {
  return {
    name: env.TOLLGATE_GIT_AUTHOR_NAME || env.GIT_AUTHOR_NAME || DEFAULT_IDENTITY.name,
    email: env.TOLLGATE_GIT_AUTHOR_EMAIL || env.GIT_AUTHOR_EMAIL || DEFAULT_IDENTITY.email,
  };
}

/** Initialises a repository in `dir` and commits `paths`; returns the commit id. */
export async function initialCommit(
  dir: string,
  paths: readonly string[],
  author: { name: string; email: string },
  message: string,
): Promise<string> {
  await git.init({ fs, dir, defaultBranch: "main" });
  await git.add({ fs, dir, filepath: [...paths] });
  return git.commit({ fs, dir, message, author, committer: author });
}
