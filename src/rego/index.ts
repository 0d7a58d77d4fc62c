/**
 * The Rego → WebAssembly compiler's public API.
 *
 *   compile(sources, { entrypoints: ["tollgate/decision"], queries: [{ name, query }] })
 *     → { wasm, entrypoints: { "tollgate/decision": 0, ... }, ir }
 *
 * Pipeline: parse (syntax/) → compile passes (check/) → planner (planner/) → IR → codegen
 * (codegen/, on the prebuilt runtime). Bad input throws `RegoCompileError` whose message lists
 * `file:line:col: code: message` items. The same sources always give the same bytes.
 */
import { checkProgram, type QueryInput } from "./check/index.ts";
import { rewriteMetadataCalls } from "./check/metadata.ts";
import { coverableLines } from "./check/coverage.ts";
import { addProbes, type TestProbe } from "./check/probes.ts";
import { rulePath } from "./check/ruletable.ts";
import { emitWasm } from "./codegen/index.ts";
import { ProblemList, RegoCompileError } from "./errors.ts";
import type * as ir from "./ir.ts";
import { planProgram } from "./planner/planner.ts";
import { withinStackLimit } from "./stack-limit.ts";
import type { Module } from "./syntax/ast.ts";
import { parseModule, parseQuery, type RegoVersion } from "./syntax/parser.ts";

export {
  allBuiltins,
  BuiltinHost,
  type BuiltinInfo,
  type Capabilities,
  capabilities,
  declaredBuiltins,
  type EvaluationContext,
  type NondeterministicRecord,
} from "./builtins/index.ts";
export { probeEntrypoint, type TestProbe } from "./check/probes.ts";
export { COVERAGE_EXPORT } from "./codegen/index.ts";
export type { CoverableLine } from "./ir.ts";
export type { RegoProblem, SourcePos } from "./errors.ts";
export { RegoCompileError } from "./errors.ts";
export { abortText, RegoRuntimeError, runtimeDigest } from "./runtime/index.ts";
export type { RegoVersion } from "./syntax/parser.ts";
export { rewriteV0ToV1 } from "./syntax/migrate.ts";

export interface RegoSource {
  /** Shown in error messages and runtime error locations. */
  readonly path: string;
  readonly text: string;
  /** The Rego version this file is written in (default: `CompileOptions.regoVersion`). */
  readonly regoVersion?: RegoVersion;
}

export interface CompileOptions {
  /**
   * The Rego version of sources that do not name theirs: v1 (default) or v0, as OPA's
   * `--v0-compatible`. A module importing `rego.v1` is v1 either way.
   */
  readonly regoVersion?: RegoVersion;
  /** Rule entrypoints as slash-separated paths below data, e.g. `tollgate/decision`. */
  readonly entrypoints: readonly string[];
  /**
   * Ad-hoc queries (e.g. `data.x.p = v`): each becomes an entrypoint whose result rows are the
   * query's variable bindings (one object per solution).
   */
  readonly queries?: readonly { readonly name: string; readonly query: string }[];
  /**
   * Builtin errors (type errors, divide by zero, ...) abort evaluation, as OPA's
   * `--strict-builtin-errors`. Default false: as in OPA, the failing call is undefined instead.
   * Conflicts are always errors.
   */
  readonly strictBuiltinErrors?: boolean;
  /** Probe rules for `policy test` (parameterized tests' keys, failing tests' values); see check/probes.ts. */
  readonly testProbes?: readonly TestProbe[];
  /**
   * Coverage build (`policy test --coverage`): the module marks each rule head and expression line
   * it evaluates in bytes it exports the address of (`COVERAGE_EXPORT`); `CompileResult.coverage`
   * lists those lines in order.
   */
  readonly coverage?: boolean;
}

export interface CompileResult {
  readonly wasm: Uint8Array;
  /** Entrypoint name → id (rule entrypoints first, in the given order, then queries). */
  readonly entrypoints: Readonly<Record<string, number>>;
  readonly ir: ir.Policy;
  /** Coverage builds: the line each coverage byte stands for. */
  readonly coverage?: readonly ir.CoverableLine[];
}

