import { parseModule, RegoCompileError } from "../rego/index.ts";
import { buildBundle } from "./bundle.ts";
import { type PolicyCompileOptions, policyCompileError } from "./compiler.ts";
import { PolicyLoader } from "./loader.ts";
import { isTestFile, type PolicySource, readPolicySources } from "./sources.ts";

/** One `test_*` rule of a `*_test.rego` file. */
export interface PolicyTest {
  /** `data.tollgate.budgets_test.test_deploy_spend_over_budget_rolls_back` */
  name: string;
  /** The Wasm entrypoint it is compiled as: `tollgate/budgets_test/test_...`. */
  entrypoint: string;
  file: string;
  line: number;
}

export interface PolicyTestResult extends PolicyTest {
  /** `pass`: the rule is true; `fail`: undefined or not true; `error`: evaluation failed. */
  outcome: "pass" | "fail" | "error";
  /** Why it did not pass. */
  detail?: string;
}

export interface PolicyTestReport {
  results: PolicyTestResult[];
  passed: number;
  failed: number;
}

/** Finds the `test_*` rules of the test files, in file order then source order (each once). */
export function discoverTests(sources: readonly PolicySource[], pathPrefix = ""): PolicyTest[] {
  const tests: PolicyTest[] = [];
  const seen = new Set<string>();
  for (const source of sources.filter((s) => isTestFile(s.path))) {
    const file = pathPrefix + source.path;
    let module: ReturnType<typeof parseModule>;
    try {
      module = parseModule(file, source.text, { regoVersion: source.regoVersion ?? "v1" });
    } catch (error) {
      if (error instanceof RegoCompileError) throw policyCompileError(error);
      throw error;
    }
    for (const rule of module.rules) {
      const head = rule.head.ref[0];
      if (rule.head.ref.length !== 1 || head?.type !== "var" || !head.name.startsWith("test_") || rule.head.args)
        continue;
      const entrypoint = [...module.package.path, head.name].join("/");
      if (seen.has(entrypoint)) continue;
      seen.add(entrypoint);
      tests.push({
        name: `data.${[...module.package.path, head.name].join(".")}`,
        entrypoint,
        file,
        line: rule.loc.line,
      });
    }
  }
  return tests;
}

/**
 * Runs every test rule of the policy folder like `opa test`: the policies and their tests are
 * compiled to one Wasm module with each test as an entrypoint (so `with` mocking is compiled in),
 * then each entrypoint is evaluated through the opa-wasm SDK.
 */
export interface PolicyTestOptions extends PolicyCompileOptions {
  /** Read files as Rego v0 unless the folder's `.manifest` says otherwise. */
  v0Compatible?: boolean;
}

export async function runPolicyTests(
  dir: string,
  pathPrefix = "",
  options: PolicyTestOptions = {},
): Promise<PolicyTestReport> {
  const sources = await readPolicySources(dir, { tests: true, v0Compatible: options.v0Compatible === true });
  const tests = discoverTests(sources, pathPrefix);
  const results: PolicyTestResult[] = [];
  if (tests.length > 0) {
    const bundle = buildBundle(
      sources,
      tests.map((t) => t.entrypoint),
      pathPrefix,
      options,
    );
    const loaded = await new PolicyLoader().load(bundle);
    for (const test of tests) results.push(runOne(test, () => loaded.evaluate(test.entrypoint)));
  }
  const passed = results.filter((r) => r.outcome === "pass").length;
  return { results, passed, failed: results.length - passed };
}

function runOne(test: PolicyTest, evaluate: () => unknown): PolicyTestResult {
  try {
    const value = evaluate();
    if (value === true) return { ...test, outcome: "pass" };
    return {
      ...test,
      outcome: "fail",
      detail: value === undefined ? "undefined" : `value ${JSON.stringify(value)}, not true`,
    };
  } catch (error) {
    return { ...test, outcome: "error", detail: error instanceof Error ? error.message : String(error) };
  }
}
