import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PatchStrategy } from "@kubernetes/client-node";
import { KubernetesApplier, type KubernetesApplierOptions } from "../../src/cluster/kubernetes/applier.ts";
import { configMapName } from "../../src/cluster/manifests.ts";
import { ClusterMetrics } from "../../src/cluster/metrics.ts";
import type { ServiceApplyResult } from "../../src/cluster/types.ts";
import type { Artifact, ClusterTarget, Release, Status } from "../../src/model/types.ts";
import type { RecordedRequest } from "../support/kube-apiserver/server.ts";
import { opensslAvailable } from "../support/kube-apiserver/tls.ts";
import {
  artifact,
  environment,
  memoryLogger,
  NAMESPACE,
  needsOpenssl,
  release,
  roleRules,
  status,
  type TestCluster,
  TestClusters,
  TOLLGATE_USER,
  writeSummary,
} from "./fixtures.ts";

const v1 = artifact(1);
const v2 = artifact(2);
const v3 = artifact(3);
const cm = (a: Artifact): string => configMapName("support", a.digest);

function applier(options: KubernetesApplierOptions = {}): KubernetesApplier {
  return new KubernetesApplier({
    manifest: { replicas: 4 },
    pollIntervalMs: 5,
    readinessTimeoutMs: 3_000,
    retryBackoffMs: 5,
    logger: memoryLogger().logger,
    ...options,
  });
}

async function applyTo(
  a: KubernetesApplier,
  clusters: ClusterTarget[],
  rel: Release,
  st?: Status,
): Promise<ServiceApplyResult> {
  return a.apply({ environment: environment(clusters), release: rel, ...(st ? { status: st } : {}) });
}

function deployment(c: TestCluster, arm: "stable" | "canary"): { replicas: number; image: string; digest: string } {
  const d = c.standIn.get("apps/v1", "Deployment", NAMESPACE, `support-${arm}`) as {
    spec: {
      replicas: number;
      template: { spec: { containers: { image: string }[] }; metadata: { annotations: Record<string, string> } };
    };
  };
  return {
    replicas: d.spec.replicas,
    image: d.spec.template.spec.containers[0]!.image,
    digest: d.spec.template.metadata.annotations["tollgate.dev/artifact-digest"]!,
  };
}

function routeWeights(c: TestCluster): number[] {
  const route = c.standIn.get("gateway.networking.k8s.io/v1", "HTTPRoute", NAMESPACE, "support-route") as {
    spec: { rules: { backendRefs: { weight: number }[] }[] };
  };
  return route.spec.rules[0]!.backendRefs.map((b) => b.weight);
}

/** Creates the HTTPRoute as a platform team would: parents only; tollgate owns the rules. */
async function createRoute(c: TestCluster): Promise<void> {
  await c.admin.create({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "support-route", namespace: NAMESPACE },
    spec: { parentRefs: [{ name: "public-gateway", namespace: "gateway-system" }] },
  });
}

function verbOf(r: RecordedRequest): string {
  const parts = r.path.split("/");
  const named = parts[parts.indexOf("namespaces") + 3] !== undefined;
  if (r.method === "GET") return named ? "get" : "list";
  if (r.method === "PATCH") return r.status === 201 ? "create+patch" : "patch";
  return { POST: "create", PUT: "update", DELETE: "delete" }[r.method] ?? r.method;
}

