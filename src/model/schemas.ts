import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { type InputProblem, InvalidInputError } from "./errors.ts";
import { loadPrecompiledValidators, SCHEMA_DIR } from "./precompiled-schemas.ts";
import { newSchemaRegistry } from "./schema-registry.ts";
import type { FieldPath, YamlSource } from "./yaml-source.ts";

export { SCHEMA_DIR } from "./precompiled-schemas.ts";

let ajv: Ajv2020 | undefined;
let precompiled: Map<string, ValidateFunction> | undefined | null = null;
const compiled = new Map<string, ValidateFunction>();

/** The validator of a schema reference: precompiled by the build when it can be, else compiled here. */
function validatorOf(ref: string): ValidateFunction | undefined {
  if (precompiled === null) precompiled = loadPrecompiledValidators();
  const ready = precompiled?.get(ref);
  if (ready) return ready;
  ajv ??= newSchemaRegistry(SCHEMA_DIR);
  return ajv.getSchema(ref);
}

/** The compiled validator of `schemas/<name>.schema.json`. */
export function validatorFor(name: string): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = validatorOf(`${name}.schema.json`);
    if (!validate) throw new Error(`no schema named ${name}.schema.json in ${SCHEMA_DIR}`);
    compiled.set(name, validate);
  }
  return validate;
}

/** Validates a parsed file against its schema; returns problems naming file, line and field. */
export function schemaProblems(name: string, source: YamlSource): InputProblem[] {
  const validate = validatorFor(name);
  if (validate(source.value)) return [];
  return explainErrors(validate.errors ?? [], source);
}

/**
 * Validates one field of a parsed file against a definition of a schema, e.g.
 * `common.schema.json#/$defs/artifact`; problems name the field's full path.
 */
export function definitionProblems(ref: string, source: YamlSource, path: FieldPath): InputProblem[] {
  const validate = validatorOf(ref);
  if (!validate) throw new Error(`no schema definition ${ref}`);
  let value: unknown = source.value;
  for (const segment of path) value = (value as Record<string | number, unknown> | undefined)?.[segment];
  if (validate(value)) return [];
  return explainErrors(validate.errors ?? [], source, path);
}

/**
 * Validates a parsed JSON document (canonical JSON is one line, so problems name the file and the
 * field without a line).
 */
export function jsonProblems(name: string, value: unknown, file: string): InputProblem[] {
  const validate = validatorFor(name);
  if (validate(value)) return [];
  return explainErrors(validate.errors ?? [], { file });
}

/** Validates and narrows, or throws InvalidInputError. */
export function assertValid<T>(name: string, source: YamlSource): T {
  const problems = schemaProblems(name, source);
  if (problems.length > 0) throw new InvalidInputError(problems);
  return source.value as T;
}

function explainErrors(
  errors: ErrorObject[],
  source: { file: string; locate?: YamlSource["locate"] },
  prefix: FieldPath = [],
): InputProblem[] {
  // anyOf/oneOf report every branch; keep the most specific (deepest) errors per location.
  const deepest = errors.filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf" && e.keyword !== "if");
  const chosen = deepest.length > 0 ? deepest : errors;
  const seen = new Set<string>();
  const problems: InputProblem[] = [];
  for (const error of chosen) {
    const path = [...prefix, ...pointerToPath(error.instancePath)];
    const { fieldPath, message, at } = describe(error, path);
    const key = `${fieldPath.join("/")}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file: source.file, ...source.locate?.(fieldPath, at), field: formatFieldPath(fieldPath), message });
  }
  return problems;
}

function describe(error: ErrorObject, path: FieldPath): { fieldPath: FieldPath; message: string; at: "key" | "value" } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return {
        fieldPath: [...path, String(params.additionalProperty)],
        message: `unknown field "${String(params.additionalProperty)}"`,
        at: "key",
      };
    case "required":
      return {
        fieldPath: [...path, String(params.missingProperty)],
        message: `missing required field "${String(params.missingProperty)}"`,
        at: "value",
      };
    case "propertyNames":
      return {
        fieldPath: [...path, String(params.propertyName)],
        message: `unknown name "${String(params.propertyName)}"`,
        at: "key",
      };
    case "enum":
      return {
        fieldPath: path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        at: "value",
      };
    case "const":
      return { fieldPath: path, message: `must be ${JSON.stringify(params.allowedValue)}`, at: "value" };
    case "pattern":
      return {
        fieldPath: path,
        message: `has an invalid format (expected to match ${String(params.pattern)})`,
        at: "value",
      };
    default:
      return { fieldPath: path, message: error.message ?? error.keyword, at: "value" };
  }
}

function pointerToPath(pointer: string): FieldPath {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `rollout.steps[2].weight` */
export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out || "(document)";
}
