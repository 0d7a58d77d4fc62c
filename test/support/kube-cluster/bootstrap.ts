/**
 * What the platform team does before tollgate runs, with the admin token: apply deploy/ (the
 * workload Role and its binding copied into every namespace tollgate deploys to, as role-workloads.yaml
 * says) and install the Gateway API standard CRDs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type KubernetesObject, type KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import { parse, parseAllDocuments } from "yaml";

const DEPLOY = join(import.meta.dirname, "../../../deploy");
const SETUP_MANAGER = "tollgate-test-setup";
const PER_NAMESPACE = "role-workloads.yaml";

type Doc = Record<string, unknown> & KubernetesObject;

function documents(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

async function apply(admin: KubernetesObjectApi, doc: KubernetesObject): Promise<void> {
  await admin.patch(doc, undefined, undefined, SETUP_MANAGER, true, PatchStrategy.ServerSideApply);
}

/** Applies every file of deploy/kustomization.yaml; `edit` may rewrite each document first. */
export async function applyDeployManifests(
  admin: KubernetesObjectApi,
  workloadNamespaces: string[],
  edit: (doc: Doc) => Record<string, unknown> = (doc) => doc,
): Promise<void> {
  for (const namespace of workloadNamespaces) {
    await apply(admin, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  }
  const kustomization = parse(readFileSync(join(DEPLOY, "kustomization.yaml"), "utf8")) as { resources: string[] };
  for (const file of kustomization.resources) {
    for (const doc of documents(join(DEPLOY, file))) {
      const copies =
        file === PER_NAMESPACE
          ? workloadNamespaces.map((namespace) => ({ ...doc, metadata: { ...doc.metadata, namespace } }))
          : [doc];
      for (const copy of copies) await apply(admin, edit(copy) as Doc);
    }
  }
}

async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Applies the manifests of config/crd/standard and waits until the CRDs are established and served. */
export async function installGatewayApi(admin: KubernetesObjectApi, moduleDir: string): Promise<void> {
  const dir = join(moduleDir, "config/crd/standard");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const crds: string[] = [];
  for (const file of files) {
    for (const doc of documents(join(dir, file))) {
      await apply(admin, doc);
      if (doc.kind === "CustomResourceDefinition") crds.push(doc.metadata?.name ?? "");
    }
  }
  if (!crds.includes("httproutes.gateway.networking.k8s.io"))
    throw new Error(`no HTTPRoute CRD in ${dir} (found: ${crds.join(", ")})`);
  for (const name of crds) {
    await poll(`CRD ${name} established`, async () => {
      const crd = await admin.read<KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } }>(
        { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name } },
      );
      return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
    });
  }
  await poll("HTTPRoutes served", async () => {
    await admin.list("gateway.networking.k8s.io/v1", "HTTPRoute", "default");
    return true;
  });
}