describe("Kubernetes applier against two stand-in API servers", () => {
  const clusters = new TestClusters();
  let eu: TestCluster;
  let us: TestCluster;

  before(async () => {
    if (!opensslAvailable()) return;
    eu = await clusters.start("eu-1");
    us = await clusters.start("us-1", { traffic: { mode: "gateway", httpRoute: "{{service}}-route" } });
    await createRoute(us);
  });
  after(() => clusters.stop());

  test("deploy, canary, promotion, new canary, rollback and removal (prune) change exactly the expected objects on both clusters", async (t) => {
    if (!needsOpenssl(t)) return;
    const a = applier();
    const targets = [eu.target, us.target];
    const step = async (rel: Release, st?: Status): Promise<ServiceApplyResult> => {
      eu.standIn.clearRequests();
      us.standIn.clearRequests();
      const result = await applyTo(a, targets, rel, st);
      assert.equal(result.ok, true, JSON.stringify(result.clusters.map((c) => c.error)));
      assert.deepEqual(
        result.clusters.map((c) => c.cluster),
        ["eu-1", "us-1"],
      );
      return result;
    };
    const allRequests: RecordedRequest[] = [];
    const keep = (): void => {
      allRequests.push(...eu.standIn.requests, ...us.standIn.requests);
    };

    // First deploy: nothing runs yet.
    let result = await step(release(v1));
    assert.deepEqual(writeSummary(eu.standIn), [
      `PATCH ConfigMap/${cm(v1)}`,
      "PATCH Service/support",
      "PATCH Deployment/support-stable",
    ]);
    assert.deepEqual(writeSummary(us.standIn), [
      `PATCH ConfigMap/${cm(v1)}`,
      "PATCH Service/support",
      "PATCH Service/support-stable",
      "PATCH Service/support-canary",
      "PATCH Deployment/support-stable",
      "PATCH HTTPRoute/support-route",
    ]);
    for (const r of [...eu.standIn.writes(), ...us.standIn.writes()]) {
      assert.equal(r.contentType, "application/apply-patch+yaml");
      assert.equal(r.query["fieldManager"], "tollgate");
      assert.equal(r.query["force"], "false");
    }
    assert.deepEqual(deployment(eu, "stable"), { replicas: 4, image: v1.code.image, digest: v1.digest });
    assert.deepEqual(routeWeights(us), [100, 0]);
    assert.deepEqual(
      result.clusters[0]!.workloads.map((w) => [w.arm, w.digest, w.replicas, w.readyReplicas, w.ready]),
      [["stable", v1.digest, 4, 4, true]],
    );
    const configMap = eu.standIn.get("v1", "ConfigMap", NAMESPACE, cm(v1)) as {
      data: Record<string, string>;
      immutable: boolean;
    };
    assert.equal(configMap.immutable, true);
    assert.equal(configMap.data["model-snapshot"], v1.model.snapshot);
    assert.equal(configMap.data["tools-allowed"], "lookup_order\nsearch");
    keep();

    // The same request again changes nothing.
    result = await step(release(v1));
    assert.deepEqual(writeSummary(eu.standIn), []);
    assert.deepEqual(writeSummary(us.standIn), []);
    assert.equal(result.changed, false);
    keep();

    // Canary v2 at 25%: by replica ratio (1 of 4 pods) on eu-1, by route weight on us-1.
    const canary25 = status({
      phase: "progressing",
      liveDigest: v1.digest,
      canaryDigest: v2.digest,
      weight: 25,
      step: 0,
    });
    result = await step(release(v2, v1), canary25);
    assert.deepEqual(writeSummary(eu.standIn), [
      `PATCH ConfigMap/${cm(v2)}`,
      "PATCH Deployment/support-canary",
      "PATCH Deployment/support-stable",
    ]);
    assert.deepEqual(writeSummary(us.standIn), [
      `PATCH ConfigMap/${cm(v2)}`,
      "PATCH Deployment/support-canary",
      "PATCH HTTPRoute/support-route",
    ]);
    assert.deepEqual(deployment(eu, "canary"), { replicas: 1, image: v2.code.image, digest: v2.digest });
    assert.equal(deployment(eu, "stable").replicas, 3);
    assert.equal(deployment(us, "stable").replicas, 4, "gateway mode keeps stable at full size");
    assert.equal(deployment(us, "canary").replicas, 1);
    assert.deepEqual(routeWeights(us), [75, 25]);
    assert.deepEqual(
      result.clusters.map((c) => c.traffic),
      [
        { mode: "replicas", canaryWeight: 25 },
        { mode: "gateway", canaryWeight: 25 },
      ],
    );
    keep();

    // Promotion: stable runs v2 before the canary goes away; the v1 ConfigMap is no longer mounted.
    result = await step(release(v2, v2), status({ phase: "promoted", liveDigest: v2.digest }));
    assert.deepEqual(writeSummary(eu.standIn), [
      "PATCH Deployment/support-stable",
      "PATCH Deployment/support-canary",
      `DELETE ConfigMap/${cm(v1)}`,
    ]);
    assert.deepEqual(writeSummary(us.standIn), [
      "PATCH Deployment/support-stable",
      "PATCH HTTPRoute/support-route",
      "PATCH Deployment/support-canary",
      `DELETE ConfigMap/${cm(v1)}`,
    ]);
    assert.deepEqual(deployment(eu, "stable"), { replicas: 4, image: v2.code.image, digest: v2.digest });
    assert.equal(deployment(eu, "canary").replicas, 0);
    assert.deepEqual(routeWeights(us), [100, 0]);
    keep();

    // A new canary v3 at 50%, then rolled back.
    result = await step(
      release(v3, v2),
      status({ phase: "progressing", liveDigest: v2.digest, canaryDigest: v3.digest, weight: 50, step: 1 }),
    );
    assert.deepEqual(writeSummary(eu.standIn), [
      `PATCH ConfigMap/${cm(v3)}`,
      "PATCH Deployment/support-canary",
      "PATCH Deployment/support-stable",
    ]);
    assert.deepEqual(writeSummary(us.standIn), [
      `PATCH ConfigMap/${cm(v3)}`,
      "PATCH Deployment/support-canary",
      "PATCH HTTPRoute/support-route",
    ]);
    assert.deepEqual([deployment(eu, "stable").replicas, deployment(eu, "canary").replicas], [2, 2]);
    assert.deepEqual(routeWeights(us), [50, 50]);
    keep();

    result = await step(release(v2, v2), status({ phase: "rolled-back", liveDigest: v2.digest }));
    // Traffic goes back to the warm stable workload first, then the canary is scaled down (keeping its version).
    assert.deepEqual(writeSummary(eu.standIn), ["PATCH Deployment/support-stable", "PATCH Deployment/support-canary"]);
    assert.deepEqual(writeSummary(us.standIn), ["PATCH HTTPRoute/support-route", "PATCH Deployment/support-canary"]);
    assert.deepEqual(deployment(eu, "stable"), { replicas: 4, image: v2.code.image, digest: v2.digest });
    assert.deepEqual(deployment(eu, "canary"), { replicas: 0, image: v3.code.image, digest: v3.digest });
    assert.deepEqual(routeWeights(us), [100, 0]);
    assert.ok(
      eu.standIn.get("v1", "ConfigMap", NAMESPACE, cm(v3)),
      "the rolled-back canary's ConfigMap stays while its workload exists",
    );
    assert.deepEqual(
      result.clusters[1]!.objects.filter((o) => o.action !== "unchanged").map((o) => `${o.action} ${o.kind}/${o.name}`),
      ["updated HTTPRoute/support-route", "updated Deployment/support-canary"],
    );
    keep();

    // Finally the service is removed from git: pruning deletes its objects, traffic first, then the
    // workloads (canary first), then their ConfigMaps; the platform's HTTPRoute stays.
    eu.standIn.clearRequests();
    us.standIn.clearRequests();
    const configMaps = (c: TestCluster): string[] =>
      c.standIn
        .list("v1", "ConfigMap", NAMESPACE)
        .map((o) => `DELETE ConfigMap/${(o["metadata"] as { name: string }).name}`);
    const euConfigMaps = configMaps(eu);
    const usConfigMaps = configMaps(us);
    const pruned = await a.prune({ environment: { ...environment(targets), prune: true }, keep: new Set() });
    assert.equal(pruned.ok, true, JSON.stringify(pruned.clusters.map((c) => c.error)));
    assert.deepEqual(writeSummary(eu.standIn), [
      "DELETE Service/support",
      "DELETE Deployment/support-canary",
      "DELETE Deployment/support-stable",
      ...euConfigMaps,
    ]);
    assert.deepEqual(writeSummary(us.standIn), [
      "DELETE Service/support-canary",
      "DELETE Service/support",
      "DELETE Service/support-stable",
      "DELETE Deployment/support-canary",
      "DELETE Deployment/support-stable",
      ...usConfigMaps,
    ]);
    for (const c of [eu, us]) {
      for (const kind of ["Service", "ConfigMap"])
        assert.deepEqual(c.standIn.list("v1", kind, NAMESPACE), [], `${c.target.name}: no ${kind} left`);
      assert.deepEqual(c.standIn.list("apps/v1", "Deployment", NAMESPACE), []);
    }
    assert.ok(
      us.standIn.get("gateway.networking.k8s.io/v1", "HTTPRoute", NAMESPACE, "support-route"),
      "the platform's HTTPRoute is not tollgate's to delete",
    );
    keep();

    // Every stored object passed schema validation in the stand-in; and tollgate used exactly the
    // permissions of deploy/role-workloads.yaml, no fewer and no more.
    const used = new Set<string>();
    for (const r of allRequests.filter((x) => x.user === TOLLGATE_USER && x.path.includes("/namespaces/"))) {
      const parts = r.path.split("/");
      const group = parts[1] === "api" ? "" : parts[2]!;
      const resource = parts[parts.indexOf("namespaces") + 2]!;
      for (const verb of verbOf(r).split("+")) used.add(`${verb} ${group}/${resource}`);
    }
    const granted = new Set(
      roleRules("role-workloads.yaml").flatMap((rule) =>
        rule.verbs.flatMap((v) => rule.resources!.map((res) => `${v} ${rule.apiGroups![0]}/${res}`)),
      ),
    );
    assert.deepEqual([...used].sort(), [...granted].sort());
  });

  test("drift (image changed and replicas scaled by hand) is detected, repaired, logged and counted", async (t) => {
    if (!needsOpenssl(t)) return;
    const { logger, lines } = memoryLogger();
    const metrics = new ClusterMetrics();
    const a = applier({ logger, metrics });
    const rel = release(v2, v2);
    const st = status({ phase: "promoted", liveDigest: v2.digest });
    assert.equal((await applyTo(a, [eu.target], rel, st)).ok, true);

    // Someone scales the stable workload and swaps its image, as `kubectl scale` / `kubectl set image` would.
    const live = (await eu.admin.read({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "support-stable", namespace: NAMESPACE },
    })) as {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    const containers = live.spec.template.spec.containers.map((c) => ({
      ...c,
      image: "registry.example/agents/support:hotfix",
    }));
    await eu.admin.patch(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "support-stable", namespace: NAMESPACE },
        spec: { replicas: 7 },
      },
      undefined,
      undefined,
      "kubectl-scale",
      undefined,
      PatchStrategy.MergePatch,
    );
    await eu.admin.patch(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "support-stable", namespace: NAMESPACE },
        spec: { template: { spec: { containers } } },
      } as never,
      undefined,
      undefined,
      "kubectl-set",
      undefined,
      PatchStrategy.MergePatch,
    );
    assert.equal(deployment(eu, "stable").replicas, 7);

    const result = await applyTo(a, [eu.target], rel, st);
    assert.equal(result.ok, true);
    const drift = result.clusters[0]!.drift;
    assert.deepEqual(
      drift.map((d) => [d.field, d.manager, d.expected, d.actual]).sort(),
      [
        [
          '.spec.template.spec.containers[name="agent"].image',
          "kubectl-set",
          v2.code.image,
          "registry.example/agents/support:hotfix",
        ],
        [".spec.replicas", "kubectl-scale", 4, 7],
      ].sort(),
    );
    assert.deepEqual(deployment(eu, "stable"), { replicas: 4, image: v2.code.image, digest: v2.digest });
    const forced = eu.standIn.writes().filter((r) => r.query["force"] === "true");
    assert.equal(forced.length, 1, "the repair re-applies with force once");
    const logged = lines.filter((l) => l["event"] === "drift-repaired");
    assert.equal(logged.length, 2);
    assert.equal(logged[0]!["cluster"], "eu-1");
    const counted = (await metrics.registry.getSingleMetric("tollgate_cluster_drift_repaired_total")!.get()).values;
    assert.equal(
      counted.reduce((s, v) => s + v.value, 0),
      2,
    );
    // Repaired: the next call finds nothing to do.
    eu.standIn.clearRequests();
    const again = await applyTo(a, [eu.target], rel, st);
    assert.deepEqual(again.clusters[0]!.drift, []);
    assert.deepEqual(writeSummary(eu.standIn), []);
  });

  test("401, 403 and an unreachable cluster give errors naming the cluster; failing clusters are retried and flagged, never skipped", async (t) => {
    if (!needsOpenssl(t)) return;
    const badToken = await clusters.start("bad-token", { token: "revoked-token" });
    const noRbac = await clusters.start("no-rbac", {
      token: "viewer-token",
      users: {
        "viewer-token": {
          name: "system:serviceaccount:tollgate:viewer",
          grants: [
            { namespace: NAMESPACE, rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] }] },
          ],
        },
      },
    });
    const gone = await clusters.start("gone");
    await gone.standIn.close();
    // Accepts connections and never answers: only a request deadline gets tollgate out of it.
    const sockets: Socket[] = [];
    const silentServer = createNetServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silentServer.listen(0, "127.0.0.1", resolve));
    const silentUrl = `https://127.0.0.1:${(silentServer.address() as AddressInfo).port}`;
    const silentConfig = join(clusters.dir, "silent.kubeconfig");
    writeFileSync(
      silentConfig,
      eu.standIn.kubeconfig({ token: "t", context: "silent" }).replace(eu.standIn.url, silentUrl),
    );
    t.after(() => {
      for (const s of sockets) s.destroy();
      silentServer.close();
    });
    const silent: ClusterTarget = { name: "silent", kubeconfig: silentConfig, context: "silent", namespace: NAMESPACE };

    const metrics = new ClusterMetrics();
    // Long enough that a loaded machine answers the other clusters in time (a retried 401 would fail the test).
    const a = applier({ metrics, persistentFailureThreshold: 2, requestTimeoutMs: 2_000 });
    const targets = [eu.target, badToken.target, noRbac.target, gone.target, silent];
    const rel = release(v2, v2);
    const st = status({ phase: "promoted", liveDigest: v2.digest });
    let result = await applyTo(a, targets, rel, st);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.clusters.map((c) => [c.cluster, c.ok, c.error?.kind]),
      [
        ["eu-1", true, undefined],
        ["bad-token", false, "unauthorized"],
        ["no-rbac", false, "forbidden"],
        ["gone", false, "unreachable"],
        ["silent", false, "unreachable"],
      ],
    );
    const [, unauthorized, forbidden, unreachable, timedOut] = result.clusters;
    assert.match(
      timedOut!.error!.message,
      /^cluster "silent": the API server at https:\/\/127\.0\.0\.1:\d+ did not answer in time/,
    );
    assert.match(
      unauthorized!.error!.message,
      /^cluster "bad-token": the API server at https:\/\/127\.0\.0\.1:\d+ rejected the credentials \(401/,
    );
    assert.match(
      forbidden!.error!.message,
      /^cluster "no-rbac": permission denied \(403\): .*User "system:serviceaccount:tollgate:viewer" cannot (get|patch) resource "(configmaps|deployments)"/,
    );
    assert.match(
      unreachable!.error!.message,
      /^cluster "gone": cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    assert.equal(unauthorized!.attempts, 1, "a rejected credential is not retried within the call");
    assert.equal(unreachable!.attempts, 3, "an unreachable cluster is retried");
    assert.equal(unreachable!.persistentlyFailing, false);

    result = await applyTo(a, targets, rel, st);
    assert.deepEqual(
      result.clusters.map((c) => [c.cluster, c.consecutiveFailures, c.persistentlyFailing]),
      [
        ["eu-1", 0, false],
        ["bad-token", 2, true],
        ["no-rbac", 2, true],
        ["gone", 2, true],
        ["silent", 2, true],
      ],
    );
    const gauge = (await metrics.registry.getSingleMetric("tollgate_cluster_consecutive_failures")!.get()).values;
    assert.equal(gauge.find((v) => v.labels["cluster"] === "gone")!.value, 2);
  });

  test("409 conflicts from the API server are retried", async (t) => {
    if (!needsOpenssl(t)) return;
    const c = await clusters.start("conflicted");
    c.standIn.faults.push({
      method: "PATCH",
      pathIncludes: "/deployments/support-stable",
      status: 409,
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on deployments.apps "support-stable": the object has been modified; please apply your changes to the latest version and try again',
      times: 1,
    });
    const result = await applyTo(applier(), [c.target], release(v1));
    assert.equal(result.ok, true);
    assert.equal(result.clusters[0]!.attempts, 2);
    assert.deepEqual(
      c.standIn.requests.filter((r) => r.path.endsWith("/support-stable") && r.method === "PATCH").map((r) => r.status),
      [409, 201],
    );
  });

  test("readiness has a deadline: traffic does not move to pods that are not ready", async (t) => {
    if (!needsOpenssl(t)) return;
    const c = await clusters.start("slow", { controller: "manual" });
    const a = applier({ readinessTimeoutMs: 60 });
    c.standIn.setControllerMode("auto");
    assert.equal((await applyTo(a, [c.target], release(v1))).ok, true);
    c.standIn.setControllerMode("manual");

    const canary = status({ phase: "progressing", liveDigest: v1.digest, canaryDigest: v2.digest, weight: 50 });
    c.standIn.clearRequests();
    const result = await applyTo(a, [c.target], release(v2, v1), canary);
    assert.equal(result.ok, false);
    assert.equal(result.clusters[0]!.error!.kind, "timeout");
    assert.match(
      result.clusters[0]!.error!.message,
      /^cluster "slow": not ready within 0s: deployment "support-canary" has 0\/2 ready replicas/,
    );
    assert.deepEqual(
      writeSummary(c.standIn),
      [`PATCH ConfigMap/${cm(v2)}`, "PATCH Deployment/support-canary"],
      "stable is not scaled down",
    );

    c.standIn.rollOut(NAMESPACE, "support-canary");
    const retried = await applyTo(a, [c.target], release(v2, v1), canary);
    assert.equal(retried.ok, true);
    assert.deepEqual(
      retried.clusters[0]!.objects.filter((o) => o.action !== "unchanged").map((o) => o.name),
      ["support-stable"],
    );
  });

  test("an object the API server rejects (422) is reported with the server's validation message", async (t) => {
    if (!needsOpenssl(t)) return;
    const c = await clusters.start("strict");
    const result = await applyTo(applier({ manifest: { replicas: 4, containerPort: 70000 } }), [c.target], release(v1));
    assert.equal(result.ok, false);
    assert.equal(result.clusters[0]!.error!.kind, "invalid");
    assert.match(
      result.clusters[0]!.error!.message,
      /^cluster "strict": Deployment\.apps "support-stable" is invalid: .*containerPort/,
    );
  });

  test("a gateway cluster without the HTTPRoute says so", async (t) => {
    if (!needsOpenssl(t)) return;
    const c = await clusters.start("no-route", { traffic: { mode: "gateway", httpRoute: "{{service}}-route" } });
    const result = await applyTo(applier(), [c.target], release(v1));
    assert.equal(result.clusters[0]!.error!.kind, "not-found");
    assert.match(result.clusters[0]!.error!.message, /HTTPRoute "support-route" not found in namespace "agents"/);
  });

  test("a kubeconfig that is missing or lacks the context is a config error naming the cluster", async (t) => {
    if (!needsOpenssl(t)) return;
    const result = await applyTo(
      applier(),
      [
        { ...eu.target, name: "wrong-context", context: "staging-eu" },
        { name: "no-file", kubeconfig: join(clusters.dir, "absent.kubeconfig"), namespace: NAMESPACE },
      ],
      release(v1),
    );
    assert.deepEqual(
      result.clusters.map((c) => [c.error?.kind, c.attempts]),
      [
        ["config", 1],
        ["config", 1],
      ],
    );
    assert.equal(
      result.clusters[0]!.error!.message,
      'cluster "wrong-context": kubeconfig has no context "staging-eu" (it has: eu-1)',
    );
    assert.match(result.clusters[1]!.error!.message, /^cluster "no-file": cannot load kubeconfig .*absent\.kubeconfig/);
  });
});
