/**
 * tollgate's compiler against OPA's own (part of `npm run bench:policy`): the same guardrail
 * sources compiled by `opa build -t wasm` (the real opa, built from the Go module pinned in
 * test/support/go-tools/opa), loaded through the same @open-policy-agent/opa-wasm SDK and evaluated
 * on the same inputs. Without Go (or opa) the comparison is skipped, loudly.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { buildGoTool } from "../test/support/go-tools/index.ts";

const run = promisify(execFile);

export interface OpaWasm {
  /** Evaluates the entrypoint on an input: the decision (undefined when there is none). */
  evaluate(input: unknown): unknown;
  wasmBytes: number;
  /** Median wall time of `opa build -t wasm` (a process: its start-up included). */
  buildMs: number;
  opaVersion: string;
}

/** OPA's module for the sources, or the reason it cannot be had here. */
export async function buildWithOpa(
  sources: readonly { path: string; text: string }[],
  entrypoint: string,
  builds: number,
): Promise<OpaWasm | { skipped: string }> {
  let opa: string;
  try {
    opa = await buildGoTool("opa");
  } catch (error) {
    return { skipped: (error as Error).message.split("\n")[0]! };
  }
  const dir = await mkdtemp(join(tmpdir(), "tollgate-bench-opa-"));
  try {
    for (const s of sources) {
      const file = join(dir, "policies", s.path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, s.text);
    }
    const bundle = join(dir, "bundle.tar.gz");
    const times: number[] = [];
    for (let i = 0; i < builds; i++) {
      const start = performance.now();
      await run(opa, ["build", "-t", "wasm", "-e", entrypoint, "-o", bundle, join(dir, "policies")]);
      times.push(performance.now() - start);
    }
    await run("tar", ["-xzf", bundle, "-C", dir, "/policy.wasm"]);
    const wasm = await readFile(join(dir, "policy.wasm"));
    const policy = await loadPolicy(wasm);
    const { stdout } = await run(opa, ["version"]);
    return {
      // the value of the result set's one row, as PolicyLoader.evaluate returns it
      evaluate: (input) => (policy.evaluate(input, entrypoint) as { result?: unknown }[])[0]?.result,
      wasmBytes: wasm.length,
      buildMs: times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!,
      opaVersion: /Version:\s*(\S+)/.exec(stdout)?.[1] ?? "unknown",
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
