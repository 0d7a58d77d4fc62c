/**
 * The runtime build: asc compiles the AssemblyScript runtime deterministically (the same
 * sources give the same bytes, which compiled policies and their digests depend on), and the
 * loader's freshness check matches the sources.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildRuntime, runtimeIsFresh } from "../../src/rego/runtime/build.ts";
import { runtimeWasm } from "../../src/rego/runtime/load.ts";

describe("runtime build", () => {
  it("rebuilds to identical bytes and reports itself fresh", () => {
    const loaded = runtimeWasm(); // builds build/rego-runtime.wasm if missing or stale
    assert.ok(runtimeIsFresh());
    const dir = mkdtempSync(join(tmpdir(), "tollgate-runtime-"));
    try {
      const rebuilt = readFileSync(buildRuntime(join(dir, "runtime.wasm")));
      assert.ok(rebuilt.byteLength > 10_000);
      assert.deepEqual(Buffer.from(rebuilt), Buffer.from(loaded));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
