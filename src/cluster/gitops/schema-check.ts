/**
 * The rendered objects against the Kubernetes and Gateway API schemas (the OpenAPI schemas of
 * kubernetes-models and @kubernetes-models/gateway-api), so an object the API server would refuse
 * stops the decision before it is committed, naming the object and the field.
 */
import type { KubernetesObject } from "@kubernetes/client-node";

export interface ObjectProblem {
  /** `Deployment agents/support-agent-stable` */
  object: string;
  /** `spec.replicas` */
  field: string;
  message: string;
}

interface Model {
  validate(): void;
}
type ModelClass = new (data: object) => Model;

const MODELS: Record<string, () => Promise<ModelClass>> = {
  "v1/ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap as ModelClass,
  "v1/Service": async () => (await import("kubernetes-models/v1/Service")).Service as ModelClass,
  "apps/v1/Deployment": async () => (await import("kubernetes-models/apps/v1/Deployment")).Deployment as ModelClass,
  "gateway.networking.k8s.io/v1/HTTPRoute": async () =>
    (await import("@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute")).HTTPRoute as ModelClass,
};

const loaded = new Map<string, Promise<ModelClass>>();

function modelOf(apiVersion: string, kind: string): Promise<ModelClass> | undefined {
  const key = `${apiVersion}/${kind}`;
  const load = MODELS[key];
  if (!load) return undefined;
  let model = loaded.get(key);
  if (!model) {
    model = load();
    loaded.set(key, model);
  }
  return model;
}

export function describeObject(object: KubernetesObject): string {
  const m = object.metadata;
  return `${object.kind ?? "(no kind)"} ${m?.namespace ? `${m.namespace}/` : ""}${m?.name ?? "(no name)"}`;
}

/** Every schema problem of every object; an object of a kind tollgate does not render is a problem too. */
export async function objectSchemaProblems(objects: readonly KubernetesObject[]): Promise<ObjectProblem[]> {
  const problems: ObjectProblem[] = [];
  for (const object of objects) {
    const name = describeObject(object);
    const model = modelOf(object.apiVersion ?? "", object.kind ?? "");
    if (!model) {
      problems.push({
        object: name,
        field: "kind",
        message: `${object.apiVersion}/${object.kind} is not a kind tollgate renders`,
      });
      continue;
    }
    const Model = await model;
    try {
      new Model(object).validate();
    } catch (error) {
      const errors = (error as { errors?: { instancePath?: string; message?: string; keyword?: string }[] }).errors;
      if (!errors) throw error;
      const seen = new Set<string>();
      for (const e of errors) {
        // A value of the wrong type also fails its format: one problem per field is enough.
        const field = fieldOf(e.instancePath ?? "");
        if (seen.has(field)) continue;
        seen.add(field);
        problems.push({ object: name, field, message: e.message ?? "invalid" });
      }
    }
  }
  return problems;
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image` */
function fieldOf(pointer: string): string {
  if (pointer === "") return "(object)";
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), "");
}

export function formatObjectProblem(p: ObjectProblem): string {
  return `${p.object}: ${p.message} (field ${p.field})`;
}
