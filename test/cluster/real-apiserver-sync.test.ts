/**
 * "Knowing the change took effect" against a real kube-apiserver: dev's two clusters are applied by
 * their GitOps engines, one Argo CD (an Application) and one Flux (a Kustomization), whose objects
 * tollgate reads with @kubernetes/client-node. The test plays both engines by writing the status
 * subresource. A step holds until both serve its commit, its clock starts then, the rollout is
 * promoted; a later rollout whose step is never served rolls back at the sync timeout.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { parse } from "yaml";
import { auditHistory } from "../../src/audit/index.ts";
import { kubernetesParts } from "../../src/cluster/index.ts";
import type { Status } from "../../src/model/index.ts";
import type { ServiceObservation } from "../../src/reconcile/decide-service.ts";
import type { TickResult } from "../../src/reconcile/index.ts";
import { exampleGitopsRepo, git, proposeRelease } from "../support/gitops-repo.ts";
import {
  APPLICATION,
  applySyncReaderRole,
  argoStatus,
  fluxStatus,
  installEngineCrds,
  KUSTOMIZATION,
  PlayedEngine,
} from "../support/kube-cluster/gitops-engines.ts";
import { type KubeCluster, startKubeClusterForTests } from "../support/kube-cluster/index.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";

const ENV = "dev";
const SERVICE = "support-agent";

function readStatus(dir: string, commit: string): Status {
  return parse(git(dir, "show", `${commit}:environments/${ENV}/status/${SERVICE}.yaml`)) as Status;
}

/** dev's clusters, both gitops, each naming its engine. */
function gitopsClusters(dir: string, kubeconfig: string): void {
  const path = join(dir, "environments", ENV, "environment.yaml");
  const text = readFileSync(path, "utf8");
  const clusters =
    "clusters:\n" +
    `  - name: dev-eu\n    kubeconfig: ${kubeconfig}\n    namespace: agents\n` +
    "    apply: { mode: gitops, syncTimeout: 5m, engine: { kind: argocd, name: dev-eu, namespace: argocd } }\n" +
    `  - name: dev-us\n    kubeconfig: ${kubeconfig}\n    namespace: agents\n` +
    "    apply: { mode: gitops, syncTimeout: 5m, engine: { kind: flux, name: dev-us, namespace: flux-system } }\n";
  const next = text.replace(/clusters:\n(?: {2}.*\n)+/, clusters);
  assert.notEqual(next, text);
  writeFileSync(path, next);
  git(dir, "commit", "-qam", "dev: applied by Argo CD and Flux");
}

