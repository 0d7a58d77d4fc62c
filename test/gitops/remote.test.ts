import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { authFromEnv } from "../../src/git/auth.ts";
import { type CommitOutcome, commitDecisionWithRetry, type HeadState } from "../../src/reconcile/transaction.ts";
import { GitRepositoryError } from "../../src/git/errors.ts";
import { listDecisionCommits } from "../../src/gitops/history.ts";
import { GitRepo, type GitRepoOptions, type GitopsPoint } from "../../src/gitops/repo.ts";
import { type GitHttpServer, type GitHttpRequest, startGitHttpServer } from "../support/git-http/server.ts";
import { createSeededBareRepo, gitCli, hasGit, humanCommit, requireGit } from "../support/git-http/repos.ts";
import { tempDir } from "../support/tmp-repo.ts";
import { decisionAt } from "./fixtures.ts";

const AUTH = { username: "reconciler", password: "s3cret-for-tests" };
const ENV = { TOLLGATE_GIT_USERNAME: AUTH.username, TOLLGATE_GIT_PASSWORD: AUTH.password };
const clock = () => new Date("2026-11-20T10:00:00Z");

describe("a remote over git's smart HTTP (git http-backend)", () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let server: GitHttpServer;
  let onRequest: ((r: GitHttpRequest) => void | Promise<void>) | undefined;
  let counter = 0;

  before(async () => {
    root = await tempDir("tollgate-remote-");
    if (!hasGit()) return;
    server = await startGitHttpServer({ root: root.dir, auth: AUTH, beforeRequest: (r) => onRequest?.(r) });
  });
  after(async () => {
    await server?.close();
    await root.cleanup();
  });

  /** A fresh seeded remote and a function that clones it into a new folder. */
  async function remote(): Promise<{
    bare: string;
    url: string;
    clone: (extra?: Partial<GitRepoOptions>) => Promise<GitRepo>;
  }> {
    const name = `r${++counter}.git`;
    const bare = await createSeededBareRepo(root.dir, name);
    const url = server.url(name);
    let clones = 0;
    const clone = async (extra: Partial<GitRepoOptions> = {}) =>
      GitRepo.openOrClone(join(root.dir, `${name}.clone${++clones}`), {
        clock,
        ...extra,
        remote: { url, auth: authFromEnv(ENV)! },
      });
    return { bare, url, clone };
  }
  const remoteHead = (bare: string) => gitCli(bare, "rev-parse", "main").trim();

  it("clones with credentials from the environment, and refuses without them or inside the URL", async (t) => {
    if (!requireGit(t)) return;
    const { bare, url, clone } = await remote();
    const repo = await clone();
    assert.equal(await repo.head(), remoteHead(bare));
    const loaded = await repo.stateAt((await repo.head())!, "origin/main");
    assert.deepEqual(loaded.problems, []);
    assert.ok(loaded.state.environments.has("prod"));
    const config = await readFile(join(repo.gitdir, "config"), "utf8");
    assert.doesNotMatch(config, /s3cret/);

    await assert.rejects(
      GitRepo.clone(join(root.dir, "noauth"), { remote: { url } }),
      (e: unknown) => e instanceof GitRepositoryError && /authentication required/.test(e.message),
    );
    await assert.rejects(
      GitRepo.clone(join(root.dir, "badauth"), {
        remote: { url, auth: { username: "reconciler", password: "wrong" } },
      }),
      (e: unknown) => e instanceof GitRepositoryError && /authentication failed/.test(e.message),
    );
    const withUser = url.replace("http://", "http://reconciler:s3cret@");
    await assert.rejects(
      GitRepo.clone(join(root.dir, "inurl"), { remote: { url: withUser } }),
      (e: unknown) =>
        e instanceof GitRepositoryError &&
        /credentials in the URL are refused/.test(e.message) &&
        !/s3cret/.test(e.message),
    );
  });

  it("pushes a decision; the remote's own git sees a sound repository and a readable log", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const repo = await clone();
    const outcome = await commitDecisionWithRetry(repo, (head) => decisionAt(head, { action: "advance", step: 0 }));
    assert.equal(outcome.kind, "committed");
    if (outcome.kind !== "committed") return;
    assert.equal(remoteHead(bare), outcome.head);
    gitCli(bare, "fsck", "--strict", "--no-progress");
    assert.match(
      gitCli(bare, "log", "--oneline", "-1"),
      /^[0-9a-f]+ advance\(staging\/support-agent\): fa7f76f33947 → f806ccf0be4b$/m,
    );
    // A fresh clone by plain git has the evidence file the trailer names.
    const evidence = gitCli(bare, "log", "-1", "--format=%(trailers:key=Tollgate-Evidence,valueonly)").trim();
    const hex = evidence.replace("sha256:", "");
    assert.ok(
      gitCli(bare, "ls-tree", "-r", "--name-only", "main").includes(`evidence/sha256/${hex.slice(0, 2)}/${hex}.json`),
    );
  });

  it("a fetch when the remote did not move costs one request and writes nothing", async (t) => {
    if (!requireGit(t)) return;
    const { clone } = await remote();
    const repo = await clone();
    const packs = async () => (await readdir(join(repo.gitdir, "objects/pack"))).length;
    const before = await packs();
    const requests = server.requests.length;
    assert.equal(await repo.fetchRemote(), await repo.head());
    assert.equal(server.requests.length - requests, 1);
    assert.equal(await packs(), before);
  });

  it("two writers racing: the loser's push is rejected and it decides again on the winner's head", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const a = await clone();
    const b = await clone();
    const start = remoteHead(bare);
    // Both decide on the same head before either pushes.
    let arrived = 0;
    let release!: () => void;
    const bothDecided = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seenByB: (string | null)[] = [];
    const decideA = async (head: HeadState) => {
      if (head.attempt === 1 && ++arrived === 2) release();
      await bothDecided;
      return decisionAt(head, { action: "advance", step: 0 });
    };
    const decideB = async (head: HeadState) => {
      seenByB.push(head.commit);
      if (head.attempt === 1 && ++arrived === 2) release();
      await bothDecided;
      // B judges the other service: after A's commit it must still decide, on A's head.
      return decisionAt(head, { environment: "dev", service: "retrieval-api", action: "hold", step: 0 });
    };
    const [ra, rb] = await Promise.all([
      commitDecisionWithRetry(a, decideA, { backoffMs: 5 }),
      commitDecisionWithRetry(b, decideB, { backoffMs: 5 }),
    ]);
    const results = [ra, rb] as CommitOutcome[];
    assert.ok(
      results.every((r) => r.kind === "committed"),
      JSON.stringify(results.map((r) => r.kind)),
    );
    const winner = results.find((r) => r.attempts === 1)!;
    const loser = results.find((r) => r.attempts === 2)!;
    assert.ok(winner && loser, "one writer won at once, the other on its second attempt");
    if (winner.kind !== "committed" || loser.kind !== "committed") return;
    // The loser's decision sits on the winner's commit: it was made on the head it was pushed onto.
    assert.equal(loser.decisions[0]!.parent, winner.head);
    assert.equal(winner.decisions[0]!.parent, start);
    assert.equal(remoteHead(bare), loser.head);
    if (loser === rb) assert.deepEqual(seenByB, [start, winner.head]);
    const all = await listDecisionCommits(await clone());
    assert.equal(all.length, 2);
    gitCli(bare, "fsck", "--strict", "--no-progress");
  });

  it("two writers making the same decision record it once", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const [a, b] = [await clone(), await clone()];
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const decide = async (head: HeadState) => {
      if (head.attempt === 1 && ++arrived === 2) release();
      await gate;
      return decisionAt(head, { action: "promote", step: 2 });
    };
    const results = await Promise.all([
      commitDecisionWithRetry(a, decide, { backoffMs: 5 }),
      commitDecisionWithRetry(b, decide, { backoffMs: 5 }),
    ]);
    assert.deepEqual(results.map((r) => r.kind).sort(), ["committed", "unchanged"]);
    const decisions = await listDecisionCommits(await clone(), { service: "support-agent" });
    assert.equal(decisions.length, 1);
    assert.equal(decisions[0]!.oid, remoteHead(bare));
  });

  it("the server rejects a push whose remote moved after it was advertised (compare-and-swap on the server)", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const repo = await clone();
    let human: string | undefined;
    onRequest = (r) => {
      // Just as the pack arrives, a person pushes to the same branch.
      if (r.method === "POST" && r.service === "git-receive-pack" && !human) {
        human = humanCommit(
          bare,
          join(root.dir, `human-${counter}`),
          (dir) => gitCli(dir, "rm", "-q", "environments/dev/status/retrieval-api.yaml"),
          "dev: reset retrieval-api status",
        );
      }
    };
    try {
      const heads: (string | null)[] = [];
      const outcome = await commitDecisionWithRetry(
        repo,
        (head) => {
          heads.push(head.commit);
          return decisionAt(head, { action: "advance", step: 0 });
        },
        { backoffMs: 5 },
      );
      assert.equal(outcome.kind, "committed");
      assert.equal(outcome.attempts, 2);
      assert.equal(heads[1], human);
      if (outcome.kind === "committed") assert.equal(outcome.decisions[0]!.parent, human);
      assert.equal(remoteHead(bare), outcome.kind === "committed" ? outcome.head : "");
      const log = gitCli(bare, "log", "--format=%s", "main").trim().split("\n");
      assert.deepEqual(log, [
        "advance(staging/support-agent): fa7f76f33947 → f806ccf0be4b",
        "dev: reset retrieval-api status",
        "Seed the desired state",
      ]);
    } finally {
      onRequest = undefined;
    }
  });

  it("gives up after the bounded number of attempts when the remote keeps moving", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const repo = await clone();
    let n = 0;
    onRequest = (r) => {
      if (r.method === "POST" && r.service === "git-receive-pack") {
        humanCommit(
          bare,
          join(root.dir, `busy-${counter}-${++n}`),
          (dir) => writeNote(join(dir, `note-${n}.txt`)),
          `note ${n}`,
        );
      }
    };
    try {
      const sleeps: number[] = [];
      const outcome = await commitDecisionWithRetry(repo, (head) => decisionAt(head, { action: "advance" }), {
        maxAttempts: 3,
        backoffMs: 100,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.5,
      });
      assert.equal(outcome.kind, "conflict");
      assert.equal(outcome.attempts, 3);
      assert.deepEqual(sleeps, [100, 200]);
      assert.equal((await listDecisionCommits(await clone())).length, 0);
    } finally {
      onRequest = undefined;
    }
  });

  describe("crashes around the push", () => {
    const crashAt = (point: GitopsPoint) => ({
      hooks: {
        at: (p: GitopsPoint) => {
          if (p === point) throw new Error(`crash at ${p}`);
        },
      },
    });

    it("committed but not pushed: the restarted writer publishes it once", async (t) => {
      if (!requireGit(t)) return;
      const { bare, clone } = await remote();
      const crashing = await clone(crashAt("before-push"));
      const start = remoteHead(bare);
      await assert.rejects(
        commitDecisionWithRetry(crashing, (head) => decisionAt(head, { action: "advance", step: 0 })),
        /crash at before-push/,
      );
      assert.equal(remoteHead(bare), start);
      const pending = await crashing.head();
      assert.notEqual(pending, start);

      const restarted = await GitRepo.open(crashing.gitdir, { clock, remote: crashing.remote! });
      const outcome = await commitDecisionWithRetry(restarted, (head) =>
        decisionAt(head, { action: "advance", step: 0 }),
      );
      assert.equal(outcome.kind, "unchanged");
      if (outcome.kind === "unchanged") {
        assert.equal(outcome.sync.publishedPending, pending);
        assert.equal(outcome.skipped.length, 1);
      }
      assert.equal(remoteHead(bare), pending);
      assert.equal((await listDecisionCommits(restarted)).length, 1);
    });

    it("committed but not pushed while the remote moved: the stale decision is dropped and made again on the new head", async (t) => {
      if (!requireGit(t)) return;
      const { bare, clone } = await remote();
      const crashing = await clone(crashAt("before-push"));
      await assert.rejects(
        commitDecisionWithRetry(crashing, (head) => decisionAt(head, { action: "advance", step: 0 })),
        /crash at before-push/,
      );
      const stale = await crashing.head();
      const human = humanCommit(
        bare,
        join(root.dir, `moved-${counter}`),
        (dir) => writeNote(join(dir, "NOTES.md")),
        "notes",
      );

      const restarted = await GitRepo.open(crashing.gitdir, { clock, remote: crashing.remote! });
      const outcome = await commitDecisionWithRetry(restarted, (head) =>
        decisionAt(head, { action: "advance", step: 0 }),
      );
      assert.equal(outcome.kind, "committed");
      if (outcome.kind !== "committed") return;
      assert.equal(outcome.sync.discarded, stale);
      assert.equal(outcome.decisions[0]!.parent, human);
      assert.equal(remoteHead(bare), outcome.head);
      assert.equal((await listDecisionCommits(restarted)).length, 1);
      gitCli(bare, "fsck", "--strict", "--no-progress");
    });

    it("pushed but crashed before anything else: the restart records nothing new", async (t) => {
      if (!requireGit(t)) return;
      const { bare, clone } = await remote();
      const crashing = await clone(crashAt("pushed"));
      await assert.rejects(
        commitDecisionWithRetry(crashing, (head) => decisionAt(head, { action: "rollback", step: 1 })),
        /crash at pushed/,
      );
      const pushed = remoteHead(bare);
      const restarted = await GitRepo.open(crashing.gitdir, { clock, remote: crashing.remote! });
      // The reconciler would now decide on the rolled-back state; a replay of the same decision is skipped.
      const outcome = await commitDecisionWithRetry(restarted, () => null);
      assert.equal(outcome.kind, "unchanged");
      assert.equal(remoteHead(bare), pushed);
      assert.equal((await listDecisionCommits(restarted, { service: "support-agent" })).length, 1);
    });
  });
});

/** humanCommit's edit callback is synchronous. */
function writeNote(path: string): void {
  writeFileSync(path, `edited at ${path}\n`);
}
