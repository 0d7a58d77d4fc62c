/**
 * The validators `npm run build` precompiles (ajv standalone code) judge every document exactly as
 * the ones compiled at run time: the same verdicts and the same errors, on the example repository's
 * files and on broken variants of them. Made from other schema files, they are not used.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { parse } from "yaml";
import {
  loadPrecompiledValidators,
  SCHEMA_DIR,
  writePrecompiledValidators,
} from "../../src/model/precompiled-schemas.ts";
import { newSchemaRegistry, schemaFileNames } from "../../src/model/schema-registry.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

/** The example repository's files with the schema each is validated by. */
function exampleDocuments(): Array<{ ref: string; file: string; value: Record<string, unknown> }> {
  const docs = [{ ref: "teams.schema.json", file: "teams.yaml" }];
  for (const env of readdirSync(join(PROJECT_ROOT, "environments"))) {
    docs.push({ ref: "environment.schema.json", file: `environments/${env}/environment.yaml` });
    for (const [folder, ref] of [
      ["releases", "release.schema.json"],
      ["status", "status.schema.json"],
    ] as const) {
      for (const name of readdirSync(join(PROJECT_ROOT, "environments", env, folder))) {
        docs.push({ ref, file: `environments/${env}/${folder}/${name}` });
      }
    }
  }
  return docs.map((d) => ({ ...d, value: parse(readFileSync(join(PROJECT_ROOT, d.file), "utf8")) }));
}

/** The document, and variants each missing a field, with an unknown field, or a field of the wrong type. */
function variants(value: Record<string, unknown>): unknown[] {
  const out: unknown[] = [value, { ...value, bogus: 1 }];
  for (const key of Object.keys(value)) {
    const { [key]: _dropped, ...rest } = value;
    out.push(rest, { ...value, [key]: "x" }, { ...value, [key]: [1, "two"] });
  }
  return out;
}

describe("precompiled schema validators", () => {
  // Inside the project, so that the generated module's require("ajv/dist/runtime/...") resolves.
  mkdirSync(join(PROJECT_ROOT, "node_modules/.cache"), { recursive: true });
  const dir = mkdtempSync(join(PROJECT_ROOT, "node_modules/.cache/tollgate-precompiled-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "schema-validators.cjs");

  it("give the same verdicts and errors as the validators compiled at run time", async () => {
    await writePrecompiledValidators(file);
    const precompiled = loadPrecompiledValidators(file, SCHEMA_DIR);
    assert.ok(precompiled);
    const refs = [...schemaFileNames(SCHEMA_DIR), "common.schema.json#/$defs/artifact"];
    assert.deepEqual([...precompiled.keys()].sort(), refs.sort());
    const runtime = newSchemaRegistry(SCHEMA_DIR);
    let compared = 0;
    let invalid = 0;
    for (const doc of exampleDocuments()) {
      const fast: ValidateFunction = precompiled.get(doc.ref)!;
      const slow: ValidateFunction = runtime.getSchema(doc.ref)!;
      for (const variant of variants(doc.value)) {
        const verdict: boolean = fast(variant);
        assert.equal(verdict, slow(variant), `${doc.file}: the same verdict`);
        assert.deepEqual(fast.errors ?? null, slow.errors ?? null, `${doc.file}: the same errors`);
        compared++;
        if (!verdict) invalid++;
      }
    }
    const artifact = exampleDocuments().find((d) => d.ref === "release.schema.json")!.value.artifact as object;
    for (const variant of variants(artifact as Record<string, unknown>)) {
      const ref = "common.schema.json#/$defs/artifact";
      assert.equal(precompiled.get(ref)!(variant), runtime.getSchema(ref)!(variant));
      assert.deepEqual(precompiled.get(ref)!.errors ?? null, runtime.getSchema(ref)!.errors ?? null);
    }
    assert.ok(compared > 300 && invalid > 250, `${compared} documents compared, ${invalid} of them invalid`);
  });

  it("are not used when made from other schema files, or when there are none", async () => {
    const schemas = join(dir, "schemas/");
    cpSync(SCHEMA_DIR, schemas, { recursive: true });
    await writePrecompiledValidators(file, schemas);
    assert.ok(loadPrecompiledValidators(file, schemas));
    const teams = join(schemas, "teams.schema.json");
    writeFileSync(teams, readFileSync(teams, "utf8").replace('"minLength": 1', '"minLength": 2'));
    assert.equal(loadPrecompiledValidators(file, schemas), undefined);
    assert.equal(loadPrecompiledValidators(join(dir, "none.cjs"), SCHEMA_DIR), undefined);
  });
});
