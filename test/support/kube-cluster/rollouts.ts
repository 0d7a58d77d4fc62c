/**
 * This test cluster runs no kube-controller-manager and no kubelets, so no Deployment ever gets a
 * status: observedGeneration stays unset and no pod becomes ready. DeploymentRollouts plays both,
 * through the real status subresource with the admin token: it reports each Deployment's current
 * generation as rolled out with all (or `readyFor(name)`) replicas ready. Tests that want to see what
 * tollgate does when nothing becomes ready simply do not start it.
 */
import { AppsV1Api, type KubeConfig, type V1Deployment } from "@kubernetes/client-node";

export class DeploymentRollouts {
  private readonly api: AppsV1Api;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    adminConfig: KubeConfig,
    private readonly namespaces: string[],
    /** Ready replicas to report for a Deployment; default all of spec.replicas. */
    private readonly readyFor: (deployment: V1Deployment) => number = (d) => d.spec?.replicas ?? 1,
  ) {
    this.api = adminConfig.makeApiClient(AppsV1Api);
  }

  /** Every Deployment whose status is behind its spec reports it rolled out. Returns how many changed. */
  async reportOnce(): Promise<number> {
    let changed = 0;
    for (const namespace of this.namespaces) {
      const list = await this.api.listNamespacedDeployment({ namespace });
      for (const d of list.items) {
        const replicas = d.spec?.replicas ?? 1;
        const ready = Math.min(replicas, this.readyFor(d));
        const s = d.status ?? {};
        if (
          s.observedGeneration === d.metadata?.generation &&
          (s.replicas ?? 0) === replicas &&
          (s.readyReplicas ?? 0) === ready
        )
          continue;
        const status = {
          observedGeneration: d.metadata?.generation,
          replicas,
          updatedReplicas: replicas,
          ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
          ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
        };
        try {
          await this.api.replaceNamespacedDeploymentStatus({
            name: d.metadata!.name!,
            namespace,
            // Without managedFields: the server keeps the stored ones and records this status writer.
            body: { ...d, metadata: { ...d.metadata, managedFields: undefined }, status },
          });
          changed++;
        } catch (error) {
          // 409: changed since it was listed; the next round sees the new generation.
          if ((error as { code?: number }).code !== 409) throw error;
        }
      }
    }
    return changed;
  }

  /** Reports every `intervalMs` until stop(), like a controller watching the Deployments. */
  start(intervalMs = 100): this {
    const round = (): void => {
      this.running = this.reportOnce()
        .then(() => undefined)
        .catch(() => undefined)
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(round, intervalMs);
        });
    };
    this.timer = setTimeout(round, 0);
    return this;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
