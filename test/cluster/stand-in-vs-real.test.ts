/**
 * The stand-in API server (test/support/kube-apiserver) against the real kube-apiserver: the same
 * calls, made with @kubernetes/client-node as tollgate makes them, must get the same answers (status
 * code, reason, message, details) and leave the same fields behind, wherever tollgate reads them.
 * Each probe is one behaviour tollgate depends on; a difference fails with both answers side by side.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import { startKubeClusterForTests, type KubeCluster } from "../support/kube-cluster/index.ts";
import { KubeApiStandIn } from "../support/kube-apiserver/server.ts";
import { opensslAvailable } from "../support/kube-apiserver/tls.ts";
import { ADMIN_TOKEN, LEASE_NAMESPACE, NAMESPACE, roleRules, TOLLGATE_TOKEN, TOLLGATE_USER } from "./fixtures.ts";

interface Clients {
  admin: KubernetesObjectApi;
  tollgate: KubernetesObjectApi;
}

type Answer = { ok: true; value: unknown } | { ok: false; code: number; body: unknown };

async function answer(call: Promise<unknown>): Promise<Answer> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    if (typeof e.code !== "number") throw error;
    const body = typeof e.body === "string" ? (JSON.parse(e.body) as unknown) : e.body;
    return { ok: false, code: e.code, body };
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** What may differ between two servers: identities and times. */
function comparable(value: unknown): unknown {
  if (typeof value === "string") return value.replace(UUID, "<uid>");
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (["uid", "resourceVersion", "creationTimestamp", "time", "managedFields", "clusterIP", "clusterIPs"].includes(k))
      continue;
    out[k] = comparable(v);
  }
  return out;
}

const deployment = (name: string, spec: Record<string, unknown> = {}): KubernetesObject =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NAMESPACE },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: "agent", image: "registry.example/agent:1", ports: [{ name: "http", containerPort: 8080 }] },
          ],
        },
      },
      ...spec,
    },
  }) as KubernetesObject;

const apply = (api: KubernetesObjectApi, object: KubernetesObject, manager: string, force = false) =>
  api.patch(object, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);

/** Fields a manager owns, as `f:spec.f:replicas` paths (from managedFields). */
function owned(object: unknown, manager: string): string[] {
  const entries = (object as { metadata?: { managedFields?: { manager: string; fieldsV1?: unknown }[] } }).metadata
    ?.managedFields;
  const fields = entries?.find((e) => e.manager === manager)?.fieldsV1;
  const paths: string[] = [];
  const walk = (node: unknown, prefix: string): void => {
    if (typeof node !== "object" || node === null) return;
    const keys = Object.keys(node).filter((k) => k !== ".");
    if (keys.length === 0 && prefix) paths.push(prefix);
    for (const k of keys) walk((node as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k);
  };
  walk(fields, "");
  return paths.sort();
}

/** Each probe runs against a fresh name on one server and returns what tollgate would see. */
const PROBES: Record<string, (c: Clients, name: string) => Promise<unknown>> = {
  "apply conflict with another manager (409)": async (c, name) => {
    await apply(c.admin, deployment(name, { replicas: 2 }), "tollgate");
    await c.admin.patch(
      { ...deployment(name), spec: { replicas: 5 } } as KubernetesObject,
      undefined,
      undefined,
      "kubectl-scale",
      undefined,
      PatchStrategy.MergePatch,
    );
    await c.admin.patch(
      {
        ...deployment(name),
        metadata: { name, namespace: NAMESPACE, labels: { "tollgate.dev/arm": "canary" } },
        spec: {
          template: {
            spec: { containers: [{ name: "agent", image: "hotfix", ports: [{ name: "http", containerPort: 8080 }] }] },
          },
        },
      } as KubernetesObject,
      undefined,
      undefined,
      "kubectl-edit",
      undefined,
      // Not a strategic merge patch as kubectl sends: the stand-in serves none (tollgate sends none).
      PatchStrategy.MergePatch,
    );
    const conflict = await answer(
      apply(
        c.admin,
        {
          ...deployment(name, { replicas: 2 }),
          metadata: { name, namespace: NAMESPACE, labels: { "tollgate.dev/arm": "stable" } },
        } as KubernetesObject,
        "tollgate",
      ),
    );
    // The real server lists the conflicts in no fixed order (a Go map): compare them sorted.
    if (conflict.ok) return conflict;
    const body = conflict.body as { message: string; details: { causes: { field: string }[] } };
    return {
      ...conflict,
      body: {
        ...body,
        message: body.message.split("\n").sort(),
        details: { causes: [...body.details.causes].sort((a, b) => a.field.localeCompare(b.field)) },
      },
    };
  },
  "fields owned by the creator of an object (create, no field manager given)": async (c, name) => {
    const created = await c.admin.create(deployment(name));
    return owned(created, "node-fetch");
  },
  "fields owned by an apply": async (c, name) => owned(await apply(c.admin, deployment(name), "tollgate"), "tollgate"),
  // Without status: the stand-in's controller fills it in, the real server (no controller) has none.
  "defaults of an applied Deployment": async (c, name) => {
    const { status: _status, ...applied } = (await apply(c.admin, deployment(name), "tollgate")) as Record<
      string,
      unknown
    >;
    return comparable(applied);
  },
  "a verb the Role does not grant (403)": async (c, name) =>
    answer(
      apply(
        c.tollgate,
        { ...deployment(name), metadata: { name, namespace: "default" } } as KubernetesObject,
        "tollgate",
      ),
    ),
  "a missing HTTPRoute (404)": async (c, name) =>
    answer(
      c.tollgate.read({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name, namespace: NAMESPACE },
      }),
    ),
  "an invalid Deployment (422)": async (c, name) =>
    answer(apply(c.admin, deployment(name, { replicas: -1 }), "tollgate")),
  "an apply without field manager (422)": async (c, name) =>
    answer(c.admin.patch(deployment(name), undefined, undefined, undefined, undefined, PatchStrategy.ServerSideApply)),
  "a write to a namespace that does not exist (404)": async (c, name) =>
    answer(
      apply(c.admin, { ...deployment(name), metadata: { name, namespace: "nowhere" } } as KubernetesObject, "tollgate"),
    ),
  "changing an immutable ConfigMap (422)": async (c, name) => {
    const cm = (value: string) =>
      ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace: NAMESPACE },
        immutable: true,
        data: { a: value },
      }) as KubernetesObject;
    await apply(c.admin, cm("1"), "tollgate");
    return answer(apply(c.admin, cm("2"), "tollgate"));
  },
  "a delete whose uid precondition does not match (409)": async (c, name) => {
    await apply(c.admin, deployment(name), "tollgate");
    const ref = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: NAMESPACE } };
    return answer(
      c.admin.delete(ref, undefined, undefined, undefined, undefined, "Background", {
        propagationPolicy: "Background",
        preconditions: { uid: "00000000-0000-0000-0000-000000000000" },
      }),
    );
  },
  "a Lease update with a stale resourceVersion (409)": async (c, name) => {
    const lease = (holder: string, resourceVersion?: string) =>
      ({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name, namespace: LEASE_NAMESPACE, ...(resourceVersion ? { resourceVersion } : {}) },
        spec: { holderIdentity: holder, leaseDurationSeconds: 15 },
      }) as KubernetesObject;
    const created = await c.admin.create(lease("a"));
    await c.admin.replace(lease("b", created.metadata!.resourceVersion));
    return answer(c.admin.replace(lease("c", created.metadata!.resourceVersion)));
  },
  "an HTTPRoute's backend weights applied by tollgate": async (c, name) => {
    await c.admin.create({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name, namespace: NAMESPACE },
      spec: { parentRefs: [{ name: "public-gateway", namespace: "gateway-system" }] },
    } as KubernetesObject);
    const route = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name, namespace: NAMESPACE },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: "x-stable", port: 80, weight: 90 },
              { name: "x-canary", port: 80, weight: 10 },
            ],
          },
        ],
      },
    } as KubernetesObject;
    return answer(apply(c.tollgate, route, "tollgate").then((r) => comparable((r as { spec: unknown }).spec)));
  },
};

