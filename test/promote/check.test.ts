import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Release } from "../../src/model/types.ts";
import { MARKDOWN_MARKER } from "../../src/promote/check/render.ts";
import type { CheckReport } from "../../src/promote/check/types.ts";
import { parse, stringify } from "yaml";
import { hasGit, requireGit } from "../support/git-http/repos.ts";
import { runCli } from "../support/run-cli.ts";
import { PROJECT_ROOT, tempDir } from "../support/tmp-repo.ts";
import { readWorkflow, tollgateCommands } from "./ci-workflows.ts";
import { DIGESTS, exampleRepo, releasePath, statusPath, type TestRepo, withParts } from "./fixtures.ts";

/** Tuesday 11:15 in Berlin: inside prod's deployment window, outside every freeze. */
const IN_WINDOW = "2026-11-24T10:15:00Z";
/** Inside prod's year-end change freeze (a Tuesday, 11:15 in Berlin). */
const IN_FREEZE = "2026-12-22T10:15:00Z";
/** Saturday 11:15 in Berlin: outside prod's windows. */
const WEEKEND = "2026-11-28T10:15:00Z";
const PROMOTION = "promote/support-agent/prod/f806ccf0be4b";

const SNAPSHOT = fileURLToPath(new URL("./snapshots/check-report.md", import.meta.url));
/** Set to 1 to rewrite the committed Markdown snapshot from the current output (never under CI). */
const UPDATE_ENV = "TOLLGATE_UPDATE_SNAPSHOTS";

async function check(repo: TestRepo, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(["check", "--repo", repo.dir, ...args], { env: { TOLLGATE_NOW: IN_WINDOW, ...env } });
}

/** Creates `name` from `from`, applies `edit` in the work tree and commits it; returns to main. */
async function branch(repo: TestRepo, name: string, from: string, edit: () => Promise<void>): Promise<void> {
  repo.git("checkout", "-q", "-b", name, from);
  await edit();
  repo.commitAll(`change on ${name}`);
  repo.git("checkout", "-q", "main");
}

/** The line of a gate in the text report, e.g. `✗ eval attestation: ...`. */
function gateLine(stdout: string, title: string): string {
  const line = stdout.split("\n").find((l) =>
    l
      .trim()
      .replace(/^[✓✗…–] /, "")
      .startsWith(`${title}:`),
  );
  assert.ok(line, `no gate "${title}" in:\n${stdout}`);
  return line.trim();
}

