/**
 * Pushing a batch by sending the pack it was stored in (receive-pack over smart HTTP, against
 * Debian's git http-backend): the remote's git accepts it, the lease holds whether the remote moved
 * before the advertisement or between it and the update, credentials are used as for isomorphic-git,
 * and a pack always carries every object its commits add, even ones stored here by an earlier
 * commit that was never published.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { authFromEnv } from "../../src/git/auth.ts";
import { commitDecisionWithRetry, type HeadState } from "../../src/reconcile/transaction.ts";
import { writeDecisionCommit } from "../../src/gitops/decision-commit.ts";
import { GitRepositoryError, RemoteMovedError } from "../../src/git/errors.ts";
import { listDecisionCommits } from "../../src/gitops/history.ts";
import { pushWithLease } from "../../src/git/push.ts";
import { GitRepo } from "../../src/gitops/repo.ts";
import { sendPackWithLease } from "../../src/git/send-pack.ts";
import { type GitHttpRequest, type GitHttpServer, startGitHttpServer } from "../support/git-http/server.ts";
import { createSeededBareRepo, gitCli, hasGit, humanCommit, requireGit } from "../support/git-http/repos.ts";
import { tempDir } from "../support/tmp-repo.ts";
import { decisionAt } from "../gitops/fixtures.ts";

const AUTH = { username: "reconciler", password: "s3cret-for-tests" };
const clock = () => new Date("2026-11-20T10:00:00Z");

/** Twelve decisions about one service (about 120 objects: a batch stored as a pack). */
function steps(head: HeadState, from = 0, count = 12) {
  return Array.from({ length: count }, (_, i) =>
    decisionAt(head, {
      action: "advance",
      step: from + i,
      at: `2026-11-20T10:${String(from + i).padStart(2, "0")}:00Z`,
    }),
  );
}

