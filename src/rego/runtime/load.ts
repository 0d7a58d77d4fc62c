/**
 * The prebuilt runtime module (build/rego-runtime.wasm), checked against its shipped checksum. In a
 * clone of the sources it is built by `npm run build:runtime` (and the `prepare` script on
 * `npm ci`), and rebuilt here on first use when missing or older than the sources, so a fresh
 * clone works without a separate build step. An installed package never builds it: a missing or
 * damaged runtime is a `RegoRuntimeError` saying to reinstall.
 */
import { existsSync } from "node:fs";
import { buildRuntime, runtimeIsFresh, runtimeWasmPath } from "./build.ts";
import { RUNTIME_FILES, RUNTIME_SOURCES_DIR, readVerifiedRuntime } from "./files.ts";

let cached: { wasm: Uint8Array; digest: string } | undefined;

function load(): { wasm: Uint8Array; digest: string } {
  if (cached) return cached;
  if (existsSync(RUNTIME_SOURCES_DIR) && !runtimeIsFresh()) {
    try {
      buildRuntime();
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      const detail = e.stderr ? e.stderr.toString().trim() : e.message;
      throw new Error(`building the Rego runtime (${runtimeWasmPath}) failed:\n${detail}`);
    }
  }
  cached = readVerifiedRuntime(RUNTIME_FILES);
  return cached;
}

export function runtimeWasm(): Uint8Array {
  return load().wasm;
}

/** `sha256:<hex>` of the runtime module (what `tollgate --version` prints). */
export function runtimeDigest(): string {
  return load().digest;
}