describe("a step's clock starts when its gitops clusters serve it (real kube-apiserver)", () => {
  let cluster: KubeCluster | undefined;
  let skip: string | undefined;
  before(async () => {
    const started = await startKubeClusterForTests({ workloadNamespaces: [], deploy: false, gatewayApi: false });
    cluster = started.cluster;
    skip = started.skip;
    if (cluster) await installEngineCrds(cluster.admin);
  });
  after(async () => {
    await cluster?.stop();
  });
  const needsCluster = (t: TestContext): KubeCluster | undefined => {
    if (!cluster) t.skip(skip);
    return cluster;
  };

  it("holds until Argo CD and Flux applied the step's commit, then observes, promotes; rolls back at the sync timeout", async (t) => {
    const c = needsCluster(t);
    if (!c) return;
    const repo = await exampleGitopsRepo();
    try {
      // tollgate's ServiceAccount, with deploy/gitops/role-sync-reader.yaml as its only rights.
      const kubeconfig = c.writeKubeconfig("engines", { token: c.tollgateToken });
      gitopsClusters(repo.dir, kubeconfig);
      const argo = new PlayedEngine(c.adminConfig, APPLICATION, "argocd", "dev-eu");
      const flux = new PlayedEngine(c.adminConfig, KUSTOMIZATION, "flux-system", "dev-us");
      await argo.create(c.admin, { source: { path: "clusters/dev-eu" } });
      await flux.create(c.admin, { path: "./clusters/dev-us", prune: true });
      await applySyncReaderRole(c.admin);

      const { KubernetesEngineStatus } = await kubernetesParts();
      const observations: ServiceObservation[] = [];
      // The simulated world runs what the engines applied (the commit `served`), not what tollgate committed.
      let served = git(repo.dir, "rev-parse", "HEAD").trim();
      const s = await simulatedReconciler(repo.dir, {
        environment: ENV,
        service: SERVICE,
        engines: new KubernetesEngineStatus(),
        onObservation: (o) => observations.push(o),
        clusters: (world) => ({
          apply: async () => {
            const state = (await s.gitRepo.stateAt(served)).state.environments.get(ENV)!;
            const status = state.statuses.get(SERVICE);
            return world.cluster.apply({
              // As the engines apply it: the same objects, in clusters the simulation runs.
              environment: {
                ...state.environment,
                clusters: state.environment.clusters.map(({ apply: _, ...c }) => c),
              },
              release: state.releases.get(SERVICE)!,
              ...(status ? { status } : {}),
            });
          },
        }),
      });
      const engineApplies = async (commit: string, health: "Healthy" | "Progressing" = "Healthy") => {
        await argo.setStatus(argoStatus(commit, health));
        await flux.setStatus(fluxStatus(commit, true));
        if (health === "Healthy") served = commit;
      };
      const tick = async (): Promise<TickResult> => {
        const r = await s.reconciler.tick();
        assert.deepEqual(r.errors, []);
        return r;
      };
      const head = async () => (await s.gitRepo.head())!;

      await proposeRelease(repo.dir, ENV, SERVICE, (p) => ({ ...p, prompts: { digest: `sha256:${"4".repeat(64)}` } }));
      const start = await tick();
      assert.deepEqual(
        start.decisions.map((d) => d.change.action),
        ["advance"],
      );
      const step1 = start.decisions[0]!.commit;
      assert.deepEqual(readStatus(repo.dir, step1).awaitingSync, { since: s.now().toISOString() });

      // Neither engine has applied it: the rollout holds (routine, nothing committed), naming the commit.
      s.advance(10);
      assert.deepEqual(
        (await tick()).decisions.map((d) => d.change.reasons),
        [],
      );
      let seen = observations.at(-1)!;
      assert.equal(seen.decision.action, "hold");
      const waiting = seen.decision.reasons.filter((r) => r.rule === "sync.waiting").map((r) => r.message);
      assert.equal(waiting.length, 2, JSON.stringify(seen.decision.reasons));
      assert.match(waiting.join("\n"), new RegExp(`waiting for dev-eu to sync ${(await head()).slice(0, 7)}…`));
      assert.match(waiting.join("\n"), /Application argocd\/dev-eu reports no applied revision yet/);

      // Argo CD applied it but is still progressing; Flux applied it and is ready: still no clock.
      await engineApplies(step1, "Progressing");
      s.advance(10);
      assert.deepEqual((await tick()).decisions, []);
      seen = observations.at(-1)!;
      assert.deepEqual(
        seen.decision.reasons.filter((r) => r.rule === "sync.waiting").map((r) => r.values?.["cluster"]),
        ["dev-eu"],
      );
      assert.match(JSON.stringify(seen.decision.reasons), /applied [0-9a-f]{7} but its health is Progressing/);

      // Both serve it: a hold starts the step's clock now.
      await engineApplies(step1);
      s.advance(10);
      const synced = await tick();
      assert.deepEqual(
        synced.decisions.map((d) => d.change.reasons?.[0]?.rule),
        ["tollgate.synced"],
      );
      const clockStart = readStatus(repo.dir, synced.decisions[0]!.commit);
      assert.equal(clockStart.awaitingSync, undefined);
      assert.equal(clockStart.stepStartedAt, s.now().toISOString());
      assert.notEqual(clockStart.stepStartedAt, readStatus(repo.dir, step1).stepStartedAt);

      // The engines follow every later step (the step's commit once it appears); the rollout is promoted.
      let promoted = false;
      for (let i = 0; i < 200 && !promoted; i++) {
        s.advance(10);
        const r = await tick();
        promoted = r.decisions.some((d) => d.change.action === "promote");
        const advance = r.decisions.find((d) => d.change.action === "advance");
        if (advance) {
          // An engine still at the previous step's commit does not count.
          s.advance(10);
          assert.deepEqual((await tick()).decisions, []);
          assert.match(
            JSON.stringify(observations.at(-1)!.decision.reasons),
            /is at [0-9a-f]{7}, which is not the step's: support-agent there is not at the step committed at/,
          );
          await engineApplies(advance.commit);
        }
      }
      assert.ok(promoted, "no promotion after 200 ticks");
      await engineApplies(await head());

      // A later rollout whose step no engine applies is rolled back at the sync timeout (5m), through the policy.
      s.advance(60);
      await proposeRelease(repo.dir, ENV, SERVICE, (p) => ({ ...p, prompts: { digest: `sha256:${"5".repeat(64)}` } }));
      assert.deepEqual(
        (await tick()).decisions.map((d) => d.change.action),
        ["advance"],
      );
      let rollback: TickResult["decisions"][number] | undefined;
      for (let i = 0; i < 40 && !rollback; i++) {
        s.advance(10);
        const r = await tick();
        assert.ok(!r.decisions.some((d) => d.change.action === "promote" || d.change.action === "advance"));
        rollback = r.decisions.find((d) => d.change.action === "rollback");
      }
      assert.ok(rollback, "no rollback at the sync timeout");
      assert.equal(rollback.change.reasons?.[0]?.rule, "sync.timeout");
      assert.match(rollback.change.reasons![0]!.message, /has not served step 1 within its sync timeout of 5m/);

      // Audit re-derives every decision, the engines' readings taken from the evidence.
      const audit = await auditHistory(s.gitRepo);
      assert.deepEqual(audit.failures, []);
    } finally {
      await repo.cleanup();
    }
  });
});
