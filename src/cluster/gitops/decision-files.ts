/**
 * The files a decision commit writes into its environment's `gitops` cluster folders: its service's
 * rendered file in each, and the folder's kustomization.yaml when the folder's list of service files
 * changes. A folder's kustomization is a function of the folder alone (every `<namespace>/<service>.yaml`
 * in it, sorted), so the decisions of one tick, committed one on another, each keep it whole.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import {
  CLUSTERS_DIR,
  directClusters,
  type Environment,
  gitopsClusters,
  type InputProblem,
  KUSTOMIZATION_FILE,
  renderedFile,
  type TreeReader,
} from "../../model/index.ts";
import { formatObjectProblem, objectSchemaProblems } from "./schema-check.ts";
import { kustomizationPath, kustomizationText, type RenderedService } from "./render.ts";

/** Per path: the content to write, or null to delete. */
export type FolderFiles = Map<string, string | null>;

/** A decision about to be committed and what its new status renders to (see renderService). */
export interface DecisionRender {
  environment: string;
  rendered: readonly RenderedService[];
  /** Service files the same commit deletes: services removed from the environment (`prune: true`). */
  removed?: readonly RemovedFile[];
  /** Files deleted as they are: what tollgate rendered into the folder of a cluster now `direct`. */
  deleted?: readonly string[];
}

/** A service's rendered file in a gitops folder whose service is no longer in the environment. */
export interface RemovedFile {
  cluster: string;
  folder: string;
  path: string;
}

/**
 * The files of each decision, in the order they are committed, on top of `tree` (the head they were
 * decided on; null for an empty repository).
 */
export async function decisionFiles(
  tree: TreeReader | null,
  decisions: readonly DecisionRender[],
): Promise<FolderFiles[]> {
  const folders = new Map<string, { resources: Set<string>; text: string | undefined }>();
  const out: FolderFiles[] = [];
  const folderOf = async (name: string) => {
    let folder = folders.get(name);
    if (!folder) {
      const path = kustomizationPath(name);
      folder = {
        resources: new Set(tree ? await serviceFiles(tree, name) : []),
        text: tree && (await exists(tree, path)) ? await tree.read(path) : undefined,
      };
      folders.set(name, folder);
    }
    return folder;
  };
  for (const decision of decisions) {
    const files: FolderFiles = new Map();
    const changed = [
      ...decision.rendered.map((r) => ({ ...r, text: r.text as string | null })),
      ...(decision.removed ?? []).map((r) => ({ ...r, text: null })),
    ];
    for (const r of changed) {
      const folder = await folderOf(r.folder);
      files.set(r.path, r.text);
      const resource = r.path.slice(r.folder.length + 1);
      if (r.text === null) folder.resources.delete(resource);
      else folder.resources.add(resource);
      const text = kustomizationText(decision.environment, r.cluster, [...folder.resources]);
      if (text !== folder.text) {
        files.set(kustomizationPath(r.folder), text);
        folder.text = text;
      }
    }
    for (const path of decision.deleted ?? []) files.set(path, null);
    out.push(files);
  }
  return out;
}

/** The kustomization.yaml a folder should have: every service file in it. */
export async function expectedKustomization(
  tree: TreeReader,
  environment: string,
  cluster: string,
  folder: string,
): Promise<string> {
  return kustomizationText(environment, cluster, await serviceFiles(tree, folder));
}

/**
 * Throws, naming each object and field, when a rendered object fails the Kubernetes or Gateway API
 * schema: such a decision is not committed.
 */
export async function checkRendered(rendered: readonly RenderedService[]): Promise<void> {
  const problems = await objectSchemaProblems(rendered.flatMap((r) => r.objects));
  if (problems.length > 0)
    throw new Error(
      `the rendered objects fail their schemas, so the decision is not committed:\n${problems.map(formatObjectProblem).join("\n")}`,
    );
}

