import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { commitDecisionWithRetry } from "../../src/reconcile/transaction.ts";
import { writeDecisionCommit } from "../../src/gitops/decision-commit.ts";
import { RefConflictError } from "../../src/git/errors.ts";
import { EvidenceError, evidencePath } from "../../src/model/evidence.ts";
import { readEvidence } from "../../src/gitops/evidence.ts";
import { listDecisionCommits } from "../../src/gitops/history.ts";
import { parseDecisionMessage } from "../../src/gitops/message.ts";
import { GitRepo, type GitopsPoint } from "../../src/gitops/repo.ts";
import { changedFiles } from "../../src/git/tree-diff.ts";
import { editTree } from "../../src/git/tree-edit.ts";
import { loadRepository } from "../../src/model/repository.ts";
import { DirectoryTree } from "../../src/model/tree.ts";
import { createSeededBareRepo, gitCli, requireGit } from "../support/git-http/repos.ts";
import { PROJECT_ROOT, tempDir } from "../support/tmp-repo.ts";
import { decisionAt, POLICY } from "./fixtures.ts";

const clock = () => new Date("2026-11-20T10:00:00Z");
const identity = { name: "tollgate-test", email: "tollgate@example.test" };

async function seeded(): Promise<{ bare: string; repo: GitRepo; cleanup: () => Promise<void> }> {
  const temp = await tempDir("tollgate-gitops-");
  const bare = await createSeededBareRepo(temp.dir, "desired.git");
  const repo = await GitRepo.open(bare, { clock, identity });
  return { bare, repo, cleanup: temp.cleanup };
}

describe("reading desired state from git", () => {
  it("a GitTree at a commit loads the same state as the folder it was committed from", async (t) => {
    if (!requireGit(t)) return;
    const { repo, cleanup } = await seeded();
    try {
      const head = (await repo.head())!;
      const fromGit = await loadRepository(repo.treeAt(head, "main"));
      const fromDisk = await loadRepository(new DirectoryTree(PROJECT_ROOT));
      assert.deepEqual(fromGit.problems, []);
      assert.equal(fromGit.filesRead, fromDisk.filesRead);
      assert.deepEqual([...fromGit.state.environments.keys()], [...fromDisk.state.environments.keys()]);
      for (const [name, env] of fromDisk.state.environments) {
        const other = fromGit.state.environments.get(name)!;
        assert.deepEqual(other.environment, env.environment);
        assert.deepEqual([...other.releases.entries()], [...env.releases.entries()]);
        assert.deepEqual([...other.statuses.entries()], [...env.statuses.entries()]);
      }
    } finally {
      await cleanup();
    }
  });

  it("names bad files as <ref>:<path> with the line", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-gitops-");
    try {
      const bare = await createSeededBareRepo(temp.dir, "bad.git", async (work) => {
        const { cp } = await import("node:fs/promises");
        await cp(join(PROJECT_ROOT, "environments"), join(work, "environments"), { recursive: true });
        const file = join(work, "environments/dev/status/support-agent.yaml");
        await writeFile(file, (await readFile(file, "utf8")).replace("phase: promoted", "phase: sideways"));
      });
      const repo = await GitRepo.open(bare);
      const loaded = await repo.stateAt((await repo.head())!, "main");
      const problem = loaded.problems.find((p) => p.file === "main:environments/dev/status/support-agent.yaml");
      assert.ok(problem, JSON.stringify(loaded.problems));
      assert.equal(problem.line, 5);
      assert.equal(problem.field, "phase");
    } finally {
      await temp.cleanup();
    }
  });
});

