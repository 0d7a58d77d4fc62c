import assert from "node:assert/strict";
import { test } from "node:test";
import { SimulatedCluster } from "../../src/cluster/simulated/cluster.ts";
import type { DeployedVersionsSource } from "../../src/cluster/types.ts";
import { artifact, environment, release, status } from "./fixtures.ts";

const v1 = artifact(1);
const v2 = artifact(2);
const env = environment([
  { name: "sim-a", namespace: "agents" },
  { name: "sim-b", namespace: "agents", traffic: { mode: "gateway", httpRoute: "{{service}}" } },
]);

test("the simulated cluster tells telemetry which versions run at which weight", async () => {
  const cluster = new SimulatedCluster();
  const source: DeployedVersionsSource = cluster;
  assert.equal(source.deployedVersions("dev", "support"), undefined);

  await cluster.apply({ environment: env, release: release(v1) });
  assert.deepEqual(source.deployedVersions("dev", "support"), { stableDigest: v1.digest, canaryWeight: 0 });

  const canary = status({ phase: "progressing", liveDigest: v1.digest, canaryDigest: v2.digest, weight: 10 });
  const result = await cluster.apply({ environment: env, release: release(v2, v1), status: canary });
  assert.equal(result.ok, true);
  assert.deepEqual(source.deployedVersions("dev", "support"), {
    stableDigest: v1.digest,
    canaryDigest: v2.digest,
    canaryWeight: 10,
  });
  assert.deepEqual(cluster.inspect("dev", "sim-a", "support")?.canary?.replicas, 10);
  assert.deepEqual(cluster.inspect("dev", "sim-b", "support")?.stable?.replicas, 100, "gateway mode keeps stable full");

  await cluster.apply({
    environment: env,
    release: release(v2, v2),
    status: status({ phase: "promoted", liveDigest: v2.digest }),
  });
  assert.deepEqual(source.deployedVersions("dev", "support"), { stableDigest: v2.digest, canaryWeight: 0 });
});

test("the simulated cluster is idempotent and rolls back traffic before scaling the canary down", async () => {
  const cluster = new SimulatedCluster({ replicas: 4 });
  await cluster.apply({ environment: env, release: release(v1) });
  const canary = status({ phase: "progressing", liveDigest: v1.digest, canaryDigest: v2.digest, weight: 50 });
  await cluster.apply({ environment: env, release: release(v2, v1), status: canary });
  const again = await cluster.apply({ environment: env, release: release(v2, v1), status: canary });
  assert.equal(again.changed, false);

  cluster.events.length = 0;
  await cluster.apply({
    environment: env,
    release: release(v1, v1),
    status: status({ phase: "rolled-back", liveDigest: v1.digest }),
  });
  assert.deepEqual(
    cluster.events.filter((e) => e.cluster === "sim-a").map((e) => e.change),
    [`stable ${v1.digest} at 4 replicas`, "traffic replicas canary weight 0", `canary ${v2.digest} at 0 replicas`],
  );
  assert.deepEqual(
    cluster.events.filter((e) => e.cluster === "sim-b").map((e) => e.change),
    ["traffic gateway canary weight 0", `canary ${v2.digest} at 0 replicas`],
  );
  assert.deepEqual(cluster.deployedVersions("dev", "support"), { stableDigest: v1.digest, canaryWeight: 0 });
});

test("the simulated cluster repairs drift and reports a failing cluster without skipping it", async () => {
  const cluster = new SimulatedCluster({ replicas: 4, persistentFailureThreshold: 2 });
  await cluster.apply({ environment: env, release: release(v1) });
  cluster.injectDrift("dev", "sim-a", "support", "stable", { replicas: 9, image: "hand/made:latest" });
  const repaired = await cluster.apply({ environment: env, release: release(v1) });
  assert.deepEqual(
    repaired.clusters[0]!.drift.map((d) => [d.field, d.actual]),
    [
      ['.spec.template.spec.containers[name="agent"].image', "hand/made:latest"],
      [".spec.replicas", 9],
    ],
  );
  assert.equal(cluster.inspect("dev", "sim-a", "support")?.stable?.replicas, 4);

  cluster.failCluster("sim-b", { kind: "unreachable", message: 'cluster "sim-b": cannot reach the API server' });
  await cluster.apply({ environment: env, release: release(v1) });
  const result = await cluster.apply({ environment: env, release: release(v1) });
  assert.deepEqual(
    result.clusters.map((c) => [c.cluster, c.ok, c.persistentlyFailing]),
    [
      ["sim-a", true, false],
      ["sim-b", false, true],
    ],
  );
  cluster.failCluster("sim-b", undefined);
  assert.equal((await cluster.apply({ environment: env, release: release(v1) })).ok, true);
});

test("the simulated cluster prunes like the Kubernetes applier: the removed service's objects, traffic first; a failing cluster is reported", async () => {
  const cluster = new SimulatedCluster({ replicas: 4 });
  const billing = { ...release(v1), service: "billing" };
  await cluster.apply({ environment: env, release: release(v1) });
  await cluster.apply({ environment: env, release: billing });
  const keep = new Set(["support"]);

  const reported = await cluster.prune({ environment: env, keep });
  assert.equal(reported.prune, false);
  assert.ok(cluster.inspect("dev", "sim-a", "billing"), "prune off: nothing deleted");
  const objects = (i: number) =>
    reported.clusters[i]!.orphans.flatMap((o) => o.objects.map((x) => `${o.service} ${x.kind}/${x.name}`));
  assert.equal(objects(0).length, 3);
  assert.deepEqual(objects(1).slice(0, 4), [
    "billing Service/billing",
    "billing Service/billing-stable",
    "billing Service/billing-canary",
    "billing Deployment/billing-stable",
  ]);

  cluster.failCluster("sim-b", { kind: "forbidden", message: 'cluster "sim-b": permission denied (403)' });
  const pruned = await cluster.prune({ environment: { ...env, prune: true }, keep });
  assert.deepEqual(
    pruned.clusters.map((c) => [
      c.cluster,
      c.ok,
      c.error?.kind,
      c.orphans.flatMap((o) => o.objects).filter((x) => x.deleted).length,
    ]),
    [
      ["sim-a", true, undefined, 3],
      ["sim-b", false, "forbidden", 0],
    ],
  );
  assert.equal(cluster.inspect("dev", "sim-a", "billing"), undefined);
  assert.ok(cluster.inspect("dev", "sim-b", "billing"), "the failing cluster kept it");
  assert.ok(cluster.inspect("dev", "sim-a", "support"), "kept services stay");
});
