import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import type { KubernetesObject } from "@kubernetes/client-node";
import { parseAllDocuments, stringify } from "yaml";
import { auditHistory } from "../../src/audit/index.ts";
import { objectSchemaProblems } from "../../src/cluster/index.ts";
import { formatTick, type TickResult } from "../../src/reconcile/index.ts";
import { PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { goToolForTest } from "../support/go-tools/index.ts";
import { exampleGitopsRepo, git, proposeRelease, readRelease } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";

const ENV = "dev";
const SERVICE = "support-agent";
const FOLDER = "clusters/dev-gitops";
const FILE = `${FOLDER}/agents/${SERVICE}.yaml`;

/** dev with two clusters: dev-1 applied by tollgate itself, dev-gitops through its GitOps engine (behind a Gateway). */
function twoClusters(dir: string): void {
  const path = join(dir, "environments", ENV, "environment.yaml");
  const text = readFileSync(path, "utf8");
  const clusters =
    "clusters:\n  - name: dev-1\n    context: dev-1\n    namespace: agents-dev\n" +
    "  - name: dev-gitops\n    context: dev-gitops\n    namespace: agents\n" +
    '    traffic: { mode: gateway, httpRoute: "{{service}}" }\n    apply: { mode: gitops }\n';
  const next = text.replace(/clusters:\n(?: {2}.*\n)+/, clusters);
  assert.notEqual(next, text);
  writeFileSync(path, next);
  git(dir, "commit", "-qam", "dev: a second cluster, applied through its GitOps engine");
}

function objectsAt(dir: string, commit: string, path: string): KubernetesObject[] {
  return parseAllDocuments(git(dir, "show", `${commit}:${path}`)).map((d) => d.toJS() as KubernetesObject);
}

function routeWeights(objects: KubernetesObject[]): number[] {
  const route = objects.find((o) => o.kind === "HTTPRoute") as unknown as {
    spec: { rules: { backendRefs: { weight: number }[] }[] };
  };
  return route.spec.rules[0]!.backendRefs.map((b) => b.weight);
}

/** The artifact digest each Deployment runs, by name. */
function artifacts(objects: KubernetesObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    if (o.kind === "Deployment") out[o.metadata!.name!] = o.metadata!.annotations!["tollgate.dev/artifact-digest"]!;
  }
  return out;
}

