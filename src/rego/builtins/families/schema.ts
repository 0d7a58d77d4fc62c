/**
 * json.verify_schema and json.match_schema: JSON Schema (draft-07 and 2019-09/2020-12 keywords)
 * with ajv, errors reported in the shape OPA returns ({error, type, field, desc}, "(root)" for the
 * document itself) and worded like OPA's for the common keywords.
 */
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";

type AjvConstructor = new (options: object) => { compile(schema: object | boolean): ValidateFunction };
import { builtinError, Operands, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { isObject, type Obj, type Value } from "../value.ts";

const TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

class SchemaError extends Error {}

// ajv is loaded on first use: most policies never validate JSON Schema.
const require = createRequire(import.meta.url);
let ajvClass: AjvConstructor | undefined;

/** A document or schema given as a value or as JSON text. */
function jsonOperand(name: string, ops: Operands, pos: number): unknown {
  const v = ops.any(pos);
  if (typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch (error) {
      throw builtinError(name, `operand ${pos}: ${(error as Error).message}`);
    }
  }
  if (isObject(v) || typeof v === "boolean") return v;
  throw operandTypeError(name, pos, "one of {object, string}", v);
}

/** The "type" values must be JSON types, as OPA's validator words it. */
function checkTypes(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const x of schema) checkTypes(x);
    return;
  }
  if (typeof schema !== "object" || schema === null) return;
  for (const [k, v] of Object.entries(schema)) {
    if (k === "type") {
      for (const t of Array.isArray(v) ? v : [v]) {
        if (typeof t !== "string" || !TYPES.includes(t)) {
          throw new SchemaError(
            `has a primitive type that is NOT VALID -- given: /${String(t)}/ Expected valid values are:[${TYPES.join(" ")}]`,
          );
        }
      }
    } else if (k !== "enum" && k !== "const" && k !== "default" && k !== "examples") checkTypes(v);
  }
}

/** `"enum": []` admits nothing (ajv's meta-schema refuses an empty enum): written as `"not": {}`. */
function withoutEmptyEnums(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutEmptyEnums);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "enum" && Array.isArray(v) && v.length === 0) out.not = {};
    else out[k] = k === "enum" || k === "const" ? v : withoutEmptyEnums(v);
  }
  return out;
}

function compile(schema: unknown): ValidateFunction {
  checkTypes(schema);
  ajvClass ??= (require("ajv") as { default: AjvConstructor }).default;
  const ajv = new ajvClass({ allErrors: true, strict: false, validateFormats: false });
  try {
    return ajv.compile(withoutEmptyEnums(schema) as object);
  } catch (error) {
    throw new SchemaError((error as Error).message);
  }
}

function jsTypeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function describe(e: ErrorObject, data: unknown): { type: string; desc: string; field: string } {
  const path = e.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  const at = path.reduce<unknown>((v, p) => (v as Record<string, unknown>)?.[p], data);
  let field = path.join(".") || "(root)";
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type":
      return {
        type: "invalid_type",
        desc: `Invalid type. Expected: ${String(p.type).replaceAll(",", ", ")}, given: ${jsTypeName(at)}`,
        field,
      };
    case "required":
      return { type: "required", desc: `${String(p.missingProperty)} is required`, field };
    case "enum":
      return {
        type: "enum",
        desc: `${field} must be one of the following: ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(", ")}`,
        field,
      };
    case "const":
      return { type: "const", desc: `${field} does not match: ${JSON.stringify(p.allowedValue)}`, field };
    case "additionalProperties":
      return {
        type: "additional_property_not_allowed",
        desc: `Additional property ${String(p.additionalProperty)} is not allowed`,
        field,
      };
    case "minimum":
      return { type: "number_gte", desc: `Must be greater than or equal to ${String(p.limit)}`, field };
    case "maximum":
      return { type: "number_lte", desc: `Must be less than or equal to ${String(p.limit)}`, field };
    case "minLength":
      return { type: "string_gte", desc: `String length must be greater than or equal to ${String(p.limit)}`, field };
    case "maxLength":
      return { type: "string_lte", desc: `String length must be less than or equal to ${String(p.limit)}`, field };
    case "pattern":
      return { type: "pattern", desc: `Does not match pattern '${String(p.pattern)}'`, field };
    case "minItems":
      return { type: "array_min_items", desc: `Array must have at least ${String(p.limit)} items`, field };
    case "maxItems":
      return { type: "array_max_items", desc: `Array must have at most ${String(p.limit)} items`, field };
    default:
      field ||= "(root)";
      return { type: e.keyword, desc: e.message ?? e.keyword, field };
  }
}

function match(name: string, document: unknown, schema: unknown): Value {
  let validate: ValidateFunction;
  try {
    validate = compile(schema);
  } catch (error) {
    if (error instanceof SchemaError) throw builtinError(name, error.message);
    throw error;
  }
  if (validate(document)) return [true, []];
  const errors: Obj[] = (validate.errors ?? [])
    .filter((e) => !["anyOf", "oneOf", "allOf", "if"].includes(e.keyword) || (validate.errors ?? []).length === 1)
    .map((e) => {
      const { type, desc, field } = describe(e, document);
      return { error: `${field}: ${desc}`, type, field, desc };
    });
  return [false, errors];
}

export const SCHEMA: Record<string, BuiltinImpl> = {
  "json.verify_schema": (args) => {
    const name = "json.verify_schema";
    const schema = jsonOperand(name, new Operands(name, args), 1);
    try {
      compile(schema);
      return [true, null];
    } catch (error) {
      if (error instanceof SchemaError) return [false, `jsonschema: ${error.message}`];
      throw error;
    }
  },
  "json.match_schema": (args) => {
    const name = "json.match_schema";
    const ops = new Operands(name, args);
    return match(name, jsonOperand(name, ops, 1), jsonOperand(name, ops, 2));
  },
};
