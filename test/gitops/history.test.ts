import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { commitDecisionWithRetry } from "../../src/reconcile/transaction.ts";
import { findDecisionByKey, listDecisionCommits, walkHistory } from "../../src/gitops/history.ts";
import { GitRepo } from "../../src/gitops/repo.ts";
import { createSeededBareRepo, gitCli, requireGit } from "../support/git-http/repos.ts";
import { tempDir } from "../support/tmp-repo.ts";
import { type DecisionSpec, decisionAt } from "./fixtures.ts";

/** A clock that moves one minute per commit, from 10:00. */
function ticking(): () => Date {
  let minutes = 0;
  return () => new Date(Date.UTC(2026, 10, 20, 10, minutes++));
}

async function withRepo(
  t: { skip: (m: string) => void },
  run: (repo: GitRepo, bare: string, dir: string) => Promise<void>,
): Promise<void> {
  const temp = await tempDir("tollgate-history-");
  try {
    const bare = await createSeededBareRepo(temp.dir, "h.git");
    await run(await GitRepo.open(bare, { clock: ticking() }), bare, temp.dir);
  } finally {
    await temp.cleanup();
  }
  void t;
}

async function decide(repo: GitRepo, ...specs: DecisionSpec[]): Promise<string[]> {
  const commits: string[] = [];
  for (const spec of specs) {
    const outcome = await commitDecisionWithRetry(repo, (head) => decisionAt(head, spec));
    if (outcome.kind !== "committed") throw new Error(`expected a commit for ${spec.action}, got ${outcome.kind}`);
    commits.push(outcome.head);
  }
  return commits;
}

describe("decision history", () => {
  it("lists decisions newest first, filtered by environment, service, date and ref", async (t) => {
    if (!requireGit(t)) return;
    await withRepo(t, async (repo, bare) => {
      const [a0, h1, a1] = await decide(
        repo,
        { action: "advance", step: 0 },
        { environment: "dev", service: "retrieval-api", action: "hold", step: 0 },
        { action: "advance", step: 1 },
      );
      // A person's commit in between is walked but is not a decision.
      const scratch = join(bare, "..", "person");
      gitCli(join(bare, ".."), "clone", "-q", bare, scratch);
      writeFileSync(join(scratch, "README.md"), "desired state\n");
      gitCli(scratch, "add", "README.md");
      gitCli(scratch, "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "readme", "--date=2026-11-20T10:30:00Z");
      gitCli(scratch, "push", "-q", "origin", "main");
      const [p] = await decide(repo, { action: "promote", step: 2 });

      const all = await listDecisionCommits(repo);
      assert.deepEqual(
        all.map((e) => e.oid),
        [p, a1, h1, a0],
      );
      assert.deepEqual(
        all.map((e) => e.decision?.trailers.decision),
        ["promote", "advance", "hold", "advance"],
      );
      const commits: string[] = [];
      for await (const entry of walkHistory(repo)) commits.push(entry.message.split("\n")[0]!);
      assert.equal(commits.length, 6);
      assert.ok(commits.includes("readme"));

      assert.deepEqual(
        (await listDecisionCommits(repo, { service: "retrieval-api" })).map((e) => e.oid),
        [h1],
      );
      assert.deepEqual(
        (await listDecisionCommits(repo, { environment: "staging", limit: 2 })).map((e) => e.oid),
        [p, a1],
      );
      assert.deepEqual(
        (await listDecisionCommits(repo, { since: a1 })).map((e) => e.oid),
        [p],
      );
      assert.deepEqual(
        (await listDecisionCommits(repo, { since: new Date(Date.UTC(2026, 10, 20, 10, 1)) })).map((e) => e.oid),
        [p, a1, h1],
      );
      assert.deepEqual(
        (await listDecisionCommits(repo, { from: a1 })).map((e) => e.oid),
        [a1, h1, a0],
      );
      assert.equal(all[0]!.author.name, "tollgate");
      assert.equal(all[3]!.committer.timestamp, Date.UTC(2026, 10, 20, 10, 0) / 1000);
    });
  });

  it("follows both sides of a merge and stops at the `since` commit on each", async (t) => {
    if (!requireGit(t)) return;
    await withRepo(t, async (repo, bare) => {
      const [a0] = await decide(repo, { action: "advance", step: 0 });
      // A branch merged by a person: its decision commit arrives through the merge's second parent.
      const scratch = join(bare, "..", "merger");
      gitCli(join(bare, ".."), "clone", "-q", bare, scratch);
      await decide(repo, { environment: "dev", service: "retrieval-api", action: "hold", step: 0 });
      gitCli(scratch, "checkout", "-q", "-b", "side");
      writeFileSync(join(scratch, "NOTES.md"), "side\n");
      gitCli(scratch, "add", "NOTES.md");
      gitCli(scratch, "commit", "-q", "-m", "side note");
      gitCli(scratch, "fetch", "-q", "origin");
      gitCli(scratch, "checkout", "-q", "main");
      gitCli(scratch, "merge", "-q", "--ff-only", "origin/main");
      gitCli(scratch, "merge", "-q", "--no-ff", "-m", "merge side", "side");
      gitCli(scratch, "push", "-q", "origin", "main");
      const messages: string[] = [];
      for await (const entry of walkHistory(repo, { since: a0 }))
        messages.push(entry.message.split("\n")[0]!.replace(/:.*/, ""));
      assert.deepEqual(messages.sort(), ["hold(dev/retrieval-api)", "merge side", "side note"]);
    });
  });

  it("looks for an idempotency key only back to the service's last promotion or rollback", async (t) => {
    if (!requireGit(t)) return;
    await withRepo(t, async (repo) => {
      const [first] = await decide(repo, { action: "advance", step: 0 });
      const key = (await listDecisionCommits(repo))[0]!.decision!.trailers.idempotencyKey;
      assert.equal(await findDecisionByKey(repo, await repo.head(), key), first);
      // Another service's promotion does not end the search...
      await decide(repo, { environment: "dev", service: "retrieval-api", action: "promote", step: 2 });
      assert.equal(await findDecisionByKey(repo, await repo.head(), key), first);
      // ...this service's does: a later rollout may take the same step again.
      await decide(repo, { action: "promote", step: 2 });
      assert.equal(await findDecisionByKey(repo, await repo.head(), key), undefined);
      const [again] = await decide(repo, { action: "advance", step: 0 });
      assert.equal(await findDecisionByKey(repo, await repo.head(), key), again);
    });
  });

  it("reports a hand-made commit that claims to be a decision, with what is wrong", async (t) => {
    if (!requireGit(t)) return;
    await withRepo(t, async (repo, bare) => {
      await decide(repo, { action: "advance", step: 0 });
      const scratch = join(bare, "..", "forger");
      gitCli(join(bare, ".."), "clone", "-q", bare, scratch);
      writeFileSync(join(scratch, "x.txt"), "x\n");
      gitCli(scratch, "add", "x.txt");
      gitCli(
        scratch,
        "commit",
        "-q",
        "-m",
        "promote(staging/support-agent): by hand\n\nTollgate-Decision: promote\nTollgate-Environment: staging\nTollgate-Service: support-agent",
      );
      gitCli(scratch, "push", "-q", "origin", "main");
      const listed = await listDecisionCommits(repo, { service: "support-agent" });
      assert.equal(listed.length, 2);
      assert.equal(listed[0]!.decision, null);
      assert.ok(
        listed[0]!.problems.some((p) => /Tollgate-Artifact must be sha256/.test(p)),
        listed[0]!.problems.join("\n"),
      );
      assert.ok(listed[1]!.decision);
    });
  });
});
