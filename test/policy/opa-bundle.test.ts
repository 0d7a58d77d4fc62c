/** `policy build --format opa`: OPA's bundle.tar.gz, read by the real `opa inspect` and by `policy eval --bundle`. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { readOpaBundle } from "../../src/policy/opa-bundle.ts";
import { opaForTest } from "../support/opa/index.ts";
import { runCli } from "../support/run-cli.ts";

async function withBuiltBundle(f: (dir: string, file: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-opa-bundle-"));
  try {
    await writeFile(join(dir, "p.rego"), "package p\n\nallow if input.x > 1\n");
    const built = await runCli(["policy", "build", dir, "-e", "p/allow", "--format", "opa", "--out", join(dir, "out")]);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /^sha256:[0-9a-f]{64}$/m);
    await f(dir, join(dir, "out", "bundle.tar.gz"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("an OPA bundle holds .manifest, data.json, the sources and policy.wasm; building twice gives the same bytes", async () => {
  await withBuiltBundle(async (dir, file) => {
    const bundle = await readOpaBundle(file);
    assert.deepEqual(Object.keys(bundle.manifest.entrypoints), ["p/allow"]);
    const again = join(dir, "again.tar.gz");
    const rebuilt = await runCli(["policy", "build", dir, "-e", "p/allow", "--format", "opa", "--out", again]);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.deepEqual(await readFile(again), await readFile(file));
  });
});

test("policy eval --bundle evaluates an OPA bundle", async () => {
  await withBuiltBundle(async (dir, file) => {
    await writeFile(join(dir, "in.json"), '{"x": 5}');
    const r = await runCli(["policy", "eval", "-b", file, "-e", "p/allow", "-i", join(dir, "in.json")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "true");
  });
});

test("a malformed OPA bundle manifest is an error naming the file and the field", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-opa-bundle-"));
  try {
    const file = join(dir, "bad.tar.gz");
    await writeFile(file, gzipSync(Buffer.from("not a tar")));
    const r = await runCli(["policy", "eval", "-b", file, "-e", "p/allow"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.tar\.gz/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the real opa inspect reads a bundle built with --format opa", async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  await withBuiltBundle(async (_dir, file) => {
    const { stdout } = await promisify(execFile)(opa.bin, ["inspect", "--format", "json", file]);
    const report = JSON.parse(stdout) as {
      manifest: {
        revision: string;
        roots: string[];
        rego_version: number;
        wasm: { entrypoint: string; module: string }[];
      };
      namespaces: Record<string, string[]>;
    };
    assert.match(report.manifest.revision, /^sha256:/);
    assert.deepEqual(report.manifest.roots, ["p"]);
    assert.equal(report.manifest.rego_version, 1);
    assert.deepEqual(report.manifest.wasm, [{ entrypoint: "p/allow", module: "/policy.wasm" }]);
    assert.deepEqual(report.namespaces["data.p.allow"], ["/policy.wasm"]);
    assert.deepEqual(report.namespaces["data.p"], ["/p.rego"]);
  });
});
