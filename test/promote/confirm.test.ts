import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import type { Release } from "../../src/model/types.ts";
import { requireGit } from "../support/git-http/repos.ts";
import { runCli } from "../support/run-cli.ts";
import { exampleRepo, releasePath, statusPath, type TestRepo, withParts } from "./fixtures.ts";

const NOW = "2026-11-24T10:15:00Z";

describe("tollgate confirm", () => {
  let repo: TestRepo;
  let canary: Release["artifact"];

  before(async () => {
    repo = await exampleRepo();
    // prod rolls out a new artifact and is at step 2 of 4, which is marked confirm.
    await repo.editYaml("environments/prod/environment.yaml", (e) => {
      const steps = (e.rollout as { steps: Record<string, unknown>[] }).steps;
      steps[1]!.confirm = true;
    });
    await repo.editYaml(releasePath("prod", "support-agent"), (r) => {
      canary = withParts((r as unknown as Release).artifact, (p) => {
        p.model.snapshot = "20251101";
      });
      r.artifact = canary;
    });
    await repo.editYaml(statusPath("prod", "support-agent"), (s) => {
      Object.assign(s, {
        phase: "progressing",
        canaryDigest: canary.digest,
        step: 1,
        weight: 25,
        rolloutStartedAt: "2026-11-24T09:00:00Z",
        stepStartedAt: "2026-11-24T09:40:00Z",
      });
    });
    repo.commitAll("prod rolls out support-agent; step 2 needs a confirmation");
  });
  after(async () => {
    await repo?.cleanup();
  });

  const confirm = (...args: string[]) =>
    runCli(["confirm", "support-agent", "--repo", repo.dir, "--now", NOW, ...args]);

  it("writes the confirmation of the current step on a new branch, leaving the checkout alone", async (t) => {
    if (!requireGit(t)) return;
    const head = repo.git("rev-parse", "HEAD").trim();
    const result = await confirm("--env", "prod", "--by", "alice");
    assert.equal(result.code, 0, result.stderr);
    const branch = `confirm/support-agent/prod/${canary.digest.slice(7, 19)}-step2`;
    assert.match(
      result.stdout,
      new RegExp(
        `^alice confirms step 2 of 4 \\(25% of traffic\\) of support-agent in prod for ${canary.digest.slice(7, 19)}\\n  on branch ${branch} `,
      ),
    );
    assert.equal(repo.git("rev-parse", "HEAD").trim(), head, "the checked-out branch did not move");
    assert.equal(repo.git("status", "--porcelain"), "", "the work tree is untouched");
    const release = parse(repo.git("show", `${branch}:${releasePath("prod", "support-agent")}`)) as Release;
    assert.deepEqual(release.confirmations, [{ by: "alice", at: NOW, digest: canary.digest, step: 2 }]);
    assert.match(
      repo.git("log", "-1", "--format=%B", branch),
      new RegExp(
        `^Confirm step 2 of 4 of support-agent in prod: ${canary.digest.slice(7, 19)}\\n\\nalice confirms that the rollout`,
      ),
    );
    const validate = await runCli(["validate", repo.dir]);
    assert.equal(validate.code, 0, validate.stdout);
  });

  it("refuses what cannot be confirmed, saying why", async (t) => {
    if (!requireGit(t)) return;
    const cases: [string[], RegExp][] = [
      [
        ["--env", "prod", "--step", "3"],
        /refused: step 3 of 4 in prod is not marked confirm: it completes without a person/,
      ],
      [["--env", "prod", "--step", "9"], /refused: prod has 4 rollout steps; there is no step 9/],
      [
        ["--env", "staging"],
        /refused: staging\/support-agent is not rolling out [0-9a-f]{12} \(phase promoted\): there is no step to confirm/,
      ],
      [["--env", "qa"], /refused: no environment qa at HEAD \(dev, prod, staging\)/],
    ];
    for (const [args, message] of cases) {
      const result = await confirm(...args);
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.stdout}`);
      assert.match(result.stderr, message);
    }
    const badStep = await confirm("--env", "prod", "--step", "two");
    assert.equal(badStep.code, 2, "a usage error");
    assert.match(
      badStep.stderr,
      /option '--step <n>' argument 'two' is invalid\. expected a step number counted from 1/,
    );
  });

  it("refuses a second confirmation by the same person once it is merged", async (t) => {
    if (!requireGit(t)) return;
    const merged = await confirm("--env", "prod", "--by", "bob", "--branch", "bob-confirms");
    assert.equal(merged.code, 0, merged.stderr);
    repo.git("merge", "-q", "--ff-only", "bob-confirms");
    const again = await confirm("--env", "prod", "--by", "bob", "--branch", "bob-again");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /refused: bob has confirmed step 2 of [0-9a-f]{12} in prod already/);
  });
});
