import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import type { Release } from "../../src/model/types.ts";
import { runCli } from "../support/run-cli.ts";
import { createSeededBareRepo, hasGit, requireGit } from "../support/git-http/repos.ts";
import { type GitHttpServer, startGitHttpServer } from "../support/git-http/server.ts";
import { tempDir } from "../support/tmp-repo.ts";
import { DIGESTS, exampleRepo, releasePath, statusPath, type TestRepo } from "./fixtures.ts";

const NOW = { TOLLGATE_NOW: "2026-11-24T10:15:00Z" };
const BRANCH = "promote/support-agent/prod/f806ccf0be4b";

async function promote(repo: TestRepo, ...args: string[]) {
  return runCli(["promote", ...args, "--repo", repo.dir], { env: { ...NOW } });
}

describe("tollgate promote", () => {
  let repo: TestRepo;
  before(async () => {
    if (!hasGit()) return;
    repo = await exampleRepo({ policies: false });
  });
  after(async () => repo?.cleanup());

  it("writes the verified staging artifact to prod on a new branch and leaves the checkout alone", async (t) => {
    if (!requireGit(t)) return;
    const head = repo.git("rev-parse", "HEAD").trim();
    // A change in the work tree and one in the index that the promotion must not touch or pick up.
    await writeFile(join(repo.dir, "notes.txt"), "work in progress\n");
    await writeFile(
      join(repo.dir, releasePath("dev", "support-agent")),
      `${await repo.read(releasePath("dev", "support-agent"))}# edited\n`,
    );
    repo.git("add", releasePath("dev", "support-agent"));
    const statusBefore = repo.git("status", "--porcelain");

    const result = await promote(repo, "support-agent", "--to", "prod");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /promoted support-agent to prod on branch promote\/support-agent\/prod\/f806ccf0be4b/);
    assert.match(result.stdout, /fa7f76f33947 → f806ccf0be4b, verified in staging at 2026-11-19T15:40:02Z/);

    assert.equal(repo.git("rev-parse", "HEAD").trim(), head, "HEAD did not move");
    assert.equal(repo.git("symbolic-ref", "--short", "HEAD").trim(), "main", "still on main");
    assert.equal(repo.git("status", "--porcelain"), statusBefore, "work tree and index as they were");

    assert.equal(repo.git("rev-parse", `${BRANCH}^`).trim(), head, "one commit on top of HEAD");
    assert.deepEqual(repo.git("diff", "--name-only", head, BRANCH).trim().split("\n"), [
      releasePath("prod", "support-agent"),
    ]);
    const text = repo.git("show", `${BRANCH}:${releasePath("prod", "support-agent")}`);
    assert.match(text, /^# support-agent 1\.8\.0 in production\./, "the author's comment is kept");
    const release = parse(text) as Release;
    assert.equal(release.artifact.digest, DIGESTS.stagingSupportAgent);
    assert.equal(release.lastGood?.digest, DIGESTS.prodSupportAgent, "what prod runs now is kept as lastGood");
    assert.deepEqual(
      release.attestations?.map((a) => [a.digest, a.suite, a.score]),
      [
        [DIGESTS.prodSupportAgent, "support-golden-v7", 0.92],
        [DIGESTS.stagingSupportAgent, "support-golden-v7", 0.93],
      ],
      "staging's eval of the promoted digest is carried over",
    );
    const validate = await runCli(["validate", repo.dir]);
    assert.equal(validate.code, 0, validate.stdout);

    const message = repo.git("log", "-1", "--format=%B", BRANCH);
    assert.equal(message.split("\n")[0], "Promote support-agent to prod: fa7f76f33947 → f806ccf0be4b");
    for (const line of [
      "Artifact diff fa7f76f33947 → f806ccf0be4b (2 of 5 parts changed):",
      "- code: support-agent@f940a89ed4bc → support-agent@bb0f885dd7a4 (source 5547c24 → 5899d39)",
      "- model: unchanged",
      "- prompts: 148fe7447586 → b8434c4b8ff3",
      "- tools: unchanged",
      "- index: unchanged",
      "- eval support-golden-v7: score 0.93, pass (eval-runner@ci.acme.dev, 2026-11-18T10:12:44Z)",
      `Tollgate-Promotion-Artifact: ${DIGESTS.stagingSupportAgent}`,
    ]) {
      assert.ok(message.includes(`${line}\n`), `message has "${line}":\n${message}`);
    }
    assert.doesNotMatch(message, /Tollgate-Decision/, "a promotion is not a reconciler decision");
    assert.equal(
      repo.git("log", "-1", "--format=%an <%ae> %cI", BRANCH).trim(),
      "Pat Promoter <pat@example.test> 2026-11-24T10:15:00+00:00",
    );

    repo.git("reset", "-q", "--", releasePath("dev", "support-agent"));
    repo.git("checkout", "-q", "--", releasePath("dev", "support-agent"));
  });

  it("refuses a second branch of the same name, and names the flag to choose another", async (t) => {
    if (!requireGit(t)) return;
    const result = await promote(repo, "support-agent", "--to", "prod");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /branch promote\/support-agent\/prod\/f806ccf0be4b already exists .*--branch/);
    const named = await promote(repo, "support-agent", "--to", "prod", "--branch", "release/prod-1.9");
    assert.equal(named.code, 0, named.stderr);
    assert.match(repo.git("branch", "--list", "release/prod-1.9"), /release\/prod-1\.9/);
  });

  it("refuses when the target already has the artifact: nothing would change", async (t) => {
    if (!requireGit(t)) return;
    const result = await promote(repo, "support-agent", "--to", "staging");
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^refused: nothing to promote: staging's release of support-agent already is f806ccf0be4b, the artifact verified in dev/m,
    );
  });

  it("refuses a digest that is not verified upstream, and one rolled back in the target", async (t) => {
    if (!requireGit(t)) return;
    const scratch = await exampleRepo({ policies: false });
    try {
      // staging is rolling out f806 but has not verified it yet: only fa7f is verified there.
      await scratch.editYaml(statusPath("staging", "support-agent"), (s) => {
        s.phase = "progressing";
        s.liveDigest = DIGESTS.prodSupportAgent;
        s.canaryDigest = DIGESTS.stagingSupportAgent;
        s.verified = [{ digest: DIGESTS.prodSupportAgent, at: "2026-11-10T11:05:40Z" }];
      });
      scratch.commitAll("staging: rollout of f806 under way");
      let result = await promote(scratch, "support-agent", "--to", "prod");
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /refused: nothing to promote: prod's release of support-agent already is fa7f76f33947/,
        "the verified one is what prod has",
      );

      await scratch.editYaml(statusPath("staging", "support-agent"), (s) => {
        s.verified = [];
      });
      scratch.commitAll("staging: nothing verified");
      result = await promote(scratch, "support-agent", "--to", "prod");
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /refused: support-agent runs fa7f76f33947 in staging, which is not in staging's verified list/,
      );

      // Back to f806 verified in staging, but prod rolled it back before.
      await scratch.editYaml(statusPath("staging", "support-agent"), (s) => {
        s.phase = "promoted";
        s.liveDigest = DIGESTS.stagingSupportAgent;
        delete s.canaryDigest;
        s.verified = [{ digest: DIGESTS.stagingSupportAgent, at: "2026-11-19T15:40:02Z" }];
      });
      await scratch.editYaml(statusPath("prod", "support-agent"), (s) => {
        s.rejected = [
          { digest: DIGESTS.stagingSupportAgent, at: "2026-11-21T14:02:11Z", reason: "error_rate regressed at step 1" },
        ];
        s.frozenUntil = "2026-11-21T18:02:11Z";
      });
      scratch.commitAll("prod: f806 rolled back");
      result = await promote(scratch, "support-agent", "--to", "prod", "--json");
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /refused: f806ccf0be4b was rolled back in prod at 2026-11-21T14:02:11Z \(error_rate regressed at step 1\); a rejected digest is never promoted again/,
      );
      assert.equal((JSON.parse(result.stdout) as { refused: string }).refused, "rejected");
      assert.equal(scratch.git("branch", "--list", "promote/*"), "", "no branch was created by a refusal");
    } finally {
      await scratch.cleanup();
    }
  });

  it("takes the artifact from --from, but still requires it verified in the target's promotesFrom", async (t) => {
    if (!requireGit(t)) return;
    const scratch = await exampleRepo({ policies: false });
    try {
      await scratch.editYaml(statusPath("staging", "support-agent"), (s) => {
        s.verified = [];
        s.liveDigest = DIGESTS.prodSupportAgent;
      });
      await scratch.editYaml(releasePath("staging", "support-agent"), (r) => {
        r.artifact = (r as unknown as Release).lastGood;
        delete r.lastGood;
      });
      scratch.commitAll("staging back on fa7f, nothing verified");
      const result = await promote(scratch, "support-agent", "--to", "prod", "--from", "dev");
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /refused: f806ccf0be4b has not been verified in staging, the environment prod promotes from \(it was verified in dev\)/,
      );
      const ok = await promote(scratch, "support-agent", "--to", "staging", "--from", "dev");
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      await scratch.cleanup();
    }
  });

  it("writes a first release into an environment that has none, without lastGood", async (t) => {
    if (!requireGit(t)) return;
    const scratch = await exampleRepo({ policies: false });
    try {
      scratch.git("rm", "-q", releasePath("prod", "support-agent"), statusPath("prod", "support-agent"));
      scratch.commitAll("prod: no support-agent yet");
      const result = await promote(scratch, "support-agent", "--to", "prod");
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /none → f806ccf0be4b/);
      const text = scratch.git("show", `${BRANCH}:${releasePath("prod", "support-agent")}`);
      assert.match(text, /^# support-agent in prod: promoted from staging by tollgate promote\./);
      const release = parse(text) as Release;
      assert.equal(release.lastGood, undefined);
      assert.deepEqual(
        release.attestations?.map((a) => a.digest),
        [DIGESTS.stagingSupportAgent],
      );
      const message = scratch.git("log", "-1", "--format=%B", BRANCH);
      assert.match(message, /Artifact diff none → f806ccf0be4b \(first deploy, 5 of 5 parts new\):/);
    } finally {
      await scratch.cleanup();
    }
  });

  it("gives a clear error for every bad input", async (t) => {
    if (!requireGit(t)) return;
    const cases: [string[], number, RegExp][] = [
      [
        ["nope", "--to", "prod"],
        1,
        /^error: unknown service "nope": no environment has a release for it \(services: retrieval-api, support-agent\)$/m,
      ],
      [["support-agent", "--to", "qa"], 1, /^error: unknown environment "qa" \(environments: dev, prod, staging\)$/m],
      [["support-agent", "--to", "prod", "--from", "qa"], 1, /^error: unknown environment "qa"/m],
      [["support-agent", "--to", "prod", "--from", "prod"], 1, /cannot promote support-agent from prod to itself/],
      [
        ["support-agent", "--to", "dev"],
        1,
        /dev is a first environment \(promotesFrom: null\): there is nothing to promote from; pass --from ENV/,
      ],
      [["support-agent", "--to", "prod", "--base", "no-such-branch"], 1, /unknown revision "no-such-branch"/],
      [
        ["support-agent", "--to", "prod", "--branch", "bad..name"],
        1,
        /invalid branch name "bad\.\.name": it contains "\.\."/,
      ],
      [
        ["support-agent", "--to", "prod", "--branch", "x", "--push", "origin"],
        1,
        /--push origin: no remote of that name/,
      ],
      [
        ["support-agent", "--to", "prod", "--now", "yesterday"],
        2,
        /option '--now <time>' argument 'yesterday' is invalid\. expected a time with a zone/,
      ],
      [["support-agent"], 2, /required option '--to <env>' not specified/],
    ];
    for (const [args, code, pattern] of cases) {
      const result = await promote(repo, ...args);
      assert.equal(result.code, code, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, pattern, args.join(" "));
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    }
    const notRepo = await tempDir();
    try {
      const result = await runCli(["promote", "support-agent", "--to", "prod", "--repo", notRepo.dir]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /not a git repository/);
    } finally {
      await notRepo.cleanup();
    }
  });

  it("names the invalid file when the target environment cannot be read", async (t) => {
    if (!requireGit(t)) return;
    const scratch = await exampleRepo({ policies: false });
    try {
      await writeFile(
        join(scratch.dir, "environments/prod/environment.yaml"),
        (await scratch.read("environments/prod/environment.yaml")).replace("protected: true", "protected: maybe"),
      );
      scratch.commitAll("break prod");
      const result = await promote(scratch, "support-agent", "--to", "prod");
      assert.equal(result.code, 1);
      assert.match(result.stderr, /environments\/prod\/environment\.yaml:6:\d+: .*\(field protected\)/);
    } finally {
      await scratch.cleanup();
    }
  });
});

