/**
 * The schemas' validators compiled ahead of time, so that a start of the installed tool does not
 * compile them (ajv's compile was most of `tollgate validate`'s start-up). `npm run build` writes
 * dist/model/schema-validators.cjs: ajv's standalone code of the very validators schemas.ts would
 * compile, with the digest of the schema files it was made from. At run time it is used when it
 * sits beside this module and matches the schema files; otherwise (a clone running the sources, or
 * schemas edited since the build) the schemas are compiled as before.
 *
 *   node dist/model/precompiled-schemas.js dist/model/schema-validators.cjs
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { newSchemaRegistry, schemaFileNames } from "./schema-registry.ts";

/** The folder holding one JSON Schema per file kind tollgate reads or writes. */
export const SCHEMA_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));

/** Where the build writes the precompiled validators: beside this module (in dist/model/). */
export const PRECOMPILED_FILE = fileURLToPath(new URL("./schema-validators.cjs", import.meta.url));

/** Schema definitions validated on their own (definitionProblems), precompiled besides every file's schema. */
const DEFINITIONS = ["common.schema.json#/$defs/artifact"];

/** SHA-256 over the schema files' names and contents: which schemas a precompiled module was made from. */
export function schemaDigest(dir: string): string {
  const hash = createHash("sha256");
  for (const name of schemaFileNames(dir))
    hash
      .update(`${name}\0`)
      .update(readFileSync(`${dir}${name}`))
      .update("\0");
  return hash.digest("hex");
}

/** Writes the standalone validators of every schema file and of DEFINITIONS to `out` (atomically). */
export async function writePrecompiledValidators(out: string, dir: string = SCHEMA_DIR): Promise<void> {
  // CommonJS: module.exports is the function, and also its `default`.
  const standaloneCode = (await import("ajv/dist/standalone/index.js")).default.default;
  const ajv = newSchemaRegistry(dir, { source: true });
  const refs = Object.fromEntries([...schemaFileNames(dir), ...DEFINITIONS].map((ref) => [ref, ref]));
  const code = `${standaloneCode(ajv, refs)}\nexports["tollgate:schemaDigest"] = ${JSON.stringify(schemaDigest(dir))};\n`;
  writeFileSync(`${out}.tmp`, code);
  renameSync(`${out}.tmp`, out);
}

/**
 * The precompiled validators by schema reference (`environment.schema.json`,
 * `common.schema.json#/$defs/artifact`), or undefined when there are none or they were made from
 * other schema files than `dir` holds.
 */
export function loadPrecompiledValidators(
  file: string = PRECOMPILED_FILE,
  dir: string = SCHEMA_DIR,
): Map<string, ValidateFunction> | undefined {
  if (!existsSync(file)) return undefined;
  const exported = createRequire(import.meta.url)(file) as Record<string, unknown>;
  if (exported["tollgate:schemaDigest"] !== schemaDigest(dir)) return undefined;
  const validators = new Map<string, ValidateFunction>();
  for (const [ref, value] of Object.entries(exported)) {
    if (typeof value === "function") validators.set(ref, value as ValidateFunction);
  }
  return validators;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? PRECOMPILED_FILE;
  await writePrecompiledValidators(out);
  process.stdout.write(`wrote ${out}\n`);
}
