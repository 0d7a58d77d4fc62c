/**
 * Pruning services removed from an environment, against stand-in API servers with
 * @kubernetes/client-node unchanged and the RBAC of deploy/.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, afterEach, describe, test } from "node:test";
import { stringify, parse } from "yaml";
import { readFile, rm } from "node:fs/promises";
import { KubernetesApplier } from "../../src/cluster/kubernetes/applier.ts";
import { configMapName } from "../../src/cluster/manifests.ts";
import { ClusterMetrics } from "../../src/cluster/metrics.ts";
import type { ClusterPruneResult, PruneResult } from "../../src/cluster/types.ts";
import { GitRepo } from "../../src/gitops/index.ts";
import type { ClusterTarget, Environment, Release } from "../../src/model/types.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { PolicyAtHead } from "../../src/policy/cache.ts";
import { Reconciler } from "../../src/reconcile/reconciler.ts";
import { SimulatedWorld } from "../../src/reconcile/simulation.ts";
import { exampleGitopsRepo, git } from "../support/gitops-repo.ts";
import {
  artifact,
  environment,
  memoryLogger,
  NAMESPACE,
  needsOpenssl,
  release,
  type TestCluster,
  TestClusters,
  writeSummary,
} from "./fixtures.ts";

const v1 = artifact(1);
const v2 = artifact(2);

function applier(options: { metrics?: ClusterMetrics } = {}): KubernetesApplier {
  return new KubernetesApplier({
    manifest: { replicas: 2 },
    pollIntervalMs: 5,
    readinessTimeoutMs: 3_000,
    retryBackoffMs: 5,
    logger: memoryLogger().logger,
    ...options,
  });
}

function releaseOf(service: string, a = v1, lastGood?: typeof v1): Release {
  return { ...release(a, lastGood), service };
}

function env(targets: ClusterTarget[], fields: Partial<Environment> = {}): Environment {
  return { ...environment(targets), ...fields };
}

/** Creates the HTTPRoute of a service as the platform team would. */
async function createRoute(c: TestCluster, service: string): Promise<void> {
  await c.admin.create({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: `${service}-route`, namespace: NAMESPACE },
    spec: { parentRefs: [{ name: "public-gateway", namespace: "gateway-system" }] },
  });
}

function names(c: TestCluster): string[] {
  const of = (apiVersion: string, kind: string): string[] =>
    c.standIn.list(apiVersion, kind, NAMESPACE).map((o) => `${kind}/${(o["metadata"] as { name: string }).name}`);
  return [
    ...of("v1", "Service"),
    ...of("apps/v1", "Deployment"),
    ...of("v1", "ConfigMap"),
    ...of("gateway.networking.k8s.io/v1", "HTTPRoute"),
  ].sort();
}

function orphans(result: ClusterPruneResult): string[] {
  return result.orphans.flatMap((set) =>
    set.objects.map((o) => `${set.service} ${o.kind}/${o.name}${o.deleted ? " deleted" : ""}`),
  );
}

async function metricValue(metrics: ClusterMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Objects of the same names a person or another tool made: never tollgate's to delete. */
async function foreignObjects(c: TestCluster): Promise<void> {
  // Labelled with the service but not managed by tollgate.
  await c.admin.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "billing-notes", namespace: NAMESPACE, labels: { "tollgate.dev/service": "billing" } },
    data: { a: "b" },
  });
  // Managed by another tool.
  await c.admin.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "billing-helm",
      namespace: NAMESPACE,
      labels: { "app.kubernetes.io/managed-by": "Helm", "tollgate.dev/service": "billing" },
    },
    data: { a: "b" },
  });
}

