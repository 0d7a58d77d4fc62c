/**
 * ajv with every schema of a folder registered under its file name, compiled on demand. ajv is
 * required here only when a validator must be compiled: with precompiled validators
 * (precompiled-schemas.ts) a start never loads it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv2020 } from "ajv/dist/2020.js";

const require = createRequire(import.meta.url);

export function schemaFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".schema.json"))
    .sort();
}

/** `source` keeps the generated code, for ajv's standalone output. */
export function newSchemaRegistry(dir: string, options: { source?: boolean } = {}): Ajv2020 {
  const { Ajv2020: Ajv } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  // ajv-formats is CommonJS with `exports.default`.
  const addFormats = (require("ajv-formats") as { default: (ajv: Ajv2020) => Ajv2020 }).default;
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    ...(options.source ? { code: { source: true } } : {}),
  });
  addFormats(ajv);
  for (const name of schemaFileNames(dir)) {
    ajv.addSchema(JSON.parse(readFileSync(`${dir}${name}`, "utf8")) as object, name);
  }
  return ajv;
}
