/**
 * Real git repositories for the promote and check tests, made with the git CLI (tests may use it;
 * src/ never does). Commit times are fixed, so the same files always give the same commit ids.
 */
import { execFileSync } from "node:child_process";
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import type { Artifact, ArtifactParts } from "../../src/model/types.ts";
import { PROJECT_ROOT, tempDir } from "../support/tmp-repo.ts";

export const DIGESTS = {
  /** support-agent in prod (and staging's lastGood). */
  prodSupportAgent: "sha256:fa7f76f33947b52ed364aa04b1ebb0cbc40691e3bb2e86d87399a9dc42c79392",
  /** support-agent verified in dev and staging, one release ahead of prod. */
  stagingSupportAgent: "sha256:f806ccf0be4b72d1a649ad5387d2d47f76da41ed10603c96dc51b74277bee900",
} as const;

export interface TestRepo {
  dir: string;
  /** Runs git in the repository with a fixed identity and commit time. */
  git(...args: string[]): string;
  /** Commits every change in the work tree on the current branch; returns the commit id. */
  commitAll(message: string): string;
  /** Rewrites a YAML file of the repository through `edit` (comments kept). */
  editYaml(path: string, edit: (value: Record<string, unknown>) => void): Promise<void>;
  read(path: string): Promise<string>;
  cleanup(): Promise<void>;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Rita Reviewer",
  GIT_AUTHOR_EMAIL: "rita@example.test",
  GIT_COMMITTER_NAME: "Rita Reviewer",
  GIT_COMMITTER_EMAIL: "rita@example.test",
  GIT_AUTHOR_DATE: "2026-11-20T09:00:00Z",
  GIT_COMMITTER_DATE: "2026-11-20T09:00:00Z",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

/**
 * A repository whose `main` has one commit: this project's example environments/ and, unless
 * `policies: false`, its policies/ (the guardrails `tollgate check` judges by).
 */
export async function exampleRepo(options: { policies?: boolean } = {}): Promise<TestRepo> {
  const temp = await tempDir("tollgate-promote-");
  const dir = temp.dir;
  await cp(join(PROJECT_ROOT, "environments"), join(dir, "environments"), { recursive: true });
  if (options.policies !== false) await cp(join(PROJECT_ROOT, "policies"), join(dir, "policies"), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, ...GIT_ENV } });
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Pat Promoter");
  git("config", "user.email", "pat@example.test");
  const repo: TestRepo = {
    dir,
    git,
    commitAll(message) {
      git("add", "-A");
      git("commit", "-q", "-m", message);
      return git("rev-parse", "HEAD").trim();
    },
    async editYaml(path, edit) {
      const doc = parseDocument(await readFile(join(dir, path), "utf8"));
      const value = doc.toJS() as Record<string, unknown>;
      edit(value);
      for (const [key, v] of Object.entries(value)) doc.set(key, doc.createNode(v));
      for (const key of Object.keys(doc.toJS() as object)) if (!(key in value)) doc.delete(key);
      await writeFile(join(dir, path), doc.toString({ lineWidth: 0 }));
    },
    read: (path) => readFile(join(dir, path), "utf8"),
    cleanup: temp.cleanup,
  };
  repo.commitAll("Seed the desired state");
  return repo;
}

/** The artifact with some parts changed and its digest recomputed. */
export function withParts(artifact: Artifact, change: (parts: ArtifactParts) => void): Artifact {
  const parts = structuredClone(artifact) as ArtifactParts & { digest?: string };
  delete parts.digest;
  change(parts);
  return sealArtifact(parts);
}

export const releasePath = (env: string, service: string) => `environments/${env}/releases/${service}.yaml`;
export const statusPath = (env: string, service: string) => `environments/${env}/status/${service}.yaml`;
