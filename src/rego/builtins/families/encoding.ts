/** Encodings: hex.*, urlquery.* (Go's net/url escaping), yaml.* (YAML 1.2 via the yaml package). */
import { parseAllDocuments, stringify, YAMLParseError } from "yaml";
import { builtinError, Operands, operandError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { isObject, NumberText, type Obj, objectEntries, RegoSet, typeName, type Value } from "../value.ts";
import { goJson } from "./objects.ts";

/** Go's url.QueryEscape: unreserved bytes kept, space as "+", the rest %XX. */
export function queryEscape(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Go's url.QueryUnescape. */
function queryUnescape(name: string, s: string): string {
  const bytes: number[] = [];
  const raw = Buffer.from(s, "utf8");
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === 0x25) {
      const hex = raw.subarray(i + 1, i + 3).toString("latin1");
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        throw builtinError(name, `invalid URL escape ${JSON.stringify(raw.subarray(i, i + 3).toString("latin1"))}`);
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(b === 0x2b ? 0x20 : b);
  }
  return Buffer.from(bytes).toString("utf8");
}

function hexDecode(s: string): string {
  const name = "hex.decode";
  for (let i = 0; i < s.length; i++) {
    if (!/[0-9a-fA-F]/.test(s[i]!)) {
      const cp = s.codePointAt(i)!;
      throw builtinError(
        name,
        `encoding/hex: invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(String.fromCodePoint(cp)).replace(/^"|"$/g, "'")}`,
      );
    }
  }
  if (s.length % 2 === 1) throw builtinError(name, "encoding/hex: odd length hex string");
  return Buffer.from(s, "hex").toString("utf8");
}

const yamlIsValid: BuiltinImpl = ([text]) => {
  if (typeof text !== "string") return false;
  try {
    return parseAllDocuments(text).every((doc) => doc.errors.length === 0);
  } catch {
    return false;
  }
};

/** YAML text to a value (YAML 1.2 core schema; an empty document is null). */
function yamlUnmarshal(text: string): Value {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (!doc) return null;
  const error = doc.errors[0];
  if (error) {
    const line = error instanceof YAMLParseError ? (error.linePos?.[0]?.line ?? 1) : 1;
    const what = error.code === "MISSING_CHAR" ? "did not find expected node content" : error.message.split("\n")[0];
    throw builtinError("yaml.unmarshal", `yaml: line ${line}: ${what}`);
  }
  return toValue(doc.toJS({ maxAliasCount: 100 }) as unknown);
}

function toValue(v: unknown): Value {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toValue(x)]));
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toValue(x)]));
  return v as Value;
}

/** Rego value to the plain data the yaml package writes (sets as sequences). */
function toPlain(v: Value): unknown {
  if (v instanceof RegoSet) return v.items.map(toPlain);
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof NumberText) return Number(v.text);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(objectEntries(v).map(([k, x]) => [goJson(k), toPlain(x)]));
  return v;
}

export const ENCODING: Record<string, BuiltinImpl> = {
  "yaml.unmarshal": (args) => yamlUnmarshal(new Operands("yaml.unmarshal", args).string(1)),
  "yaml.marshal": (args) => stringify(toPlain(new Operands("yaml.marshal", args).any(1)), { sortMapEntries: true }),
  "hex.encode": (args) => Buffer.from(new Operands("hex.encode", args).string(1), "utf8").toString("hex"),
  "hex.decode": (args) => hexDecode(new Operands("hex.decode", args).string(1)),
  "urlquery.encode": (args) => queryEscape(new Operands("urlquery.encode", args).string(1)),
  "urlquery.decode": (args) => queryUnescape("urlquery.decode", new Operands("urlquery.decode", args).string(1)),
  "urlquery.encode_object": (args) => {
    const name = "urlquery.encode_object";
    const obj = new Operands(name, args).plainObject(1);
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v: Value = obj[key]!;
      const values = typeof v === "string" ? [v] : Array.isArray(v) ? v : v instanceof RegoSet ? v.items : undefined;
      if (!values || values.some((x) => typeof x !== "string")) {
        throw operandError(
          name,
          1,
          `must be object of strings, arrays of strings or sets of strings but got ${typeName(v)}`,
        );
      }
      for (const x of values) parts.push(`${queryEscape(key)}=${queryEscape(x as string)}`);
    }
    return parts.join("&");
  },
  "urlquery.decode_object": (args) => {
    const name = "urlquery.decode_object";
    const s = new Operands(name, args).string(1);
    const out: Obj = {};
    for (const part of s.split(/[&]/)) {
      if (part === "") continue;
      if (part.includes(";")) throw builtinError(name, "invalid semicolon separator in query");
      const eq = part.indexOf("=");
      const key = queryUnescape(name, eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? "" : queryUnescape(name, part.slice(eq + 1));
      const list = out[key];
      if (Array.isArray(list)) list.push(value);
      else out[key] = [value];
    }
    return out;
  },
  "yaml.is_valid": yamlIsValid,
};
