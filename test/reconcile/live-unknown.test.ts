/**
 * Issue 21, item 9: a release merged without `check` whose lastGood is not what serves (here: set
 * by hand to the in-flight canary). Which artifact to keep serving is then unknown: tollgate blocks,
 * commits that once with the reason, leaves the cluster as it is, and `status` says why; once
 * lastGood names what serves again, the rollout goes on.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import type { Release } from "../../src/model/types.ts";
import { exampleGitopsRepo, git, proposeRelease } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";
import { runCli } from "../support/run-cli.ts";

const RELEASE = "environments/dev/releases/support-agent.yaml";

describe("a release whose lastGood is not what serves (issue 21, item 9)", () => {
  it("is blocked once with the reason, shown by status, applied to nothing, and resumes once fixed", async () => {
    const repo = await exampleGitopsRepo();
    try {
      const sim = await simulatedReconciler(repo.dir, { environment: "dev", service: "support-agent" });
      const live = (parse(await readFile(join(repo.dir, RELEASE), "utf8")) as Release).artifact;
      const canary = await proposeRelease(repo.dir, "dev", "support-agent", (p) => ({
        ...p,
        prompts: { digest: `sha256:${"2".repeat(64)}` },
      }));
      const started = await sim.reconciler.tick();
      assert.deepEqual(
        started.decisions.map((d) => d.change.action),
        ["advance"],
      );

      // Merged without check: a newer artifact, with lastGood set to the canary in flight.
      const next = await proposeRelease(
        repo.dir,
        "dev",
        "support-agent",
        (p) => ({ ...p, prompts: { digest: `sha256:${"3".repeat(64)}` } }),
        { lastGood: canary },
      );
      sim.advance(10);
      const blocked = await sim.reconciler.tick();
      assert.deepEqual(blocked.errors, []);
      assert.deepEqual(
        blocked.decisions.map((d) => [d.change.action, d.change.reasons?.map((r) => r.rule)]),
        [["block", ["tollgate.live_unknown"]]],
      );
      assert.match(
        blocked.decisions[0]!.change.why,
        new RegExp(
          `${live.digest.slice(7, 19)} serves stable traffic, but the release names it neither as its artifact nor as its lastGood \\(its lastGood is ${canary.digest.slice(7, 19)}\\)`,
        ),
      );
      for (let i = 0; i < 3; i++) {
        sim.advance(10);
        const again = await sim.reconciler.tick();
        assert.deepEqual(again.decisions, [], "committed once");
        assert.deepEqual(again.errors, [], "no apply error on every tick");
      }
      const deployed = sim.world.cluster.deployedVersions("dev", "support-agent");
      assert.equal(deployed?.stableDigest, live.digest, "what serves is left serving");

      const status = await runCli(["status", "--repo", repo.dir, "--env", "dev", "--service", "support-agent"], {
        env: { TOLLGATE_NOW: sim.now().toISOString() },
      });
      assert.match(status.stdout, /is blocked: \S+ serves stable traffic, but the release names it neither/);
      const audit = await runCli(["audit", "--repo", repo.dir]);
      assert.equal(audit.code, 0, audit.stdout + audit.stderr);

      // The person sets lastGood back to what serves: the rollout of the new artifact starts.
      const file = join(repo.dir, RELEASE);
      const release = parse(await readFile(file, "utf8")) as Release;
      await writeFile(file, stringify({ ...release, lastGood: live }, { lineWidth: 0 }));
      git(repo.dir, "commit", "-q", "-am", "lastGood names what serves");
      sim.advance(10);
      const resumed = await sim.reconciler.tick();
      assert.deepEqual(resumed.errors, []);
      assert.deepEqual(
        resumed.decisions.map((d) => [d.change.action, d.change.artifact]),
        [["advance", next.digest]],
      );
    } finally {
      await repo.cleanup();
    }
  });
});
