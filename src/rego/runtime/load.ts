/**
 * The prebuilt runtime module (build/rego-runtime.wasm). Built by `npm run build:runtime` (and the
 * `prepare` script on `npm ci`); if it is missing or older than the sources, it is built here on
 * first use, so a fresh clone works without a separate build step.
 */
import { readFileSync } from "node:fs";
import { buildRuntime, runtimeIsFresh, runtimeWasmPath } from "./build.ts";

let cached: Uint8Array | undefined;

export function runtimeWasm(): Uint8Array {
  if (cached) return cached;
  if (!runtimeIsFresh()) {
    try {
      buildRuntime();
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      const detail = e.stderr ? e.stderr.toString().trim() : e.message;
      throw new Error(`building the Rego runtime (${runtimeWasmPath}) failed:\n${detail}`);
    }
  }
  cached = new Uint8Array(readFileSync(runtimeWasmPath));
  return cached;
}