describe("tollgate promote --push (a real git http-backend remote)", () => {
  const AUTH = { username: "promoter", password: "pr0mote-tests" };
  const ENV = { ...NOW, TOLLGATE_GIT_USERNAME: AUTH.username, TOLLGATE_GIT_PASSWORD: AUTH.password };
  let root: { dir: string; cleanup: () => Promise<void> };
  let server: GitHttpServer | undefined;

  before(async () => {
    root = await tempDir("tollgate-promote-remote-");
    if (hasGit()) server = await startGitHttpServer({ root: root.dir, auth: AUTH });
  });
  after(async () => {
    await server?.close();
    await root.cleanup();
  });

  it("publishes the new branch, and never overwrites a remote branch of that name that moved", async (t) => {
    if (!requireGit(t) || !server) return;
    const bare = await createSeededBareRepo(root.dir, "gitops.git");
    const repo = await exampleRepo({ policies: false });
    try {
      repo.git("remote", "add", "origin", server.url("gitops.git"));
      repo.git("fetch", "-q", bare, "main");
      repo.git("reset", "-q", "--hard", "FETCH_HEAD");
      const remoteBranch = () => execGit(bare, "for-each-ref", "--format=%(objectname)", `refs/heads/${BRANCH}`).trim();

      const first = await runCli(["promote", "support-agent", "--to", "prod", "--push", "origin", "--repo", repo.dir], {
        env: ENV,
      });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /pushed promote\/support-agent\/prod\/f806ccf0be4b to origin/);
      const pushed = repo.git("rev-parse", BRANCH).trim();
      assert.equal(remoteBranch(), pushed);

      // Someone else's commit on that branch name: the next promotion must not replace it.
      repo.git("branch", "-q", "-D", BRANCH);
      const second = await runCli(
        ["promote", "support-agent", "--to", "prod", "--push", "origin", "--repo", repo.dir],
        { env: { ...ENV, TOLLGATE_NOW: "2026-11-25T08:00:00Z" } },
      );
      assert.equal(second.code, 1);
      assert.match(
        second.stderr,
        /did not push it: origin \(http:\/\/127\.0\.0\.1:\d+\/gitops\.git\) already has a branch promote\/support-agent\/prod\/f806ccf0be4b \(at [0-9a-f]{12}\); not overwriting it/,
      );
      assert.equal(remoteBranch(), pushed, "the remote branch is unchanged");

      const noAuth = await runCli(
        ["promote", "support-agent", "--to", "prod", "--branch", "other", "--push", "origin", "--repo", repo.dir],
        { env: NOW },
      );
      assert.equal(noAuth.code, 1);
      assert.match(noAuth.stderr, /authentication required; set TOLLGATE_GIT_TOKEN/);
    } finally {
      await repo.cleanup();
    }
  });
});

function execGit(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" });
}
