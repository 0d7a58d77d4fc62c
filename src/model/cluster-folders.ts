/**
 * Where the rendered objects of a `gitops` cluster live in the repository: one folder per
 * environment and cluster under clusters/, `<folder>/<namespace>/<service>.yaml` plus
 * `<folder>/kustomization.yaml`, which the cluster's Argo CD or Flux applies.
 */
import type { ClusterTarget, Environment, GitopsApply } from "./types.ts";

export const CLUSTERS_DIR = "clusters";
export const DEFAULT_SYNC_TIMEOUT = "10m";
export const KUSTOMIZATION_FILE = "kustomization.yaml";
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The cluster's `gitops` settings, or undefined when tollgate applies to it directly. */
export function gitopsApply(target: ClusterTarget): GitopsApply | undefined {
  return target.apply?.mode === "gitops" ? target.apply : undefined;
}

/** The repository folder of a `gitops` cluster; undefined for a `direct` one. */
export function clusterFolder(target: ClusterTarget): string | undefined {
  const gitops = gitopsApply(target);
  if (!gitops) return undefined;
  return gitops.folder === undefined ? `${CLUSTERS_DIR}/${target.name}` : normalizeFolder(gitops.folder);
}

/** The `gitops` clusters of an environment with their folders, in the environment's order. */
export function gitopsClusters(environment: Environment): { target: ClusterTarget; folder: string }[] {
  const out: { target: ClusterTarget; folder: string }[] = [];
  for (const target of environment.clusters) {
    const folder = clusterFolder(target);
    if (folder !== undefined) out.push({ target, folder });
  }
  return out;
}

/** The clusters tollgate applies to itself (`direct`, the default). */
export function directClusters(environment: Environment): ClusterTarget[] {
  return environment.clusters.filter((c) => !gitopsApply(c));
}

export function renderedFile(folder: string, namespace: string, service: string): string {
  return `${folder}/${namespace}/${service}.yaml`;
}

function normalizeFolder(folder: string): string {
  return folder.replace(/\/+$/, "");
}

/** Why a configured folder cannot be a cluster folder, or undefined when it can. */
export function folderProblem(folder: string): string | undefined {
  const path = normalizeFolder(folder);
  const segments = path.split("/");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path) || segments.includes("..") || path.includes("\\"))
    return `folder "${folder}" escapes the repository: it must be a relative path under ${CLUSTERS_DIR}/`;
  if (segments[0] !== CLUSTERS_DIR || segments.length < 2)
    return `folder "${folder}" is not under ${CLUSTERS_DIR}/: cluster folders live there (e.g. ${CLUSTERS_DIR}/prod-eu-west-1)`;
  const bad = segments.slice(1).find((s) => !DNS_LABEL.test(s));
  if (bad !== undefined)
    return `folder "${folder}" is not DNS-safe: "${bad}" is not a lowercase DNS label (a-z, 0-9 and '-', at most 63), and the GitOps engine names its Application after the folder`;
  return undefined;
}

/** Two folders collide when one is the other or lies inside it (its kustomization would take in the other's files). */
export function foldersCollide(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
