/**
 * Reads Argo CD Applications and Flux Kustomizations with @kubernetes/client-node: tollgate only
 * needs `get` on them in the engine's namespace (deploy/gitops/sync-reader-role.yaml).
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { ClusterTarget, SyncEngine } from "../../model/index.ts";
import { ENGINE_API, type EngineObject, type EngineStatusSource } from "../gitops/sync-status.ts";
import { connect, defaultKubeConfigLoader, type KubeConfigLoader } from "./connection.ts";

export class KubernetesEngineStatus implements EngineStatusSource {
  constructor(
    private readonly loadKubeConfig: KubeConfigLoader = defaultKubeConfigLoader(),
    private readonly requestTimeoutMs = 10_000,
  ) {}

  async get(engine: SyncEngine, target: ClusterTarget): Promise<EngineObject | null> {
    // The engine may run in another cluster (a management cluster): its own kubeconfig and context.
    const where: ClusterTarget = {
      ...target,
      ...(engine.context !== undefined ? { context: engine.context } : {}),
      ...(engine.kubeconfig !== undefined ? { kubeconfig: engine.kubeconfig } : {}),
    };
    const { objects } = connect(where, this.loadKubeConfig, this.requestTimeoutMs);
    const { apiVersion, kind } = ENGINE_API[engine.kind];
    try {
      const read: KubernetesObject = await objects.read({
        apiVersion,
        kind,
        metadata: { name: engine.name, namespace: engine.namespace },
      });
      return read as EngineObject;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return null;
      throw error;
    }
  }
}
