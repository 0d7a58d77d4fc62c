/**
 * The Kubernetes applier against a real kube-apiserver and etcd (built from their Go modules), with
 * @kubernetes/client-node unchanged, tollgate holding only deploy/'s permissions, and the Gateway API
 * standard CRDs installed. What tollgate sent and what the server answered is read from the server's
 * audit log. Without Go these tests skip loudly; under CI=true they fail if they cannot run.
 */
import assert from "node:assert/strict";
import { after, before, describe, test, type TestContext } from "node:test";
import { type KubernetesObject, PatchStrategy, type V1Deployment } from "@kubernetes/client-node";
import { KubernetesApplier, type KubernetesApplierOptions } from "../../src/cluster/kubernetes/applier.ts";
import { configMapName } from "../../src/cluster/manifests.ts";
import { ClusterMetrics } from "../../src/cluster/metrics.ts";
import type { ServiceApplyResult } from "../../src/cluster/types.ts";
import type { ClusterTarget, Release, Status } from "../../src/model/types.ts";
import {
  type AuditEvent,
  type DeploymentRollouts,
  type KubeCluster,
  startKubeClusterForTests,
  TOLLGATE_USER,
} from "../support/kube-cluster/index.ts";
import { artifact, environment, memoryLogger, release, roleRules, status } from "./fixtures.ts";

const v1 = artifact(1);
const v2 = artifact(2);
const v3 = artifact(3);
const cm = (a: { digest: string }): string => configMapName("support", a.digest);

/** Two cluster targets on one API server: replica-ratio traffic in `agents`, Gateway API weights in `agents-gw`. */
const REPLICAS_NS = "agents";
const GATEWAY_NS = "agents-gw";
const DENIED_NS = "agents-no-patch";
/** No DeploymentRollouts here: like a cluster whose pods never become ready. */
const IDLE_NS = "agents-idle";

const KINDS: Record<string, string> = {
  deployments: "Deployment",
  configmaps: "ConfigMap",
  services: "Service",
  httproutes: "HTTPRoute",
  leases: "Lease",
};

function isWrite(e: AuditEvent): boolean {
  return !["get", "list", "watch"].includes(e.verb);
}

/** `PATCH Deployment/support-stable` for each of tollgate's writes in a namespace, in order; failures show their code. */
function writeSummary(events: AuditEvent[], namespace: string): string[] {
  return events
    .filter((e) => e.user.username === TOLLGATE_USER && isWrite(e) && e.objectRef?.namespace === namespace)
    .map((e) => {
      const code = e.responseStatus?.code ?? 0;
      const what = `${e.verb.toUpperCase()} ${KINDS[e.objectRef!.resource!] ?? e.objectRef!.resource}/${e.objectRef!.name}`;
      return code >= 400 ? `${what} (${code})` : what;
    });
}

function applier(options: KubernetesApplierOptions = {}): KubernetesApplier {
  return new KubernetesApplier({
    manifest: { replicas: 4 },
    pollIntervalMs: 50,
    readinessTimeoutMs: 20_000,
    retryBackoffMs: 50,
    logger: memoryLogger().logger,
    ...options,
  });
}

