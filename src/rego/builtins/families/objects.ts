/**
 * Structured values: object.subset, json.patch (RFC 6902 over Rego values, sets included),
 * json.marshal_with_options, graph.reachable and graph.reachable_paths.
 */
import { builtinError, Operands, operandError, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import {
  compareValues,
  equalValues,
  isObject,
  makeObject,
  makeSet,
  NumberText,
  type Obj,
  objectEntries,
  RegoObject,
  RegoSet,
  typeName,
  type Value,
} from "../value.ts";

// ---------------------------------------------------------------- object.subset

function lookup(o: Obj | RegoObject, key: Value): Value | undefined {
  if (o instanceof RegoObject) return o.entries.find(([k]) => equalValues(k, key))?.[1];
  return typeof key === "string" && Object.hasOwn(o, key) ? o[key] : undefined;
}

function isSubset(sup: Value, sub: Value): boolean {
  if (typeName(sup) === "object" && typeName(sub) === "object") {
    return objectEntries(sub as Obj | RegoObject).every(([k, v]) => {
      const s = lookup(sup as Obj | RegoObject, k);
      return s !== undefined && isSubset(s, v);
    });
  }
  if (sup instanceof RegoSet && sub instanceof RegoSet)
    return sub.items.every((x) => sup.items.some((y) => equalValues(x, y)));
  if (Array.isArray(sup) && Array.isArray(sub)) {
    if (sub.length === 0) return true;
    for (let i = 0; i + sub.length <= sup.length; i++)
      if (sub.every((x, j) => equalValues(sup[i + j]!, x))) return true;
    return false;
  }
  if (Array.isArray(sup) && sub instanceof RegoSet) return sub.items.every((x) => sup.some((y) => equalValues(x, y)));
  return equalValues(sup, sub);
}

const subset: BuiltinImpl = (args) => {
  const name = "object.subset";
  const [sup, sub] = args as [Value, Value];
  const kinds = ["object", "set", "array"];
  if (!kinds.includes(typeName(sup))) throw operandTypeError(name, 1, "one of {object, set, array}", sup);
  if (!kinds.includes(typeName(sub))) throw operandTypeError(name, 2, "one of {object, set, array}", sub);
  const ok = typeName(sup) === typeName(sub) || (Array.isArray(sup) && sub instanceof RegoSet);
  if (!ok) throw builtinError(name, "both arguments object.subset must be of the same type or array and set");
  return isSubset(sup, sub);
};

// ---------------------------------------------------------------- json.patch

class PatchError extends Error {}

function pathOf(v: Value): Value[] {
  if (typeof v === "string") {
    // as OPA: "" is the whole document; leading slashes are dropped, so "/" is the key ""
    if (v === "") return [];
    return v
      .replace(/^\/+/, "")
      .split("/")
      .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(v)) return v;
  throw new PatchError("path must be a string or an array");
}

function arrayIndex(key: Value, length: number, append: boolean): number {
  if (append && key === "-") return length;
  const n =
    typeof key === "string" && /^(0|[1-9]\d*)$/.test(key) ? Number(key) : typeof key === "number" ? key : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > (append ? length : length - 1)) throw new PatchError("index out of range");
  return n;
}

/** A copy of `doc` with `fn` applied to the value at `path` (fn gets the parent and the last key). */
function update(doc: Value, path: readonly Value[], fn: (parent: Value, key: Value) => Value): Value {
  if (path.length === 0) throw new PatchError("empty path");
  const [key, ...rest] = path as [Value, ...Value[]];
  if (rest.length === 0) return fn(doc, key);
  return replaceChild(doc, key, update(getChild(doc, key), rest, fn));
}

function getChild(doc: Value, key: Value): Value {
  if (Array.isArray(doc)) return doc[arrayIndex(key, doc.length, false)]!;
  if (doc instanceof RegoSet) {
    const found = doc.items.find((x) => equalValues(x, key));
    if (found === undefined) throw new PatchError("missing set element");
    return found;
  }
  if (typeName(doc) === "object") {
    const v = lookup(doc as Obj | RegoObject, key);
    if (v === undefined) throw new PatchError("missing key");
    return v;
  }
  throw new PatchError("path into a scalar");
}

