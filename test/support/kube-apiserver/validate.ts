/**
 * Validation of every object the stand-in stores: the Kubernetes OpenAPI schemas shipped by
 * `kubernetes-models` for the built-in kinds, a JSON Schema written from the Gateway API CRD for
 * HTTPRoute, and the semantic checks the real API server adds (names, label syntax, selector matches
 * template, immutable fields, ConfigMap keys, MicroTime format).
 */
import { Ajv } from "ajv";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Lease } from "kubernetes-models/coordination.k8s.io/v1/Lease";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { deepEqual, isObject, type JsonObject } from "./fields.ts";
import type { ResourceType } from "./resources.ts";
import type { FieldError } from "./status.ts";

interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

interface Validatable {
  validate(): void;
}

type ModelClass = new (data: never) => Validatable;

const MODELS: Record<string, ModelClass> = {
  Deployment: Deployment as unknown as ModelClass,
  Lease: Lease as unknown as ModelClass,
  ConfigMap: ConfigMap as unknown as ModelClass,
  Namespace: Namespace as unknown as ModelClass,
  Service: Service as unknown as ModelClass,
};

/** From the Gateway API v1 HTTPRoute CRD: the fields tollgate and the tests touch, with their bounds. */
const HTTP_ROUTE_SCHEMA = {
  type: "object",
  required: ["spec"],
  properties: {
    spec: {
      type: "object",
      properties: {
        parentRefs: {
          type: "array",
          maxItems: 32,
          items: {
            type: "object",
            required: ["name"],
            properties: {
              group: { type: "string", maxLength: 253 },
              kind: { type: "string", minLength: 1, maxLength: 63 },
              namespace: { type: "string", minLength: 1, maxLength: 63 },
              name: { type: "string", minLength: 1, maxLength: 253 },
              sectionName: { type: "string", minLength: 1, maxLength: 253 },
              port: { type: "integer", minimum: 1, maximum: 65535 },
            },
          },
        },
        hostnames: { type: "array", maxItems: 16, items: { type: "string", minLength: 1, maxLength: 253 } },
        rules: {
          type: "array",
          maxItems: 16,
          items: {
            type: "object",
            properties: {
              name: { type: "string", minLength: 1, maxLength: 253 },
              matches: { type: "array", maxItems: 64, items: { type: "object" } },
              filters: { type: "array", maxItems: 16, items: { type: "object" } },
              backendRefs: {
                type: "array",
                maxItems: 16,
                items: {
                  type: "object",
                  required: ["name"],
                  properties: {
                    group: { type: "string", maxLength: 253 },
                    kind: { type: "string", minLength: 1, maxLength: 63 },
                    name: { type: "string", minLength: 1, maxLength: 253 },
                    namespace: { type: "string", minLength: 1, maxLength: 63 },
                    port: { type: "integer", minimum: 1, maximum: 65535 },
                    weight: { type: "integer", minimum: 0, maximum: 1000000 },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validateHttpRoute = ajv.compile(HTTP_ROUTE_SCHEMA);

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
function fieldOf(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").filter((p) => p !== "");
  if (extra) parts.push(extra);
  let out = "";
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === "" ? p : `.${p}`;
  return out || "<root>";
}

function fromSchemaErrors(errors: SchemaError[]): FieldError[] {
  return errors.map((e) =>
    e.keyword === "required"
      ? { field: fieldOf(e.instancePath, String(e.params["missingProperty"])), type: "Required value", detail: "" }
      : { field: fieldOf(e.instancePath), type: "Invalid value", detail: e.message ?? e.keyword },
  );
}

function schemaErrors(r: ResourceType, object: JsonObject): FieldError[] {
  if (r.kind === "HTTPRoute") {
    return validateHttpRoute(object) ? [] : fromSchemaErrors((validateHttpRoute.errors ?? []) as SchemaError[]);
  }
  const Model = MODELS[r.kind];
  if (!Model) return [];
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!errors) throw error;
    return fromSchemaErrors(errors);
  }
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
/** metav1.MicroTime is parsed with the layout 2006-01-02T15:04:05.000000Z07:00: exactly six fraction digits. */
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

function checkName(r: ResourceType, name: unknown): FieldError[] {
  if (typeof name !== "string" || name === "")
    return [{ field: "metadata.name", type: "Required value", detail: "name or generateName is required" }];
  if (r.kind === "Service") {
    if (name.length > 63 || !DNS_1035_LABEL.test(name)) {
      return [
        {
          field: "metadata.name",
          type: "Invalid value",
          value: name,
          detail:
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        },
      ];
    }
    return [];
  }
  if (name.length > 253 || !DNS_1123_SUBDOMAIN.test(name)) {
    return [
      {
        field: "metadata.name",
        type: "Invalid value",
        value: name,
        detail:
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      },
    ];
  }
  return [];
}

function checkLabelKey(field: string, key: string): FieldError[] {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const ok =
    (prefix === undefined || (prefix.length <= 253 && DNS_1123_SUBDOMAIN.test(prefix))) &&
    name.length <= 63 &&
    QUALIFIED_NAME.test(name);
  return ok
    ? []
    : [
        {
          field,
          type: "Invalid value",
          value: key,
          detail:
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        },
      ];
}

function checkLabels(field: string, labels: unknown): FieldError[] {
  if (!isObject(labels)) return [];
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    out.push(...checkLabelKey(field, k));
    if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) {
      out.push({
        field,
        type: "Invalid value",
        value: v,
        detail:
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)",
      });
    }
  }
  return out;
}

function checkDeployment(object: JsonObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = isObject(object["spec"]) ? object["spec"] : {};
  const template = isObject(spec["template"]) ? spec["template"] : {};
  const templateMeta = isObject(template["metadata"]) ? template["metadata"] : {};
  const templateLabels = isObject(templateMeta["labels"]) ? templateMeta["labels"] : {};
  out.push(...checkLabels("spec.template.metadata.labels", templateLabels));
  const selector = isObject(spec["selector"]) ? spec["selector"] : undefined;
  const matchLabels = selector && isObject(selector["matchLabels"]) ? selector["matchLabels"] : undefined;
  if (!selector || !matchLabels || Object.keys(matchLabels).length === 0) {
    out.push({
      field: "spec.selector",
      type: "Invalid value",
      value: selector ?? {},
      detail: "empty selector is invalid for deployment",
    });
  } else if (!Object.entries(matchLabels).every(([k, v]) => templateLabels[k] === v)) {
    out.push({
      field: "spec.template.metadata.labels",
      type: "Invalid value",
      value: templateLabels,
      detail: "`selector` does not match template `labels`",
    });
  }
  if (typeof spec["replicas"] === "number" && spec["replicas"] < 0) {
    out.push({
      field: "spec.replicas",
      type: "Invalid value",
      value: spec["replicas"],
      detail: "must be greater than or equal to 0",
    });
  }
  const podSpec = isObject(template["spec"]) ? template["spec"] : {};
  const containers = Array.isArray(podSpec["containers"]) ? (podSpec["containers"] as JsonObject[]) : [];
  if (containers.length === 0) out.push({ field: "spec.template.spec.containers", type: "Required value", detail: "" });
  const volumes = Array.isArray(podSpec["volumes"]) ? (podSpec["volumes"] as JsonObject[]) : [];
  const volumeNames = new Set(volumes.map((v) => v["name"]));
  containers.forEach((c, i) => {
    const at = `spec.template.spec.containers[${i}]`;
    if (typeof c["name"] !== "string" || !DNS_1123_LABEL.test(c["name"])) {
      out.push({
        field: `${at}.name`,
        type: "Invalid value",
        value: c["name"],
        detail: "a lowercase RFC 1123 label is required",
      });
    }
    if (typeof c["image"] !== "string" || c["image"].trim() === "")
      out.push({ field: `${at}.image`, type: "Required value", detail: "" });
    const ports = Array.isArray(c["ports"]) ? (c["ports"] as JsonObject[]) : [];
    ports.forEach((p, j) => {
      out.push(...checkPort(`${at}.ports[${j}].containerPort`, p["containerPort"]));
    });
    const mounts = Array.isArray(c["volumeMounts"]) ? (c["volumeMounts"] as JsonObject[]) : [];
    mounts.forEach((m, j) => {
      if (!volumeNames.has(m["name"]))
        out.push({ field: `${at}.volumeMounts[${j}].name`, type: "Not found", value: m["name"], detail: "" });
    });
  });
  return out;
}

function checkPort(field: string, port: unknown): FieldError[] {
  if (typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535) return [];
  return [{ field, type: "Invalid value", value: port, detail: "must be between 1 and 65535, inclusive" }];
}

function checkService(object: JsonObject): FieldError[] {
  const spec = isObject(object["spec"]) ? object["spec"] : {};
  const ports = Array.isArray(spec["ports"]) ? (spec["ports"] as JsonObject[]) : [];
  return ports.flatMap((p, i) => checkPort(`spec.ports[${i}].port`, p["port"]));
}

function checkConfigMap(object: JsonObject): FieldError[] {
  const out: FieldError[] = [];
  const data = isObject(object["data"]) ? object["data"] : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    if (!CONFIG_KEY.test(k) || k.length > 253) {
      out.push({
        field: "data",
        type: "Invalid value",
        value: k,
        detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
      });
    }
    size += k.length + String(v).length;
  }
  if (size > 1024 * 1024) out.push({ field: "data", type: "Too long", detail: "must have at most 1048576 bytes" });
  return out;
}

/** Everything the server checks about an object before it stores it. */
export function validateObject(r: ResourceType, object: JsonObject): FieldError[] {
  const metadata = isObject(object["metadata"]) ? object["metadata"] : {};
  const out = [
    ...checkName(r, metadata["name"]),
    ...checkLabels("metadata.labels", metadata["labels"]),
    ...schemaErrors(r, object),
  ];
  if (r.kind === "Deployment") out.push(...checkDeployment(object));
  if (r.kind === "ConfigMap") out.push(...checkConfigMap(object));
  if (r.kind === "Service") out.push(...checkService(object));
  return out;
}

/** Checks that compare the new object with the stored one. */
export function validateUpdate(r: ResourceType, before: JsonObject, after: JsonObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = (o: JsonObject): JsonObject => (isObject(o["spec"]) ? o["spec"] : {});
  if (r.kind === "Deployment" && !deepEqual(spec(before)["selector"], spec(after)["selector"])) {
    out.push({
      field: "spec.selector",
      type: "Invalid value",
      value: spec(after)["selector"],
      detail: "field is immutable",
    });
  }
  if (r.kind === "ConfigMap" && before["immutable"] === true) {
    if (!deepEqual(before["data"], after["data"]) || !deepEqual(before["binaryData"], after["binaryData"])) {
      out.push({ field: "data", type: "Forbidden", detail: "field is immutable when `immutable` is set" });
    }
    if (after["immutable"] !== true)
      out.push({ field: "immutable", type: "Forbidden", detail: "field is immutable when `immutable` is set" });
  }
  if (
    r.kind === "Service" &&
    spec(before)["clusterIP"] !== undefined &&
    spec(before)["clusterIP"] !== spec(after)["clusterIP"]
  ) {
    out.push({
      field: "spec.clusterIP",
      type: "Invalid value",
      value: spec(after)["clusterIP"],
      detail: "field is immutable",
    });
  }
  return out;
}

/**
 * Decoding errors (400, before validation): a Lease time that is not a MicroTime with six fraction
 * digits cannot be decoded by the real server (a JavaScript Date's toISOString has three).
 */
export function decodeProblem(r: ResourceType, object: JsonObject): string | undefined {
  if (r.kind !== "Lease" || !isObject(object["spec"])) return undefined;
  for (const field of ["acquireTime", "renewTime"]) {
    const value = object["spec"][field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" || !MICRO_TIME.test(value)) {
      return `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse as RFC3339 with microseconds (field spec.${field})`;
    }
  }
  return undefined;
}