describe("the Kubernetes applier against a real kube-apiserver", () => {
  let cluster: KubeCluster | undefined;
  let skip: string | undefined;
  let rollouts: DeploymentRollouts | undefined;
  let replicasTarget: ClusterTarget;
  let gatewayTarget: ClusterTarget;

  before(async () => {
    const started = await startKubeClusterForTests({
      workloadNamespaces: [REPLICAS_NS, GATEWAY_NS, DENIED_NS, IDLE_NS],
      // One namespace whose copy of the workload Role lacks `patch` on Deployments.
      editDeploy: (doc) =>
        doc["kind"] === "Role" && (doc["metadata"] as { namespace?: string }).namespace === DENIED_NS
          ? {
              ...doc,
              rules: (doc["rules"] as { resources: string[]; verbs: string[] }[]).map((r) =>
                r.resources.includes("deployments") ? { ...r, verbs: r.verbs.filter((v) => v !== "patch") } : r,
              ),
            }
          : doc,
    });
    skip = started.skip;
    cluster = started.cluster;
    if (!cluster) return;
    const kubeconfig = cluster.writeKubeconfig("tollgate", { token: cluster.tollgateToken, context: "real" });
    replicasTarget = { name: "real-replicas", kubeconfig, context: "real", namespace: REPLICAS_NS };
    gatewayTarget = {
      name: "real-gateway",
      kubeconfig,
      context: "real",
      namespace: GATEWAY_NS,
      traffic: { mode: "gateway", httpRoute: "{{service}}-route" },
    };
    // The platform team's HTTPRoute: parents only; tollgate sets the backends and their weights.
    await cluster.admin.create({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "support-route", namespace: GATEWAY_NS },
      spec: { parentRefs: [{ name: "public-gateway", namespace: "gateway-system" }] },
    } as KubernetesObject);
  });
  after(async () => {
    await rollouts?.stop();
    await cluster?.stop();
  });

  function needsCluster(t: TestContext): KubeCluster | undefined {
    if (!cluster) t.skip(skip);
    return cluster;
  }

  async function deployment(
    namespace: string,
    arm: "stable" | "canary",
  ): Promise<{ replicas: number; image: string; digest: string }> {
    const d = await cluster!.admin.read<V1Deployment>({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `support-${arm}`, namespace },
    });
    return {
      replicas: d.spec!.replicas!,
      image: d.spec!.template.spec!.containers[0]!.image!,
      digest: d.spec!.template.metadata!.annotations!["tollgate.dev/artifact-digest"]!,
    };
  }

  async function routeWeights(): Promise<number[]> {
    const route = (await cluster!.admin.read({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "support-route", namespace: GATEWAY_NS },
    })) as KubernetesObject & { spec: { rules: { backendRefs: { weight: number }[] }[] } };
    return route.spec.rules[0]!.backendRefs.map((b) => b.weight);
  }

  async function names(namespace: string, apiVersion: string, kind: string): Promise<string[]> {
    const list = await cluster!.admin.list(apiVersion, kind, namespace);
    return list.items.map((o) => o.metadata!.name!).sort();
  }

  test("rollout steps by replica ratio and route weights, rollback moving traffic first, promotion, pruning", async (t) => {
    const c = needsCluster(t);
    if (!c) return;
    rollouts ??= c.deploymentRollouts([REPLICAS_NS, GATEWAY_NS]).start();
    const a = applier();
    const targets = [replicasTarget, gatewayTarget];
    const allEvents: AuditEvent[] = [];
    const step = async (rel: Release, st?: Status): Promise<{ result: ServiceApplyResult; events: AuditEvent[] }> => {
      const mark = c.audit.mark();
      const result = await a.apply({ environment: environment(targets), release: rel, ...(st ? { status: st } : {}) });
      assert.equal(result.ok, true, JSON.stringify(result.clusters.map((x) => x.error)));
      const events = await c.audit.since(mark);
      allEvents.push(...events);
      return { result, events };
    };

    // First deploy.
    let { result, events } = await step(release(v1));
    assert.deepEqual(writeSummary(events, REPLICAS_NS), [
      `PATCH ConfigMap/${cm(v1)}`,
      "PATCH Service/support",
      "PATCH Deployment/support-stable",
    ]);
    assert.deepEqual(writeSummary(events, GATEWAY_NS), [
      `PATCH ConfigMap/${cm(v1)}`,
      "PATCH Service/support",
      "PATCH Service/support-stable",
      "PATCH Service/support-canary",
      "PATCH Deployment/support-stable",
      "PATCH HTTPRoute/support-route",
    ]);
    assert.deepEqual(await deployment(REPLICAS_NS, "stable"), { replicas: 4, image: v1.code.image, digest: v1.digest });
    assert.deepEqual(await routeWeights(), [100, 0]);
    assert.deepEqual(
      result.clusters[0]!.workloads.map((w) => [w.arm, w.digest, w.replicas, w.readyReplicas, w.ready]),
      [["stable", v1.digest, 4, 4, true]],
    );
    assert.deepEqual(
      result.clusters.map((x) => x.drift),
      [[], []],
    );

    // The same request again writes nothing: the live objects, defaulted by the real server, still
    // contain everything tollgate applies.
    ({ result, events } = await step(release(v1)));
    assert.deepEqual([...writeSummary(events, REPLICAS_NS), ...writeSummary(events, GATEWAY_NS)], []);
    assert.equal(result.changed, false);

    // Canary v2 at 25%: one pod of four, or a route weight of 25.
    const canary25 = status({
      phase: "progressing",
      liveDigest: v1.digest,
      canaryDigest: v2.digest,
      weight: 25,
      step: 0,
    });
    ({ result, events } = await step(release(v2, v1), canary25));
    assert.deepEqual(writeSummary(events, REPLICAS_NS), [
      `PATCH ConfigMap/${cm(v2)}`,
      "PATCH Deployment/support-canary",
      "PATCH Deployment/support-stable",
    ]);
    assert.deepEqual(writeSummary(events, GATEWAY_NS), [
      `PATCH ConfigMap/${cm(v2)}`,
      "PATCH Deployment/support-canary",
      "PATCH HTTPRoute/support-route",
    ]);
    assert.deepEqual(await deployment(REPLICAS_NS, "canary"), { replicas: 1, image: v2.code.image, digest: v2.digest });
    assert.equal((await deployment(REPLICAS_NS, "stable")).replicas, 3);
    assert.equal((await deployment(GATEWAY_NS, "stable")).replicas, 4);
    assert.equal((await deployment(GATEWAY_NS, "canary")).replicas, 1);
    assert.deepEqual(await routeWeights(), [75, 25]);

    // Next step, 50%.
    const canary50 = status({
      phase: "progressing",
      liveDigest: v1.digest,
      canaryDigest: v2.digest,
      weight: 50,
      step: 1,
    });
    ({ result, events } = await step(release(v2, v1), canary50));
    assert.deepEqual(writeSummary(events, REPLICAS_NS), [
      "PATCH Deployment/support-canary",
      "PATCH Deployment/support-stable",
    ]);
    assert.deepEqual(writeSummary(events, GATEWAY_NS), [
      "PATCH Deployment/support-canary",
      "PATCH HTTPRoute/support-route",
    ]);
    assert.deepEqual(
      [(await deployment(REPLICAS_NS, "stable")).replicas, (await deployment(REPLICAS_NS, "canary")).replicas],
      [2, 2],
    );
    assert.deepEqual(await routeWeights(), [50, 50]);

    // Rollback: traffic goes back to the warm stable workload first, then the canary is scaled down.
    ({ result, events } = await step(release(v1, v1), status({ phase: "rolled-back", liveDigest: v1.digest })));
    assert.deepEqual(writeSummary(events, REPLICAS_NS), [
      "PATCH Deployment/support-stable",
      "PATCH Deployment/support-canary",
    ]);
    assert.deepEqual(writeSummary(events, GATEWAY_NS), [
      "PATCH HTTPRoute/support-route",
      "PATCH Deployment/support-canary",
    ]);
    assert.deepEqual(await deployment(REPLICAS_NS, "stable"), { replicas: 4, image: v1.code.image, digest: v1.digest });
    assert.deepEqual(await deployment(REPLICAS_NS, "canary"), { replicas: 0, image: v2.code.image, digest: v2.digest });
    assert.deepEqual(await routeWeights(), [100, 0]);

    // A new canary v3 at 25%, then promoted: stable runs v3 before the canary goes away, and the
    // ConfigMaps no arm mounts any more are deleted.
    await step(
      release(v3, v1),
      status({ phase: "progressing", liveDigest: v1.digest, canaryDigest: v3.digest, weight: 25, step: 0 }),
    );
    ({ result, events } = await step(release(v3, v3), status({ phase: "promoted", liveDigest: v3.digest })));
    assert.deepEqual(writeSummary(events, REPLICAS_NS), [
      "PATCH Deployment/support-stable",
      "PATCH Deployment/support-canary",
      `DELETE ConfigMap/${cm(v1)}`,
    ]);
    assert.deepEqual(writeSummary(events, GATEWAY_NS), [
      "PATCH Deployment/support-stable",
      "PATCH HTTPRoute/support-route",
      "PATCH Deployment/support-canary",
      `DELETE ConfigMap/${cm(v1)}`,
    ]);
    assert.deepEqual(await deployment(REPLICAS_NS, "stable"), { replicas: 4, image: v3.code.image, digest: v3.digest });
    assert.equal((await deployment(REPLICAS_NS, "canary")).replicas, 0);
    assert.deepEqual(await names(REPLICAS_NS, "v1", "ConfigMap"), [cm(v3)]);

    // The service is removed from git. prune: false only reports its objects.
    const kept = await a.prune({ environment: environment(targets), keep: new Set() });
    assert.equal(kept.ok, true);
    assert.deepEqual(
      kept.clusters.map((x) =>
        x.orphans.flatMap((o) => o.objects.map((obj) => `${obj.kind}/${obj.name} ${obj.deleted}`)),
      ),
      [
        [
          "Service/support false",
          "Deployment/support-canary false",
          "Deployment/support-stable false",
          `ConfigMap/${cm(v3)} false`,
        ],
        [
          "Service/support-canary false",
          "Service/support false",
          "Service/support-stable false",
          "Deployment/support-canary false",
          "Deployment/support-stable false",
          `ConfigMap/${cm(v3)} false`,
        ],
      ],
    );
    assert.deepEqual(await names(REPLICAS_NS, "apps/v1", "Deployment"), ["support-canary", "support-stable"]);

    // prune: true deletes them, traffic first; the platform's HTTPRoute stays.
    const mark = c.audit.mark();
    const pruned = await a.prune({ environment: { ...environment(targets), prune: true }, keep: new Set() });
    assert.equal(pruned.ok, true, JSON.stringify(pruned.clusters.map((x) => x.error)));
    const pruneEvents = await c.audit.since(mark);
    allEvents.push(...pruneEvents);
    assert.deepEqual(writeSummary(pruneEvents, REPLICAS_NS), [
      "DELETE Service/support",
      "DELETE Deployment/support-canary",
      "DELETE Deployment/support-stable",
      `DELETE ConfigMap/${cm(v3)}`,
    ]);
    for (const ns of [REPLICAS_NS, GATEWAY_NS]) {
      assert.deepEqual(await names(ns, "apps/v1", "Deployment"), []);
      assert.deepEqual(await names(ns, "v1", "Service"), []);
      assert.deepEqual(await names(ns, "v1", "ConfigMap"), []);
    }
    assert.deepEqual(await names(GATEWAY_NS, "gateway.networking.k8s.io/v1", "HTTPRoute"), ["support-route"]);

    // Every call tollgate made was allowed by deploy/role-workloads.yaml, and it used every verb granted.
    const denied = allEvents.filter(
      (e) => e.user.username === TOLLGATE_USER && e.annotations?.["authorization.k8s.io/decision"] !== "allow",
    );
    assert.deepEqual(denied, []);
    const used = new Set(
      allEvents
        .filter((e) => e.user.username === TOLLGATE_USER && e.objectRef?.namespace)
        .map((e) => `${e.verb} ${e.objectRef!.apiGroup ?? ""}/${e.objectRef!.resource}`),
    );
    const granted = roleRules("role-workloads.yaml").flatMap((rule) =>
      rule.verbs.flatMap((v) => rule.resources!.map((res) => `${v} ${rule.apiGroups![0]}/${res}`)),
    );
    // `create` is authorized inside the apply that creates an object: it has no audit event of its own.
    assert.deepEqual([...used].sort(), granted.filter((g) => !g.startsWith("create ")).sort());
  });

  test("drift: another field manager's replicas, label and image are taken back; its own fields stay; logged and counted", async (t) => {
    const c = needsCluster(t);
    if (!c) return;
    rollouts ??= c.deploymentRollouts([REPLICAS_NS, GATEWAY_NS]).start();
    const { logger, lines } = memoryLogger();
    const metrics = new ClusterMetrics();
    const a = applier({ logger, metrics });
    const env = environment([replicasTarget]);
    const rel = release(v2, v2);
    const st = status({ phase: "promoted", liveDigest: v2.digest });
    assert.equal((await a.apply({ environment: env, release: rel, status: st })).ok, true);

    // What kubectl scale, label and set image would send, each under its own field manager.
    const ref = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "support-stable", namespace: REPLICAS_NS },
    };
    const patch = async (manager: string, strategy: PatchStrategy, body: Record<string, unknown>): Promise<void> => {
      await c.admin.patch({ ...ref, ...body } as KubernetesObject, undefined, undefined, manager, undefined, strategy);
    };
    await patch("kubectl-scale", PatchStrategy.MergePatch, { spec: { replicas: 7 } });
    await patch("kubectl-label", PatchStrategy.MergePatch, {
      metadata: { ...ref.metadata, labels: { "tollgate.dev/artifact": "hand-edited", "team.example/owner": "sre" } },
    });
    await patch("kubectl-set", PatchStrategy.StrategicMergePatch, {
      spec: {
        template: { spec: { containers: [{ name: "agent", image: "registry.example/agents/support:hotfix" }] } },
      },
    });
    assert.equal((await deployment(REPLICAS_NS, "stable")).replicas, 7);

    const mark = c.audit.mark();
    const result = await a.apply({ environment: env, release: rel, status: st });
    assert.equal(result.ok, true, JSON.stringify(result.clusters[0]!.error));
    const artifactLabel = (await cluster!.admin.read<V1Deployment>(ref)).metadata!.labels!;
    assert.deepEqual(
      result.clusters[0]!.drift.map((d) => [d.field, d.manager, d.expected, d.actual]).sort(),
      [
        [
          ".metadata.labels.tollgate.dev/artifact",
          "kubectl-label",
          artifactLabel["tollgate.dev/artifact"],
          "hand-edited",
        ],
        [
          '.spec.template.spec.containers[name="agent"].image',
          "kubectl-set",
          v2.code.image,
          "registry.example/agents/support:hotfix",
        ],
        [".spec.replicas", "kubectl-scale", 4, 7],
      ].sort(),
    );
    // The first apply met the conflicts (409), the second took exactly those fields back with force.
    const applies = (await c.audit.since(mark)).filter((e) => e.user.username === TOLLGATE_USER && e.verb === "patch");
    assert.deepEqual(
      applies.map((e) => [
        e.objectRef?.name,
        e.responseStatus?.code,
        new URL(e.requestURI, c.url).searchParams.get("force"),
      ]),
      [
        ["support-stable", 409, "false"],
        ["support-stable", 200, "true"],
      ],
    );
    const live = await deployment(REPLICAS_NS, "stable");
    assert.deepEqual(live, { replicas: 4, image: v2.code.image, digest: v2.digest });
    assert.equal(artifactLabel["team.example/owner"], "sre", "the other manager's own label stays");
    assert.notEqual(artifactLabel["tollgate.dev/artifact"], "hand-edited");
    const logged = lines.filter((l) => l["event"] === "drift-repaired");
    assert.deepEqual(logged.map((l) => l["manager"]).sort(), ["kubectl-label", "kubectl-scale", "kubectl-set"]);
    const counted = (await metrics.registry.getSingleMetric("tollgate_cluster_drift_repaired_total")!.get()).values;
    assert.equal(
      counted.reduce((sum, v) => sum + v.value, 0),
      3,
    );

    // Repaired: the next apply finds nothing to do.
    const again = c.audit.mark();
    const next = await a.apply({ environment: env, release: rel, status: st });
    assert.deepEqual(next.clusters[0]!.drift, []);
    assert.deepEqual(writeSummary(await c.audit.since(again), REPLICAS_NS), []);
  });

  test("a Role missing one verb: the API server's 403 becomes tollgate's error naming the verb and the resource", async (t) => {
    const c = needsCluster(t);
    if (!c) return;
    const { logger, lines } = memoryLogger();
    const target: ClusterTarget = { ...replicasTarget, name: "real-no-patch", namespace: DENIED_NS };
    const result = await applier({ logger }).apply({ environment: environment([target]), release: release(v1) });
    const outcome = result.clusters[0]!;
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, "forbidden");
    assert.equal(outcome.error?.httpStatus, 403);
    assert.equal(outcome.attempts, 1, "a permission error is not retried");
    assert.match(outcome.error!.message, /^cluster "real-no-patch": /);
    assert.match(outcome.error!.message, /cannot patch resource "deployments" in API group "apps"/);
    assert.match(outcome.error!.message, /deploy\/role-workloads\.yaml/);
    assert.doesNotMatch(outcome.error!.message, /\n\s+at /, "no stack trace");
    assert.equal(lines.filter((l) => l["event"] === "apply-failed").length, 1);
  });

  test("pods that never become ready: the readiness wait times out, and traffic is not moved", async (t) => {
    const c = needsCluster(t);
    if (!c) return;
    const target: ClusterTarget = { ...replicasTarget, name: "real-idle", namespace: IDLE_NS };
    const a = applier({ readinessTimeoutMs: 1_500 });
    const env = environment([target]);
    let result = await a.apply({ environment: env, release: release(v1) });
    let outcome = result.clusters[0]!;
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, "timeout");
    assert.match(
      outcome.error!.message,
      /not ready within 2s: deployment "support-stable" has 0\/4 ready replicas \(0 updated, observed generation 0 of 1\); traffic was not moved/,
    );

    // A canary step: the canary is created but never ready, so the stable workload keeps its four pods.
    result = await a.apply({
      environment: env,
      release: release(v2, v1),
      status: status({ phase: "progressing", liveDigest: v1.digest, canaryDigest: v2.digest, weight: 25, step: 0 }),
    });
    outcome = result.clusters[0]!;
    assert.equal(outcome.error?.kind, "timeout");
    assert.match(outcome.error!.message, /deployment "support-canary" has 0\/1 ready replicas/);
    assert.equal((await deployment(IDLE_NS, "stable")).replicas, 4);
    assert.equal((await deployment(IDLE_NS, "canary")).replicas, 1);
  });
});
