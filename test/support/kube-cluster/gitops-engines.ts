/**
 * Argo CD and Flux as far as tollgate sees them: minimal CustomResourceDefinitions for an Argo CD
 * Application and a Flux Kustomization (written here from their published field names: spec and
 * status kept as free-form objects, with the status subresource), and a test playing the engine by
 * writing the status a real one would after applying a revision.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type KubernetesObjectApi,
  PatchStrategy,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

interface CrdNames {
  group: string;
  version: string;
  kind: string;
  plural: string;
}

export const APPLICATION: CrdNames = {
  group: "argoproj.io",
  version: "v1alpha1",
  kind: "Application",
  plural: "applications",
};
export const KUSTOMIZATION: CrdNames = {
  group: "kustomize.toolkit.fluxcd.io",
  version: "v1",
  kind: "Kustomization",
  plural: "kustomizations",
};

function crd(names: CrdNames) {
  // client-node serializes a CRD through its model: x-kubernetes-preserve-unknown-fields by its TypeScript name.
  const free = { type: "object", x_kubernetes_preserve_unknown_fields: true };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${names.plural}.${names.group}` },
    spec: {
      group: names.group,
      scope: "Namespaced",
      names: {
        kind: names.kind,
        plural: names.plural,
        singular: names.kind.toLowerCase(),
        listKind: `${names.kind}List`,
      },
      versions: [
        {
          name: names.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", properties: { spec: free, status: free } } },
        },
      ],
    },
  };
}

/** Installs both CRDs and waits until the API server serves them. */
export async function installEngineCrds(admin: KubernetesObjectApi): Promise<void> {
  for (const names of [APPLICATION, KUSTOMIZATION]) await admin.create(crd(names));
  const deadline = Date.now() + 60_000;
  for (const names of [APPLICATION, KUSTOMIZATION]) {
    for (;;) {
      const read = (await admin.read({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${names.plural}.${names.group}` },
      })) as { status?: { conditions?: { type: string; status: string }[] } };
      if (read.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`${names.plural}.${names.group} was not established within 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Applies deploy/gitops/role-sync-reader.yaml (its namespaces must exist): tollgate's only access to the engines. */
export async function applySyncReaderRole(admin: KubernetesObjectApi): Promise<void> {
  const file = join(import.meta.dirname, "../../../deploy/gitops/role-sync-reader.yaml");
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const object = doc.toJS() as KubernetesObject;
    await admin.patch(object, undefined, undefined, "tollgate-tests", true, PatchStrategy.ServerSideApply);
  }
}

/** One engine object a test creates and then updates the status of, as the engine would. */
export class PlayedEngine {
  private readonly custom: CustomObjectsApi;

  constructor(
    config: KubeConfig,
    private readonly names: CrdNames,
    readonly namespace: string,
    readonly name: string,
  ) {
    this.custom = config.makeApiClient(CustomObjectsApi);
  }

  async create(admin: KubernetesObjectApi, spec: Record<string, unknown>): Promise<void> {
    await admin
      .create({ apiVersion: "v1", kind: "Namespace", metadata: { name: this.namespace } })
      .catch((error: { code?: number }) => {
        if (error.code !== 409) throw error;
      });
    await admin.create({
      apiVersion: `${this.names.group}/${this.names.version}`,
      kind: this.names.kind,
      metadata: { name: this.name, namespace: this.namespace },
      spec,
    } as Parameters<KubernetesObjectApi["create"]>[0]);
  }

  /** Writes the status subresource, as the engine's controller does. */
  async setStatus(status: Record<string, unknown>): Promise<void> {
    const where = {
      group: this.names.group,
      version: this.names.version,
      namespace: this.namespace,
      plural: this.names.plural,
      name: this.name,
    };
    const current = (await this.custom.getNamespacedCustomObject(where)) as Record<string, unknown>;
    await this.custom.replaceNamespacedCustomObjectStatus({ ...where, body: { ...current, status } });
  }
}

/** What Argo CD writes once it applied `revision` (health as given). */
export function argoStatus(revision: string, health: "Healthy" | "Progressing" | "Degraded"): Record<string, unknown> {
  return { sync: { status: "Synced", revision }, health: { status: health } };
}

/** What Flux's kustomize-controller writes once it applied `revision` from branch main. */
export function fluxStatus(revision: string, ready: boolean, observedGeneration = 1): Record<string, unknown> {
  return {
    observedGeneration,
    lastAppliedRevision: `main@sha1:${revision}`,
    conditions: [
      {
        type: "Ready",
        status: ready ? "True" : "False",
        reason: ready ? "ReconciliationSucceeded" : "Progressing",
        message: ready ? `Applied revision: main@sha1:${revision}` : "Reconciliation in progress",
        lastTransitionTime: "2026-11-24T10:00:00Z",
      },
    ],
  };
}
