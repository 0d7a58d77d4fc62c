import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ServiceOverview } from "../../src/reconcile/overview.ts";
import { PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { exampleGitopsRepo, git, proposeRelease } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";
import { runCli } from "../support/run-cli.ts";

describe("tollgate status", () => {
  it("shows rollouts with step, weight and time, frozen services and what waits, as text and JSON", async () => {
    const repo = await exampleGitopsRepo();
    try {
      const { world, reconciler, advance, now } = await simulatedReconciler(repo.dir, { environment: "dev" });
      const bad = await proposeRelease(repo.dir, "dev", "support-agent", (p) => ({
        ...p,
        prompts: { digest: `sha256:${"2".repeat(64)}` },
      }));
      world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
      const good = await proposeRelease(repo.dir, "dev", "retrieval-api", (p) => ({
        ...p,
        index: { buildId: "kb-s", digest: `sha256:${"5".repeat(64)}` },
      }));
      // Tick until support-agent is rolled back; retrieval-api is still rolling out then.
      for (let i = 0; i < 100; i++) {
        const result = await reconciler.tick();
        if (result.decisions.some((d) => d.change.action === "rollback")) break;
        advance(10);
      }
      const at = new Date(now().getTime() + 60_000).toISOString();
      const json = await runCli(["status", "--repo", repo.dir, "--env", "dev", "--json"], {
        env: { TOLLGATE_NOW: at },
      });
      assert.equal(json.code, 0, json.stderr);
      const rows = (JSON.parse(json.stdout) as { services: ServiceOverview[] }).services;
      assert.deepEqual(
        rows.map((r) => [r.service, r.state]),
        [
          ["retrieval-api", "rolling-out"],
          ["support-agent", "frozen"],
        ],
      );
      const rolling = rows[0]!;
      assert.equal(rolling.rollout?.canary, good.digest);
      assert.equal(rolling.rollout?.steps, 2);
      assert.ok(rolling.rollout!.stepSeconds >= 60, `step time ${rolling.rollout!.stepSeconds}`);
      const rolledBack = rows[1]!;
      assert.equal(rolledBack.lastDecision?.action, "rollback");
      assert.equal(rolledBack.lastDecision?.ageSeconds, 60);
      assert.ok(rolledBack.frozenUntil, "frozen after the rollback");
      assert.notEqual(rolledBack.live, bad.digest);
      assert.match(
        rolledBack.summary,
        new RegExp(
          `serves all traffic after ${bad.digest.slice(7, 19)} was rolled back at \\S+; frozen until ${rolledBack.frozenUntil}`,
        ),
      );

      // A person proposes the fix inside the freeze: it waits, and says why.
      const fix = await proposeRelease(repo.dir, "dev", "support-agent", (p) => ({
        ...p,
        prompts: { digest: `sha256:${"3".repeat(64)}` },
      }));
      git(repo.dir, "reset", "-q", "--hard");
      const text = await runCli(["status", "--repo", repo.dir, "--env", "dev"], { env: { TOLLGATE_NOW: at } });
      assert.equal(text.code, 0, text.stderr);
      const lines = text.stdout.split("\n");
      assert.match(lines[1]!, /^SERVICE\s+STATE\s+LIVE\s+TARGET\s+STEP\s+LAST DECISION$/);
      assert.match(
        lines[2]!,
        new RegExp(
          `^dev/retrieval-api\\s+rolling-out\\s+[0-9a-f]{12}\\s+${good.digest.slice(7, 19)}\\s+\\d/2 \\d+%\\s+advance \\S+ ago$`,
        ),
      );
      assert.match(
        lines[3]!,
        new RegExp(
          `^dev/support-agent\\s+frozen\\s+[0-9a-f]{12}\\s+${fix.digest.slice(7, 19)}\\s+-\\s+rollback 1m ago$`,
        ),
      );
      assert.match(
        text.stdout,
        new RegExp(`dev/support-agent: ${fix.digest.slice(7, 19)} waits: frozen after a rollback until \\S+`),
      );
      assert.match(
        text.stdout,
        new RegExp(
          `dev/retrieval-api: rolling out ${good.digest.slice(7, 19)}: step \\d of 2 at \\d+% of traffic for \\S+`,
        ),
      );
    } finally {
      await repo.cleanup();
    }
  });

  it("names an unknown environment", async () => {
    const repo = await exampleGitopsRepo();
    try {
      const result = await runCli(["status", "--repo", repo.dir, "--env", "qa"]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /--env qa: no such environment at main \(dev, prod, staging\)/);
    } finally {
      await repo.cleanup();
    }
  });
});
