/**
 * The shipped runtime is checked against its checksum before use: a missing module or checksum,
 * or bytes that do not match, are a RegoRuntimeError that says to reinstall.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  checksumLine,
  RUNTIME_FILES,
  type RuntimeFiles,
  RegoRuntimeError,
  readVerifiedRuntime,
  sha256Hex,
} from "../../src/rego/runtime/files.ts";
import { runtimeDigest, runtimeWasm } from "../../src/rego/runtime/index.ts";

describe("the shipped runtime and its checksum", () => {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-runtime-files-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const wasm = runtimeWasm(); // builds the runtime in a clone if it is missing or stale
  const copy = (name: string): RuntimeFiles => {
    const files = { wasm: join(dir, `${name}.wasm`), checksum: join(dir, `${name}.wasm.sha256`) };
    copyFileSync(RUNTIME_FILES.wasm, files.wasm);
    copyFileSync(RUNTIME_FILES.checksum, files.checksum);
    return files;
  };

  it("ships a checksum in sha256sum format that matches the module, which --version reports", () => {
    assert.equal(readFileSync(RUNTIME_FILES.checksum, "utf8"), checksumLine(RUNTIME_FILES, wasm));
    assert.match(readFileSync(RUNTIME_FILES.checksum, "utf8"), /^[0-9a-f]{64} {2}rego-runtime\.wasm\n$/);
    assert.equal(runtimeDigest(), `sha256:${sha256Hex(wasm)}`);
    assert.deepEqual(readVerifiedRuntime(copy("good")).wasm, wasm);
  });

  it("refuses a module that does not match its checksum, saying to reinstall", () => {
    const files = copy("damaged");
    const bytes = readFileSync(files.wasm);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(files.wasm, bytes);
    assert.throws(
      () => readVerifiedRuntime(files),
      (e: unknown) =>
        e instanceof RegoRuntimeError &&
        e.message.includes("does not match its checksum") &&
        e.message.includes("reinstall tollgate"),
    );
  });

  it("refuses a missing module or checksum, naming the file and saying to reinstall", () => {
    for (const which of ["wasm", "checksum"] as const) {
      const files = copy(`missing-${which}`);
      rmSync(files[which]);
      assert.throws(
        () => readVerifiedRuntime(files),
        (e: unknown) =>
          e instanceof RegoRuntimeError &&
          e.message.includes(`${files[which]} is missing`) &&
          e.message.includes("reinstall tollgate"),
      );
    }
  });

  it("refuses a checksum file that holds no SHA-256", () => {
    const files = copy("garbled");
    writeFileSync(files.checksum, "not a checksum\n");
    assert.throws(() => readVerifiedRuntime(files), RegoRuntimeError);
  });
});
