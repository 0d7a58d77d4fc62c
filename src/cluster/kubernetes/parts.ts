/** What talks to a Kubernetes API server, loaded through `kubernetesParts()` (see ../index.ts). */
export { LeaseElector, leaseSettingsFromEnv } from "../leader/lease-elector.ts";
export { KubernetesApplier } from "./applier.ts";
export { defaultKubeConfigLoader } from "./connection.ts";
export { KubernetesEngineStatus } from "./engine-status.ts";
