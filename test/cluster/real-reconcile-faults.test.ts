/**
 * A reconciler tick against a real kube-apiserver that goes away in the middle of an apply, and a
 * tick that meets a 409 from the server (a field another manager took): both are retried and
 * reported, and the decision behind them is committed to git exactly once.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type KubernetesObject, PatchStrategy, type V1Deployment } from "@kubernetes/client-node";
import { parse, stringify } from "yaml";
import { KubernetesApplier } from "../../src/cluster/kubernetes/applier.ts";
import { ClusterMetrics } from "../../src/cluster/metrics.ts";
import { GitRepo } from "../../src/gitops/index.ts";
import type { Environment } from "../../src/model/types.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { formatTick } from "../../src/reconcile/format-tick.ts";
import { PolicyAtHead } from "../../src/policy/cache.ts";
import { Reconciler } from "../../src/reconcile/reconciler.ts";
import { createTelemetrySource } from "../../src/telemetry/factory.ts";
import { exampleGitopsRepo, git, proposeRelease } from "../support/gitops-repo.ts";
import {
  type DeploymentRollouts,
  type KubeCluster,
  startKubeClusterForTests,
  TOLLGATE_USER,
} from "../support/kube-cluster/index.ts";
import { readDecisions } from "../support/reconcile/history.ts";
import { memoryLogger } from "./fixtures.ts";

const NAMESPACE = "agents";

describe("a reconciler tick meets a real kube-apiserver that goes away, and a 409", () => {
  let cluster: KubeCluster | undefined;
  let skip: string | undefined;
  let rollouts: DeploymentRollouts | undefined;
  let repo: { dir: string; cleanup: () => Promise<void> } | undefined;

  before(async () => {
    ({ cluster, skip } = await startKubeClusterForTests({ workloadNamespaces: [NAMESPACE], gatewayApi: false }));
  });
  after(async () => {
    await rollouts?.stop();
    await cluster?.stop();
    await repo?.cleanup();
  });

  test("unreachable mid-tick, then a field conflict: retried, reported, decided once", async (t) => {
    if (!cluster) return t.skip(skip);
    const c = cluster;
    const kubeconfig = c.writeKubeconfig("tollgate", { token: c.tollgateToken, context: "real" });
    repo = await exampleGitopsRepo();
    const envFile = join(repo.dir, "environments/dev/environment.yaml");
    const document = parse(await readFile(envFile, "utf8")) as Environment;
    document.clusters = [{ name: "real", kubeconfig, context: "real", namespace: NAMESPACE }];
    await writeFile(envFile, stringify(document));
    git(repo.dir, "commit", "-q", "-am", "dev: deploy to the real test cluster");
    const canary = await proposeRelease(repo.dir, "dev", "support-agent", (parts) => ({
      ...parts,
      prompts: { digest: `sha256:${"7".repeat(64)}` },
    }));

    const { logger, lines } = memoryLogger();
    const metrics = new ClusterMetrics();
    const kubernetes = new KubernetesApplier({
      logger,
      metrics,
      attempts: 3,
      retryBackoffMs: 300,
      pollIntervalMs: 200,
      readinessTimeoutMs: 120_000,
      requestTimeoutMs: 5_000,
    });
    const root = repo.dir;
    const reconciler = new Reconciler({
      repo: await GitRepo.open(root, { identity: { name: "tollgate", email: "tollgate@example.com" } }),
      policies: new PolicyAtHead(new PolicyLoader()),
      telemetry: (environment) => createTelemetrySource(environment, { root, env: {}, logger }),
      clusters: () => kubernetes,
      clock: () => new Date("2026-11-24T10:00:00Z"),
      logger,
      environment: "dev",
    });

    // Tick 1 decides to start the canary, commits, and applies. While it waits for the new
    // Deployments to become ready (nothing makes them ready yet), the API server goes away.
    const mark = c.audit.mark();
    const ticking = reconciler.tick();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const events = await c.audit.since(mark);
      const created = events.some(
        (e) =>
          e.user.username === TOLLGATE_USER &&
          e.verb === "patch" &&
          e.objectRef?.name === "support-agent-canary" &&
          e.responseStatus?.code === 201,
      );
      if (created) break;
      assert.ok(Date.now() < deadline, "tollgate never created the canary Deployment");
    }
    await c.stopApiServer();
    const first = await ticking;
    assert.deepEqual(
      first.decisions.map((d) => `${d.change.service}:${d.change.action}`),
      ["support-agent:advance"],
    );
    const failed = first.applied.flatMap((s) => s.clusters).filter((x) => !x.ok);
    assert.ok(failed.length > 0);
    for (const f of failed) {
      assert.equal(f.error?.kind, "unreachable");
      assert.equal(f.attempts, 3, "retried");
      assert.match(
        f.error!.message,
        new RegExp(`^cluster "real": cannot reach the API server at ${c.url} \\(ECONNREFUSED\\)`),
      );
    }
    assert.ok(lines.some((l) => l["event"] === "apply-failed" && l["failure"] === "unreachable"));
    assert.ok(formatTick(first).err.some((line) => line.includes("cannot reach the API server")));
    assert.equal(readDecisions(root).length, 1);

    // The API server is back and pods become ready; meanwhile someone scaled the canary by hand.
    await c.startApiServer();
    rollouts = c.deploymentRollouts([NAMESPACE]).start();
    await c.admin.patch(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "support-agent-canary", namespace: NAMESPACE },
        spec: { replicas: 5 },
      } as KubernetesObject,
      undefined,
      undefined,
      "kubectl-scale",
      undefined,
      PatchStrategy.MergePatch,
    );

    // Tick 2 decides nothing new, applies the canary the commit asked for and takes replicas back
    // from the 409 the server answers.
    const second = await reconciler.tick();
    assert.deepEqual(second.decisions, []);
    const applied = second.applied.find((s) => s.service === "support-agent")!;
    assert.equal(applied.ok, true, JSON.stringify(applied.clusters.map((x) => x.error)));
    assert.deepEqual(
      applied.clusters[0]!.drift.map((d) => [d.name, d.field, d.manager, d.actual]),
      [["support-agent-canary", ".spec.replicas", "kubectl-scale", 5]],
    );
    const live = await c.admin.read<V1Deployment>({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "support-agent-canary", namespace: NAMESPACE },
    });
    assert.equal(live.spec?.template.metadata?.annotations?.["tollgate.dev/artifact-digest"], canary.digest);
    assert.equal(live.spec?.replicas, 2, "50% of four pods");
    assert.ok(lines.some((l) => l["event"] === "drift-repaired" && l["manager"] === "kubectl-scale"));

    // Decided once: the history has the one decision, and a third tick changes nothing.
    const third = await reconciler.tick();
    assert.deepEqual(third.decisions, []);
    assert.equal(readDecisions(root).length, 1);
    assert.ok(third.applied.every((s) => s.ok && !s.changed));
  });
});
