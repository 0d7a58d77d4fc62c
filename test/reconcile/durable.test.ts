import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { exampleGitopsRepo, git, proposeRelease } from "../support/gitops-repo.ts";
import { type FsyncJournal, recordFsyncs } from "../support/fsync-journal.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";
import { runCli } from "../support/run-cli.ts";

const isObjectFile = (path: string) =>
  /\/\.git\/objects\/(pack\/pack-[0-9a-f]+\.(pack|idx)|[0-9a-f]{2}\/[0-9a-f]{38})$/.test(path);
const isBranch = (path: string) => path.endsWith("/.git/refs/heads/main");

/** Every object file renamed into place before event `at` survives a power loss at `at`. */
function assertObjectsSurvive(journal: FsyncJournal, at: number): number {
  const objects = new Set<string>();
  for (const e of journal.events.slice(0, at)) if (e.op === "rename" && isObjectFile(e.to)) objects.add(e.to);
  for (const path of objects) assert.ok(journal.survives(path, at), `${path} would be lost by a power cut here`);
  return objects.size;
}

function proposePrompts(dir: string) {
  return proposeRelease(dir, "dev", "support-agent", (p) => ({
    ...p,
    prompts: { digest: `sha256:${"2".repeat(64)}` },
  }));
}

describe("durable decisions (issue 21, item 5)", () => {
  it("tollgate reconcile fsyncs the objects of a decision before the branch that names them, and the branch after", async (t) => {
    const repo = await exampleGitopsRepo();
    try {
      await proposePrompts(repo.dir);
      const before = git(repo.dir, "rev-parse", "HEAD").trim();
      const journal = await recordFsyncs(t);
      const result = await runCli(["reconcile", "--repo", repo.dir, "--env", "dev", "--simulate", "--once"], {
        env: { ...process.env, TOLLGATE_LOG_LEVEL: "silent" },
      });
      t.mock.restoreAll();
      assert.equal(result.code, 0, result.stderr);
      assert.notEqual(git(repo.dir, "rev-parse", "HEAD").trim(), before, "a decision was committed");

      const moved = journal.renameOnto(isBranch);
      assert.ok(moved > 0, "the branch was moved by a rename");
      assert.ok(assertObjectsSurvive(journal, moved) > 0, "the decision's objects were written");
      assert.ok(
        journal.survives(join(repo.dir, ".git/refs/heads/main"), journal.events.length),
        "the branch itself is synced",
      );
      git(repo.dir, "fsck", "--strict", "--no-progress");
    } finally {
      await repo.cleanup();
    }
  });

  it("a failure between storing the objects and moving the branch leaves them synced and the branch where it was", async (t) => {
    const repo = await exampleGitopsRepo();
    try {
      await proposePrompts(repo.dir);
      const before = git(repo.dir, "rev-parse", "HEAD").trim();
      let fail = true;
      const sim = await simulatedReconciler(repo.dir, {
        environment: "dev",
        durable: true,
        hooks: {
          at: (point) => {
            if (point === "objects-stored" && fail) throw Object.assign(new Error("EIO: injected"), { code: "EIO" });
          },
        },
      });
      const journal = await recordFsyncs(t);
      await assert.rejects(sim.reconciler.tick(), /EIO: injected/);
      assert.equal(git(repo.dir, "rev-parse", "HEAD").trim(), before, "the branch did not move");
      assert.equal(journal.renameOnto(isBranch), -1);
      assert.ok(assertObjectsSurvive(journal, journal.events.length) > 0);
      git(repo.dir, "fsck", "--strict", "--no-progress");

      fail = false;
      const from = journal.events.length;
      const result = await sim.reconciler.tick();
      t.mock.restoreAll();
      assert.equal(result.decisions.length, 1);
      const moved = journal.renameOnto(isBranch, from);
      assert.ok(moved > from);
      assertObjectsSurvive(journal, moved);
      git(repo.dir, "fsck", "--strict", "--no-progress");
      assert.equal(git(repo.dir, "status", "--porcelain"), "");
    } finally {
      await repo.cleanup();
    }
  });
});
