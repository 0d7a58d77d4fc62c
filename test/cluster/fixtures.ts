/**
 * Shared setup for the cluster tests: artifacts, environments, and stand-in API servers with the
 * kubeconfigs and the RBAC of deploy/ that tollgate would have in a real cluster.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { pino, type Logger } from "pino";
import { parseAllDocuments } from "yaml";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import { parseEnvironment } from "../../src/model/load.ts";
import type { Artifact, ClusterTarget, Environment, Release, Status } from "../../src/model/types.ts";
import type { PolicyRule } from "../support/kube-apiserver/rbac.ts";
import { KubeApiStandIn, type StandInOptions } from "../support/kube-apiserver/server.ts";
import { opensslAvailable } from "../support/kube-apiserver/tls.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const ADMIN_TOKEN = "admin-token";
export const TOLLGATE_TOKEN = "tollgate-sa-token";
export const TOLLGATE_USER = "system:serviceaccount:tollgate:tollgate";
export const NAMESPACE = "agents";
export const LEASE_NAMESPACE = "tollgate";

/** Stand-ins serve HTTPS with certificates made by openssl: without it the test fails in CI, else skips loudly. */
export function needsOpenssl(t: TestContext): boolean {
  if (opensslAvailable()) return true;
  const message =
    "openssl (Debian package openssl) is missing: the stand-in Kubernetes API server cannot make its TLS certificate";
  if (process.env["CI"] === "true") throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  t.skip(message);
  return false;
}

export function artifact(version: number): Artifact {
  const hex = (seed: string): string => Buffer.from(seed.padEnd(32, ".")).toString("hex").slice(0, 64);
  return sealArtifact({
    code: {
      image: `registry.example/agents/support@sha256:${hex(`image-${version}`)}`,
      sourceCommit: hex(`commit-${version}`).slice(0, 40),
    },
    model: { provider: "anthropic", name: "claude-sonnet", snapshot: `2026-0${version}-01` },
    prompts: { digest: `sha256:${hex(`prompts-${version}`)}` },
    tools: { manifestDigest: `sha256:${hex(`tools-${version}`)}`, allowed: ["search", "lookup_order"] },
    index: { buildId: `kb-${version}`, digest: `sha256:${hex(`index-${version}`)}` },
  });
}

export function environment(clusters: ClusterTarget[]): Environment {
  const text = readFileSync(join(ROOT, "environments/dev/environment.yaml"), "utf8");
  return { ...parseEnvironment(text, "environments/dev/environment.yaml"), clusters };
}

export function release(current: Artifact, lastGood?: Artifact): Release {
  return {
    apiVersion: "tollgate.dev/v1",
    kind: "Release",
    service: "support",
    artifact: current,
    ...(lastGood ? { lastGood } : {}),
  };
}

export function status(fields: Partial<Status> & Pick<Status, "phase">): Status {
  return { apiVersion: "tollgate.dev/v1", kind: "Status", service: "support", ...fields };
}

/** The rules of the Role in a deploy/ file. */
export function roleRules(file: string): PolicyRule[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, "deploy", file), "utf8")).map(
    (d) => d.toJS() as { kind: string; rules?: PolicyRule[] },
  );
  const role = docs.find((d) => d.kind === "Role");
  if (!role?.rules) throw new Error(`deploy/${file} has no Role`);
  return role.rules;
}

export interface TestCluster {
  standIn: KubeApiStandIn;
  target: ClusterTarget;
  /** A client with cluster-admin rights, playing the platform team or a person with kubectl. */
  admin: KubernetesObjectApi;
  adminConfig: KubeConfig;
}

export class TestClusters {
  readonly dir = mkdtempSync(join(tmpdir(), "tollgate-clusters-"));
  private readonly started: KubeApiStandIn[] = [];

  /** A stand-in where tollgate's token has exactly the Roles of deploy/ (workloads in `agents`, the Lease in `tollgate`). */
  async start(
    name: string,
    options: Partial<StandInOptions> & { token?: string; traffic?: ClusterTarget["traffic"] } = {},
  ): Promise<TestCluster> {
    const standIn = await KubeApiStandIn.start({
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
      ...options,
    });
    this.started.push(standIn);
    const file = join(this.dir, `${name}.kubeconfig`);
    writeFileSync(file, standIn.kubeconfig({ token: options.token ?? TOLLGATE_TOKEN, context: name }));
    const adminConfig = new KubeConfig();
    adminConfig.loadFromString(standIn.kubeconfig({ token: ADMIN_TOKEN, context: `${name}-admin` }));
    return {
      standIn,
      target: {
        name,
        kubeconfig: file,
        context: name,
        namespace: NAMESPACE,
        ...(options.traffic ? { traffic: options.traffic } : {}),
      },
      admin: KubernetesObjectApi.makeApiClient(adminConfig),
      adminConfig,
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.started.map((s) => s.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A pino logger whose JSON lines are kept for assertions. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "debug" },
    {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines };
}

/** `PATCH Deployment/support-stable` for each write request a stand-in received, in order. */
export function writeSummary(standIn: KubeApiStandIn): string[] {
  const kinds: Record<string, string> = {
    deployments: "Deployment",
    configmaps: "ConfigMap",
    services: "Service",
    httproutes: "HTTPRoute",
    leases: "Lease",
  };
  return standIn.writes().map((r) => {
    const parts = r.path.split("/");
    const i = parts.indexOf("namespaces");
    const plural = parts[i + 2] ?? "";
    return `${r.method} ${kinds[plural] ?? plural}/${parts[i + 3] ?? ""}`;
  });
}