describe("decision commits", () => {
  it("records status, release pointer and evidence in one commit that plain git reads", async (t) => {
    if (!requireGit(t)) return;
    const { bare, repo, cleanup } = await seeded();
    try {
      const outcome = await commitDecisionWithRetry(repo, (head) => decisionAt(head, { action: "rollback", step: 1 }));
      assert.equal(outcome.kind, "committed");
      if (outcome.kind !== "committed") return;
      const [decision] = outcome.decisions;
      assert.equal(await repo.head(), decision!.commit);

      // What changed: exactly the status, the release and the evidence document.
      const files = await changedFiles(repo, decision!.parent, decision!.commit);
      assert.deepEqual(
        files.map((f) => `${f.kind} ${f.path}`),
        [
          "modified environments/staging/releases/support-agent.yaml",
          "modified environments/staging/status/support-agent.yaml",
          `added ${evidencePath(decision!.evidence)}`,
        ],
      );

      // git itself: the repository is sound and the log reads well.
      gitCli(bare, "fsck", "--strict", "--no-progress");
      const subject = gitCli(bare, "log", "-1", "--format=%s").trim();
      assert.equal(subject, "rollback(staging/support-agent): f806ccf0be4b → fa7f76f33947");
      const body = gitCli(bare, "log", "-1", "--format=%b");
      assert.match(body, /^error_rate regressed at step 1 \(10% canary\)$/m);
      assert.match(
        body,
        /^- error_rate: baseline 1\.20%, canary 3\.10%, effect \+1\.90 pp, statistic e-value 42\.1 \(threshold 20\) → regression$/m,
      );
      assert.match(body, /^Artifact diff f806ccf0be4b → fa7f76f33947 \(2 of 5 parts changed\):$/m);
      assert.match(body, /^- model: unchanged$/m);
      assert.match(body, /^- code: support-agent@/m);
      const trailers = gitCli(
        bare,
        "log",
        "-1",
        "--format=%(trailers:key=Tollgate-Decision,key=Tollgate-Service,key=Tollgate-Evidence,valueonly,separator=%x2C)",
      ).trim();
      assert.equal(trailers, `rollback,support-agent,${decision!.evidence}`);
      assert.equal(
        gitCli(bare, "log", "-1", "--format=%an <%ae> %cI").trim(),
        "tollgate-test <tollgate@example.test> 2026-11-20T10:00:00+00:00",
      );

      // The files are what the model reads back.
      const after = await repo.stateAt(decision!.commit);
      assert.deepEqual(after.problems, []);
      const staging = after.state.environments.get("staging")!;
      assert.equal(
        staging.releases.get("support-agent")!.artifact.digest,
        "sha256:fa7f76f33947b52ed364aa04b1ebb0cbc40691e3bb2e86d87399a9dc42c79392",
      );
      const status = staging.statuses.get("support-agent")!;
      assert.equal(status.phase, "rolled-back");
      assert.equal(status.lastDecision?.evidence, decision!.evidence);
      assert.equal(status.lastDecision?.idempotencyKey, decision!.idempotencyKey);
      // The release file kept its comment: the pointer flip edits it in place.
      const releaseText = gitCli(bare, "show", `${decision!.commit}:environments/staging/releases/support-agent.yaml`);
      assert.match(releaseText, /^# support-agent 1\.9\.0, one release ahead of prod\.$/m);

      // The evidence is stored, canonical, and verified against its digest.
      const evidence = await readEvidence(repo.treeAt(decision!.commit), decision!.evidence);
      assert.equal((evidence.document as { action: string }).action, "rollback");
      const raw = gitCli(bare, "show", `${decision!.commit}:${evidencePath(decision!.evidence)}`);
      assert.equal(`sha256:${createHash("sha256").update(raw).digest("hex")}`, decision!.evidence);
      assert.equal(raw, JSON.stringify(JSON.parse(raw)));
      assert.equal(decision!.idempotencyKey, `staging/support-agent/${decision!.change.artifact}/1/rollback`);

      // And the message parses back to the same trailers.
      const parsed = parseDecisionMessage(gitCli(bare, "log", "-1", "--format=%B"));
      assert.equal(parsed.kind, "decision");
      if (parsed.kind === "decision") {
        assert.deepEqual(parsed.message.trailers, {
          decision: "rollback",
          environment: "staging",
          service: "support-agent",
          artifact: decision!.change.artifact,
          policy: POLICY,
          evidence: decision!.evidence,
          idempotencyKey: decision!.idempotencyKey,
          step: 1,
        });
      }
    } finally {
      await cleanup();
    }
  });

  it("never records the same decision twice", async (t) => {
    if (!requireGit(t)) return;
    const { repo, cleanup } = await seeded();
    try {
      const first = await commitDecisionWithRetry(repo, (head) => decisionAt(head, { action: "advance", step: 0 }));
      assert.equal(first.kind, "committed");
      const second = await commitDecisionWithRetry(repo, (head) =>
        decisionAt(head, { action: "advance", step: 0, at: "2026-11-20T10:05:00Z" }),
      );
      assert.equal(second.kind, "unchanged");
      if (second.kind === "unchanged" && first.kind === "committed") {
        assert.deepEqual(second.skipped, [
          { idempotencyKey: first.decisions[0]!.idempotencyKey, existing: first.decisions[0]!.commit },
        ]);
      }
      assert.equal((await listDecisionCommits(repo)).length, 1);
    } finally {
      await cleanup();
    }
  });

  it("writes a batch as a chain of commits, one per decision, under one ref update", async (t) => {
    if (!requireGit(t)) return;
    const { bare, repo, cleanup } = await seeded();
    try {
      const seen: string[] = [];
      const outcome = await commitDecisionWithRetry(repo, (head) => [
        decisionAt(head, { action: "advance", step: 0 }),
        decisionAt(head, { environment: "dev", service: "retrieval-api", action: "hold", step: 0 }),
      ]);
      assert.equal(outcome.kind, "committed");
      if (outcome.kind !== "committed") return;
      for (const d of outcome.decisions) seen.push(gitCli(bare, "log", "-1", "--format=%s", d.commit).trim());
      assert.equal(outcome.decisions[1]!.parent, outcome.decisions[0]!.commit);
      assert.match(seen[0]!, /^advance\(staging\/support-agent\)/);
      assert.match(seen[1]!, /^hold\(dev\/retrieval-api\)/);
      const dev = await listDecisionCommits(repo, { environment: "dev" });
      assert.deepEqual(
        dev.map((e) => e.oid),
        [outcome.decisions[1]!.commit],
      );
    } finally {
      await cleanup();
    }
  });

  it("refuses to commit a status that would not validate", async (t) => {
    if (!requireGit(t)) return;
    const { repo, cleanup } = await seeded();
    try {
      const before = await repo.head();
      await assert.rejects(
        commitDecisionWithRetry(repo, (head) => {
          const change = decisionAt(head, { action: "advance" });
          return { ...change, status: { ...change.status, weight: 140 } };
        }),
        /refusing to commit an invalid environments\/staging\/status\/support-agent\.yaml: .*weight/,
      );
      assert.equal(await repo.head(), before);
    } finally {
      await cleanup();
    }
  });

  it("moves the branch only from the commit the decision was made on", async (t) => {
    if (!requireGit(t)) return;
    const { repo, cleanup } = await seeded();
    try {
      const head = (await repo.head())!;
      const state = {
        commit: head,
        tree: repo.treeAt(head),
        loaded: await repo.stateAt(head),
        attempt: 1,
        sync: { head, publishedPending: null, discarded: null },
      };
      const a = await writeDecisionCommit(repo, head, decisionAt(state, { action: "advance" }));
      const b = await writeDecisionCommit(repo, head, decisionAt(state, { action: "hold" }));
      await repo.updateBranch(head, a.commit);
      await assert.rejects(
        repo.updateBranch(head, b.commit),
        (e: unknown) => e instanceof RefConflictError && e.actual === a.commit,
      );
      assert.equal(await repo.head(), a.commit);
    } finally {
      await cleanup();
    }
  });
});

describe("objects written natively", () => {
  it("trees are in git's order and hash to the ids git gives them", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-gitops-");
    try {
      const repo = await GitRepo.init(join(temp.dir, "objects.git"));
      const edits = new Map<string, string>([
        ["x/a-b", "1\n"],
        ["x/a/c", "2\n"],
        ["x/a.b", "3\n"],
        ["x/a0", "4\n"],
        ["x/\u00e9t\u00e9.yaml", "5\n"],
      ]);
      const tree = await editTree(repo.store, null, edits);
      const commit = await repo.store.writeCommit({
        message: "objects\n",
        tree,
        parent: [],
        author: { name: "T", email: "t@example.test", timestamp: 1_800_000_000, timezoneOffset: -60 },
        committer: { name: "T", email: "t@example.test", timestamp: 1_800_000_000, timezoneOffset: -60 },
      });
      await repo.updateBranch(null, commit);
      const bare = join(temp.dir, "objects.git");
      gitCli(bare, "fsck", "--strict", "--no-progress");
      const listing = gitCli(bare, "ls-tree", "main:x");
      assert.deepEqual(
        listing
          .trim()
          .split("\n")
          .map((l) => l.split("\t")[1]),
        ["a-b", "a.b", "a", "a0", '"\\303\\251t\\303\\251.yaml"'],
      );
      // git's own encoding of the same listing gives the same id.
      assert.equal(
        execFileSync("git", ["mktree"], { cwd: bare, input: listing, encoding: "utf8" }).trim(),
        gitCli(bare, "rev-parse", "main:x").trim(),
      );
      assert.match(gitCli(bare, "log", "-1", "--format=%ai"), /\+0100$/m);
      assert.deepEqual(
        (await repo.treeAt(commit).list("x"))!.map((e) => e.name),
        ["a", "a-b", "a.b", "a0", "\u00e9t\u00e9.yaml"],
      );
    } finally {
      await temp.cleanup();
    }
  });
});