describe("pruning services removed from an environment (stand-in API servers)", () => {
  const clusters = new TestClusters();
  after(() => clusters.stop());

  test("prune: true deletes a removed service's Services, Deployments and ConfigMaps in every cluster; nothing else is touched", async (t) => {
    if (!needsOpenssl(t)) return;
    const eu = await clusters.start("prune-eu");
    const us = await clusters.start("prune-us", { traffic: { mode: "gateway", httpRoute: "{{service}}-route" } });
    const targets = [eu.target, us.target];
    for (const s of ["support", "billing", "search"]) await createRoute(us, s);
    const metrics = new ClusterMetrics();
    const a = applier({ metrics });
    const dev = env(targets, { prune: true });
    for (const service of ["support", "billing"])
      assert.equal((await a.apply({ environment: dev, release: releaseOf(service) })).ok, true);
    // billing ran two versions: a canary at 0 replicas keeps its ConfigMap.
    assert.equal(
      (
        await a.apply({
          environment: dev,
          release: releaseOf("billing", v2, v1),
          status: {
            apiVersion: "tollgate.dev/v1",
            kind: "Status",
            service: "billing",
            phase: "progressing",
            liveDigest: v1.digest,
            canaryDigest: v2.digest,
            weight: 50,
          },
        })
      ).ok,
      true,
    );
    // Another environment shares the namespace: its services are not dev's to prune.
    assert.equal(
      (await a.apply({ environment: env(targets, { name: "other" }), release: releaseOf("search") })).ok,
      true,
    );
    for (const c of [eu, us]) await foreignObjects(c);
    const before = { eu: names(eu), us: names(us) };

    eu.standIn.clearRequests();
    us.standIn.clearRequests();
    const result = await a.prune({ environment: dev, keep: new Set(["support"]) });
    assert.equal(result.ok, true, JSON.stringify(result.clusters.map((c) => c.error)));
    assert.equal(result.prune, true);
    const billingConfigMaps = [v1, v2].map((x) => `ConfigMap/${configMapName("billing", x.digest)}`).sort();
    assert.deepEqual(writeSummary(eu.standIn), [
      "DELETE Service/billing",
      "DELETE Deployment/billing-canary",
      "DELETE Deployment/billing-stable",
      ...billingConfigMaps.map((n) => `DELETE ${n}`),
    ]);
    assert.deepEqual(writeSummary(us.standIn), [
      "DELETE Service/billing-canary",
      "DELETE Service/billing",
      "DELETE Service/billing-stable",
      "DELETE Deployment/billing-canary",
      "DELETE Deployment/billing-stable",
      ...billingConfigMaps.map((n) => `DELETE ${n}`),
    ]);
    assert.deepEqual(orphans(result.clusters[0]!), [
      "billing Service/billing deleted",
      "billing Deployment/billing-canary deleted",
      "billing Deployment/billing-stable deleted",
      ...billingConfigMaps.map((n) => `billing ${n} deleted`),
    ]);
    // What is left is exactly what was there minus billing's tollgate objects: support, the other
    // environment's search, the foreign ConfigMaps and every HTTPRoute.
    const billing = (c: "eu" | "us") =>
      before[c].filter((n) => /^(Service|Deployment|ConfigMap)\/billing(-stable|-canary|-agent-.*)?$/.test(n));
    assert.deepEqual(
      names(eu),
      before.eu.filter((n) => !billing("eu").includes(n)),
    );
    assert.deepEqual(
      names(us),
      before.us.filter((n) => !billing("us").includes(n)),
    );
    assert.ok(
      names(us).includes("HTTPRoute/billing-route") &&
        names(eu).includes("ConfigMap/billing-notes") &&
        names(eu).includes("ConfigMap/billing-helm"),
    );
    assert.ok(names(eu).includes("Deployment/search-stable") && names(eu).includes("Deployment/support-stable"));
    assert.equal(
      await metricValue(metrics, "tollgate_cluster_object_changes_total", {
        environment: "dev",
        cluster: "prune-eu",
        action: "deleted",
        kind: "Deployment",
      }),
      2,
    );
    assert.equal(
      await metricValue(metrics, "tollgate_cluster_orphaned_objects", { environment: "dev", cluster: "prune-us" }),
      0,
    );

    // Pruning again finds nothing and writes nothing.
    eu.standIn.clearRequests();
    const again = await a.prune({ environment: dev, keep: new Set(["support"]) });
    assert.deepEqual(
      again.clusters.map((c) => c.orphans),
      [[], []],
    );
    assert.deepEqual(eu.standIn.writes(), []);
  });

  test("prune: false (the default) deletes nothing and reports the orphans", async (t) => {
    if (!needsOpenssl(t)) return;
    const eu = await clusters.start("report-eu");
    const metrics = new ClusterMetrics();
    const a = applier({ metrics });
    const dev = env([eu.target]);
    assert.equal(dev.prune, undefined, "the example environment does not set prune");
    for (const service of ["support", "billing"])
      assert.equal((await a.apply({ environment: dev, release: releaseOf(service) })).ok, true);
    const before = names(eu);
    eu.standIn.clearRequests();
    const result = await a.prune({ environment: dev, keep: new Set(["support"]) });
    assert.equal(result.ok, true);
    assert.equal(result.prune, false);
    assert.deepEqual(eu.standIn.writes(), [], "nothing written");
    assert.deepEqual(names(eu), before);
    assert.deepEqual(orphans(result.clusters[0]!), [
      "billing Service/billing",
      "billing Deployment/billing-stable",
      `billing ConfigMap/${configMapName("billing", v1.digest)}`,
    ]);
    assert.equal(
      await metricValue(metrics, "tollgate_cluster_orphaned_objects", { environment: "dev", cluster: "report-eu" }),
      3,
    );
    // Only lists, by label, in the target namespace.
    assert.ok(
      eu.standIn.requests.every(
        (r) =>
          r.method === "GET" &&
          r.query["labelSelector"] === "app.kubernetes.io/managed-by=tollgate,tollgate.dev/environment=dev",
      ),
    );
  });

  test("a cluster failing during prune is reported naming it; the other cluster is still pruned", async (t) => {
    if (!needsOpenssl(t)) return;
    const eu = await clusters.start("fail-eu");
    const us = await clusters.start("fail-us");
    const a = applier();
    const dev = env([eu.target, us.target], { prune: true });
    for (const service of ["support", "billing"])
      assert.equal((await a.apply({ environment: dev, release: releaseOf(service) })).ok, true);
    // The second delete in eu is refused: the Service is gone, the workloads stay.
    eu.standIn.faults.push({
      method: "DELETE",
      pathIncludes: "/deployments/",
      status: 403,
      reason: "Forbidden",
      message: 'deployments.apps "billing-stable" is forbidden: denied by admission webhook',
      times: 1,
    });
    const result = await a.prune({ environment: dev, keep: new Set(["support"]) });
    assert.equal(result.ok, false);
    const [euResult, usResult] = result.clusters;
    assert.equal(euResult!.ok, false);
    assert.equal(euResult!.error?.kind, "forbidden");
    assert.match(euResult!.error!.message, /^cluster "fail-eu": permission denied \(403\)/);
    assert.deepEqual(orphans(euResult!), [
      "billing Service/billing deleted",
      "billing Deployment/billing-stable",
      `billing ConfigMap/${configMapName("billing", v1.digest)}`,
    ]);
    assert.ok(names(eu).includes("Deployment/billing-stable"));
    assert.equal(usResult!.ok, true);
    assert.ok(!names(us).some((n) => n.includes("billing")), "the healthy cluster was pruned");

    // An unreachable cluster is a result too, never a thrown error.
    await eu.standIn.close();
    const unreachable = await applier().prune({ environment: dev, keep: new Set(["support"]) });
    assert.equal(unreachable.clusters[0]!.ok, false);
    assert.equal(unreachable.clusters[0]!.error?.kind, "unreachable");
    assert.equal(unreachable.clusters[1]!.ok, true);
  });
});

