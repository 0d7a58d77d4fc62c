import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Artifact } from "../../src/model/types.ts";
import { exampleGitopsRepo, git, proposeRelease } from "../support/gitops-repo.ts";
import { type SimulatedReconciler, simulatedReconciler } from "../support/reconcile/simulated.ts";
import { runCli } from "../support/run-cli.ts";

/** Ticks until the reconciler has committed at least one decision. */
async function tickUntilDecided(sim: SimulatedReconciler): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const result = await sim.reconciler.tick();
    if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join("; "));
    if (result.decisions.length > 0) return;
    sim.advance(10);
  }
  throw new Error("no decision in 20 ticks");
}

function proposePrompts(dir: string): Promise<Artifact> {
  return proposeRelease(dir, "dev", "support-agent", (p) => ({
    ...p,
    prompts: { digest: `sha256:${"2".repeat(64)}` },
  }));
}

describe("a reconciled checkout (issue 21, item 1)", () => {
  it("moves the files and index with the branch: git status stays clean and commit -a reverts nothing", async () => {
    const repo = await exampleGitopsRepo();
    try {
      const sim = await simulatedReconciler(repo.dir, { environment: "dev" });
      await proposePrompts(repo.dir);
      const before = git(repo.dir, "rev-parse", "HEAD").trim();
      await tickUntilDecided(sim);
      assert.notEqual(git(repo.dir, "rev-parse", "HEAD").trim(), before);
      assert.equal(git(repo.dir, "status", "--porcelain"), "");

      // A person's next ordinary commit changes only what they changed.
      await writeFile(join(repo.dir, "NOTES.md"), "notes\n");
      git(repo.dir, "add", "NOTES.md");
      git(repo.dir, "commit", "-q", "-a", "-m", "notes");
      assert.deepEqual(git(repo.dir, "show", "--name-only", "--format=", "HEAD").trim().split("\n"), ["NOTES.md"]);
      const audit = await runCli(["audit", "--repo", repo.dir]);
      assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    } finally {
      await repo.cleanup();
    }
  });

  it("refuses to move the branch over an uncommitted change to a file the decision writes, and says which", async () => {
    const repo = await exampleGitopsRepo();
    try {
      const sim = await simulatedReconciler(repo.dir, { environment: "dev" });
      await proposePrompts(repo.dir);
      await writeFile(join(repo.dir, "environments/dev/status/support-agent.yaml"), "# my edit\n", { flag: "a" });
      const before = git(repo.dir, "rev-parse", "HEAD").trim();
      await assert.rejects(
        sim.reconciler.tick(),
        /uncommitted changes to files the new commits change \(environments\/dev\/status\/support-agent\.yaml\); commit or stash them/,
      );
      assert.equal(git(repo.dir, "rev-parse", "HEAD").trim(), before, "the branch did not move");
      assert.equal(git(repo.dir, "status", "--porcelain"), " M environments/dev/status/support-agent.yaml\n");

      // Unrelated uncommitted work does not stand in the way, and is kept.
      git(repo.dir, "checkout", "--", "environments/dev/status/support-agent.yaml");
      await writeFile(join(repo.dir, "teams.yaml"), "# edited\n", { flag: "a" });
      await tickUntilDecided(sim);
      assert.equal(git(repo.dir, "status", "--porcelain"), " M teams.yaml\n");
    } finally {
      await repo.cleanup();
    }
  });

  it("a crash between moving the branch and updating the files is repaired by the next run", async () => {
    const repo = await exampleGitopsRepo();
    try {
      await proposePrompts(repo.dir);
      let crash = true;
      const sim = await simulatedReconciler(repo.dir, {
        environment: "dev",
        hooks: {
          at: (point) => {
            if (point === "ref-moved" && crash) throw new Error("crash after the ref moved");
          },
        },
      });
      const before = git(repo.dir, "rev-parse", "HEAD").trim();
      await assert.rejects(sim.reconciler.tick(), /crash after the ref moved/);
      assert.notEqual(git(repo.dir, "rev-parse", "HEAD").trim(), before, "the decision is on the branch");
      assert.notEqual(git(repo.dir, "status", "--porcelain"), "", "its files are not in the checkout yet");

      crash = false;
      await sim.reconciler.tick();
      assert.equal(git(repo.dir, "status", "--porcelain"), "");
      assert.equal(existsSync(join(repo.dir, ".git", "TOLLGATE_CHECKOUT_FROM")), false);
    } finally {
      await repo.cleanup();
    }
  });

  it("a repository whose branch is not checked out (no index, or HEAD elsewhere) keeps its files as they are", async () => {
    const repo = await exampleGitopsRepo();
    try {
      await proposePrompts(repo.dir);
      git(repo.dir, "checkout", "-q", "-b", "elsewhere");
      const sim = await simulatedReconciler(repo.dir, { environment: "dev" });
      await tickUntilDecided(sim);
      assert.equal(git(repo.dir, "status", "--porcelain"), "");
      assert.equal(existsSync(join(repo.dir, "evidence")), false);

      git(repo.dir, "checkout", "-q", "main");
      await rm(join(repo.dir, ".git", "index"));
      const files = git(repo.dir, "ls-tree", "-r", "--name-only", "HEAD").split("\n").filter(Boolean).length;
      sim.advance(600);
      await tickUntilDecided(sim);
      assert.equal(git(repo.dir, "ls-files").trim(), "", "no index was made");
      assert.ok(files > 0);
    } finally {
      await repo.cleanup();
    }
  });
});
