import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import {
  checkRendered,
  decisionFiles,
  expectedKustomization,
  type FolderFiles,
  objectSchemaProblems,
  type RenderedService,
  renderedFileProblems,
  renderService,
} from "../../src/cluster/index.ts";
import {
  DirectoryTree,
  type Environment,
  InvalidInputError,
  loadRepository,
  type Release,
  type Status,
} from "../../src/model/index.ts";
import { parseEnvironment } from "../../src/model/load.ts";
import { goToolForTest } from "../support/go-tools/index.ts";
import { artifact, environment, release, status } from "./fixtures.ts";

const v1 = artifact(1);
const v2 = artifact(2);

/** One direct cluster, one gitops cluster splitting by replicas, one gitops cluster behind a Gateway. */
function mixedEnvironment(): Environment {
  return environment([
    { name: "dev-direct", context: "dev-direct", namespace: "agents" },
    { name: "dev-replicas", context: "dev-replicas", namespace: "agents", apply: { mode: "gitops" } },
    {
      name: "dev-gateway",
      context: "dev-gateway",
      namespace: "agents",
      traffic: { mode: "gateway", httpRoute: "{{service}}" },
      apply: { mode: "gitops", folder: "clusters/dev/gateway" },
    },
  ]);
}

const progressing = (weight: number): Status =>
  status({ phase: "progressing", liveDigest: v1.digest, canaryDigest: v2.digest, weight });
const rolledBack = status({ phase: "rolled-back", liveDigest: v1.digest, canaryDigest: v2.digest });
const promoted = status({ phase: "promoted", liveDigest: v2.digest });

function byCluster(rendered: RenderedService[], cluster: string): RenderedService {
  const found = rendered.find((r) => r.cluster === cluster);
  assert.ok(found, `no rendering for ${cluster}`);
  return found;
}