/** Parses, checks and plans: the IR the codegen turns into Wasm. */
export function compileToIR(sources: readonly RegoSource[], options: CompileOptions): ir.Policy {
  const problems = new ProblemList();
  const modules: Module[] = [];
  for (const s of sources) {
    try {
      modules.push(parseModule(s.path, s.text, { regoVersion: s.regoVersion ?? options.regoVersion ?? "v1" }));
    } catch (error) {
      if (!(error instanceof RegoCompileError)) throw error;
      problems.items.push(...error.problems);
    }
  }
  const queries: QueryInput[] = [];
  for (const q of options.queries ?? []) {
    try {
      queries.push({ name: q.name, body: parseQuery(q.name, q.query), loc: { file: q.name, line: 1, col: 1 } });
    } catch (error) {
      if (!(error instanceof RegoCompileError)) throw error;
      problems.items.push(...error.problems);
    }
  }
  problems.throwIfAny();

  const entrypoints = options.entrypoints.map((name) => {
    const path = name.split("/").filter((p) => p.length > 0);
    if (path.length === 0) {
      throw new RegoCompileError([
        {
          pos: { file: "<entrypoint>", line: 1, col: 1 },
          code: "rego_compile_error",
          message: `invalid entrypoint ${JSON.stringify(name)}`,
        },
      ]);
    }
    return { name, path };
  });
  const names = new Set<string>();
  for (const n of [...entrypoints.map((e) => e.name), ...queries.map((q) => q.name)]) {
    if (names.has(n)) {
      throw new RegoCompileError([
        {
          pos: { file: "<entrypoint>", line: 1, col: 1 },
          code: "rego_compile_error",
          message: `duplicate entrypoint ${JSON.stringify(n)}`,
        },
      ]);
    }
    names.add(n);
  }
  // As opa build: an entrypoint must name a rule or a package (or lie inside a rule's value).
  const annotated = rewriteMetadataCalls(modules, new Map(sources.map((s) => [s.path, s.text])));
  const probed = addProbes(annotated, options.testProbes ?? []);
  const defined = probed.flatMap((m) => m.rules.map((r) => rulePath(m, r).path));
  for (const e of entrypoints) {
    const named = defined.some((rule) => {
      const n = Math.min(rule.length, e.path.length);
      return rule.slice(0, n).every((segment, i) => segment === e.path[i]);
    });
    if (!named)
      problems.items.push({
        pos: { file: "<entrypoint>", line: 1, col: 1 },
        code: "rego_compile_error",
        message: `entrypoint ${JSON.stringify(e.name)} does not name a rule or package of these policies`,
      });
  }
  problems.throwIfAny();
  return withinStackLimit(probed, () => {
    const program = checkProgram(probed, queries);
    return planProgram(program, { entrypoints, ...(options.coverage ? { coverage: coverableLines(modules) } : {}) });
  });
}

/** Compiles Rego sources to a Wasm module following OPA's ABI (runs in @open-policy-agent/opa-wasm). */
export function compile(sources: readonly RegoSource[], options: CompileOptions): CompileResult {
  const policy = compileToIR(sources, options);
  const entrypoints: Record<string, number> = {};
  policy.plans.forEach((plan, i) => {
    entrypoints[plan.name] = i;
  });
  return {
    wasm: emitWasm(policy, { strictBuiltinErrors: options.strictBuiltinErrors === true }),
    entrypoints,
    ir: policy,
    ...(policy.coverage ? { coverage: policy.coverage } : {}),
  };
}

// For src/policy (rule tests) and `tollgate policy conformance`.
export { CaseFileError, type ConformanceCase, loadCases } from "./conformance/cases.ts";
export { type CaseResult, runCase, summarise } from "./conformance/run.ts";
export { parseModule } from "./syntax/parser.ts";