describe("the reconciler prunes only what git no longer names (stand-in API server, git repository)", () => {
  const clusters = new TestClusters();
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  after(() => clusters.stop());

  test("an invalid release file at HEAD never deletes its service; removing the release and status files does", async (t) => {
    if (!needsOpenssl(t)) return;
    const eu = await clusters.start("git-eu");
    const repo = await exampleGitopsRepo();
    cleanup = repo.cleanup;
    const envFile = join(repo.dir, "environments/dev/environment.yaml");
    const document = parse(await readFile(envFile, "utf8")) as Environment;
    document.clusters = [eu.target];
    document.prune = true;
    await writeFile(envFile, stringify(document));
    git(repo.dir, "commit", "-q", "-am", "dev: deploy to the stand-in, prune");

    const { logger, lines } = memoryLogger();
    const gitRepo = await GitRepo.open(repo.dir, { identity: { name: "tollgate", email: "tollgate@example.com" } });
    const world = new SimulatedWorld();
    const kubernetes = applier();
    const reconciler = new Reconciler({
      repo: gitRepo,
      policies: new PolicyAtHead(new PolicyLoader()),
      telemetry: async (e) => world.telemetry(e),
      clusters: () => kubernetes,
      clock: () => new Date("2026-11-24T10:00:00Z"),
      logger,
      environment: "dev",
    });
    const deployments = (): string[] => names(eu).filter((n) => n.startsWith("Deployment/"));

    let run = await reconciler.applyHead();
    assert.deepEqual(run.errors, []);
    assert.deepEqual(deployments(), ["Deployment/retrieval-api-stable", "Deployment/support-agent-stable"]);
    assert.deepEqual(
      run.pruned.map((p) => p.clusters.map((c) => c.orphans)),
      [[[]]],
    );

    // A broken release file: support-agent is missing from the state, but its environment is not pruned.
    const releaseFile = join(repo.dir, "environments/dev/releases/support-agent.yaml");
    await writeFile(releaseFile, (await readFile(releaseFile, "utf8")).replace("kind: Release", "kind: Relaese"));
    git(repo.dir, "commit", "-q", "-am", "a typo");
    eu.standIn.clearRequests();
    run = await reconciler.applyHead();
    assert.deepEqual(run.pruned, []);
    assert.deepEqual(
      eu.standIn.writes().filter((r) => r.method === "DELETE"),
      [],
    );
    assert.deepEqual(deployments(), ["Deployment/retrieval-api-stable", "Deployment/support-agent-stable"]);
    assert.equal(lines.filter((l) => l["event"] === "prune-skipped").length, 1);
    await reconciler.applyHead();
    assert.equal(lines.filter((l) => l["event"] === "prune-skipped").length, 1, "logged once");

    // Restricted to one service, nothing is pruned either.
    await rm(releaseFile);
    await rm(join(repo.dir, "environments/dev/status/support-agent.yaml"));
    git(repo.dir, "commit", "-q", "-am", "remove support-agent from dev");
    const oneService = new Reconciler({
      repo: gitRepo,
      policies: new PolicyAtHead(new PolicyLoader()),
      telemetry: async (e) => world.telemetry(e),
      clusters: () => kubernetes,
      clock: () => new Date("2026-11-24T10:00:00Z"),
      logger,
      service: "retrieval-api",
    });
    assert.deepEqual((await oneService.applyHead()).pruned, []);
    assert.ok(deployments().includes("Deployment/support-agent-stable"));

    // Both files removed and everything valid: support-agent's objects go, retrieval-api's stay.
    run = await reconciler.applyHead();
    const pruned: PruneResult | undefined = run.pruned[0];
    assert.equal(pruned?.ok, true);
    assert.deepEqual(deployments(), ["Deployment/retrieval-api-stable"]);
    assert.ok(!names(eu).some((n) => n.includes("support-agent")));
    const events = lines.filter((l) => l["event"] === "pruned");
    assert.equal(events.length, 1);
    assert.equal(events[0]!["service"], "support-agent");
    assert.equal(events[0]!["cluster"], "git-eu");
    assert.deepEqual((events[0]!["objects"] as string[]).slice(0, 2), [
      "Service/support-agent",
      "Deployment/support-agent-stable",
    ]);
  });
});
