import { type InputProblem, UserError } from "../model/index.ts";
import { type CoverableLine, compile, RegoCompileError, RegoRuntimeError, type TestProbe } from "../rego/index.ts";
import type { PolicySource } from "./sources.ts";

/** Compiled Wasm and the ids the module gives its entrypoints. */
export interface CompiledPolicy {
  wasm: Uint8Array;
  entrypoints: Record<string, number>;
  /** Coverage builds: the line each coverage byte stands for. */
  coverage?: readonly CoverableLine[];
}

/** Bad Rego: every problem as `file:line:col: message`, printed by the CLI without a stack trace. */
export class PolicyCompileError extends UserError {
  constructor(problems: InputProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join("\n"), problems);
    this.name = "PolicyCompileError";
  }
}

export interface PolicyCompileOptions {
  /** A failing builtin call aborts evaluation with its error (as `opa eval --strict-builtin-errors`). */
  strictBuiltinErrors?: boolean;
  /** Probe rules for `policy test` (see src/rego/check/probes.ts). */
  testProbes?: readonly TestProbe[];
  /** Build that records which rule heads and expressions ran (`policy test --coverage`). */
  coverage?: boolean;
}

/**
 * Compiles Rego sources to one Wasm module exporting the given entrypoints (paths such as
 * `tollgate/decision`). `pathPrefix` is put before each source path in error messages, so that
 * they name the file as the user would (e.g. `policies/`).
 */
export function compilePolicy(
  sources: readonly PolicySource[],
  entrypoints: readonly string[],
  pathPrefix = "",
  options: PolicyCompileOptions = {},
): CompiledPolicy {
  try {
    const out = compile(
      sources.map((s) => ({ path: pathPrefix + s.path, text: s.text, regoVersion: s.regoVersion ?? "v1" })),
      {
        entrypoints: [...entrypoints],
        strictBuiltinErrors: options.strictBuiltinErrors === true,
        ...(options.testProbes ? { testProbes: options.testProbes } : {}),
        ...(options.coverage ? { coverage: true } : {}),
      },
    );
    return {
      wasm: out.wasm,
      entrypoints: { ...out.entrypoints },
      ...(out.coverage ? { coverage: out.coverage } : {}),
    };
  } catch (error) {
    if (error instanceof RegoCompileError) throw policyCompileError(error);
    // A missing or damaged runtime is the installation's fault: its message says to reinstall.
    if (error instanceof RegoRuntimeError) throw new UserError(error.message);
    throw error;
  }
}

/** What to do about v0 syntax read as v1, said once after the problem. */
export const REGO_V0_HINT =
  "this is Rego v0 syntax; tollgate reads Rego v1 unless told otherwise: pass --v0-compatible (or set rego_version 0 in the policy folder's .manifest), or rewrite the file as v1 with `tollgate policy fmt --v0-to-v1`";

/** The compiler's problems as the CLI prints them, naming file, line and column. */
export function policyCompileError(error: RegoCompileError): PolicyCompileError {
  return new PolicyCompileError(
    error.problems.map((p) => ({
      file: p.pos.file,
      line: p.pos.line,
      column: p.pos.col,
      message: `${p.code}: ${p.message}${p.regoV0 ? ` (${REGO_V0_HINT})` : ""}`,
    })),
  );
}