/** The `<namespace>/<service>.yaml` files of a folder, relative to it, sorted (anything else there is not tollgate's). */
export async function serviceFiles(tree: TreeReader, folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const ns of (await tree.list(folder)) ?? []) {
    if (ns.kind !== "dir") continue;
    for (const entry of (await tree.list(`${folder}/${ns.name}`)) ?? []) {
      if (entry.kind === "file" && entry.name.endsWith(".yaml")) out.push(`${ns.name}/${entry.name}`);
    }
  }
  return out.sort();
}

async function exists(tree: TreeReader, path: string): Promise<boolean> {
  const slash = path.lastIndexOf("/");
  const entries = await tree.list(path.slice(0, slash));
  return entries?.some((e) => e.name === path.slice(slash + 1) && e.kind === "file") ?? false;
}

/**
 * `tollgate validate`: every object of every rendered file in the environment's `gitops` folders
 * against the Kubernetes and Gateway API schemas, named by file, object and field.
 */
export async function renderedFileProblems(tree: TreeReader, environment: Environment): Promise<InputProblem[]> {
  const problems: InputProblem[] = [];
  for (const { folder } of gitopsClusters(environment)) {
    for (const relative of await serviceFiles(tree, folder)) {
      const path = `${folder}/${relative}`;
      const file = tree.display(path);
      const documents = parseAllDocuments(await tree.read(path));
      const broken = documents.find((d) => d.errors.length > 0);
      if (broken) {
        problems.push({ file, message: `not valid YAML: ${broken.errors[0]!.message}` });
        continue;
      }
      const objects = documents.map((d) => d.toJS() as KubernetesObject).filter((o) => o !== null);
      for (const p of await objectSchemaProblems(objects))
        problems.push({ file, field: p.field, message: `${p.object}: ${p.message}` });
    }
  }
  return problems;
}

/**
 * The rendered files of services no longer in the environment (neither release nor status), in its
 * gitops folders: deleted by the environment's next decision commit when it says `prune: true`, so
 * the GitOps engine prunes their objects.
 */
export async function removedServiceFiles(
  tree: TreeReader,
  environment: Environment,
  keep: ReadonlySet<string>,
): Promise<RemovedFile[]> {
  if (environment.prune !== true) return [];
  const out: RemovedFile[] = [];
  for (const { target, folder } of gitopsClusters(environment)) {
    for (const relative of await serviceFiles(tree, folder)) {
      const service = relative.slice(relative.indexOf("/") + 1, -".yaml".length);
      if (!keep.has(service)) out.push({ cluster: target.name, folder, path: `${folder}/${relative}` });
    }
  }
  return out;
}

/** Services of the environment whose rendered file is missing in one of its gitops folders (a cluster switched to `gitops`). */
export async function unrenderedServices(
  tree: TreeReader,
  environment: Environment,
  services: Iterable<string>,
): Promise<string[]> {
  const present = new Set<string>();
  const clusters = gitopsClusters(environment);
  for (const { folder } of clusters) for (const f of await serviceFiles(tree, folder)) present.add(`${folder}/${f}`);
  return [...services].filter((service) =>
    clusters.some(({ target, folder }) => !present.has(renderedFile(folder, target.namespace, service))),
  );
}

/**
 * What tollgate rendered into the default folder (`clusters/<name>`) of a cluster of the environment
 * that is `direct` now (switched back): its service files and kustomization.yaml. Not when another
 * environment's gitops cluster uses that folder (`taken`).
 */
export async function leftoverDirectFiles(
  tree: TreeReader,
  environment: Environment,
  taken: ReadonlySet<string>,
): Promise<string[]> {
  const out: string[] = [];
  for (const target of directClusters(environment)) {
    const folder = `${CLUSTERS_DIR}/${target.name}`;
    if (taken.has(folder)) continue;
    for (const relative of await serviceFiles(tree, folder)) out.push(`${folder}/${relative}`);
    if ((await tree.list(folder))?.some((e) => e.name === KUSTOMIZATION_FILE && e.kind === "file"))
      out.push(`${folder}/${KUSTOMIZATION_FILE}`);
  }
  return out;
}