describe("the stand-in API server answers like the real kube-apiserver", () => {
  let real: KubeCluster | undefined;
  let skip: string | undefined;
  let standIn: KubeApiStandIn | undefined;
  const clients: { real?: Clients; standIn?: Clients } = {};

  before(async () => {
    if (!opensslAvailable()) return;
    ({ cluster: real, skip } = await startKubeClusterForTests({ workloadNamespaces: [NAMESPACE] }));
    if (!real) return;
    clients.real = {
      admin: KubernetesObjectApi.makeApiClient(real.clientConfig(real.adminToken)),
      tollgate: KubernetesObjectApi.makeApiClient(real.clientConfig(real.tollgateToken)),
    };
    standIn = await KubeApiStandIn.start({
      namespaces: [NAMESPACE, LEASE_NAMESPACE, "default"],
      users: {
        [ADMIN_TOKEN]: { name: "kubernetes-admin", grants: "all" },
        [TOLLGATE_TOKEN]: {
          name: TOLLGATE_USER,
          grants: [
            { namespace: NAMESPACE, rules: roleRules("role-workloads.yaml") },
            { namespace: LEASE_NAMESPACE, rules: roleRules("role-leader-election.yaml") },
          ],
        },
      },
    });
    const client = (token: string) => {
      const kc = new KubeConfig();
      kc.loadFromString(standIn!.kubeconfig({ token, context: "stand-in" }));
      return KubernetesObjectApi.makeApiClient(kc);
    };
    clients.standIn = { admin: client(ADMIN_TOKEN), tollgate: client(TOLLGATE_TOKEN) };
  });
  after(async () => {
    await standIn?.close();
    await real?.stop();
  });

  let n = 0;
  for (const [probe, run] of Object.entries(PROBES)) {
    test(probe, async (t) => {
      if (!clients.real || !clients.standIn) return t.skip(skip ?? "openssl is missing");
      const name = `probe-${++n}`;
      const [fromReal, fromStandIn] = [await run(clients.real, name), await run(clients.standIn, name)];
      assert.deepEqual(comparable(fromStandIn), comparable(fromReal));
    });
  }
});
