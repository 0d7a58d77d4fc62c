/**
 * The manifests tollgate renders for `gitops` clusters, applied server-side with a dry run to a real
 * kube-apiserver (with the Gateway API CRDs) as a GitOps engine would apply them: the API server
 * accepts every object of a rollout's rendered files, and refuses a broken one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import { type KubernetesObject, PatchStrategy } from "@kubernetes/client-node";
import { renderService } from "../../src/cluster/index.ts";
import { type KubeCluster, startKubeClusterForTests } from "../support/kube-cluster/index.ts";
import { artifact, environment, release, status } from "./fixtures.ts";

const NAMESPACE = "agents";
const v1 = artifact(1);
const v2 = artifact(2);

const gitopsEnvironment = () =>
  environment([
    { name: "replicas", context: "replicas", namespace: NAMESPACE, apply: { mode: "gitops" } },
    {
      name: "gateway",
      context: "gateway",
      namespace: NAMESPACE,
      traffic: { mode: "gateway", httpRoute: "{{service}}" },
      apply: { mode: "gitops" },
    },
  ]);

/** Server-side apply with dryRun=All, as Argo CD (ServerSideApply=true) or Flux would. */
async function dryRunApply(cluster: KubeCluster, object: KubernetesObject): Promise<void> {
  await cluster.admin.patch(object, undefined, "All", "gitops-engine", true, PatchStrategy.ServerSideApply);
}

describe("rendered gitops manifests against a real kube-apiserver", () => {
  let cluster: KubeCluster | undefined;
  let skip: string | undefined;
  before(async () => {
    const started = await startKubeClusterForTests({ workloadNamespaces: [NAMESPACE] });
    cluster = started.cluster;
    skip = started.skip;
  });
  after(async () => {
    await cluster?.stop();
  });
  const needsCluster = (t: TestContext): KubeCluster | undefined => {
    if (!cluster) t.skip(skip);
    return cluster;
  };

  it("accepts every object of a canary step, a rollback and a promotion (server-side dry run)", async (t) => {
    const c = needsCluster(t);
    if (!c) return;
    const states = [
      [release(v2, v1), status({ phase: "progressing", liveDigest: v1.digest, canaryDigest: v2.digest, weight: 30 })],
      [release(v1, v1), status({ phase: "rolled-back", liveDigest: v1.digest, canaryDigest: v2.digest })],
      [release(v2, v2), status({ phase: "promoted", liveDigest: v2.digest })],
    ] as const;
    let applied = 0;
    for (const [rel, st] of states) {
      for (const rendered of renderService(gitopsEnvironment(), rel, st)) {
        for (const object of rendered.objects) {
          await dryRunApply(c, object);
          applied++;
        }
      }
    }
    assert.ok(applied >= 20, `${applied} objects applied`);
  });

  it("refuses an object the schema rejects, naming the field", async (t) => {
    const c = needsCluster(t);
    if (!c) return;
    const [rendered] = renderService(gitopsEnvironment(), release(v1), undefined);
    const deployment = rendered!.objects.find((o) => o.kind === "Deployment")!;
    const broken = { ...deployment, spec: { ...(deployment as { spec: object }).spec, replicas: "many" } };
    await assert.rejects(dryRunApply(c, broken as KubernetesObject), /replicas/);
  });
});
