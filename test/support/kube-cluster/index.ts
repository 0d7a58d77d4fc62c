/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver (built from their Go modules by
 * test/support/go-tools) on loopback ports, with generated certificates, a static token file
 * (a cluster admin and tollgate's ServiceAccount user), `--authorization-mode=Node,RBAC`, an audit
 * log, deploy/ applied with the admin token and the Gateway API standard CRDs installed.
 *
 *   const cluster = await KubeCluster.start({ workloadNamespaces: ["agents"] });
 *   writeFileSync(file, cluster.kubeconfig({ token: cluster.tollgateToken }));
 *   ...
 *   await cluster.stop();   // no process left behind
 *
 * No kube-controller-manager, scheduler or kubelet runs: objects are stored, validated, defaulted
 * and authorized for real, but nothing reconciles them (see DeploymentRollouts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { buildGoTool, GoToolUnavailable, goModuleDir } from "../go-tools/index.ts";
import { AuditLog } from "./audit.ts";
import { DeploymentRollouts } from "./rollouts.ts";
import { applyDeployManifests, installGatewayApi } from "./bootstrap.ts";
import { httpsGet } from "./https-get.ts";
import { makePki, type ClusterPki } from "./pki.ts";
import { freePort, ServerProcess } from "./server-process.ts";

export { AuditLog, type AuditEvent } from "./audit.ts";
export { DeploymentRollouts } from "./rollouts.ts";

export const ADMIN_USER = "kubernetes-admin";
export const CONTROLLER_USER = "test-controllers";
export const TOLLGATE_NAMESPACE = "tollgate";
export const TOLLGATE_SERVICE_ACCOUNT = "tollgate";
export const TOLLGATE_USER = `system:serviceaccount:${TOLLGATE_NAMESPACE}:${TOLLGATE_SERVICE_ACCOUNT}`;
export const GATEWAY_API_MODULE = "sigs.k8s.io/gateway-api";

export interface KubeClusterTools {
  kubeApiserver: string;
  etcd: string;
  /** The sigs.k8s.io/gateway-api module's directory in the Go module cache. */
  gatewayApi: string;
}

/** Builds (or finds in the cache) what a test cluster runs. Throws GoToolUnavailable without Go. */
export async function kubeClusterTools(): Promise<KubeClusterTools> {
  const [kubeApiserver, etcd, gatewayApi] = await Promise.all([
    buildGoTool("kube-apiserver"),
    buildGoTool("etcd"),
    goModuleDir("gateway-api", GATEWAY_API_MODULE),
  ]);
  return { kubeApiserver, etcd, gatewayApi };
}

export interface KubeClusterOptions {
  /** Namespaces tollgate deploys to: created, each with deploy/role-workloads.yaml. Default ["agents"]. */
  workloadNamespaces?: string[];
  /** Install the Gateway API standard CRDs (default true). */
  gatewayApi?: boolean;
  /** Apply deploy/ (namespace, ServiceAccount, Roles, bindings, the reconciler's Deployment and Service); default true. */
  deploy?: boolean;
  /** Rewrites deploy/'s documents before they are applied (e.g. to drop a verb from a Role). */
  editDeploy?: (doc: Record<string, unknown>) => Record<string, unknown>;
  tools?: KubeClusterTools;
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

export class KubeCluster {
  readonly adminToken = "admin-token-for-tests";
  readonly tollgateToken = "tollgate-service-account-token-for-tests";
  readonly tollgateUser = TOLLGATE_USER;
  /** Plays the controllers this cluster does not run (DeploymentRollouts); its calls are not audited. */
  readonly controllerToken = "controller-token-for-tests";
  readonly audit: AuditLog;
  readonly url: string;
  /** A client with cluster-admin rights (system:masters), playing the platform team or kubectl. */
  readonly admin: KubernetesObjectApi;
  readonly adminConfig: KubeConfig;
  private etcd: ServerProcess | undefined;
  private apiserver: ServerProcess | undefined;
  private readonly pki: ClusterPki;

  private constructor(
    readonly dir: string,
    private readonly tools: KubeClusterTools,
    private readonly ports: Ports,
  ) {
    this.pki = makePki(dir);
    this.url = `https://127.0.0.1:${ports.apiserver}`;
    this.audit = new AuditLog(join(dir, "audit.log"));
    this.adminConfig = this.clientConfig(this.adminToken, "admin");
    this.admin = KubernetesObjectApi.makeApiClient(this.adminConfig);
  }

  /** Starts etcd and kube-apiserver, applies deploy/ and the Gateway API CRDs; everything is stopped if a step fails. */
  static async start(options: KubeClusterOptions = {}): Promise<KubeCluster> {
    const tools = options.tools ?? (await kubeClusterTools());
    const dir = mkdtempSync(join(tmpdir(), "tollgate-kube-cluster-"));
    const ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
    const cluster = new KubeCluster(dir, tools, ports);
    try {
      await cluster.startEtcd();
      await cluster.startApiServer();
      const namespaces = options.workloadNamespaces ?? ["agents"];
      if (options.deploy !== false) await applyDeployManifests(cluster.admin, namespaces, options.editDeploy);
      if (options.gatewayApi !== false) await installGatewayApi(cluster.admin, tools.gatewayApi);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** A kubeconfig (YAML) for this cluster with a bearer token, as a user's file would be. */
  kubeconfig(options: { token: string; context?: string; namespace?: string }): string {
    const context = options.context ?? "test-cluster";
    return [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `  - name: ${context}`,
      "    cluster:",
      `      server: ${this.url}`,
      `      certificate-authority-data: ${Buffer.from(this.pki.caPem).toString("base64")}`,
      "users:",
      `  - name: ${context}-user`,
      "    user:",
      `      token: ${options.token}`,
      "contexts:",
      `  - name: ${context}`,
      "    context:",
      `      cluster: ${context}`,
      `      user: ${context}-user`,
      ...(options.namespace ? [`      namespace: ${options.namespace}`] : []),
      `current-context: ${context}`,
      "",
    ].join("\n");
  }

  /** Writes a kubeconfig into the cluster's directory and returns its path. */
  writeKubeconfig(name: string, options: { token: string; context?: string; namespace?: string }): string {
    const file = join(this.dir, `${name}.kubeconfig`);
    writeFileSync(file, this.kubeconfig(options), { mode: 0o600 });
    return file;
  }

  clientConfig(token: string, context = "test-cluster"): KubeConfig {
    const config = new KubeConfig();
    config.loadFromString(this.kubeconfig({ token, context }));
    return config;
  }

  /** Reports the Deployments of `namespaces` rolled out and ready (see DeploymentRollouts); call start(). */
  deploymentRollouts(
    namespaces: string[],
    readyFor?: ConstructorParameters<typeof DeploymentRollouts>[2],
  ): DeploymentRollouts {
    return new DeploymentRollouts(this.clientConfig(this.controllerToken, "controllers"), namespaces, readyFor);
  }

  /** Process ids of everything this cluster started that still runs (watchdogs and servers). */
  processIds(): number[] {
    return [this.etcd, this.apiserver].flatMap((p) =>
      p?.running && p.pid !== undefined ? [p.pid, ...p.children()] : [],
    );
  }

  /** Stops kube-apiserver only (etcd keeps the data): the cluster becomes unreachable. */
  async stopApiServer(): Promise<void> {
    await this.apiserver?.stop();
  }

  /** Starts kube-apiserver (again) on the same port and waits until it is ready. */
  async startApiServer(): Promise<void> {
    if (this.apiserver?.running) return;
    this.apiserver = new ServerProcess(
      "kube-apiserver",
      this.tools.kubeApiserver,
      this.apiserverArgs(),
      join(this.dir, "kube-apiserver.log"),
    );
    await this.apiserver.waitUntil("ready", () => this.ready(), 180_000);
  }

  /** Stops kube-apiserver and etcd, waits until both have exited, removes the directory. */
  async stop(): Promise<void> {
    try {
      await this.apiserver?.stop();
      await this.etcd?.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async ready(): Promise<boolean> {
    const response = await httpsGet(`${this.url}/readyz`, { ca: this.pki.caPem, token: this.adminToken });
    return response.status === 200;
  }

  private async startEtcd(): Promise<void> {
    const client = `http://127.0.0.1:${this.ports.etcdClient}`;
    const peer = `http://127.0.0.1:${this.ports.etcdPeer}`;
    this.etcd = new ServerProcess(
      "etcd",
      this.tools.etcd,
      [
        "--name=test",
        `--data-dir=${join(this.dir, "etcd")}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=test=${peer}`,
        "--log-level=warn",
        // A throwaway test store: no fsync keeps the shared machine's disk out of the timings.
        "--unsafe-no-fsync",
      ],
      join(this.dir, "etcd.log"),
    );
    await this.etcd.waitUntil(
      "healthy",
      async () => {
        const response = await fetch(`${client}/health`);
        return response.ok && ((await response.json()) as { health?: string }).health === "true";
      },
      60_000,
    );
  }

  private apiserverArgs(): string[] {
    const dir = this.dir;
    writeFileSync(
      join(dir, "tokens.csv"),
      [
        `${this.adminToken},${ADMIN_USER},admin-uid,"system:masters"`,
        `${this.tollgateToken},${TOLLGATE_USER},tollgate-uid,"system:serviceaccounts,system:serviceaccounts:${TOLLGATE_NAMESPACE}"`,
        `${this.controllerToken},${CONTROLLER_USER},controller-uid,"system:masters"`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, "audit-policy.yaml"), AuditLog.policy([ADMIN_USER, TOLLGATE_USER], TOLLGATE_NAMESPACE));
    return [
      `--etcd-servers=http://127.0.0.1:${this.ports.etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      // The `kubernetes` Service's endpoints may not be loopback; nothing in these tests uses them.
      "--endpoint-reconciler-type=none",
      `--secure-port=${this.ports.apiserver}`,
      `--tls-cert-file=${this.pki.certFile}`,
      `--tls-private-key-file=${this.pki.keyFile}`,
      `--client-ca-file=${this.pki.caFile}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      "--authorization-mode=Node,RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${this.pki.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${this.pki.serviceAccountKeyFile}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      `--audit-policy-file=${join(dir, "audit-policy.yaml")}`,
      `--audit-log-path=${this.audit.file}`,
      "--audit-log-mode=blocking",
      "--profiling=false",
      `--cert-dir=${join(dir, "apiserver-certs")}`,
    ];
  }
}

/**
 * A cluster for a test file, or the reason it cannot run. Without Go the reason is printed loudly
 * and the tests skip; under CI=true a missing tool is an error.
 */
export async function startKubeClusterForTests(
  options: KubeClusterOptions = {},
): Promise<{ cluster: KubeCluster; skip?: undefined } | { cluster?: undefined; skip: string }> {
  try {
    return { cluster: await KubeCluster.start(options) };
  } catch (error) {
    if (error instanceof GoToolUnavailable && process.env["CI"] !== "true") {
      const skip = `SKIPPED LOUDLY: the real kube-apiserver tests need Go to build kube-apiserver and etcd (${error.message}); install Go to run them (they fail under CI=true)`;
      process.stderr.write(`${skip}\n`);
      return { skip };
    }
    throw error;
  }
}

/** The stored YAML of a deploy/ file, for tests that change one. */
export function deployFile(name: string): string {
  return readFileSync(join(import.meta.dirname, "../../../deploy", name), "utf8");
}