describe("gitops apply mode: the decision commit carries the rendered manifests", () => {
  it("a cluster switched to gitops gets every service's file in a decision commit; switched back, they go", async () => {
    const repo = await exampleGitopsRepo();
    try {
      const s = await simulatedReconciler(repo.dir, { environment: ENV });
      await proposeRelease(repo.dir, ENV, SERVICE, (p) => ({ ...p, prompts: { digest: `sha256:${"7".repeat(64)}` } }));
      assert.deepEqual(
        (await s.reconciler.tick()).decisions.map((d) => d.change.action),
        ["advance"],
      );
      const envFile = join(repo.dir, "environments", ENV, "environment.yaml");
      const direct = readFileSync(envFile, "utf8");
      const nextDecision = async () => {
        for (let i = 0; i < 60; i++) {
          s.advance(10);
          const r = await s.reconciler.tick();
          assert.deepEqual(r.errors, []);
          if (r.decisions[0]) return r.decisions[0];
        }
        assert.fail("no decision in 60 ticks");
      };
      const folderAt = (commit: string) =>
        git(repo.dir, "ls-tree", "-r", "--name-only", commit, "clusters/").split("\n").filter(Boolean);

      writeFileSync(
        envFile,
        direct.replace("namespace: agents-dev\n", "namespace: agents-dev\n    apply: { mode: gitops }\n"),
      );
      git(repo.dir, "commit", "-qam", "dev-1 is applied by its GitOps engine from now on");
      const toGitops = await nextDecision();
      assert.deepEqual(folderAt(toGitops.commit), [
        "clusters/dev-1/agents-dev/retrieval-api.yaml",
        "clusters/dev-1/agents-dev/support-agent.yaml",
        "clusters/dev-1/kustomization.yaml",
      ]);

      writeFileSync(envFile, direct);
      git(repo.dir, "commit", "-qam", "dev-1 is applied by tollgate again");
      const toDirect = await nextDecision();
      assert.deepEqual(folderAt(toDirect.commit), []);
      assert.match(
        git(repo.dir, "show", "--name-status", "--format=", toDirect.commit),
        /^D\s+clusters\/dev-1\/kustomization.yaml$/m,
      );

      assert.deepEqual((await auditHistory(s.gitRepo)).failures, []);
    } finally {
      await repo.cleanup();
    }
  });

  it("prune: true: the next decision commit deletes the files of a service removed from git", async () => {
    const repo = await exampleGitopsRepo();
    try {
      twoClusters(repo.dir);
      const envFile = join(repo.dir, "environments", ENV, "environment.yaml");
      writeFileSync(envFile, `${readFileSync(envFile, "utf8")}prune: true\n`);
      git(repo.dir, "commit", "-qam", "dev: prune removed services");
      const s = await simulatedReconciler(repo.dir, { environment: ENV });
      for (const service of [SERVICE, "retrieval-api"])
        await proposeRelease(repo.dir, ENV, service, (p) => ({
          ...p,
          prompts: { digest: `sha256:${"6".repeat(64)}` },
        }));
      const started = await s.reconciler.tick();
      assert.deepEqual(started.errors, []);
      assert.deepEqual(
        started.decisions.map((d) => d.change.action),
        ["advance", "advance"],
      );
      const gone = `${FOLDER}/agents/retrieval-api.yaml`;
      assert.ok(git(repo.dir, "ls-tree", "-r", "--name-only", "HEAD", FOLDER).includes(gone));

      git(
        repo.dir,
        "rm",
        "-q",
        `environments/${ENV}/releases/retrieval-api.yaml`,
        `environments/${ENV}/status/retrieval-api.yaml`,
      );
      const { dependsOn: _, ...independent } = await readRelease(repo.dir, ENV, SERVICE);
      writeFileSync(join(repo.dir, "environments", ENV, "releases", `${SERVICE}.yaml`), stringify(independent));
      git(repo.dir, "commit", "-qam", "dev: retrieval-api is retired");
      let pruning: TickResult["decisions"][number] | undefined;
      for (let i = 0; i < 60 && !pruning; i++) {
        s.advance(10);
        const r = await s.reconciler.tick();
        assert.deepEqual(r.errors, []);
        pruning = r.decisions[0];
      }
      assert.ok(pruning, "no decision in dev after 60 ticks");
      assert.equal(pruning.change.service, SERVICE);
      const changed = git(repo.dir, "show", "--name-status", "--format=", pruning.commit, "--", FOLDER);
      assert.match(changed, new RegExp(`^D\\s+${gone}$`, "m"));
      assert.deepEqual(
        (
          parseAllDocuments(git(repo.dir, "show", `${pruning.commit}:${FOLDER}/kustomization.yaml`))[0]!.toJS() as {
            resources: string[];
          }
        ).resources,
        [`agents/${SERVICE}.yaml`],
      );
      const audit = await auditHistory(s.gitRepo);
      assert.deepEqual(audit.failures, []);
    } finally {
      await repo.cleanup();
    }
  });

  it("a rollout with a rollback and a promotion: git log -p clusters/ is the history of what ran", async (t) => {
    const repo = await exampleGitopsRepo();
    try {
      twoClusters(repo.dir);
      const s = await simulatedReconciler(repo.dir, { environment: ENV, service: SERVICE });
      const settle = async (until: "rollback" | "promote"): Promise<TickResult[]> => {
        const results: TickResult[] = [];
        for (let i = 0; i < 400; i++) {
          const r = await s.reconciler.tick();
          results.push(r);
          assert.deepEqual(r.errors, []);
          if (r.decisions.some((d) => d.change.action === until)) return results;
          s.advance(10);
        }
        assert.fail(`no ${until} after 400 ticks`);
      };

      const bad = await proposeRelease(repo.dir, ENV, SERVICE, (p) => ({
        ...p,
        prompts: { digest: `sha256:${"2".repeat(64)}` },
      }));
      s.world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
      const firstTicks = await settle("rollback");
      const first = firstTicks.flatMap((r) => r.decisions);
      // Drift in dev-gitops is its engine's: the tick says so, and tollgate never applies there.
      assert.deepEqual(firstTicks[0]!.engineApplied, [{ environment: ENV, cluster: "dev-gitops", folder: FOLDER }]);
      assert.ok(
        formatTick(firstTicks[0]!).out.includes(
          `gitops   dev/dev-gitops is applied by its GitOps engine from ${FOLDER}: drift there is the engine's to find and repair (Argo CD self-heal, Flux's reconciliation); tollgate neither applies to it nor reads its live objects`,
        ),
      );
      // dev-gitops has no engine to read: the canary's share of the telemetry shows it serves the step.
      assert.deepEqual(
        first.map((d) => d.change.action),
        ["advance", "hold", "rollback"],
      );
      const [advance, synced, rollback] = first;
      assert.equal(synced!.change.reasons?.[0]?.rule, "tollgate.synced");
      assert.ok(synced!.change.reasons?.some((r) => r.rule === "progress.step_minimum"));
      assert.match(
        synced!.change.reasons![0]!.message,
        /dev-gitops \(the canary receives \d+% of requests, expected 50%\)/,
      );

      // Each decision commit holds its rendered files; the direct cluster is applied as before.
      const atCanary = objectsAt(repo.dir, advance!.commit, FILE);
      assert.deepEqual(routeWeights(atCanary), [50, 50]);
      assert.equal(artifacts(atCanary)[`${SERVICE}-canary`], bad.digest);
      assert.equal(s.world.cluster.inspect(ENV, "dev-gitops", SERVICE), undefined, "tollgate does not apply to it");
      assert.ok(s.world.cluster.inspect(ENV, "dev-1", SERVICE));
      assert.deepEqual(
        git(repo.dir, "diff-tree", "--no-commit-id", "--name-only", "-r", advance!.commit)
          .split("\n")
          .filter(Boolean)
          .sort(),
        [
          `${FOLDER}/agents/${SERVICE}.yaml`,
          `${FOLDER}/kustomization.yaml`,
          `environments/${ENV}/status/${SERVICE}.yaml`,
          `evidence/sha256/${advance!.evidence.slice(7, 9)}/${advance!.evidence.slice(7)}.json`,
        ].sort(),
      );

      // The rollback's diff shows the traffic moving back and the canary leaving.
      const rollbackDiff = git(repo.dir, "show", "--format=", rollback!.commit, "--", FOLDER);
      assert.match(rollbackDiff, /^-\s+weight: 50$/m);
      assert.match(rollbackDiff, /^\+\s+weight: 100$/m);
      assert.match(rollbackDiff, new RegExp(`^-\\s+name: ${SERVICE}-canary$`, "m"));
      const afterRollback = objectsAt(repo.dir, rollback!.commit, FILE);
      assert.deepEqual(routeWeights(afterRollback), [100, 0]);
      assert.deepEqual(Object.keys(artifacts(afterRollback)), [`${SERVICE}-stable`]);

      // A healthy release after the freeze: the promotion's diff makes the canary stable.
      s.advance(15 * 60);
      const good = await proposeRelease(repo.dir, ENV, SERVICE, (p) => ({
        ...p,
        prompts: { digest: `sha256:${"3".repeat(64)}` },
      }));
      const second = (await settle("promote")).flatMap((r) => r.decisions);
      const promotion = second.at(-1)!;
      assert.equal(promotion.change.action, "promote");
      const promoted = objectsAt(repo.dir, promotion.commit, FILE);
      assert.deepEqual(artifacts(promoted), { [`${SERVICE}-stable`]: good.digest });
      assert.deepEqual(routeWeights(promoted), [100, 0]);
      const promotionDiff = git(repo.dir, "show", "--format=", promotion.commit, "--", FILE);
      const oldStable = artifacts(afterRollback)[`${SERVICE}-stable`]!;
      assert.notEqual(oldStable, good.digest);
      assert.match(promotionDiff, new RegExp(`^-\\s+tollgate.dev/artifact-digest: ${oldStable}$`, "m"));
      assert.match(promotionDiff, new RegExp(`^-\\s+name: ${SERVICE}-canary$`, "m"));

      // git log clusters/ lists exactly the decisions that moved something (the synced holds do not).
      const logged = git(repo.dir, "log", "--format=%H", "--", "clusters/").split("\n").filter(Boolean);
      const moved = [...first, ...second].filter((d) => d.change.action !== "hold");
      assert.deepEqual(logged, moved.map((d) => d.commit).reverse());

      // The files are valid objects and a valid kustomization.
      const head = (await s.gitRepo.head())!;
      assert.deepEqual(await objectSchemaProblems(objectsAt(repo.dir, head, FILE)), []);
      const kustomize = await goToolForTest(t, "kustomize");
      if (kustomize) {
        const out = mkdtempSync(join(tmpdir(), "tollgate-folder-"));
        try {
          for (const path of git(repo.dir, "ls-tree", "-r", "--name-only", head, FOLDER).split("\n").filter(Boolean)) {
            mkdirSync(dirname(join(out, path)), { recursive: true });
            writeFileSync(join(out, path), git(repo.dir, "show", `${head}:${path}`));
          }
          const { stdout } = await promisify(execFile)(kustomize, ["build", join(out, FOLDER)]);
          assert.equal(parseAllDocuments(stdout).length, promoted.length);
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      }

      // The audit passes the decisions' rendered files, and flags a hand edit under clusters/.
      const clean = await auditHistory(s.gitRepo);
      assert.deepEqual(clean.failures, []);
      const decisions = clean.commits.filter((c) => c.kind === "decision");
      assert.ok(decisions.length >= 5 && decisions.every((c) => c.checks.rendered?.state === "pass"));

      writeFileSync(
        join(repo.dir, FILE),
        git(repo.dir, "show", `${head}:${FILE}`).replace(/replicas: \d+/, "replicas: 9"),
      );
      git(repo.dir, "reset", "-q", "--soft", head);
      git(repo.dir, "add", FILE);
      git(repo.dir, "commit", "-qm", "scale up by hand");
      const edited = await auditHistory(s.gitRepo);
      assert.deepEqual(
        edited.failures.map((f) => [f.check, f.message]),
        [
          [
            "rendered",
            `${FILE} was modified by hand: cluster folders hold what tollgate rendered for the clusters' GitOps engines, written by decisions only`,
          ],
        ],
      );
      // Restricted to what covers the file, the audit still flags it; restricted elsewhere, not.
      const handEdit = (report: Awaited<ReturnType<typeof auditHistory>>) =>
        report.failures.filter((f) => f.check === "rendered").length;
      assert.equal(handEdit(await auditHistory(s.gitRepo, { environment: ENV })), 1);
      assert.equal(handEdit(await auditHistory(s.gitRepo, { service: SERVICE })), 1);
      assert.equal(handEdit(await auditHistory(s.gitRepo, { environment: ENV, service: SERVICE })), 1);
      assert.equal(handEdit(await auditHistory(s.gitRepo, { environment: "staging" })), 0);
      assert.equal(handEdit(await auditHistory(s.gitRepo, { service: "retrieval-api" })), 0);
    } finally {
      await repo.cleanup();
    }
  });
});
