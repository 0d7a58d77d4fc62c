/**
 * Rego v0 policies (written here in the style of admission-control libraries): read with
 * --v0-compatible or a bundle .manifest, refused with a hint otherwise, and rewritten as v1 by
 * `policy fmt --v0-to-v1` into files that compile to the same Wasm.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildBundle } from "../../src/policy/bundle.ts";
import { readPolicySources } from "../../src/policy/sources.ts";
import { runCli } from "../support/run-cli.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/v0-admission/", import.meta.url));
const ENTRYPOINTS = ["admission/required_owner/violation", "admission/image_registry/violation"];

async function copyFixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-v0-"));
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

describe("Rego v0", () => {
  test("policy test --v0-compatible passes the v0 policies' own tests", async () => {
    const r = await runCli(["policy", "test", "--v0-compatible", FIXTURE]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS: 5\/5$/m);
  });

  test("read as v1, a v0 file is refused with a message naming v0 and the flag", async () => {
    const r = await runCli(["policy", "test", FIXTURE]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /image_registry(_test)?\.rego:\d+:\d+: rego_parse_error: `if` keyword is required before rule body/,
    );
    assert.match(r.stderr, /this is Rego v0 syntax.*--v0-compatible.*policy fmt --v0-to-v1/);
  });

  test("a .manifest's rego_version and file_rego_versions choose the version per file", async () => {
    const dir = await copyFixture();
    try {
      await writeFile(join(dir, ".manifest"), JSON.stringify({ rego_version: 0 }));
      assert.equal((await runCli(["policy", "test", dir])).code, 0);

      // One file rewritten as v1 and named so in the manifest: both versions in one bundle.
      await runCli(["policy", "fmt", "--v0-to-v1", join(dir, "image_registry.rego")]);
      await writeFile(
        join(dir, ".manifest"),
        JSON.stringify({ rego_version: 0, file_rego_versions: { "*/image_registry.rego": 1 } }),
      );
      const sources = await readPolicySources(dir, { tests: true });
      assert.deepEqual(
        sources.map((s) => [s.path, s.regoVersion]),
        [
          ["image_registry.rego", "v1"],
          ["image_registry_test.rego", "v0"],
          ["required_owner.rego", "v0"],
          ["required_owner_test.rego", "v0"],
        ],
      );
      assert.equal((await runCli(["policy", "test", dir])).code, 0);

      await writeFile(join(dir, ".manifest"), '{\n  "rego_version": 3\n}\n');
      const bad = await runCli(["policy", "test", dir]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /\.manifest:2:\d+: unknown Rego version 3: must be 0 or 1 \(field \/rego_version\)/);
      await writeFile(join(dir, ".manifest"), "{ not json");
      assert.match((await runCli(["policy", "test", dir])).stderr, /\.manifest:1:\d+: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("policy fmt --v0-to-v1 rewrites in place, keeps comments, and the result compiles to the same Wasm", async () => {
    const dir = await copyFixture();
    try {
      const v0 = await readPolicySources(dir, { tests: false, v0Compatible: true });
      const check = await runCli(["policy", "fmt", "--v0-to-v1", "--check", dir]);
      assert.equal(check.code, 1);
      assert.match(check.stdout, /would rewrite .*required_owner\.rego/);
      assert.equal(
        await readFile(join(dir, "required_owner.rego"), "utf8"),
        await readFile(join(FIXTURE, "required_owner.rego"), "utf8"),
      );

      const r = await runCli(["policy", "fmt", "--v0-to-v1", dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^4 of 4 files rewritten$/m);
      const text = await readFile(join(dir, "required_owner.rego"), "utf8");
      assert.match(text, /^# Admission-style guardrail in Rego v0/);
      assert.match(text, /^violation contains \{"msg": msg, "details": \{"missing": missing\}\} if \{$/m);
      assert.match(text, /^\} else = "person" if \{$/m);

      const v1 = await readPolicySources(dir, { tests: false });
      assert.ok(v1.every((s) => s.regoVersion === "v1"));
      assert.deepEqual(buildBundle(v1, ENTRYPOINTS).wasm, buildBundle(v0, ENTRYPOINTS).wasm);
      assert.equal((await runCli(["policy", "test", dir])).code, 0);
      assert.match((await runCli(["policy", "fmt", "--v0-to-v1", dir])).stdout, /^0 of 4 files rewritten$/m);
      assert.match((await runCli(["policy", "fmt", dir])).stderr, /pass --v0-to-v1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