describe("pushing a batch as its own pack", () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let server: GitHttpServer;
  let onRequest: ((r: GitHttpRequest) => void | Promise<void>) | undefined;
  let counter = 0;

  before(async () => {
    root = await tempDir("tollgate-send-pack-");
    if (!hasGit()) return;
    server = await startGitHttpServer({ root: root.dir, auth: AUTH, beforeRequest: (r) => onRequest?.(r) });
  });
  after(async () => {
    await server?.close();
    await root.cleanup();
  });

  async function remote(): Promise<{ bare: string; clone: (auth?: boolean) => Promise<GitRepo> }> {
    const name = `s${++counter}.git`;
    const bare = await createSeededBareRepo(root.dir, name);
    let clones = 0;
    const clone = async (auth = true) =>
      GitRepo.clone(join(root.dir, `${name}.clone${++clones}`), {
        clock,
        remote: {
          url: server.url(name),
          ...(auth
            ? { auth: authFromEnv({ TOLLGATE_GIT_USERNAME: AUTH.username, TOLLGATE_GIT_PASSWORD: AUTH.password })! }
            : {}),
        },
      });
    return { bare, clone };
  }
  const remoteHead = (bare: string) => gitCli(bare, "rev-parse", "main").trim();

  /** A chain of decisions written into one batch on the clone's head; the branch moved, nothing pushed. */
  async function localChain(repo: GitRepo, from = 0): Promise<{ head: string; tip: string; pack: Buffer }> {
    const head = (await repo.head())!;
    const state: HeadState = {
      commit: head,
      tree: repo.treeAt(head),
      loaded: await repo.stateAt(head),
      attempt: 1,
      sync: { head, publishedPending: null, discarded: null },
    };
    const batch = repo.store.batch();
    let tip = head;
    for (const change of steps(state, from)) tip = (await writeDecisionCommit(repo, tip, change, batch)).commit;
    const pack = await batch.flush();
    assert.ok(pack, "a batch this large is stored as a pack");
    await repo.updateBranch(head, tip);
    return { head, tip, pack };
  }

  it("sends the batch's pack: the remote's git accepts it, and the tracking ref follows", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const repo = await clone();
    const { head, tip, pack } = await localChain(repo);
    const requests = server.requests.length;
    assert.equal(await sendPackWithLease(repo, head, tip, pack), "sent");
    assert.deepEqual(
      server.requests.slice(requests).map((r) => `${r.method} ${r.service}`),
      ["GET git-receive-pack", "POST git-receive-pack"],
      "an advertisement (answered once credentials came after a 401), then one POST",
    );
    assert.equal(remoteHead(bare), tip);
    assert.equal(gitCli(repo.gitdir, "rev-parse", "refs/remotes/origin/main").trim(), tip);
    gitCli(bare, "fsck", "--strict", "--no-progress");
    assert.equal(
      gitCli(bare, "log", "--format=%s", "main")
        .trim()
        .split("\n")
        .filter((s) => s.startsWith("advance(")).length,
      12,
    );

    // The reconciler's path does the same, and a fresh clone reads the result.
    const outcome = await commitDecisionWithRetry(repo, (h) => steps(h, 12));
    assert.equal(outcome.kind, "committed");
    assert.equal(remoteHead(bare), outcome.kind === "committed" ? outcome.head : "");
    gitCli(bare, "fsck", "--strict", "--no-progress");
    assert.equal((await listDecisionCommits(await clone())).length, 24);
  });

  it("waits for a git server that stays silent longer than Node's default 5 s", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const repo = await clone();
    const { head, tip, pack } = await localChain(repo);
    onRequest = async (r) => {
      if (r.method === "POST") await new Promise((resolve) => setTimeout(resolve, 6_000));
    };
    try {
      assert.equal(await sendPackWithLease(repo, head, tip, pack), "sent");
      assert.equal(remoteHead(bare), tip);
    } finally {
      onRequest = undefined;
    }
  });

  it("keeps the lease: a remote that moved before the advertisement, or just before the update, is not overwritten", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const repo = await clone();
    const { head, tip, pack } = await localChain(repo);
    const human = humanCommit(
      bare,
      join(root.dir, `moved-${counter}`),
      (dir) => gitCli(dir, "rm", "-q", "environments/dev/status/retrieval-api.yaml"),
      "dev: reset retrieval-api status",
    );
    await assert.rejects(
      sendPackWithLease(repo, head, tip, pack),
      (e: unknown) => e instanceof RemoteMovedError && e.actual === human,
    );
    assert.equal(remoteHead(bare), human);

    // Advertised at the expected value, moved by a person as the pack arrives: the server refuses.
    const again = await remote();
    const second = await again.clone();
    const chain = await localChain(second);
    let raced: string | undefined;
    onRequest = (r) => {
      if (r.method === "POST" && r.service === "git-receive-pack" && !raced) {
        raced = humanCommit(
          again.bare,
          join(root.dir, `race-${counter}`),
          (dir) => gitCli(dir, "rm", "-q", "environments/dev/status/retrieval-api.yaml"),
          "dev: reset retrieval-api status",
        );
      }
    };
    try {
      await assert.rejects(sendPackWithLease(second, chain.head, chain.tip, chain.pack), RemoteMovedError);
    } finally {
      onRequest = undefined;
    }
    assert.equal(remoteHead(again.bare), raced);
    gitCli(again.bare, "fsck", "--no-progress");
  });

  it("the isomorphic-git push it falls back to keeps the same lease", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const repo = await clone();
    const { head } = await localChain(repo);
    const human = humanCommit(
      bare,
      join(root.dir, `fallback-${counter}`),
      (dir) => gitCli(dir, "rm", "-q", "environments/dev/status/retrieval-api.yaml"),
      "dev: reset retrieval-api status",
    );
    await assert.rejects(
      pushWithLease(repo, head),
      (e: unknown) => e instanceof RemoteMovedError && e.actual === human,
    );
    assert.equal(remoteHead(bare), human);

    const fresh = await remote();
    const other = await fresh.clone();
    const chain = await localChain(other);
    await pushWithLease(other, chain.head);
    assert.equal(remoteHead(fresh.bare), chain.tip);
  });

  it("refuses without credentials, naming what to set", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const withAuth = await clone();
    const { head, tip, pack } = await localChain(withAuth);
    const anonymous = await GitRepo.open(withAuth.gitdir, {
      clock,
      remote: { url: server.url(bare.split("/").at(-1)!) },
    });
    await assert.rejects(
      sendPackWithLease(anonymous, head, tip, pack),
      (e: unknown) => e instanceof GitRepositoryError && /authentication required/.test(e.message),
    );
    assert.notEqual(remoteHead(bare), tip);
  });

  it("carries objects an earlier, never published commit already stored here", async (t) => {
    if (!requireGit(t)) return;
    const { bare, clone } = await remote();
    const repo = await clone();
    // Twelve decisions committed here but never pushed, then dropped (the remote moved meanwhile).
    const first = await localChain(repo);
    await repo.updateBranch(first.tip, first.head);
    // The same twelve and twelve more: the first half are objects this store has already.
    const outcome = await commitDecisionWithRetry(repo, (h) => [...steps(h, 0), ...steps(h, 12)]);
    assert.equal(outcome.kind, "committed");
    if (outcome.kind !== "committed") return;
    assert.equal(outcome.decisions[11]!.commit, first.tip, "the same decisions on the same head are the same commits");
    assert.equal(remoteHead(bare), outcome.head);
    gitCli(bare, "fsck", "--strict", "--no-progress");
  });
});