describe("crash safety", () => {
  const points: GitopsPoint[] = [
    "evidence-written",
    "objects-written",
    "objects-stored",
    "commit-written",
    "ref-updated",
  ];
  for (const point of points) {
    it(`a crash at ${point} leaves the old head or the new one, and a consistent repository`, async (t) => {
      if (!requireGit(t)) return;
      const { bare, cleanup } = await seeded();
      try {
        class Crash extends Error {}
        const crashing = await GitRepo.open(bare, {
          clock,
          hooks: {
            at: (p) => {
              if (p === point) throw new Crash(p);
            },
          },
        });
        const before = (await crashing.head())!;
        await assert.rejects(
          commitDecisionWithRetry(crashing, (head) => decisionAt(head, { action: "advance", step: 1 })),
          Crash,
        );

        const reopened = await GitRepo.open(bare, { clock });
        const after = (await reopened.head())!;
        gitCli(bare, "fsck", "--strict", "--no-progress");
        const decisions = await listDecisionCommits(reopened);
        if (point === "ref-updated") {
          assert.notEqual(after, before);
          assert.equal(decisions.length, 1);
        } else {
          assert.equal(after, before);
          assert.equal(decisions.length, 0);
        }
        // Starting again converges on exactly one decision.
        const again = await commitDecisionWithRetry(reopened, (head) =>
          decisionAt(head, { action: "advance", step: 1 }),
        );
        assert.equal(again.kind, point === "ref-updated" ? "unchanged" : "committed");
        assert.equal((await listDecisionCommits(reopened)).length, 1);
        const loaded = await reopened.stateAt((await reopened.head())!);
        assert.deepEqual(loaded.problems, []);
      } finally {
        await cleanup();
      }
    });
  }

  it("clears a lock left by a writer that died", async (t) => {
    if (!requireGit(t)) return;
    const { bare, repo, cleanup } = await seeded();
    try {
      await writeFile(
        join(bare, "refs/heads/main.lock"),
        "tollgate pid=2147483646 host=" + (await import("node:os")).hostname() + " run=dead\n",
      );
      const outcome = await commitDecisionWithRetry(repo, (head) => decisionAt(head, { action: "advance" }));
      assert.equal(outcome.kind, "committed");
      gitCli(bare, "fsck", "--strict", "--no-progress");
    } finally {
      await cleanup();
    }
  });
});

