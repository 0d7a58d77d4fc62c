/**
 * TypeScript types generated from schemas/*.schema.json (json-schema-to-typescript), one file per
 * file kind in test/model/schema-types/. test/model/schema-types.test.ts checks at compile time
 * that the hand-written types of src/ agree with them, and at run time that they are up to date.
 * Write them anew: `node --import tsx test/support/schema-types.ts`.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const SCHEMAS_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));
export const SCHEMA_TYPES_DIR = fileURLToPath(new URL("../model/schema-types/", import.meta.url));

/** Every file kind with a schema: `release` for schemas/release.schema.json. */
export const SCHEMA_KINDS: readonly string[] = readdirSync(SCHEMAS_DIR)
  .filter((f) => f.endsWith(".schema.json"))
  .map((f) => f.replace(/\.schema\.json$/, ""))
  .sort();

const SCHEMA_KEYWORDS = [
  "type",
  "$ref",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "allOf",
  "not",
  "properties",
  "additionalProperties",
  "patternProperties",
  "required",
  "items",
];

/**
 * A schema file, with every subschema that admits any value (only a description) typed `unknown`:
 * the generator would otherwise make it an object.
 */
function readSchema(path: string): Record<string, unknown> {
  const anyValue = (node: Record<string, unknown>) => !SCHEMA_KEYWORDS.some((k) => k in node);
  const mark = (node: unknown, isSchema: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) mark(n, isSchema);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (isSchema && anyValue(record) && !("$defs" in record)) record["tsType"] = "unknown";
    for (const [key, value] of Object.entries(record)) {
      if (key === "properties" || key === "$defs") {
        for (const sub of Object.values(value as object)) mark(sub, true);
      } else if (["additionalProperties", "items", "not", "if", "then", "else"].includes(key)) {
        mark(value, typeof value === "object");
      } else if (["anyOf", "oneOf", "allOf", "prefixItems"].includes(key)) {
        mark(value, true);
      }
    }
  };
  const schema = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  mark(schema, false);
  return schema;
}

/** The generated module of one file kind. */
export async function schemaTypes(kind: string): Promise<string> {
  return compile(readSchema(`${SCHEMAS_DIR}${kind}.schema.json`) as never, kind, {
    cwd: SCHEMAS_DIR,
    bannerComment: `// Generated from schemas/${kind}.schema.json by test/support/schema-types.ts: do not edit.`,
    additionalProperties: false,
    // Item counts are checked by the schema at run time; as types, arrays stay arrays.
    ignoreMinAndMaxItems: true,
    format: false,
    $refOptions: {
      resolve: {
        file: {
          read: (file: { url: string }) => JSON.stringify(readSchema(fileURLToPath(new URL(file.url, "file://")))),
        },
      },
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const kind of SCHEMA_KINDS) writeFileSync(`${SCHEMA_TYPES_DIR}${kind}.ts`, await schemaTypes(kind));
}
