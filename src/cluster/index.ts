/** The cluster layer: what the reconciler uses to make clusters run what git says. */
export type * from "./types.ts";
export { planService, replicaSplit, gatewaySplit } from "./plan.ts";
export { ClusterMetrics } from "./metrics.ts";
export { KubernetesApplier, type KubernetesApplierOptions } from "./kubernetes/applier.ts";
export { defaultKubeConfigLoader, type KubeConfigLoader } from "./kubernetes/connection.ts";
export { LeaseElector, type LeaseElectorOptions, leaseSettingsFromEnv } from "./leader/lease-elector.ts";
export { SimulatedCluster, type SimulatedClusterOptions } from "./simulated/cluster.ts";
export { DEFAULT_MANIFEST_OPTIONS, type ManifestOptions } from "./manifests.ts";