function replaceChild(doc: Value, key: Value, child: Value): Value {
  if (Array.isArray(doc)) {
    const out = [...doc];
    out[arrayIndex(key, doc.length, false)] = child;
    return out;
  }
  if (doc instanceof RegoSet) return makeSet([...doc.items.filter((x) => !equalValues(x, key)), child]);
  return withKey(doc as Obj | RegoObject, key, child);
}

function withKey(o: Obj | RegoObject, key: Value, v: Value): Value {
  const entries = objectEntries(o).filter(([k]) => !equalValues(k, key));
  entries.push([key, v]);
  return makeObject(entries);
}

function add(doc: Value, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  return update(doc, path, (parent, key) => {
    if (Array.isArray(parent)) {
      const out = [...parent];
      out.splice(arrayIndex(key, parent.length, true), 0, value);
      return out;
    }
    if (parent instanceof RegoSet) {
      // a set member is addressed by itself: the path's last segment must be the value
      if (!equalValues(key, value)) throw new PatchError("set member and path differ");
      return makeSet([...parent.items, value]);
    }
    if (typeName(parent) === "object") return withKey(parent as Obj | RegoObject, key, value);
    throw new PatchError("add into a scalar");
  });
}

function remove(doc: Value, path: readonly Value[]): Value {
  return update(doc, path, (parent, key) => {
    if (Array.isArray(parent)) {
      const i = arrayIndex(key, parent.length, false);
      return [...parent.slice(0, i), ...parent.slice(i + 1)];
    }
    getChild(parent, key);
    if (parent instanceof RegoSet) return new RegoSet(parent.items.filter((x) => !equalValues(x, key)));
    return makeObject(objectEntries(parent as Obj | RegoObject).filter(([k]) => !equalValues(k, key)));
  });
}

function get(doc: Value, path: readonly Value[]): Value {
  let v = doc;
  for (const key of path) v = getChild(v, key);
  return v;
}

function applyPatch(doc: Value, op: Value): Value {
  if (!isObject(op)) throw new PatchError("a patch operation must be an object");
  const field = (k: string): Value => {
    if (!Object.hasOwn(op, k)) throw new PatchError(`missing ${k}`);
    return op[k]!;
  };
  const path = pathOf(field("path"));
  switch (field("op")) {
    case "add":
      return add(doc, path, field("value"));
    case "remove":
      return remove(doc, path);
    case "replace":
      get(doc, path);
      if (path.length === 0) return field("value");
      return add(remove(doc, path), path, field("value"));
    case "move": {
      const from = pathOf(field("from"));
      const v = get(doc, from);
      return add(remove(doc, from), path, v);
    }
    case "copy":
      return add(doc, path, get(doc, pathOf(field("from"))));
    case "test":
      if (!equalValues(get(doc, path), field("value"))) throw new PatchError("test failed");
      return doc;
    default:
      throw new PatchError("unknown op");
  }
}

const patch: BuiltinImpl = (args) => {
  const ops = new Operands("json.patch", args);
  let doc = ops.any(1);
  const patches = ops.collection(2, "array");
  try {
    for (const op of patches) doc = applyPatch(doc, op);
  } catch (error) {
    if (error instanceof PatchError) return undefined;
    throw error;
  }
  return doc;
};

// ---------------------------------------------------------------- json.marshal_with_options

