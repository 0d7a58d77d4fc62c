import { execFileSync } from "node:child_process";
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import type { Artifact, ArtifactParts, Release } from "../../src/model/types.ts";
import { PROJECT_ROOT, tempDir } from "./tmp-repo.ts";

/** Runs the git CLI in `dir` (tests only: tollgate itself never shells out to git). */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Dana Dev",
      GIT_AUTHOR_EMAIL: "dana@example.com",
      GIT_COMMITTER_NAME: "Dana Dev",
      GIT_COMMITTER_EMAIL: "dana@example.com",
    },
  });
}

/** A fresh GitOps repository holding this project's environments/ and policies/, one commit on main. */
export async function exampleGitopsRepo(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir("tollgate-gitops-");
  await cp(join(PROJECT_ROOT, "environments"), join(temp.dir, "environments"), { recursive: true });
  await cp(join(PROJECT_ROOT, "policies"), join(temp.dir, "policies"), { recursive: true });
  await cp(join(PROJECT_ROOT, "teams.yaml"), join(temp.dir, "teams.yaml"));
  git(temp.dir, "init", "-q", "-b", "main");
  git(temp.dir, "add", "-A");
  git(temp.dir, "commit", "-q", "-m", "Initial desired state");
  return temp;
}

export async function readRelease(dir: string, env: string, service: string): Promise<Release> {
  return parse(await readFile(join(dir, "environments", env, "releases", `${service}.yaml`), "utf8")) as Release;
}

/**
 * Proposes a new artifact for a service the way a person does: edit the release file (the current
 * artifact becomes lastGood), commit it.
 */
export async function proposeRelease(
  dir: string,
  env: string,
  service: string,
  change: (parts: ArtifactParts) => ArtifactParts,
  extra: Partial<Release> = {},
): Promise<Artifact> {
  const current = await readRelease(dir, env, service);
  const { digest: _digest, ...parts } = current.artifact;
  const artifact = sealArtifact(change(parts));
  const next: Release = { ...current, artifact, lastGood: current.artifact, ...extra };
  await writeFile(join(dir, "environments", env, "releases", `${service}.yaml`), stringify(next, { lineWidth: 0 }));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", `Release ${service} ${artifact.digest.slice(7, 19)} to ${env}`);
  return artifact;
}
