/**
 * A real decision history for the audit tests: the example GitOps repository, two releases proposed
 * in dev and decided by the Reconciler over a simulated world with an injected clock (one rolls back
 * on a 2-point error-rate regression, one is promoted), the fix of the rolled-back one proposed inside
 * the freeze (blocked, then rolled out and promoted), and a pull request merged into protected prod
 * carrying its approvals. Built once per test file; tamper tests work on copies.
 */
import { execFileSync } from "node:child_process";
import { cp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import { loadRepository } from "../../src/model/repository.ts";
import type { Artifact } from "../../src/model/types.ts";
import type { PolicyLoader } from "../../src/policy/loader.ts";
import { PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { exampleGitopsRepo, git, proposeRelease, readRelease } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";
import { tempDir } from "../support/tmp-repo.ts";

export interface DecisionHistory {
  dir: string;
  /** Decision commits, oldest first. */
  decisions: { commit: string; action: string; environment: string; service: string }[];
  /** The artifact that was rolled back (dev/support-agent) and the one promoted (dev/retrieval-api). */
  bad: Artifact;
  good: Artifact;
  /** The fix of support-agent, proposed inside the freeze after the rollback (blocked, then promoted). */
  fixed: Artifact;
  /** How long building the history took (ms). */
  buildMs: number;
  cleanup: () => Promise<void>;
}

const START = new Date("2026-11-24T10:00:00Z");

export async function buildDecisionHistory(loader: PolicyLoader): Promise<DecisionHistory> {
  const started = performance.now();
  const repo = await exampleGitopsRepo();
  const { gitRepo, world, reconciler, advance, now } = await simulatedReconciler(repo.dir, {
    environment: "dev",
    loader,
    start: START,
  });
  const bad = await proposeRelease(repo.dir, "dev", "support-agent", (p) => ({
    ...p,
    prompts: { digest: `sha256:${"2".repeat(64)}` },
  }));
  world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
  const good = await proposeRelease(repo.dir, "dev", "retrieval-api", (p) => ({
    ...p,
    index: { buildId: "kb-2026-11-21.1", digest: `sha256:${"1".repeat(64)}` },
  }));

  const decisions: DecisionHistory["decisions"] = [];
  let fixed: Artifact | undefined;
  for (let tick = 0; tick < 300; tick++) {
    const result = await reconciler.tick();
    for (const d of result.decisions)
      decisions.push({
        commit: d.commit,
        action: d.change.action,
        environment: d.change.environment,
        service: d.change.service,
      });
    const head = await gitRepo.head();
    const dev = (await loadRepository(gitRepo.treeAt(head!))).state.environments.get("dev")!;
    const phase = (s: string) => (dev.statuses.get(s)?.lastDecision ? dev.statuses.get(s)?.phase : undefined);
    if (!fixed && phase("support-agent") === "rolled-back") {
      // The fix is proposed at once, inside the freeze after the rollback: blocked until it ends, then rolled out.
      git(repo.dir, "reset", "-q", "--hard", "main");
      fixed = await proposeReleaseAt(repo.dir, now(), "support-agent", `sha256:${"3".repeat(64)}`);
    }
    if (fixed && phase("support-agent") === "promoted" && phase("retrieval-api") === "promoted") break;
    advance(10);
  }
  await mergeApprovedProdRelease(repo.dir, new Date(now().getTime() + 3_600_000));
  return {
    dir: repo.dir,
    decisions,
    bad,
    good,
    fixed: fixed!,
    buildMs: performance.now() - started,
    cleanup: repo.cleanup,
  };
}

/** A reviewed change to protected prod: a branch with the release and two approvals, merged with --no-ff. */
async function mergeApprovedProdRelease(dir: string, at: Date): Promise<void> {
  // The reconciler commits without a work tree; bring the checkout to the branch head first.
  git(dir, "reset", "-q", "--hard", "main");
  git(dir, "checkout", "-q", "-b", "release/prod-support-agent");
  const current = await readRelease(dir, "prod", "support-agent");
  const { digest: _d, ...parts } = current.artifact;
  const artifact = sealArtifact({ ...parts, prompts: { digest: `sha256:${"7".repeat(64)}` } });
  const approvals = ["alice", "bob"].map((by) => ({ by, at: "2026-11-24T11:00:00Z", digest: artifact.digest }));
  const attestations = [
    {
      kind: "eval" as const,
      digest: artifact.digest,
      suite: "support-golden-v7",
      score: 0.93,
      pass: true,
      by: "eval-runner@ci.acme.dev",
      at: "2026-11-24T10:30:00Z",
    },
  ];
  await writeFile(
    join(dir, "environments/prod/releases/support-agent.yaml"),
    stringify({ ...current, artifact, lastGood: current.artifact, attestations, approvals }, { lineWidth: 0 }),
  );
  gitAt(dir, at, "commit", "-q", "-am", "support-agent: new prompts for prod (approved by alice and bob)");
  git(dir, "checkout", "-q", "main");
  gitAt(
    dir,
    new Date(at.getTime() + 60_000),
    "merge",
    "-q",
    "--no-ff",
    "-m",
    "Merge pull request #42 from release/prod-support-agent",
    "release/prod-support-agent",
  );
}

/** Runs git as a person at a given time (author and committer), after the decisions in the history. */
export function gitAt(dir: string, at: Date, ...args: string[]): string {
  const date = at.toISOString();
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Dana Dev",
      GIT_AUTHOR_EMAIL: "dana@example.com",
      GIT_COMMITTER_NAME: "Dana Dev",
      GIT_COMMITTER_EMAIL: "dana@example.com",
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
  });
}

/** A new prompts digest for a dev service, committed by a person at `at`. */
async function proposeReleaseAt(dir: string, at: Date, service: string, prompts: string): Promise<Artifact> {
  const current = await readRelease(dir, "dev", service);
  const { digest: _d, ...parts } = current.artifact;
  const artifact = sealArtifact({ ...parts, prompts: { digest: prompts } });
  await writeFile(
    join(dir, "environments/dev/releases", `${service}.yaml`),
    stringify({ ...current, artifact, lastGood: current.artifact }, { lineWidth: 0 }),
  );
  gitAt(dir, at, "commit", "-q", "-am", `Release ${service} ${artifact.digest.slice(7, 19)} to dev`);
  return artifact;
}

/** A copy of the history's repository to tamper with. */
export async function copyHistory(history: DecisionHistory): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir("tollgate-audit-copy-");
  await cp(history.dir, temp.dir, { recursive: true });
  return temp;
}
