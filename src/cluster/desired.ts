/**
 * The objects one service should have in one cluster for a plan: the same list whether tollgate
 * applies them itself (direct) or writes them to git for the cluster's GitOps engine (gitops).
 */
import type { V1ConfigMap, V1Deployment, V1Service } from "@kubernetes/client-node";
import type { Artifact, ClusterTarget } from "../model/index.ts";
import {
  agentConfigMap,
  agentDeployment,
  agentService,
  type HttpRoute,
  httpRouteName,
  httpRouteWeights,
  type ManifestOptions,
} from "./manifests.ts";
import { gatewaySplit, replicaSplit } from "./plan.ts";
import type { Arm, ServicePlan } from "./types.ts";

export interface DesiredWorkload {
  arm: Arm;
  artifact: Artifact;
  object: V1Deployment;
}

export interface DesiredObjects {
  /** One immutable ConfigMap per artifact an arm runs. */
  configMaps: V1ConfigMap[];
  /** The Service clients use; in gateway mode also one per arm (the route's backends). */
  services: V1Service[];
  /** Stable first; the canary only while there is one to run. */
  workloads: DesiredWorkload[];
  /** Gateway mode: the backends of the route and their weights. */
  route?: HttpRoute;
  traffic: { mode: "replicas" | "gateway"; canaryWeight: number };
}

/**
 * `canary` overrides the plan's canary artifact: the direct applier passes the artifact a live canary
 * runs when the plan has none, so it is scaled to zero as it is (a GitOps engine prunes it instead).
 */
export function desiredObjects(
  plan: ServicePlan,
  target: ClusterTarget,
  manifest: ManifestOptions,
  canary: Artifact | undefined = plan.canary?.artifact,
): DesiredObjects {
  const { environment, service } = plan;
  const namespace = target.namespace;
  const mode = target.traffic?.mode ?? "replicas";
  const weight = plan.canary?.weight ?? 0;
  const split = mode === "gateway" ? gatewaySplit(manifest.replicas, weight) : replicaSplit(manifest.replicas, weight);
  const artifacts = [plan.stable, ...(canary && canary.digest !== plan.stable.digest ? [canary] : [])];
  const services = [agentService(environment, service, namespace, manifest)];
  let route: HttpRoute | undefined;
  if (target.traffic?.mode === "gateway") {
    services.push(agentService(environment, service, namespace, manifest, "stable"));
    services.push(agentService(environment, service, namespace, manifest, "canary"));
    route = httpRouteWeights(
      httpRouteName(target.traffic.httpRoute, service),
      namespace,
      service,
      split.canaryWeight,
      manifest,
    );
  }
  const workloads: DesiredWorkload[] = [
    {
      arm: "stable",
      artifact: plan.stable,
      object: agentDeployment(environment, service, namespace, "stable", plan.stable, split.stable, manifest),
    },
  ];
  if (canary) {
    workloads.push({
      arm: "canary",
      artifact: canary,
      object: agentDeployment(environment, service, namespace, "canary", canary, split.canary, manifest),
    });
  }
  return {
    configMaps: artifacts.map((a) => agentConfigMap(environment, service, namespace, a)),
    services,
    workloads,
    ...(route ? { route } : {}),
    traffic: { mode, canaryWeight: split.canaryWeight },
  };
}
