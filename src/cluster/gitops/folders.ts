/**
 * What an environment's `gitops` cluster folders should hold at a commit: every service's rendered
 * file, the files of services removed from git (kept with `prune: false`, deleted with
 * `prune: true`, the GitOps engine then pruning their objects) and each folder's kustomization.
 * The reconciler writes it; the audit checks commits against it.
 */
import {
  type EnvironmentState,
  gitopsClusters,
  type Release,
  renderedFile,
  type Status,
  type TreeReader,
} from "../../model/index.ts";
import { kustomizationPath, kustomizationText, type RenderedService, renderService } from "./render.ts";

/** Per file: the content it should have, or null when it should not exist. */
export type ExpectedFiles = Map<string, string | null>;

export interface ExpectedFolders {
  files: ExpectedFiles;
  /** Services whose rendering failed (their files are left as they are), with why. */
  failed: Map<string, Error>;
}

export type Render = (release: Release, status: Status | undefined) => RenderedService[];

/**
 * The expected files of every `gitops` folder of the environment. `only` limits the service files
 * to those services (kustomizations are always included): a decision writes its own service's.
 */
export async function expectedFolders(
  envState: EnvironmentState,
  tree: TreeReader,
  render: Render = (release, status) => renderService(envState.environment, release, status),
  only?: ReadonlySet<string>,
): Promise<ExpectedFolders> {
  const { environment } = envState;
  const files: ExpectedFiles = new Map();
  const failed = new Map<string, Error>();
  const clusters = gitopsClusters(environment);
  if (clusters.length === 0) return { files, failed };
  const rendered = new Map<string, RenderedService[]>();
  for (const [service, release] of envState.releases) {
    if (only && !only.has(service)) continue;
    try {
      rendered.set(service, render(release, envState.statuses.get(service)));
    } catch (error) {
      failed.set(service, error instanceof Error ? error : new Error(String(error)));
    }
  }
  for (const { target, folder } of clusters) {
    const resources: string[] = [];
    for (const services of rendered.values()) {
      const mine = services.find((s) => s.cluster === target.name)!;
      files.set(mine.path, mine.text);
      resources.push(mine.path.slice(folder.length + 1));
    }
    for (const file of await serviceFilesIn(tree, folder)) {
      const path = `${folder}/${file.relative}`;
      const service = file.service;
      if (rendered.has(service) && path === renderedFile(folder, target.namespace, service)) continue;
      const inGit = envState.releases.has(service);
      const keep =
        (inGit && failed.has(service) && file.namespace === target.namespace) ||
        (!inGit && environment.prune !== true) ||
        // Limited to some services, the others' files are not judged here.
        (only !== undefined && inGit && !only.has(service) && file.namespace === target.namespace);
      if (keep) resources.push(file.relative);
      else if (!only || !inGit || only.has(service)) files.set(path, null);
    }
    files.set(kustomizationPath(folder), kustomizationText(environment.name, target.name, resources));
  }
  return { files, failed };
}

interface ServiceFile {
  /** `<namespace>/<service>.yaml` */
  relative: string;
  namespace: string;
  service: string;
}

/** The `<namespace>/<service>.yaml` files of a folder (anything else there is not tollgate's). */
async function serviceFilesIn(tree: TreeReader, folder: string): Promise<ServiceFile[]> {
  const out: ServiceFile[] = [];
  for (const ns of (await tree.list(folder)) ?? []) {
    if (ns.kind !== "dir") continue;
    for (const entry of (await tree.list(`${folder}/${ns.name}`)) ?? []) {
      if (entry.kind !== "file" || !entry.name.endsWith(".yaml")) continue;
      const service = entry.name.slice(0, -".yaml".length);
      out.push({ relative: `${ns.name}/${entry.name}`, namespace: ns.name, service });
    }
  }
  return out;
}
