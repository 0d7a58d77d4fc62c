/**
 * Field ownership as server-side apply keeps it: every object field is a path; associative lists
 * (containers by name, ports by port + protocol, ...) are addressed by their keys, other lists are
 * atomic. The paths render both as fieldsV1 (`f:spec`, `k:{"name":"agent"}`) and as the
 * `.spec.template.spec.containers[name="agent"].image` form the server uses in conflict messages.
 */

export type JsonObject = Record<string, unknown>;
export type Segment = string | { key: JsonObject };
export type FieldPath = Segment[];

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Keys of the associative lists of the kinds served, by field name (and parent where it matters). */
function listKeys(names: string[]): string[] | undefined {
  const last = names[names.length - 1];
  switch (last) {
    case "containers":
    case "initContainers":
    case "env":
    case "volumes":
    case "imagePullSecrets":
      return ["name"];
    case "volumeMounts":
      return ["mountPath"];
    case "ports":
      return names.includes("containers") ? ["containerPort", "protocol"] : ["port", "protocol"];
    default:
      return undefined;
  }
}

/** Fields that are the server's, not any manager's. */
function untracked(names: string[]): boolean {
  if (names[0] === "status" || names[0] === "apiVersion" || names[0] === "kind") return true;
  if (names[0] === "metadata" && names.length === 2) {
    return [
      "name",
      "namespace",
      "uid",
      "resourceVersion",
      "generation",
      "creationTimestamp",
      "managedFields",
      "selfLink",
    ].includes(names[1]!);
  }
  return false;
}

function pick(element: JsonObject, keys: string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) {
    // Defaulted keys (a port's protocol) count with their default, as the server defaults before it tracks.
    out[k] = element[k] ?? (k === "protocol" ? "TCP" : undefined);
  }
  return out;
}

export function encodePath(path: FieldPath): string {
  return JSON.stringify(path);
}

export function decodePath(text: string): FieldPath {
  return JSON.parse(text) as FieldPath;
}

/** Every field set in `value` (leaves, and list elements by key), encoded with encodePath. */
export function fieldSet(value: JsonObject): Set<string> {
  const out = new Set<string>();
  walk(value, [], [], out);
  return out;
}

/** Maps and structs owned as a whole: the label selectors of Deployments (a struct) and Services (a map). */
function atomic(names: string[]): boolean {
  return names.length === 2 && names[0] === "spec" && names[1] === "selector";
}

function walk(value: unknown, path: FieldPath, names: string[], out: Set<string>): void {
  if (path.length > 0 && untracked(names)) return;
  if (isObject(value) && !atomic(names)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0 && path.length > 0) out.add(encodePath(path));
    for (const [k, v] of entries) walk(v, [...path, k], [...names, k], out);
    return;
  }
  if (Array.isArray(value)) {
    const keys = listKeys(names);
    if (keys && value.every(isObject)) {
      for (const element of value as JsonObject[]) {
        const elementPath = [...path, { key: pick(element, keys) }];
        out.add(encodePath(elementPath));
        walk(element, elementPath, names, out);
      }
      return;
    }
  }
  out.add(encodePath(path));
}

function matches(element: unknown, key: JsonObject): boolean {
  if (!isObject(element)) return false;
  const keys = Object.keys(key);
  return deepEqual(pick(element, keys), key);
}

export function getAt(root: unknown, path: FieldPath): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof seg === "string") {
      if (!isObject(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (!Array.isArray(cur)) return undefined;
      cur = cur.find((e) => matches(e, seg.key));
    }
  }
  return cur;
}

/** Removes the field (or list element) at `path` from `root`, in place. */
export function deleteAt(root: JsonObject, path: FieldPath): void {
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (typeof last === "string") {
    if (isObject(parent)) delete parent[last];
  } else if (Array.isArray(parent)) {
    const i = parent.findIndex((e) => matches(e, last.key));
    if (i >= 0) parent.splice(i, 1);
  }
}

/** Merges an apply configuration into the live object: maps by field, associative lists by key, the rest replaced. */
export function mergeApplied(live: unknown, applied: unknown, names: string[] = []): unknown {
  if (isObject(live) && isObject(applied)) {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(applied)) {
      if (v === undefined) continue;
      out[k] = mergeApplied(live[k], v, [...names, k]);
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(applied)) {
    const keys = listKeys(names);
    if (keys && live.every(isObject) && applied.every(isObject)) {
      const out: unknown[] = [...live];
      for (const element of applied as JsonObject[]) {
        const i = out.findIndex((e) => matches(e, pick(element, keys)));
        if (i >= 0) out[i] = mergeApplied(out[i], element, names);
        else out.push(clone(element));
      }
      return out;
    }
  }
  return clone(applied);
}

/** Fields whose value differs between two versions of an object (for ownership on updates). */
export function changedFields(before: JsonObject, after: JsonObject): Set<string> {
  const a = fieldSet(before);
  const b = fieldSet(after);
  const out = new Set<string>();
  for (const f of new Set([...a, ...b])) {
    const path = decodePath(f);
    // A list element's own entry stands for its presence; its contents are fields of their own.
    if (isElement(path) ? a.has(f) !== b.has(f) : !deepEqual(getAt(before, path), getAt(after, path))) out.add(f);
  }
  return out;
}

/** The path names a list element (by key) rather than a value. */
export function isElement(path: FieldPath): boolean {
  return path.length > 0 && typeof path[path.length - 1] !== "string";
}

/** `.spec.template.spec.containers[name="agent"].image`, as conflict messages name a field. */
export function describePath(path: FieldPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "string") out += `.${seg}`;
    else {
      const parts = Object.entries(seg.key).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      out += `[${parts.join(",")}]`;
    }
  }
  return out;
}

/** The fieldsV1 document (`{"f:spec":{"f:replicas":{}}}`) of a set of fields. */
export function toFieldsV1(fields: Set<string>): JsonObject {
  const root: JsonObject = {};
  for (const f of [...fields].sort()) {
    let node = root;
    const path = decodePath(f);
    for (const seg of path) {
      const name = typeof seg === "string" ? `f:${seg}` : `k:${JSON.stringify(seg.key)}`;
      node[name] ??= {};
      node = node[name] as JsonObject;
    }
    if (path.length > 0 && typeof path[path.length - 1] !== "string") node["."] = {};
  }
  return root;
}
