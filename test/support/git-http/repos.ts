/** Test repositories made and inspected with the git CLI (tests may use it; src/ never does). */
import { execFileSync, spawnSync } from "node:child_process";
import { cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { PROJECT_ROOT } from "../tmp-repo.ts";

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Test Human",
  GIT_AUTHOR_EMAIL: "human@example.test",
  GIT_COMMITTER_NAME: "Test Human",
  GIT_COMMITTER_EMAIL: "human@example.test",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export function hasGit(): boolean {
  return spawnSync("git", ["--version"]).status === 0;
}

/**
 * Call at the top of a test that needs the git binary: fails under CI (it must be installed
 * there, see .ci/apt-packages) and otherwise skips with a loud message.
 */
export function requireGit(t: TestContext): boolean {
  if (hasGit()) return true;
  if (process.env.CI === "true") throw new Error("git is not installed; CI must install it (.ci/apt-packages)");
  process.stderr.write(
    "\n*** SKIPPING: git is not installed; install Debian's git package to run the gitops tests ***\n\n",
  );
  t.skip("git is not installed");
  return false;
}

/** Runs git in `cwd` and returns its stdout. */
export function gitCli(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...GIT_ENV },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * A bare repository `<root>/<name>` whose branch `main` has one commit with this project's example
 * environments/ and teams.yaml (or the files made by `fill`). Returns the bare repository's path.
 */
export async function createSeededBareRepo(
  root: string,
  name: string,
  fill?: (workDir: string) => Promise<void>,
): Promise<string> {
  const bare = join(root, name);
  const work = join(root, `${name}.seed`);
  await mkdir(work, { recursive: true });
  if (fill) await fill(work);
  else {
    await cp(join(PROJECT_ROOT, "environments"), join(work, "environments"), { recursive: true });
    await cp(join(PROJECT_ROOT, "teams.yaml"), join(work, "teams.yaml"));
  }
  gitCli(root, "init", "-q", "--bare", "-b", "main", bare);
  gitCli(work, "init", "-q", "-b", "main");
  gitCli(work, "add", "-A");
  gitCli(work, "commit", "-q", "-m", "Seed the desired state");
  gitCli(work, "push", "-q", bare, "main");
  return bare;
}

/** A commit made by a person directly on the bare repository's main (through a scratch clone). */
export function humanCommit(bare: string, scratch: string, edit: (workDir: string) => void, message: string): string {
  gitCli(join(scratch, ".."), "clone", "-q", bare, scratch);
  edit(scratch);
  gitCli(scratch, "add", "-A");
  gitCli(scratch, "commit", "-q", "-m", message);
  gitCli(scratch, "push", "-q", "origin", "main");
  return gitCli(scratch, "rev-parse", "HEAD").trim();
}