/** Go's encoding/json text of a value (HTML-safe escaping, sets as arrays, keys sorted). */
export function goJson(v: Value, indent?: { prefix: string; indent: string }, depth = 0): string {
  const nl = indent ? `\n${indent.prefix}${indent.indent.repeat(depth + 1)}` : "";
  const close = indent ? `\n${indent.prefix}${indent.indent.repeat(depth)}` : "";
  const colon = indent ? ": " : ":";
  if (v === null || typeof v === "boolean") return String(v);
  if (typeof v === "number" || typeof v === "bigint") return formatGoNumber(v);
  if (v instanceof NumberText) return v.text;
  if (typeof v === "string") return goString(v);
  const items = Array.isArray(v) ? v : v instanceof RegoSet ? v.items : undefined;
  if (items)
    return items.length === 0 ? "[]" : `[${items.map((x) => nl + goJson(x, indent, depth + 1)).join(",")}${close}]`;
  const entries = objectEntries(v as Obj | RegoObject)
    .map(([k, x]) => [typeof k === "string" ? k : goJson(k), x] as [string, Value])
    .sort((a, b) => compareValues(a[0], b[0]));
  if (entries.length === 0) return "{}";
  return `{${entries.map(([k, x]) => `${nl}${goString(k)}${colon}${goJson(x, indent, depth + 1)}`).join(",")}${close}}`;
}

function formatGoNumber(n: number | bigint): string {
  if (typeof n === "bigint" || Number.isInteger(n)) return BigInt(n).toString();
  return String(n);
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const marshalWithOptions: BuiltinImpl = (args) => {
  const name = "json.marshal_with_options";
  const ops = new Operands(name, args);
  const value = ops.any(1);
  const options = ops.plainObject(2);
  let pretty: boolean | undefined;
  let prefix = "";
  let indent = "\t";
  for (const [k, v] of Object.entries(options)) {
    if (k === "pretty") {
      if (typeof v !== "boolean") throw operandError(name, 2, `pretty must be a boolean but got ${typeName(v)}`);
      pretty = v;
    } else if (k === "prefix" || k === "indent") {
      if (typeof v !== "string") throw operandError(name, 2, `${k} must be a string but got ${typeName(v)}`);
      if (k === "prefix") prefix = v;
      else indent = v;
      pretty ??= true;
    } else throw operandError(name, 2, `object contained unknown key ${JSON.stringify(k)}`);
  }
  if (!pretty) return goJson(value);
  return prefix + goJson(value, { prefix, indent });
};

// ---------------------------------------------------------------- graphs

function edges(name: string, graph: Value, node: Value): Value[] {
  const v = lookup(graph as Obj | RegoObject, node);
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (v instanceof RegoSet) return v.items;
  throw builtinError(name, `edges of ${goJson(node)} must be an array or a set but got ${typeName(v)}`);
}

const reachable: BuiltinImpl = (args) => {
  const name = "graph.reachable";
  const ops = new Operands(name, args);
  const graph = ops.object(1);
  const initial = ops.collection(2);
  const seen: Value[] = [];
  const queue = [...initial];
  while (queue.length > 0) {
    const n = queue.shift()!;
    if (seen.some((s) => equalValues(s, n))) continue;
    if (lookup(graph, n) === undefined) continue;
    seen.push(n);
    queue.push(...edges(name, graph, n));
  }
  return makeSet(seen);
};

const reachablePaths: BuiltinImpl = (args) => {
  const name = "graph.reachable_paths";
  const ops = new Operands(name, args);
  const graph = ops.object(1);
  const initial = ops.collection(2);
  const paths: Value[] = [];
  const walk = (node: Value, path: Value[]): void => {
    if (lookup(graph, node) === undefined) {
      if (path.length > 0) paths.push(path);
      return;
    }
    const next = [...path, node];
    const out = edges(name, graph, node).filter((n) => !next.some((p) => equalValues(p, n)));
    if (out.length === 0) paths.push(next);
    for (const n of out) walk(n, next);
  };
  for (const n of initial) walk(n, []);
  return makeSet(paths);
};

export const OBJECTS: Record<string, BuiltinImpl> = {
  "object.subset": subset,
  "json.patch": patch,
  "json.marshal_with_options": marshalWithOptions,
  "graph.reachable": reachable,
  "graph.reachable_paths": reachablePaths,
};
