/**
 * The stand-in must behave like a real API server where tollgate depends on it, or the cluster tests
 * prove nothing. These checks use @kubernetes/client-node unchanged, as tollgate does.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CoordinationV1Api, type KubernetesObject, PatchStrategy, V1MicroTime } from "@kubernetes/client-node";
import { opensslAvailable } from "../support/kube-apiserver/tls.ts";
import { NAMESPACE, needsOpenssl, type TestCluster, TestClusters } from "./fixtures.ts";

function statusOf(error: unknown): { code: number; reason?: string; message?: string } {
  const e = error as { code: number; body: unknown };
  const body = (typeof e.body === "string" ? JSON.parse(e.body) : e.body) as { reason?: string; message?: string };
  return { code: e.code, ...body };
}

async function failure(promise: Promise<unknown>): Promise<{ code: number; reason?: string; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return statusOf(error);
  }
  throw new Error("expected the API server to refuse");
}

interface TestDeployment extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

const deployment = (name: string, extra: Record<string, unknown> = {}): TestDeployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: NAMESPACE },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "main", image: "registry.example/x@sha256:00" }] },
    },
    ...extra,
  },
});

describe("stand-in Kubernetes API server", () => {
  const clusters = new TestClusters();
  let c: TestCluster;
  before(async () => {
    if (!opensslAvailable()) return;
    c = await clusters.start("fidelity");
  });
  after(() => clusters.stop());

  test("validates objects against the Kubernetes schemas and semantic rules (422)", async (t) => {
    if (!needsOpenssl(t)) return;
    const wrongType = await failure(c.admin.create(deployment("bad-type", { replicas: "three" })));
    assert.equal(wrongType.code, 422);
    assert.match(
      wrongType.message!,
      /Deployment\.apps "bad-type" is invalid: spec\.replicas: Invalid value: must be integer/,
    );

    const mismatch = deployment("bad-selector");
    mismatch.spec["selector"] = { matchLabels: { app: "other" } };
    assert.match((await failure(c.admin.create(mismatch))).message!, /`selector` does not match template `labels`/);

    const badLabel = deployment("bad-label");
    badLabel.metadata.labels = { "tollgate.dev/artifact": "sha256:abc" };
    assert.equal((await failure(c.admin.create(badLabel))).code, 422);
  });

  test("server-side apply: conflicts name the other manager, force takes the field, no-op applies write nothing", async (t) => {
    if (!needsOpenssl(t)) return;
    const d = deployment("ssa");
    await c.admin.patch(d, undefined, undefined, "tollgate", false, PatchStrategy.ServerSideApply);
    const rv = (await c.admin.read(d)).metadata?.resourceVersion;
    await c.admin.patch(d, undefined, undefined, "tollgate", false, PatchStrategy.ServerSideApply);
    assert.equal((await c.admin.read(d)).metadata?.resourceVersion, rv, "an apply that changes nothing writes nothing");

    await c.admin.patch(
      { ...d, spec: { replicas: 5 } },
      undefined,
      undefined,
      "hpa",
      undefined,
      PatchStrategy.MergePatch,
    );
    const conflict = await failure(
      c.admin.patch(d, undefined, undefined, "tollgate", false, PatchStrategy.ServerSideApply),
    );
    assert.deepEqual([conflict.code, conflict.reason], [409, "Conflict"]);
    assert.match(conflict.message!, /conflict with "hpa" using apps\/v1: \.spec\.replicas/);
    const forced = (await c.admin.patch(
      d,
      undefined,
      undefined,
      "tollgate",
      true,
      PatchStrategy.ServerSideApply,
    )) as unknown as { spec: { replicas: number } };
    assert.equal(forced.spec.replicas, 1);

    const noManager = await failure(
      c.admin.patch(d, undefined, undefined, undefined, undefined, PatchStrategy.ServerSideApply),
    );
    assert.equal(noManager.code, 422);
    assert.match(noManager.message!, /fieldManager: Required value/);
    const strategic = await failure(c.admin.patch(d, undefined, undefined, "x", undefined, PatchStrategy.JsonPatch));
    assert.equal(strategic.code, 415);
  });

  test("immutable fields, missing namespaces, unknown objects and stale resourceVersions are refused like a real server", async (t) => {
    if (!needsOpenssl(t)) return;
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "frozen", namespace: NAMESPACE },
      immutable: true,
      data: { a: "1" },
    };
    await c.admin.create(cm);
    const changed = await failure(
      c.admin.patch({ ...cm, data: { a: "2" } }, undefined, undefined, "x", true, PatchStrategy.ServerSideApply),
    );
    assert.equal(changed.code, 422);
    assert.match(changed.message!, /field is immutable when `immutable` is set/);

    const selector = await failure(
      c.admin.patch(
        { ...deployment("ssa"), spec: { selector: { matchLabels: { app: "moved" } } } },
        undefined,
        undefined,
        "x",
        undefined,
        PatchStrategy.MergePatch,
      ),
    );
    assert.match(selector.message!, /spec\.selector: Invalid value: .*field is immutable/);

    const noNamespace = await failure(
      c.admin.create({ ...deployment("elsewhere"), metadata: { name: "elsewhere", namespace: "nowhere" } }),
    );
    assert.deepEqual([noNamespace.code, noNamespace.message], [404, 'namespaces "nowhere" not found']);
    assert.deepEqual(await failure(c.admin.read(deployment("missing"))), {
      code: 404,
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'deployments.apps "missing" not found',
      reason: "NotFound",
      details: { name: "missing", group: "apps", kind: "deployments" },
    });

    const leases = c.adminConfig.makeApiClient(CoordinationV1Api);
    const created = await leases.createNamespacedLease({
      namespace: NAMESPACE,
      body: { metadata: { name: "l" }, spec: { holderIdentity: "a", renewTime: new V1MicroTime(Date.now()) } },
    });
    const replace = (rv: string, holder: string) =>
      leases.replaceNamespacedLease({
        name: "l",
        namespace: NAMESPACE,
        body: { metadata: { name: "l", resourceVersion: rv }, spec: { holderIdentity: holder } },
      });
    await replace(created.metadata!.resourceVersion!, "b");
    const stale = await failure(replace(created.metadata!.resourceVersion!, "c"));
    assert.deepEqual([stale.code, stale.reason], [409, "Conflict"]);
    assert.match(stale.message!, /the object has been modified/);
    const exists = await failure(
      leases.createNamespacedLease({ namespace: NAMESPACE, body: { metadata: { name: "l" } } }),
    );
    assert.deepEqual([exists.code, exists.reason], [409, "AlreadyExists"]);
  });

  test("a Lease time with milliseconds (a plain Date) cannot be decoded: MicroTime needs six digits", async (t) => {
    if (!needsOpenssl(t)) return;
    const leases = c.adminConfig.makeApiClient(CoordinationV1Api);
    const refused = await failure(
      leases.createNamespacedLease({
        namespace: NAMESPACE,
        body: { metadata: { name: "ms" }, spec: { renewTime: new Date() as V1MicroTime } },
      }),
    );
    assert.equal(refused.code, 400);
    assert.match(refused.message!, /cannot be handled as a Lease: parsing time/);
  });

  test("DELETE checks preconditions and the propagation policy, answers a Success Status, then 404", async (t) => {
    if (!needsOpenssl(t)) return;
    const created: KubernetesObject = await c.admin.create(deployment("to-delete"));
    const uid = created.metadata!.uid!;
    const wrongUid = await failure(
      c.admin.delete(deployment("to-delete"), undefined, undefined, undefined, undefined, undefined, {
        preconditions: { uid: "not-the-uid" },
      }),
    );
    assert.equal(wrongUid.code, 409);
    assert.equal(wrongUid.reason, "Conflict");
    assert.equal(
      wrongUid.message,
      `Operation cannot be fulfilled on Deployment.apps "to-delete": the UID in the precondition (not-the-uid) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
    );
    const badPolicy = await failure(
      c.admin.delete(deployment("to-delete"), undefined, undefined, undefined, undefined, "Sometimes"),
    );
    assert.equal(badPolicy.code, 422);
    assert.match(
      badPolicy.message!,
      /DeleteOptions\.meta\.k8s\.io "" is invalid: propagationPolicy: Unsupported value: "Sometimes"/,
    );
    assert.ok(await c.admin.read(deployment("to-delete")), "refused deletes leave the object");

    const status = await c.admin.delete(
      deployment("to-delete"),
      undefined,
      undefined,
      undefined,
      undefined,
      "Background",
      { preconditions: { uid } },
    );
    assert.equal(status.status, "Success");
    assert.deepEqual({ ...status.details }, { name: "to-delete", group: "apps", kind: "deployments", uid });
    const gone = await failure(c.admin.read(deployment("to-delete")));
    assert.equal(gone.code, 404);
    const again = await failure(c.admin.delete(deployment("to-delete")));
    assert.equal(again.code, 404);
    assert.equal(again.message, 'deployments.apps "to-delete" not found');
  });
});
