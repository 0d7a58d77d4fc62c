/**
 * Rendering for `gitops` clusters: the objects the direct applier would apply for a service, as the
 * YAML a decision commit writes to `<folder>/<namespace>/<service>.yaml`, and the folder's
 * kustomization.yaml. A pure function of the repository state: the same release, status and
 * environment always give the same bytes (keys in a fixed order, no timestamps, no commit ids).
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { stringify } from "yaml";
import {
  type ClusterTarget,
  type Environment,
  gitopsClusters,
  KUSTOMIZATION_FILE,
  type Release,
  renderedFile,
  type Status,
} from "../../model/index.ts";
import { desiredObjects } from "../desired.ts";
import { checkService, DEFAULT_MANIFEST_OPTIONS, type ManifestOptions } from "../manifests.ts";
import { planService } from "../plan.ts";

/** Argo CD applies lower waves first and waits for them to be healthy. */
const SYNC_WAVE = "argocd.argoproj.io/sync-wave";
const ARGO_SYNC_OPTIONS = "argocd.argoproj.io/sync-options";
const FLUX_PRUNE = "kustomize.toolkit.fluxcd.io/prune";

export interface RenderedService {
  cluster: string;
  folder: string;
  /** `<folder>/<namespace>/<service>.yaml` */
  path: string;
  text: string;
  objects: KubernetesObject[];
}

/**
 * The rendered file of one service in every `gitops` cluster of its environment. Throws the same
 * InvalidInputError the direct applier would for a service that cannot name objects or an image not
 * pinned by digest.
 */
export function renderService(
  environment: Environment,
  release: Release,
  status: Status | undefined,
  manifest: ManifestOptions = DEFAULT_MANIFEST_OPTIONS,
): RenderedService[] {
  const clusters = gitopsClusters(environment);
  if (clusters.length === 0) return [];
  const plan = planService(environment.name, release, status);
  checkService(environment.name, plan.service, [plan.stable, ...(plan.canary ? [plan.canary.artifact] : [])]);
  return clusters.map(({ target, folder }) => {
    const objects = gitopsObjects(plan, target, manifest);
    return {
      cluster: target.name,
      folder,
      path: renderedFile(folder, target.namespace, plan.service),
      text: serviceText(environment.name, plan.service, objects),
      objects,
    };
  });
}

/**
 * The direct applier's objects, with what a GitOps engine needs to apply them in a safe order:
 * Deployments with pods first, then the route's weights and the arms scaled to zero (Argo CD waits
 * for each wave to be healthy). A canary no longer in the plan is left out: the engine prunes it
 * (Argo CD with PruneLast, after everything else is healthy). The HTTPRoute belongs to the platform,
 * which made it with its parentRefs: only its backends are in git, and it is never pruned.
 */
function gitopsObjects(
  plan: ReturnType<typeof planService>,
  target: ClusterTarget,
  manifest: ManifestOptions,
): KubernetesObject[] {
  const desired = desiredObjects(plan, target, manifest);
  const workloads = desired.workloads.map(({ object }) =>
    (object.spec?.replicas ?? 0) === 0 ? annotate(object, { [SYNC_WAVE]: "1" }) : object,
  );
  const route = desired.route
    ? [annotate(desired.route, { [SYNC_WAVE]: "1", [ARGO_SYNC_OPTIONS]: "Prune=false", [FLUX_PRUNE]: "disabled" })]
    : [];
  return [...desired.configMaps, ...desired.services, ...workloads, ...route];
}

function annotate<T extends KubernetesObject>(object: T, annotations: Record<string, string>): T {
  const metadata = object.metadata ?? {};
  return { ...object, metadata: { ...metadata, annotations: { ...metadata.annotations, ...annotations } } };
}

function serviceText(environment: string, service: string, objects: KubernetesObject[]): string {
  const header =
    `# Rendered by tollgate from environments/${environment} (release and status of ${service}).\n` +
    "# Do not edit: every decision rewrites this file, and `tollgate audit` flags hand edits.\n";
  return header + objects.map((o) => `---\n${toYaml(o)}`).join("");
}

/** The folder's kustomization: every service file in it, sorted. */
export function kustomizationText(environment: string, cluster: string, resources: readonly string[]): string {
  const body = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: [...resources].sort(),
  };
  return (
    `# Rendered by tollgate: the services of environment ${environment} in cluster ${cluster}. Do not edit.\n` +
    toYaml(body)
  );
}

export function kustomizationPath(folder: string): string {
  return `${folder}/${KUSTOMIZATION_FILE}`;
}

const FIRST_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace"];

/** Keys in a fixed order (the usual Kubernetes ones first, then alphabetical) at every depth. */
function keyOrder(a: { key: unknown }, b: { key: unknown }): number {
  const x = String(a.key);
  const y = String(b.key);
  const i = FIRST_KEYS.indexOf(x);
  const j = FIRST_KEYS.indexOf(y);
  if (i !== j) return i === -1 ? 1 : j === -1 ? -1 : i - j;
  return x < y ? -1 : x > y ? 1 : 0;
}

function toYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: keyOrder, lineWidth: 0, aliasDuplicateObjects: false });
}
