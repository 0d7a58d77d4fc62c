import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UserError } from "../../src/model/errors.ts";
import { buildBundle, readBundle, sha256, writeBundle } from "../../src/policy/bundle.ts";
import { PolicyCompileError } from "../../src/policy/compiler.ts";
import { readPolicySources } from "../../src/policy/sources.ts";
import { POLICY_DIR } from "./support.ts";

test("building the same sources twice gives the same bytes and the same bundle digest", async () => {
  const sources = await readPolicySources(POLICY_DIR, { tests: false });
  assert.ok(sources.every((s) => !s.path.endsWith("_test.rego")));
  const a = buildBundle(sources);
  const b = buildBundle([...sources].reverse());
  assert.equal(a.manifest.digest, b.manifest.digest);
  assert.deepEqual(a.wasm, b.wasm);
  assert.match(a.manifest.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(a.manifest.wasm.digest, sha256(a.wasm));
  assert.deepEqual(Object.keys(a.manifest.entrypoints), ["tollgate/decision"]);
  assert.deepEqual(
    a.manifest.sources.map((s) => s.path),
    sources.map((s) => s.path).sort(),
  );
});

test("a changed source changes the bundle digest", async () => {
  const sources = await readPolicySources(POLICY_DIR, { tests: false });
  const changed = sources.map((s, i) => (i === 0 ? { ...s, text: `${s.text}\n# edited\n` } : s));
  assert.notEqual(buildBundle(sources).manifest.digest, buildBundle(changed).manifest.digest);
});

test("a bundle is written whole, read back with its digests checked, and replaced atomically", async () => {
  const root = await mkdtemp(join(tmpdir(), "tollgate-bundle-"));
  try {
    const out = join(root, "build", "policy");
    const bundle = buildBundle(await readPolicySources(POLICY_DIR, { tests: false }));
    await writeBundle(bundle, out);
    await writeBundle(bundle, out);
    assert.deepEqual((await readdir(out)).sort(), ["manifest.json", "policy.wasm"]);
    assert.deepEqual((await readdir(join(root, "build"))).sort(), ["policy"]);
    const read = await readBundle(out);
    assert.equal(read.manifest.digest, bundle.manifest.digest);

    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
      entrypoints: Record<string, number>;
    };
    manifest.entrypoints["tollgate/other"] = 9;
    await writeFile(join(out, "manifest.json"), JSON.stringify(manifest));
    await assert.rejects(readBundle(out), /bundle digest does not match/);
    await writeBundle(bundle, out);
    await writeFile(join(out, "policy.wasm"), new Uint8Array([0, 97, 115, 109]));
    await assert.rejects(readBundle(out), /does not match the manifest/);
    await assert.rejects(readBundle(root), UserError);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("bad Rego is reported as file:line:col and leaves the previous bundle untouched", async () => {
  const root = await mkdtemp(join(tmpdir(), "tollgate-bundle-"));
  try {
    const out = join(root, "policy");
    const good = buildBundle([{ path: "a.rego", text: "package tollgate\n\nimport rego.v1\n\ndecision := 1\n" }]);
    await writeBundle(good, out);
    const bad = [{ path: "a.rego", text: "package tollgate\n\nimport rego.v1\n\ndecision := x if {\n\ty := 1\n}\n" }];
    assert.throws(
      () => buildBundle(bad, undefined, "policies/"),
      (error: unknown) => error instanceof PolicyCompileError && /^policies\/a\.rego:5:\d+: .*x/m.test(error.message),
    );
    assert.equal((await readBundle(out)).manifest.digest, good.manifest.digest);
    assert.deepEqual((await readdir(root)).sort(), ["policy"]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