describe("tollgate check", () => {
  let repo: TestRepo;
  before(async () => {
    if (!hasGit()) return;
    repo = await exampleRepo();
    const promoted = await runCli(["promote", "support-agent", "--to", "prod", "--repo", repo.dir], {
      env: { TOLLGATE_NOW: IN_WINDOW },
    });
    assert.equal(promoted.code, 0, promoted.stderr);
  });
  after(async () => repo?.cleanup());

  it("passes a clean promotion approved on the pull request", async (t) => {
    if (!requireGit(t)) return;
    const result = await check(repo, ["--head", PROMOTION, "--approver", "alice"], { TOLLGATE_APPROVERS: "bob" });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^tollgate check: ok \(1 release change, every gate passes\)/);
    assert.match(result.stdout, /prod\/support-agent {2}fa7f76f33947 → f806ccf0be4b {2}ok/);
    assert.match(
      result.stdout,
      /artifact: 2 of 5 parts change\n {4}\* code {4}support-agent@f940a89ed4bc → support-agent@bb0f885dd7a4 \(source 5547c24 → 5899d39\)\n {6}model {3}unchanged\n {4}\* prompts 148fe7447586 → b8434c4b8ff3/,
    );
    assert.equal(
      gateLine(result.stdout, "verified upstream"),
      "✓ verified upstream: f806ccf0be4b was verified in staging at 2026-11-19T15:40:02Z",
    );
    assert.equal(
      gateLine(result.stdout, "eval attestation"),
      "✓ eval attestation: prompts changed; support-golden-v7 score 0.93 ≥ 0.9 for f806ccf0be4b",
    );
    assert.equal(gateLine(result.stdout, "approvals"), "✓ approvals: approved by alice, bob");
    assert.equal(
      gateLine(result.stdout, "change freeze"),
      "✓ change freeze: no freeze at 2026-11-24T10:15:00Z; next from 2026-12-20T23:00:00Z (year-end change freeze)",
    );
    assert.equal(
      gateLine(result.stdout, "deployment window"),
      "✓ deployment window: tue 11:15 Europe/Berlin is inside mon,tue,wed,thu 09:00-17:00",
    );
  });

  it("blocks a promotion without the approvals a protected environment needs, saying who may approve", async (t) => {
    if (!requireGit(t)) return;
    const result = await check(repo, ["--head", PROMOTION, "--approver", "mallory"]);
    assert.equal(result.code, 1);
    assert.equal(
      gateLine(result.stdout, "approvals"),
      "✗ approvals: prompts sha256:148fe7447586 -> sha256:b8434c4b8ff3 needs 2 approvals for sha256:f806ccf0be4b from team:ml-platform, team:support-eng, alice, bob; has 0 (none)",
    );
    assert.match(
      result.stdout,
      /to clear: approve the pull request \(eligible: team:ml-platform, team:support-eng, alice, bob\)/,
    );
    // A team member counts through the team the platform names.
    const team = await check(repo, [
      "--head",
      PROMOTION,
      "--approver",
      "carol:ml-platform",
      "--approver",
      "dave:support-eng",
    ]);
    assert.equal(team.code, 0, team.stdout);
    // Without the platform naming teams, teams.yaml at the base does; the same file on the pull request's side does not count.
    const bare = await check(repo, ["--head", PROMOTION, "--approver", "carol", "--approver", "dave"]);
    assert.equal(bare.code, 1, bare.stdout);
    const teamsYaml =
      "apiVersion: tollgate.dev/v1\nkind: Teams\nteams:\n  ml-platform: [carol]\n  support-eng: [dave]\n";
    await branch(repo, "main-teams", "main", () => writeFile(join(repo.dir, "teams.yaml"), teamsYaml));
    const byFile = await check(repo, [
      "--base",
      "main-teams",
      "--head",
      PROMOTION,
      "--approver",
      "carol",
      "--approver",
      "dave",
    ]);
    assert.equal(byFile.code, 0, byFile.stdout);
    assert.equal(gateLine(byFile.stdout, "approvals"), "✓ approvals: approved by carol, dave");
    await branch(repo, "self-teams", PROMOTION, () => writeFile(join(repo.dir, "teams.yaml"), teamsYaml));
    const selfMade = await check(repo, ["--head", "self-teams", "--approver", "carol", "--approver", "dave"]);
    assert.equal(selfMade.code, 1, selfMade.stdout);
  });

  it("blocks a change inside a freeze window, and one outside the deployment windows", async (t) => {
    if (!requireGit(t)) return;
    const frozen = await check(repo, ["--head", PROMOTION, "--approver", "alice", "--approver", "bob"], {
      TOLLGATE_NOW: IN_FREEZE,
    });
    assert.equal(frozen.code, 1, frozen.stdout);
    assert.match(frozen.stdout, /^tollgate check: BLOCKED \(1 of 1 release change blocked\)/);
    assert.equal(
      gateLine(frozen.stdout, "change freeze"),
      "✗ change freeze: prod is in a change freeze from 2026-12-20T23:00:00Z until 2027-01-04T08:00:00Z (year-end change freeze)",
    );
    assert.match(
      frozen.stdout,
      /to clear: merge after the freeze ends at 2027-01-04T08:00:00Z and re-run the check then/,
    );
    assert.match(gateLine(frozen.stdout, "approvals"), /^✓/, "only the freeze blocks");

    const weekend = await check(repo, [
      "--head",
      PROMOTION,
      "--approver",
      "alice",
      "--approver",
      "bob",
      "--now",
      WEEKEND,
    ]);
    assert.equal(weekend.code, 1);
    assert.equal(
      gateLine(weekend.stdout, "deployment window"),
      "✗ deployment window: sat 11:15 Europe/Berlin is outside the deployment windows of prod (mon,tue,wed,thu 09:00-17:00; fri 09:00-12:00)",
    );
  });

  it("does not hold an edit that starts no rollout in a freeze", async (t) => {
    if (!requireGit(t)) return;
    // staging verified prod's artifact before f806 (the example status keeps only its latest).
    await branch(repo, "main-with-history", "main", () =>
      repo.editYaml(statusPath("staging", "support-agent"), (s) => {
        s.verified = [{ digest: DIGESTS.prodSupportAgent, at: "2026-11-09T16:00:00Z" }, ...(s.verified as unknown[])];
      }),
    );
    await branch(repo, "prod-eval-record", "main-with-history", () =>
      repo.editYaml(releasePath("prod", "support-agent"), (r) => {
        (r.attestations as unknown[]).push({
          kind: "eval",
          digest: DIGESTS.prodSupportAgent,
          suite: "support-golden-v8",
          score: 0.94,
          pass: true,
          by: "eval-runner@ci.acme.dev",
          at: "2026-12-21T08:00:00Z",
        });
      }),
    );
    const result = await check(repo, ["--base", "main-with-history", "--head", "prod-eval-record"], {
      TOLLGATE_NOW: IN_FREEZE,
    });
    assert.equal(result.code, 0, result.stdout);
    assert.equal(
      gateLine(result.stdout, "change freeze"),
      "– change freeze: prod's desired artifact stays fa7f76f33947: merging starts no rollout",
    );
    assert.match(result.stdout, /artifact: 0 of 5 parts change/);
  });

  it("blocks a model swap without an eval attestation, naming the model change; an attestation clears it", async (t) => {
    if (!requireGit(t)) return;
    let swapped: Release["artifact"] | undefined;
    await branch(repo, "dev-model-swap", "main", () =>
      repo.editYaml(releasePath("dev", "support-agent"), (r) => {
        swapped = withParts((r as unknown as Release).artifact, (p) => {
          p.model.snapshot = "20251101";
        });
        r.artifact = swapped;
      }),
    );
    const result = await check(repo, ["--head", "dev-model-swap"]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /\* model {3}claude-sonnet-4-5 snapshot 20250929 → 20251101/);
    assert.equal(
      gateLine(result.stdout, "eval attestation"),
      `✗ eval attestation: model anthropic/claude-sonnet-4-5@20250929 -> anthropic/claude-sonnet-4-5@20251101 needs an eval attestation for ${swapped!.digest.slice(0, 19)} with pass=true and score >= 0.80; found none for this digest`,
    );
    assert.equal(
      gateLine(result.stdout, "verified upstream"),
      "– verified upstream: dev is a first environment: nothing upstream to verify in",
    );

    repo.git("checkout", "-q", "dev-model-swap");
    await repo.editYaml(releasePath("dev", "support-agent"), (r) => {
      r.attestations = [
        {
          kind: "eval",
          digest: swapped!.digest,
          suite: "support-golden-v8",
          score: 0.86,
          pass: true,
          by: "eval-runner@ci.acme.dev",
          at: "2026-11-23T17:00:00Z",
        },
      ];
    });
    repo.commitAll("dev: eval of the model swap");
    repo.git("checkout", "-q", "main");
    const cleared = await check(repo, ["--head", "dev-model-swap"]);
    assert.equal(cleared.code, 0, cleared.stdout);
    assert.match(cleared.stdout, /✓ eval attestation: model changed; support-golden-v8 score 0\.86 ≥ 0\.8/);
    assert.match(cleared.stdout, /also: attestation added for [0-9a-f]{12}: eval support-golden-v8: score 0\.86, pass/);
    assert.match(
      cleared.stdout,
      /note: the eval support-golden-v8 \(score 0\.86\) of [0-9a-f]{12} first appears in this pull request/,
    );
  });

  it("blocks promoting a digest that was rolled back in the target, and one inside the freeze after that rollback", async (t) => {
    if (!requireGit(t)) return;
    // On the base: prod rolled f806 back an hour ago and is frozen for four hours.
    await branch(repo, "main-after-rollback", "main", () =>
      repo.editYaml(statusPath("prod", "support-agent"), (s) => {
        s.phase = "rolled-back";
        s.rejected = [
          { digest: DIGESTS.stagingSupportAgent, at: "2026-11-24T09:15:00Z", reason: "error_rate regressed at step 1" },
        ];
        s.frozenUntil = "2026-11-24T13:15:00Z";
      }),
    );
    const result = await check(repo, [
      "--base",
      "main-after-rollback",
      "--head",
      PROMOTION,
      "--approver",
      "alice",
      "--approver",
      "bob",
    ]);
    assert.equal(result.code, 1, result.stdout);
    assert.equal(
      gateLine(result.stdout, "not rolled back here before"),
      "✗ not rolled back here before: sha256:f806ccf0be4b was rolled back in prod at 2026-11-24T09:15:00Z (error_rate regressed at step 1); a rejected digest is never promoted again",
    );
    assert.equal(
      gateLine(result.stdout, "freeze after a rollback"),
      "✗ freeze after a rollback: support-agent is frozen after a rollback until 2026-11-24T13:15:00Z (now 2026-11-24T10:15:00Z)",
    );
  });

  it("blocks replacing a rollout that is under way (a conflicting deploy)", async (t) => {
    if (!requireGit(t)) return;
    const canary = `sha256:${"c".repeat(64)}`;
    await branch(repo, "main-rolling", "main", () =>
      repo.editYaml(statusPath("prod", "support-agent"), (s) => {
        Object.assign(s, {
          phase: "progressing",
          canaryDigest: canary,
          step: 1,
          weight: 25,
          rolloutStartedAt: "2026-11-24T09:00:00Z",
        });
      }),
    );
    const result = await check(repo, [
      "--base",
      "main-rolling",
      "--head",
      PROMOTION,
      "--approver",
      "alice",
      "--approver",
      "bob",
    ]);
    assert.equal(result.code, 1, result.stdout);
    assert.equal(
      gateLine(result.stdout, "no rollout under way"),
      "✗ no rollout under way: prod is rolling out cccccccccccc of support-agent now (step 2 of 4, 25% of traffic, since 2026-11-24T09:00:00Z); merging would replace that rollout before it is judged",
    );
  });

  it("lets a pull request that sets the release back to the live artifact stop a rollout, whatever the gates", async (t) => {
    if (!requireGit(t)) return;
    let live: Release["artifact"] | undefined;
    let canary: Release["artifact"] | undefined;
    await branch(repo, "main-canary", "main", async () => {
      await repo.editYaml(releasePath("prod", "support-agent"), (r) => {
        live = (r as unknown as Release).artifact;
        canary = withParts(live, (p) => {
          p.model.snapshot = "20251101";
        });
        r.artifact = canary;
      });
      await repo.editYaml(statusPath("prod", "support-agent"), (s) => {
        Object.assign(s, {
          phase: "progressing",
          canaryDigest: canary!.digest,
          step: 1,
          weight: 25,
          rolloutStartedAt: "2026-11-24T09:00:00Z",
        });
      });
    });
    await branch(repo, "revert-canary", "main-canary", () =>
      repo.editYaml(releasePath("prod", "support-agent"), (r) => {
        r.artifact = live;
      }),
    );
    // Inside the year-end freeze and without approvals: neither holds up going back.
    const result = await check(repo, ["--base", "main-canary", "--head", "revert-canary"], { TOLLGATE_NOW: IN_FREEZE });
    assert.equal(result.code, 0, result.stdout);
    assert.match(
      result.stdout,
      new RegExp(
        `not judged\\n  sets support-agent back to the live ${live!.digest.slice(7, 19)}: merging stops the rollout of ${canary!.digest.slice(7, 19)} in prod, and the reconciler withdraws its canary at once`,
      ),
    );
    // Replacing the rollout with yet another artifact is still a conflicting deploy.
    await branch(repo, "replace-canary", "main-canary", () =>
      repo.editYaml(releasePath("prod", "support-agent"), (r) => {
        r.artifact = withParts(live!, (p) => {
          p.model.snapshot = "20251201";
        });
      }),
    );
    const replaced = await check(
      repo,
      ["--base", "main-canary", "--head", "replace-canary", "--approver", "alice", "--approver", "bob"],
      { TOLLGATE_NOW: IN_WINDOW },
    );
    assert.equal(replaced.code, 1, replaced.stdout);
    assert.match(gateLine(replaced.stdout, "no rollout under way"), /^✗ no rollout under way: prod is rolling out/);
  });

  it("judges by the base's statuses and policies: a pull request cannot vouch for itself", async (t) => {
    if (!requireGit(t)) return;
    let forged: Release["artifact"] | undefined;
    await branch(repo, "self-vouching", "main", async () => {
      await repo.editYaml(releasePath("prod", "support-agent"), (r) => {
        forged = withParts((r as unknown as Release).artifact, (p) => {
          p.model.snapshot = "20251101";
        });
        r.artifact = forged;
      });
      await repo.editYaml(statusPath("staging", "support-agent"), (s) => {
        (s.verified as unknown[]).push({ digest: forged!.digest, at: "2026-11-23T12:00:00Z" });
      });
      await rm(join(repo.dir, "policies/governance.rego"));
    });
    const result = await check(repo, ["--head", "self-vouching", "--approver", "alice", "--approver", "bob"]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      /✗ environments\/staging\/status\/support-agent\.yaml modified: status files are written by tollgate only/,
    );
    assert.match(
      gateLine(result.stdout, "verified upstream"),
      /^✗ verified upstream: sha256:[0-9a-f]{12} has not been verified in staging/,
    );
    assert.match(
      gateLine(result.stdout, "eval attestation"),
      /^✗ eval attestation: model anthropic\/claude-sonnet-4-5@20250929 -> anthropic\/claude-sonnet-4-5@20251101 needs an eval attestation/,
    );
    assert.match(
      result.stdout,
      /policies changed \(policies\/governance\.rego\): this check judged by the base's policies/,
    );
  });

  it("does not count approvals a pull request writes into the release file itself", async (t) => {
    if (!requireGit(t)) return;
    await branch(repo, "self-approved", PROMOTION, () =>
      repo.editYaml(releasePath("prod", "support-agent"), (r) => {
        r.approvals = ["alice", "bob"].map((by) => ({
          by,
          at: "2026-11-24T09:00:00Z",
          digest: DIGESTS.stagingSupportAgent,
        }));
      }),
    );
    const result = await check(repo, ["--head", "self-approved"]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(gateLine(result.stdout, "approvals"), /^✗ approvals: .* has 0 \(none\)$/);
    assert.match(
      result.stdout,
      /note: the approval by alice this pull request writes into the release file is not counted: approve on the pull request instead/,
    );
  });

  it("judges a first release by all five parts, and lets a service be retired", async (t) => {
    if (!requireGit(t)) return;
    const billing = withParts(
      (parse(await repo.read(releasePath("dev", "support-agent"))) as Release).artifact,
      (p) => {
        p.code.image = `ghcr.io/acme/billing-api@sha256:${"b".repeat(64)}`;
        p.tools.allowed = ["lookup_invoice"];
      },
    );
    await branch(repo, "new-and-retired", "main", async () => {
      const release = { apiVersion: "tollgate.dev/v1", kind: "Release", service: "billing-api", artifact: billing };
      await writeFile(join(repo.dir, releasePath("dev", "billing-api")), stringify(release));
      await rm(join(repo.dir, releasePath("dev", "retrieval-api")));
      await rm(join(repo.dir, statusPath("dev", "retrieval-api")));
    });
    const result = await check(repo, ["--head", "new-and-retired", "--approver", "alice"]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      /dev\/billing-api {2}none → [0-9a-f]{12} {2}BLOCKED\n {2}artifact: first release here\n {4}\* code {4}new ghcr\.io\/acme\/billing-api@sha256:b{64} \(source 5899d39\)/,
    );
    assert.match(
      gateLine(result.stdout, "eval attestation"),
      /^✗ eval attestation: model \(first release of billing-api here\) needs an eval attestation/,
    );
    assert.equal(
      gateLine(result.stdout, "approvals"),
      "✓ approvals: approved by alice",
      "a first release adds tool permissions: one approver anywhere",
    );
    assert.match(
      result.stdout,
      /dev\/retrieval-api {2}[0-9a-f]{12} → removed {2}not judged\n {2}the release file is removed: tollgate stops managing retrieval-api in dev/,
    );
    assert.doesNotMatch(result.stdout, /status files are written by tollgate only/, "its status goes with it");
  });

  it("reports invalid files by file, line and field, and summarises environment settings", async (t) => {
    if (!requireGit(t)) return;
    await branch(repo, "broken", "main", async () => {
      const path = releasePath("staging", "retrieval-api");
      await writeFile(
        join(repo.dir, path),
        (await repo.read(path)).replace("kind: Release", "kind: Release\nowner: someone"),
      );
      await repo.editYaml("environments/prod/environment.yaml", (e) => {
        (e.approvals as { required: number }).required = 1;
        (e.windows as { freezes: unknown[] }).freezes.push({
          from: "2027-02-01T00:00",
          until: "2027-02-02T00:00",
          reason: "migration",
        });
      });
    });
    const result = await check(repo, ["--head", "broken"]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      /✗ environments\/staging\/releases\/retrieval-api\.yaml:4:1: unknown field "owner" \(field owner\)/,
    );
    assert.match(
      result.stdout,
      /environments\/prod\/environment\.yaml modified:\n {2}approvals\.required: 2 → 1\n {2}windows\.freezes: \[.*\] → \[.*"reason":"migration"\}\]/,
    );
    assert.match(result.stdout, /retrieval-api.*not judged\n {2}the file \(or its environment's file\) is invalid/);
  });

  it("matches the committed Markdown snapshot of a pull request comment", async (t) => {
    if (!requireGit(t)) return;
    // A release train: prod gets the staging artifact, dev a model swap without an eval, and
    // prod's approval rule is loosened in the same pull request.
    repo.git("checkout", "-q", "-b", "release-train", PROMOTION);
    await repo.editYaml(releasePath("dev", "support-agent"), (r) => {
      r.artifact = withParts((r as unknown as Release).artifact, (p) => {
        p.model.snapshot = "20251101";
        p.tools.allowed = [...p.tools.allowed, "refund_order"];
      });
    });
    await repo.editYaml("environments/prod/environment.yaml", (e) => {
      (e.approvals as { required: number }).required = 1;
    });
    repo.commitAll("dev: try the new model snapshot; prod: one approval is enough");
    repo.git("checkout", "-q", "main");

    const result = await check(repo, ["--head", "release-train", "--format", "markdown", "--approver", "alice"]);
    assert.equal(result.code, 1, result.stdout);
    const markdown = stable(result.stdout);
    if (process.env[UPDATE_ENV] === "1") {
      assert.notEqual(process.env.CI, "true", `${UPDATE_ENV} must not be set under CI`);
      await writeFile(SNAPSHOT, markdown);
      t.diagnostic(`rewrote ${SNAPSHOT}`);
    }
    assert.ok(existsSync(SNAPSHOT), `no snapshot at ${SNAPSHOT}; create it with ${UPDATE_ENV}=1`);
    assert.equal(
      markdown,
      await readFile(SNAPSHOT, "utf8"),
      `the Markdown report differs from ${SNAPSHOT}; if the change is intended, rerun with ${UPDATE_ENV}=1 and review the diff`,
    );
  });

  it("runs the exact command of the CI example and writes the comment it posts", async (t) => {
    if (!requireGit(t)) return;
    const [command] = tollgateCommands(readWorkflow("tollgate-check.yml"));
    const args = command!.map((a) => a.replace("origin/$BASE_REF", "main"));
    repo.git("checkout", "-q", PROMOTION);
    try {
      const result = await runCli(args, {
        cwd: repo.dir,
        env: { TOLLGATE_NOW: IN_WINDOW, TOLLGATE_APPROVERS: "alice,bob" },
      });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(result.stdout.split("\n")[0], MARKDOWN_MARKER);
      assert.match(result.stdout, /^## ✅ tollgate check: all gates pass$/m);
    } finally {
      repo.git("checkout", "-q", "main");
    }
  });

  it("prints the report as JSON for machines", async (t) => {
    if (!requireGit(t)) return;
    const result = await check(repo, ["--head", PROMOTION, "--format", "json"]);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as CheckReport;
    assert.equal(report.blocked, true);
    const [release] = report.releases;
    assert.equal(release?.environment, "prod");
    assert.deepEqual(release?.diff?.changed, ["code", "prompts"]);
    assert.deepEqual(
      release?.gates.map((g) => [g.rule, g.outcome]),
      [
        ["gates.not_verified_upstream", "pass"],
        ["gates.rejected_digest", "pass"],
        ["governance.eval_required", "pass"],
        ["governance.approvals_required", "block"],
        ["check.rollout_in_progress", "pass"],
        ["gates.freeze", "pass"],
        ["gates.outside_window", "pass"],
        ["gates.frozen_after_rollback", "pass"],
      ],
    );
  });

  it("passes a pull request that changes no release or environment", async (t) => {
    if (!requireGit(t)) return;
    const result = await check(repo, ["--head", "main"]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /^tollgate check: ok \(no release or environment changes\)/);
  });

  it("gives a clear error for every bad input", async (t) => {
    if (!requireGit(t)) return;
    const cases: [string[], NodeJS.ProcessEnv, number, RegExp][] = [
      [["--base", "no-such-branch"], {}, 1, /^error: --base no-such-branch: unknown revision "no-such-branch"$/m],
      [["--head", "no-such-branch"], {}, 1, /^error: --head no-such-branch: unknown revision "no-such-branch"$/m],
      [["--format", "yaml"], {}, 2, /argument 'yaml' is invalid\. Allowed choices are text, markdown, json/],
      [["--approver", "a b"], {}, 1, /--approver: "a b" is not an approver; expected NAME or NAME:TEAM\+TEAM/],
      [[], { TOLLGATE_APPROVERS: "alice,:team" }, 1, /TOLLGATE_APPROVERS: ":team" is not an approver/],
      [
        ["--now", "2026-11-24 10:15"],
        {},
        2,
        /option '--now <time>' argument '2026-11-24 10:15' is invalid\. expected a time with a zone/,
      ],
      [[], { TOLLGATE_NOW: "soon" }, 1, /TOLLGATE_NOW "soon" is not a time with a zone/],
    ];
    for (const [args, env, code, pattern] of cases) {
      const result = await check(repo, ["--head", PROMOTION, ...args], env);
      assert.equal(result.code, code, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, pattern, args.join(" "));
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    }
    const notRepo = await tempDir();
    const noPolicies = await exampleRepo({ policies: false });
    try {
      let result = await runCli(["check", "--repo", notRepo.dir]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /not a git repository/);
      const promoted = await runCli(["promote", "support-agent", "--to", "prod", "--repo", noPolicies.dir]);
      assert.equal(promoted.code, 0, promoted.stderr);
      result = await runCli(["check", "--repo", noPolicies.dir, "--head", PROMOTION]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /^error: main has no policies\/ folder to judge releases by; commit the guardrails there or pass --policies DIR$/m,
      );
      result = await runCli(
        [
          "check",
          "--repo",
          noPolicies.dir,
          "--head",
          PROMOTION,
          "--policies",
          join(PROJECT_ROOT, "policies"),
          "--approver",
          "alice",
          "--approver",
          "bob",
        ],
        { env: { TOLLGATE_NOW: IN_WINDOW } },
      );
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, new RegExp(`by policy bundle [0-9a-f]{12} \\(${join(PROJECT_ROOT, "policies")}\\)`));
    } finally {
      await notRepo.cleanup();
      await noPolicies.cleanup();
    }
  });
});

/**
 * The report with the two values that change for reasons unrelated to it made fixed: the policy
 * bundle digest (changes with any edit to policies/ or the compiler) and the base commit id (the
 * fixture commits this project's policies/). Everything else must match byte for byte.
 */
function stable(markdown: string): string {
  return markdown
    .replace(/by policy `[0-9a-f]{12}`/, "by policy `<bundle>`")
    .replace(/ at `[0-9a-f]{12}`/, " at `<base>`");
}