/** Keys in reverse insertion order at every depth: rendering must not depend on it. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  ) as T;
}

function deployments(text: string): Map<string, { replicas: number; image: string }> {
  const out = new Map<string, { replicas: number; image: string }>();
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS();
    if (o.kind !== "Deployment") continue;
    out.set(o.metadata.name, { replicas: o.spec.replicas, image: o.spec.template.spec.containers[0].image });
  }
  return out;
}

function routeWeights(text: string): number[] {
  const route = parseAllDocuments(text)
    .map((d) => d.toJS())
    .find((o) => o.kind === "HTTPRoute");
  return route.spec.rules[0].backendRefs.map((b: { weight: number }) => b.weight);
}

test("render: only gitops clusters, at <folder>/<namespace>/<service>.yaml", () => {
  const rendered = renderService(mixedEnvironment(), release(v2, v1), progressing(30));
  assert.deepEqual(
    rendered.map((r) => [r.cluster, r.path]),
    [
      ["dev-replicas", "clusters/dev-replicas/agents/support.yaml"],
      ["dev-gateway", "clusters/dev/gateway/agents/support.yaml"],
    ],
  );
  const kinds = (r: RenderedService) => r.objects.map((o) => `${o.kind}/${o.metadata?.name}`);
  assert.deepEqual(kinds(byCluster(rendered, "dev-replicas")), [
    `ConfigMap/support-agent-${v1.digest.slice(7, 17)}`,
    `ConfigMap/support-agent-${v2.digest.slice(7, 17)}`,
    "Service/support",
    "Deployment/support-stable",
    "Deployment/support-canary",
  ]);
  assert.ok(kinds(byCluster(rendered, "dev-gateway")).includes("HTTPRoute/support"));
});

test("render: the same state gives the same bytes, whatever the key order, with no timestamps", () => {
  const env = mixedEnvironment();
  const first = renderService(env, release(v2, v1), progressing(30));
  const again = renderService(reversedKeys(env), reversedKeys(release(v2, v1)), reversedKeys(progressing(30)));
  assert.deepEqual(
    again.map((r) => r.text),
    first.map((r) => r.text),
  );
  for (const r of first) {
    assert.doesNotMatch(r.text, /creationTimestamp|\d{4}-\d\d-\d\dT\d\d:/);
    assert.match(r.text, /^# Rendered by tollgate/);
  }
});

test("render: a rollback moves the traffic back, a promotion makes the canary stable", () => {
  const env = mixedEnvironment();
  const rel = release(v2, v1);
  const at50 = renderService(env, rel, progressing(50));
  const back = renderService(env, release(v1, v1), rolledBack);
  const done = renderService(env, release(v2, v2), promoted);

  const replicas50 = deployments(byCluster(at50, "dev-replicas").text);
  assert.ok(replicas50.get("support-canary")!.replicas > 0);
  assert.equal(replicas50.get("support-canary")!.image, v2.code.image);
  const replicasBack = deployments(byCluster(back, "dev-replicas").text);
  assert.equal(replicasBack.get("support-canary"), undefined, "the canary is left to the GitOps engine to prune");
  assert.equal(replicasBack.get("support-stable")!.image, v1.code.image);

  assert.deepEqual(routeWeights(byCluster(at50, "dev-gateway").text), [50, 50]);
  assert.deepEqual(routeWeights(byCluster(back, "dev-gateway").text), [100, 0]);

  const promotedStable = deployments(byCluster(done, "dev-replicas").text).get("support-stable")!;
  assert.equal(promotedStable.image, v2.code.image);
  assert.notEqual(byCluster(done, "dev-replicas").text, byCluster(at50, "dev-replicas").text);
});

test("render: every object passes the Kubernetes and Gateway API schemas; a bad one is named with its field", async () => {
  const env = mixedEnvironment();
  for (const [rel, st] of [
    [release(v2, v1), progressing(30)],
    [release(v1, v1), rolledBack],
    [release(v2, v2), promoted],
  ] as [Release, Status][]) {
    const objects = renderService(env, rel, st).flatMap((r) => r.objects);
    assert.deepEqual(await objectSchemaProblems(objects), []);
  }
  const [deployment] = renderService(env, release(v1), undefined)[0]!.objects.filter((o) => o.kind === "Deployment");
  const broken = { ...deployment!, spec: { ...(deployment as { spec: object }).spec, replicas: "three" } };
  const problems = await objectSchemaProblems([broken]);
  assert.deepEqual(
    problems.map((p) => [p.object, p.field]),
    [["Deployment agents/support-stable", "spec.replicas"]],
  );
});

/** Writes `files` into a folder (null: deletes). */
function writeFiles(root: string, files: FolderFiles): void {
  for (const [path, text] of files) {
    if (text === null) rmSync(join(root, path), { force: true });
    else {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  }
}

const billing = (r: Release): Release => ({ ...r, service: "billing" });

test("decision files: each decision writes its service's files; a kustomization per folder lists them all", async () => {
  const root = mkdtempSync(join(tmpdir(), "tollgate-folders-"));
  try {
    const env = mixedEnvironment();
    const tick = [
      { environment: "dev", rendered: renderService(env, release(v2, v1), progressing(30)) },
      { environment: "dev", rendered: renderService(env, billing(release(v1)), { ...rolledBack, service: "billing" }) },
    ];
    const [first, second] = await decisionFiles(new DirectoryTree(root), tick);
    assert.deepEqual(
      [...first!.keys()],
      [
        "clusters/dev-replicas/agents/support.yaml",
        "clusters/dev-replicas/kustomization.yaml",
        "clusters/dev/gateway/agents/support.yaml",
        "clusters/dev/gateway/kustomization.yaml",
      ],
    );
    // Committed on top of the first, the second decision's kustomization keeps the first's service.
    assert.match(
      second!.get("clusters/dev-replicas/kustomization.yaml")!,
      /resources:\n {2}- agents\/billing.yaml\n {2}- agents\/support.yaml\n/,
    );
    writeFiles(root, first!);
    writeFiles(root, second!);
    const tree = new DirectoryTree(root);
    assert.equal(
      await expectedKustomization(tree, "dev", "dev-replicas", "clusters/dev-replicas"),
      readFileSync(join(root, "clusters/dev-replicas/kustomization.yaml"), "utf8"),
    );

    // The next step of support changes its files only.
    const [next] = await decisionFiles(tree, [
      { environment: "dev", rendered: renderService(env, release(v2, v1), progressing(60)) },
    ]);
    assert.deepEqual(
      [...next!.keys()],
      ["clusters/dev-replicas/agents/support.yaml", "clusters/dev/gateway/agents/support.yaml"],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("decision files: a rendered object the schema rejects stops the decision, naming object and field", async () => {
  const [rendered] = renderService(mixedEnvironment(), release(v1), undefined);
  await checkRendered([rendered!]);
  const objects = rendered!.objects.map((o) =>
    o.kind === "Service" ? { ...o, spec: { ...(o as { spec: object }).spec, ports: [{ port: "http" }] } } : o,
  );
  await assert.rejects(
    checkRendered([{ ...rendered!, objects }]),
    /Service agents\/support: .*\(field spec\.ports\[0\]\.port\)/,
  );
});

test("decision files: `kustomize build` (the real one, built from its Go module) accepts every cluster folder", async (t) => {
  const kustomize = await goToolForTest(t, "kustomize");
  if (!kustomize) return;
  const root = mkdtempSync(join(tmpdir(), "tollgate-kustomize-"));
  try {
    const env = mixedEnvironment();
    for (const files of await decisionFiles(new DirectoryTree(root), [
      { environment: "dev", rendered: renderService(env, release(v2, v1), progressing(30)) },
      { environment: "dev", rendered: renderService(env, billing(release(v1)), undefined) },
    ]))
      writeFiles(root, files);
    for (const folder of ["clusters/dev-replicas", "clusters/dev/gateway"]) {
      const { stdout }: { stdout: string } = await promisify(execFile)(kustomize, ["build", join(root, folder)]);
      type Named = { kind: string; metadata: { name: string } };
      const names = (objects: Named[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
      const built: Named[] = parseAllDocuments(stdout).map((d) => d.toJS());
      const rendered: Named[] = ["support", "billing"].flatMap((service) =>
        parseAllDocuments(readFileSync(join(root, folder, `agents/${service}.yaml`), "utf8")).map((d) => d.toJS()),
      );
      assert.deepEqual(names(built), names(rendered), folder);
      assert.ok(built.length >= 8, `${folder}: ${built.length} objects`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("validate: the rendered files of every gitops folder against the schemas, naming file and field", async () => {
  const root = mkdtempSync(join(tmpdir(), "tollgate-validate-"));
  try {
    const env = mixedEnvironment();
    for (const files of await decisionFiles(new DirectoryTree(root), [
      { environment: "dev", rendered: renderService(env, release(v2, v1), progressing(30)) },
    ]))
      writeFiles(root, files);
    assert.deepEqual(await renderedFileProblems(new DirectoryTree(root), env), []);
    const file = join(root, "clusters/dev-replicas/agents/support.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/replicas: \d+/, "replicas: many"));
    assert.deepEqual(
      (await renderedFileProblems(new DirectoryTree(root), env)).map((p) => [p.file, p.field, p.message]),
      [
        [
          "clusters/dev-replicas/agents/support.yaml",
          "spec.replicas",
          "Deployment agents/support-stable: must be integer",
        ],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("validate: a cluster folder that escapes, is not DNS-safe or collides is refused with file, line and field", () => {
  const base = readFileSync(new URL("../../environments/dev/environment.yaml", import.meta.url), "utf8");
  const withClusters = (clusters: string): string =>
    base.replace(/clusters:\n(\s+- .*\n|\s{4,}.*\n)+/, `clusters:\n${clusters}`);
  const refused = (clusters: string): string[] => {
    try {
      parseEnvironment(withClusters(clusters), "environments/dev/environment.yaml");
    } catch (error) {
      assert.ok(error instanceof InvalidInputError, String(error));
      return error.problems.map((p) => `${p.line}:${p.field}: ${p.message}`);
    }
    assert.fail("accepted");
  };
  const cluster = (name: string, folder?: string) =>
    `  - name: ${name}\n    context: ${name}\n    namespace: agents\n    apply:\n      mode: gitops\n` +
    (folder ? `      folder: ${folder}\n` : "");
  const [escapes] = refused(cluster("a", "clusters/../../etc"));
  assert.match(escapes!, /^\d+:clusters\[0\]\.apply\.folder: .*escapes the repository/);
  assert.match(refused(cluster("a", "clusters/Prod_EU"))[0]!, /not DNS-safe/);
  assert.match(refused(cluster("a", "deploy/a"))[0]!, /not under clusters\//);
  const [collision] = refused(cluster("a", "clusters/eu") + cluster("b", "clusters/eu/b"));
  assert.match(collision!, /^\d+:clusters\[1\]\.apply\.folder: folder clusters\/eu\/b collides with cluster "a"/);
  assert.equal(
    parseEnvironment(withClusters(cluster("a") + cluster("b", "clusters/b-2")), "e.yaml").clusters.length,
    2,
  );
});

test("validate: two environments' clusters in one folder are refused, naming the file, line and field", async () => {
  const root = mkdtempSync(join(tmpdir(), "tollgate-collide-"));
  try {
    cpSync(new URL("../../environments", import.meta.url), join(root, "environments"), { recursive: true });
    const gitops = (env: string, cluster: string) => {
      const file = join(root, "environments", env, "environment.yaml");
      const entry = `    context: ${cluster}\n    namespace: ${env === "dev" ? "agents-dev" : "agents"}\n`;
      const text = readFileSync(file, "utf8");
      assert.ok(text.includes(entry), `${env}: ${cluster}`);
      writeFileSync(file, text.replace(entry, `${entry}    apply: { mode: gitops, folder: clusters/shared }\n`));
    };
    gitops("dev", "dev-1");
    gitops("staging", "staging-eu-west-1");
    const { problems } = await loadRepository(new DirectoryTree(root));
    assert.deepEqual(
      problems.map((p) => [p.file, typeof p.line, p.field, p.message]),
      [
        [
          "environments/staging/environment.yaml",
          "number",
          "clusters[0].apply.folder",
          'folder clusters/shared collides with clusters/shared of environment "dev" (cluster "dev-1"): each environment\'s clusters need their own folders',
        ],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
