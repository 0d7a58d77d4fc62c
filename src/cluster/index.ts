/** The cluster layer: what the reconciler uses to make clusters run what git says. */

export type { KubernetesApplier, KubernetesApplierOptions } from "./kubernetes/applier.ts";
export type { KubeConfigLoader } from "./kubernetes/connection.ts";
export type { LeaseElector, LeaseElectorOptions } from "./leader/lease-elector.ts";
export { ClusterMetrics } from "./metrics.ts";
export { gatewaySplit, planService, replicaSplit } from "./plan.ts";
export type * from "./types.ts";
/**
 * The Kubernetes applier, its kubeconfig loader and leader election: loaded on first use, because
 * @kubernetes/client-node takes long to import and most commands never talk to an API server.
 */
export const kubernetesParts = () => import("./kubernetes/parts.ts");
export { DEFAULT_MANIFEST_OPTIONS, type ManifestOptions } from "./manifests.ts";
export { SimulatedCluster, type SimulatedClusterOptions } from "./simulated/cluster.ts";
export type {
  ClusterApplier,
  ClusterPruneResult,
  OrphanSet,
  PruneResult,
  ServiceApplyResult,
  ServicePlan,
} from "./types.ts";
export { type DesiredObjects, desiredObjects } from "./desired.ts";
export {
  checkRendered,
  type DecisionRender,
  decisionFiles,
  expectedKustomization,
  type FolderFiles,
  leftoverDirectFiles,
  type RemovedFile,
  removedServiceFiles,
  renderedFileProblems,
  serviceFiles,
  unrenderedServices,
} from "./gitops/decision-files.ts";
export { kustomizationPath, kustomizationText, type RenderedService, renderService } from "./gitops/render.ts";
export {
  describeEngine,
  ENGINE_API,
  type EngineObject,
  type EngineStatusSource,
  judgeEngineObject,
  readEngines,
  type ServesCheck,
} from "./gitops/sync-status.ts";
export {
  describeObject,
  formatObjectProblem,
  type ObjectProblem,
  objectSchemaProblems,
} from "./gitops/schema-check.ts";
