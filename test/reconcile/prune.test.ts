/** The reconciler prunes a service removed from git on its next tick (simulated cluster, local repository). */
import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import pino from "pino";
import { parse, stringify } from "yaml";
import type { Environment } from "../../src/model/types.ts";
import { exampleGitopsRepo, git } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";

async function setup(prune: boolean) {
  const repo = await exampleGitopsRepo();
  if (prune) {
    const file = join(repo.dir, "environments/dev/environment.yaml");
    await writeFile(file, stringify({ ...(parse(await readFile(file, "utf8")) as Environment), prune: true }));
    git(repo.dir, "commit", "-q", "-am", "dev: prune removed services");
  }
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "info" },
    { write: (chunk: string) => lines.push(JSON.parse(chunk) as Record<string, unknown>) },
  );
  const { world, reconciler, advance } = await simulatedReconciler(repo.dir, { environment: "dev", logger });
  const tick = async () => {
    const result = await reconciler.tick();
    advance(10);
    return result;
  };
  /** A person removes the service from dev: both its files, in one commit. */
  const removeService = async (service: string) => {
    // tollgate moves the branch without touching the work tree: catch up first, as a person would pull.
    git(repo.dir, "reset", "-q", "--hard");
    await rm(join(repo.dir, "environments/dev/releases", `${service}.yaml`));
    await rm(join(repo.dir, "environments/dev/status", `${service}.yaml`));
    git(repo.dir, "commit", "-q", "-am", `remove ${service} from dev`);
  };
  return { repo, world, tick, removeService, lines };
}

describe("reconciler pruning (simulated cluster)", () => {
  it("a service whose release and status files are removed is pruned on the next tick; the others keep running", async () => {
    const s = await setup(true);
    try {
      const first = await s.tick();
      assert.deepEqual(first.errors, []);
      assert.ok(s.world.cluster.inspect("dev", "dev-1", "support-agent")?.stable, "support-agent runs");
      assert.deepEqual(
        first.pruned?.map((p) => p.clusters.map((c) => c.orphans)),
        [[[]]],
      );

      await s.removeService("support-agent");
      const next = await s.tick();
      assert.deepEqual(next.errors, []);
      assert.deepEqual(next.problems, []);
      assert.equal(s.world.cluster.inspect("dev", "dev-1", "support-agent"), undefined, "support-agent is gone");
      assert.equal(s.world.cluster.deployedVersions("dev", "support-agent"), undefined);
      assert.ok(s.world.cluster.inspect("dev", "dev-1", "retrieval-api")?.stable, "retrieval-api still runs");
      const [pruned] = next.pruned ?? [];
      assert.equal(pruned?.prune, true);
      const set = pruned?.clusters[0]?.orphans[0];
      assert.equal(set?.service, "support-agent");
      assert.ok(set.objects.length >= 3 && set.objects.every((o) => o.deleted), JSON.stringify(set.objects));
      assert.deepEqual(
        set.objects.map((o) => o.kind),
        [...set.objects.map((o) => o.kind)].sort(
          (a, b) =>
            ["Service", "Deployment", "ConfigMap"].indexOf(a) - ["Service", "Deployment", "ConfigMap"].indexOf(b),
        ),
        "traffic first, then workloads, then configuration",
      );
      assert.ok(s.world.cluster.events.some((e) => e.service === "support-agent" && e.change === "pruned"));
      const events = s.lines.filter((l) => l["event"] === "pruned");
      assert.deepEqual(
        events.map((e) => [e["environment"], e["cluster"], e["service"]]),
        [["dev", "dev-1", "support-agent"]],
      );

      const after = await s.tick();
      assert.deepEqual(
        after.pruned?.map((p) => p.clusters.map((c) => c.orphans)),
        [[[]]],
        "nothing left to prune",
      );
    } finally {
      await s.repo.cleanup();
    }
  });

  it("without prune: true the removed service keeps running and is reported once as orphaned", async () => {
    const s = await setup(false);
    try {
      await s.tick();
      await s.removeService("support-agent");
      const next = await s.tick();
      assert.ok(s.world.cluster.inspect("dev", "dev-1", "support-agent")?.stable, "support-agent still runs");
      const [report] = next.pruned ?? [];
      assert.equal(report?.prune, false);
      assert.ok(report.clusters[0]!.orphans[0]!.objects.every((o) => !o.deleted));
      await s.tick();
      const warnings = s.lines.filter((l) => l["event"] === "orphaned");
      assert.equal(warnings.length, 1, "warned once, not every tick");
      assert.equal(warnings[0]!["service"], "support-agent");
      assert.equal(warnings[0]!["level"], 40);
      assert.equal(s.lines.filter((l) => l["event"] === "pruned").length, 0);
    } finally {
      await s.repo.cleanup();
    }
  });
});
