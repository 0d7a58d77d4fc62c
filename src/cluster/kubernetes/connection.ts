/**
 * Reaching one target cluster: its kubeconfig (file and context from the environment's ClusterTarget,
 * or KUBECONFIG / ~/.kube/config) and the client-node API objects made from it.
 */
import { isAbsolute, resolve } from "node:path";
import {
  type Configuration,
  createConfiguration,
  KubeConfig,
  KubernetesObjectApi,
  type RequestContext,
  type ResponseContext,
  ServerConfiguration,
} from "@kubernetes/client-node";
import type { ClusterTarget } from "../../model/index.ts";
import { ClusterError } from "./errors.ts";

export interface ClusterConnection {
  target: ClusterTarget;
  kubeConfig: KubeConfig;
  /** URL of the API server, for messages. */
  server: string;
  objects: KubernetesObjectApi;
}

/** How a ClusterTarget becomes a KubeConfig; replaceable (tests, in-cluster config). */
export type KubeConfigLoader = (target: ClusterTarget) => KubeConfig;

/** Loads `target.kubeconfig` (relative to `baseDir`) or the default kubeconfig, then selects `target.context`. */
export function defaultKubeConfigLoader(baseDir: string = process.cwd()): KubeConfigLoader {
  return (target) => {
    const kc = new KubeConfig();
    const where = target.kubeconfig
      ? isAbsolute(target.kubeconfig)
        ? target.kubeconfig
        : resolve(baseDir, target.kubeconfig)
      : undefined;
    try {
      if (where) kc.loadFromFile(where);
      else kc.loadFromDefault();
    } catch (error) {
      throw configError(target, `cannot load kubeconfig ${where ?? "(default)"}: ${(error as Error).message}`);
    }
    return kc;
  };
}

function configError(target: ClusterTarget, message: string): ClusterError {
  return new ClusterError({ kind: "config", message: `cluster "${target.name}": ${message}` });
}

/**
 * What `KubeConfig.makeApiClient` builds, plus a deadline on every request: without one, a server
 * that accepts connections but never answers would hold the whole fan-out.
 */
export function apiConfiguration(kubeConfig: KubeConfig, requestTimeoutMs: number): Configuration {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig's current context names no cluster");
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    promiseMiddleware: [
      {
        pre: async (context: RequestContext) => {
          context.setSignal(AbortSignal.timeout(requestTimeoutMs));
          return context;
        },
        post: async (response: ResponseContext) => response,
      },
    ],
  });
}

export function connect(target: ClusterTarget, load: KubeConfigLoader, requestTimeoutMs = 30_000): ClusterConnection {
  const kubeConfig = load(target);
  if (target.context !== undefined) {
    if (!kubeConfig.getContextObject(target.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw configError(
        target,
        `kubeconfig has no context "${target.context}" (it has: ${known.join(", ") || "none"})`,
      );
    }
    kubeConfig.setCurrentContext(target.context);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw configError(target, "the kubeconfig's current context names no cluster");
  return {
    target,
    kubeConfig,
    server: cluster.server,
    objects: new KubernetesObjectApi(apiConfiguration(kubeConfig, requestTimeoutMs)),
  };
}