describe("evidence integrity", () => {
  it("detects an edited or missing evidence document", async (t) => {
    if (!requireGit(t)) return;
    const { bare, repo, cleanup } = await seeded();
    try {
      const outcome = await commitDecisionWithRetry(repo, (head) => decisionAt(head, { action: "advance" }));
      if (outcome.kind !== "committed") throw new Error(outcome.kind);
      const digest = outcome.decisions[0]!.evidence;
      // A person rewrites the evidence in a later commit.
      const work = join(bare, "..", "tamper");
      gitCli(join(bare, ".."), "clone", "-q", bare, work);
      const file = join(work, evidencePath(digest));
      await writeFile(
        file,
        (await readFile(file, "utf8")).replace('"errors":{"baseline":12', '"errors":{"baseline":13'),
      );
      gitCli(work, "commit", "-q", "-am", "tidy evidence");
      gitCli(work, "push", "-q", "origin", "main");
      const tampered = (await repo.head())!;
      await assert.rejects(
        readEvidence(repo.treeAt(tampered, "main"), digest),
        (e: unknown) =>
          e instanceof EvidenceError && e.problem === "digest-mismatch" && /main:evidence\/sha256\//.test(e.message),
      );
      await rm(file);
      gitCli(work, "commit", "-q", "-am", "drop evidence");
      gitCli(work, "push", "-q", "origin", "main");
      await assert.rejects(
        readEvidence(repo.treeAt((await repo.head())!), digest),
        (e: unknown) => e instanceof EvidenceError && e.problem === "missing",
      );
      // The decision commit itself still verifies.
      await readEvidence(repo.treeAt(outcome.head), digest);
    } finally {
      await cleanup();
    }
  });
});
