/**
 * Finding and deleting the objects of services removed from an environment, in one cluster.
 *
 * Only objects tollgate created are candidates: label `app.kubernetes.io/managed-by=tollgate` and the
 * environment's `tollgate.dev/environment` label (environments may share a namespace), in the
 * cluster target's namespace. HTTPRoutes are the platform's (tollgate only sets their weights), so
 * they are never deleted. Deletion order per cluster: Services (traffic stops reaching the pods),
 * then Deployments (canary before stable), then the ConfigMaps the pods mounted. Each delete carries
 * the uid that was listed, so an object re-created meanwhile is left alone.
 */
import type { KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";
import { environmentSelector, LABEL_ARM, LABEL_SERVICE } from "../manifests.ts";
import type { OrphanedObject, OrphanSet } from "../types.ts";
import type { ClusterConnection } from "./connection.ts";
import { httpStatusOf } from "./errors.ts";

/** The kinds tollgate creates, in deletion order. */
const PRUNED_KINDS = [
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "v1", kind: "ConfigMap" },
] as const;

interface Candidate {
  service: string;
  object: OrphanedObject;
  apiVersion: string;
  uid?: string;
  arm?: string;
}

export interface PruneSession {
  /** Orphans found, by service; `deleted` is set as deletes succeed, so a failure mid-way still reports what went. */
  orphans: OrphanSet[];
}

/** Lists the environment's tollgate objects whose service is not in `keep`, ordered for deletion. */
async function findCandidates(
  connection: ClusterConnection,
  environment: string,
  keep: ReadonlySet<string>,
): Promise<Map<string, Candidate[]>> {
  const namespace = connection.target.namespace;
  const byService = new Map<string, Candidate[]>();
  for (const { apiVersion, kind } of PRUNED_KINDS) {
    const list: KubernetesListObject<KubernetesObject> = await connection.objects.list(
      apiVersion,
      kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      environmentSelector(environment),
    );
    const found: Candidate[] = [];
    for (const item of list.items) {
      const service = item.metadata?.labels?.[LABEL_SERVICE];
      const name = item.metadata?.name;
      if (service === undefined || name === undefined || keep.has(service)) continue;
      const arm = item.metadata?.labels?.[LABEL_ARM];
      found.push({
        service,
        object: { kind, name, namespace, deleted: false },
        apiVersion,
        ...(item.metadata?.uid !== undefined ? { uid: item.metadata.uid } : {}),
        ...(arm !== undefined ? { arm } : {}),
      });
    }
    // Canary before stable: the arm with the least traffic goes first.
    found.sort(
      (a, b) => Number(b.arm === "canary") - Number(a.arm === "canary") || a.object.name.localeCompare(b.object.name),
    );
    for (const c of found) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  }
  return byService;
}

/**
 * Finds the orphans of `environment` in one cluster and, when `remove`, deletes them. Throws on the
 * first failing call (the caller retries); what was found and deleted so far stays in `session`.
 */
export async function pruneCluster(
  connection: ClusterConnection,
  environment: string,
  keep: ReadonlySet<string>,
  remove: boolean,
  session: PruneSession,
): Promise<void> {
  const candidates = await findCandidates(connection, environment, keep);
  const services = [...candidates.keys()].sort();
  // A retry lists again: objects deleted by an earlier try are no longer listed, but stay reported.
  for (const service of services) {
    let set = session.orphans.find((o) => o.service === service);
    if (!set) {
      set = { service, objects: [] };
      session.orphans.push(set);
    }
    for (const c of candidates.get(service)!) {
      if (!set.objects.some((o) => o.kind === c.object.kind && o.name === c.object.name)) set.objects.push(c.object);
    }
  }
  session.orphans.sort((a, b) => a.service.localeCompare(b.service));
  if (!remove) return;
  for (const service of services) {
    const set = session.orphans.find((o) => o.service === service)!;
    for (const c of candidates.get(service)!) {
      await deleteObject(connection, c);
      const reported = set.objects.find((o) => o.kind === c.object.kind && o.name === c.object.name);
      if (reported) reported.deleted = true;
    }
  }
}

async function deleteObject(connection: ClusterConnection, c: Candidate): Promise<void> {
  const ref = {
    apiVersion: c.apiVersion,
    kind: c.object.kind,
    metadata: { name: c.object.name, namespace: c.object.namespace },
  };
  try {
    // Background: the ReplicaSets and pods of a Deployment go too (Orphan would leave them running).
    await connection.objects.delete(ref, undefined, undefined, undefined, undefined, "Background", {
      propagationPolicy: "Background",
      ...(c.uid !== undefined ? { preconditions: { uid: c.uid } } : {}),
    });
  } catch (error) {
    // Gone already (someone else deleted it): what pruning wanted.
    if (httpStatusOf(error) === 404) return;
    throw error;
  }
}
