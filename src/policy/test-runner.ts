import { Worker } from "node:worker_threads";
import { UserError } from "../model/index.ts";
import { isDeepStrictEqual } from "node:util";
import { parseModule, probeEntrypoint, RegoCompileError, type TestProbe } from "../rego/index.ts";
import { buildBundle, type PolicyBundle } from "./bundle.ts";
import { type PolicyCompileOptions, PolicyCompileError, policyCompileError } from "./compiler.ts";
import { isTestFile, type PolicySource, readPolicySources } from "./sources.ts";
import { type CoverageReport, coverageReport } from "./test-coverage.ts";
import type { WorkerJob, WorkerMessage } from "./test-worker.ts";

/** A test rule is named `test_*`; `todo_test_*` rules are reported as skipped, never run (as OPA). */
const TEST_PREFIX = "test_";
const TODO_PREFIX = "todo_test_";

/** One `test_*` (or `todo_test_*`) rule of a `*_test.rego` file. */
export interface PolicyTest {
  /** `data.tollgate.budgets_test.test_deploy_spend_over_budget_rolls_back` */
  name: string;
  /** `data.tollgate.budgets_test` */
  package: string;
  /** The rule's own name: `test_deploy_spend_over_budget_rolls_back`. */
  rule: string;
  /** The Wasm entrypoint it is compiled as: `tollgate/budgets_test/test_...`. */
  entrypoint: string;
  file: string;
  line: number;
  col: number;
  /** A `todo_test_*` rule: reported as skipped. */
  todo: boolean;
  /** `test_x[name] if ...` / `test_x contains name if ...`: one sub-test per value of the key. */
  parameterized: boolean;
  packagePath: readonly string[];
}

export type PolicyTestOutcome = "pass" | "fail" | "error" | "skip";

export interface PolicyTestResult extends PolicyTest {
  /** `pass`: the rule is true; `fail`: undefined or not true; `error`: evaluation failed; `skip`: todo. */
  outcome: PolicyTestOutcome;
  /** Why it did not pass. */
  detail?: string;
  /** For `error`: OPA's error code (`eval_conflict_error`, `eval_cancel_error` for a timeout, ...). */
  errorCode?: string;
  /** A parameterized test's sub-tests: one per value of its key (none: it passes, as in OPA). */
  subResults?: { name: string; outcome: "pass" | "fail" }[];
  /** A failing test's first failing expression and the values of its operands. */
  failure?: FailedExpression;
  /** Lines the test printed with `print(...)`. */
  output: string[];
  durationNs: number;
}

export interface FailedExpression {
  file: string;
  line: number;
  /** The expression as written (its source line). */
  text: string;
  /** Each operand that is not a literal, and its value (undefined: it has none). */
  operands: { term: string; value?: unknown }[];
}

export interface PolicyTestReport {
  results: PolicyTestResult[];
  /** With `coverage`: which rule heads and expressions the tests evaluated, as `opa test --coverage`. */
  coverage?: CoverageReport;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
}

/** Finds the test rules of the test files, in file order then source order (each once). */
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
      const parameterized = rule.head.ref.length === 2 || rule.head.contains !== undefined;
      if ((rule.head.ref.length !== 1 && !parameterized) || head?.type !== "var" || rule.head.args) continue;
      const todo = head.name.startsWith(TODO_PREFIX);
      if (!todo && !head.name.startsWith(TEST_PREFIX)) continue;
      const entrypoint = [...module.package.path, head.name].join("/");
      if (seen.has(entrypoint)) continue;
      seen.add(entrypoint);
      const pkg = `data.${module.package.path.join(".")}`;
      tests.push({
        name: `${pkg}.${head.name}`,
        package: pkg,
        rule: head.name,
        entrypoint,
        file,
        line: rule.loc.line,
        col: rule.loc.col,
        todo,
        parameterized,
        packagePath: module.package.path,
      });
    }
  }
  return tests;
}

export interface PolicyTestOptions extends PolicyCompileOptions {
  /** Read files as Rego v0 unless the folder's `.manifest` says otherwise. */
  v0Compatible?: boolean;
  /** Run only the tests whose full name (`data.pkg.test_x`) matches (OPA's `--run`). */
  run?: RegExp;
  /** Stop a test that runs longer (default 5 s, as `opa test`). */
  timeoutMs?: number;
  /** Memory cap per evaluation in 64-KiB pages (the loader's default otherwise). */
  maxMemoryPages?: number;
}

export const DEFAULT_TEST_TIMEOUT_MS = 5000;

/**
 * Runs the test rules of the policy folder like `opa test`: the policies and their tests are
 * compiled to one Wasm module with each test as an entrypoint (so `with` mocking is compiled in),
 * then each entrypoint is evaluated through the opa-wasm SDK in a worker thread, which is
 * stopped when a test exceeds the timeout.
 */
export async function runPolicyTests(
  dir: string,
  pathPrefix = "",
  options: PolicyTestOptions = {},
): Promise<PolicyTestReport> {
  const sources = await readPolicySources(dir, { tests: true, v0Compatible: options.v0Compatible === true });
  const selected = discoverTests(sources, pathPrefix).filter((t) => !options.run || options.run.test(t.name));
  const runnable = selected.filter((t) => !t.todo);
  const outcomes = new Map<PolicyTest, PolicyTestResult>();
  let coverage: CoverageReport | undefined;
  if (runnable.length > 0) {
    const domains = runnable.filter((t) => t.parameterized).map((t) => probe("domain", t));
    const entrypoints = runnable.map((t) => t.entrypoint);
    const domainBundle = domains.length > 0 ? tryBuild(sources, entrypoints, domains, pathPrefix, options) : undefined;
    const bundle = domainBundle ?? buildBundle(sources, entrypoints, pathPrefix, options);
    const withDomains = domainBundle
      ? [...runnable, ...domains.map((d) => ({ ...d.test, entrypoint: d.entrypoint }))]
      : runnable;
    const evaluated = await evaluateInWorkers(bundle, withDomains, options);
    if (bundle.coverage)
      coverage = coverageReport(
        bundle.coverage,
        evaluated.map((e) => ("coverage" in e ? e.coverage : undefined)),
      );
    runnable.forEach((test, i) => {
      const domain = domainBundle ? evaluated[runnable.length + domains.findIndex((d) => d.test === test)] : undefined;
      outcomes.set(test, judge(test, evaluated[i]!, domain));
    });
    await explainFailures(sources, [...outcomes.values()], pathPrefix, options);
  }
  const results = selected.map(
    (test) => outcomes.get(test) ?? { ...test, outcome: "skip" as const, output: [], durationNs: 0 },
  );
  return { results, ...countOutcomes(results), ...(coverage ? { coverage } : {}) };
}

/** Counts as `opa test`: a parameterized test counts once per sub-test. */
function countOutcomes(results: readonly PolicyTestResult[]): Omit<PolicyTestReport, "results"> {
  const counts = { passed: 0, failed: 0, errors: 0, skipped: 0 };
  const key = { pass: "passed", fail: "failed", error: "errors", skip: "skipped" } as const;
  for (const r of results) {
    if (r.subResults && r.subResults.length > 0 && r.outcome !== "error") {
      for (const sub of r.subResults) counts[key[sub.outcome]]++;
    } else counts[key[r.outcome]]++;
  }
  return counts;
}

interface Probe {
  test: PolicyTest;
  probe: TestProbe;
  entrypoint: string;
}

function probe(kind: TestProbe["kind"], test: PolicyTest): Probe {
  const p: TestProbe = { kind, package: test.packagePath, rule: test.rule };
  return { test, probe: p, entrypoint: probeEntrypoint(p) };
}

/** The bundle with probe rules, or undefined when they do not compile (the probes are left out). */
function tryBuild(
  sources: readonly PolicySource[],
  entrypoints: readonly string[],
  probes: readonly Probe[],
  pathPrefix: string,
  options: PolicyTestOptions,
): PolicyBundle | undefined {
  try {
    return buildBundle(sources, [...entrypoints, ...probes.map((p) => p.entrypoint)], pathPrefix, {
      ...options,
      testProbes: probes.map((p) => p.probe),
    });
  } catch (error) {
    if (error instanceof PolicyCompileError) return undefined;
    throw error;
  }
}

/** At most this many failing tests get the values of their failing expression. */
const MAX_EXPLAINED = 20;

/**
 * Finds, for each failing test, the first body expression that failed and the values of its
 * operands (`values` probes, compiled once more beside the tests). A probe that does not compile
 * (an operand the checker finds unsafe) leaves its test without values.
 */
async function explainFailures(
  sources: readonly PolicySource[],
  results: PolicyTestResult[],
  pathPrefix: string,
  options: PolicyTestOptions,
): Promise<void> {
  const failing = results.filter((r) => r.outcome === "fail" && !r.parameterized).slice(0, MAX_EXPLAINED);
  if (failing.length === 0) return;
  let probes = failing.map((r) => probe("values", r));
  options = { ...options, coverage: false };
  let bundle = tryBuild(sources, [], probes, pathPrefix, options);
  if (!bundle) {
    probes = probes.filter((p) => tryBuild(sources, [], [p], pathPrefix, options) !== undefined);
    if (probes.length === 0) return;
    bundle = tryBuild(sources, [], probes, pathPrefix, options);
    if (!bundle) return;
  }
  const evaluated = await evaluateInWorkers(
    bundle,
    probes.map((p) => ({ ...p.test, entrypoint: p.entrypoint })),
    options,
  );
  const lines = new Map(sources.map((s) => [pathPrefix + s.path, s.text.split("\n")]));
  probes.forEach((p, i) => {
    const result = results.find((r) => r === p.test);
    const failure = failedExpression(evaluated[i], p.test.file, lines.get(p.test.file));
    if (result && failure) result.failure = failure;
  });
}

/** The deepest step of a `values` probe: `[k, row, text, [[term, {value}], ...]]` rows. */
function failedExpression(
  done: WorkerDone | PolicyTestResult | undefined,
  file: string,
  lines: string[] | undefined,
): FailedExpression | undefined {
  if (!done || "outcome" in done || done.error !== undefined) return undefined;
  if (!Array.isArray(done.value) || done.value.length === 0) return undefined;
  type Row = [number, number, string, [string, unknown[]][]];
  const rows = (done.value as Row[]).filter((r) => Array.isArray(r) && r.length === 4);
  const deepest = Math.max(...rows.map((r) => r[0]));
  const row = rows.find((r) => r[0] === deepest);
  if (!row) return undefined;
  const [, line, text, operands] = row;
  return {
    file,
    line,
    text: lines?.[line - 1]?.trim() || text,
    operands: operands.map(([term, values]) => (values.length === 1 ? { term, value: values[0] } : { term })),
  };
}

/** The worker module beside this one (TypeScript in a clone, compiled JavaScript when installed). */
function workerUrl(): URL {
  return new URL(import.meta.url.endsWith(".ts") ? "./test-worker.ts" : "./test-worker.js", import.meta.url);
}

function startWorker(job: WorkerJob): Worker {
  const url = workerUrl();
  if (!url.pathname.endsWith(".ts")) return new Worker(url, { workerData: job });
  // A clone runs the TypeScript through tsx, which a worker thread does not inherit.
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(url.href)}))`;
  return new Worker(boot, { eval: true, workerData: job });
}

async function evaluateInWorkers(
  bundle: PolicyBundle,
  tests: readonly PolicyTest[],
  options: PolicyTestOptions,
): Promise<(WorkerDone | PolicyTestResult)[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
  const results: (WorkerDone | PolicyTestResult)[] = [];
  while (results.length < tests.length) {
    const offset = results.length;
    const job: WorkerJob = {
      bundle,
      entrypoints: tests.slice(offset).map((t) => t.entrypoint),
      ...(options.maxMemoryPages === undefined ? {} : { maxMemoryPages: options.maxMemoryPages }),
    };
    await new Promise<void>((resolve, reject) => {
      const worker = startWorker(job);
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        void worker.terminate();
        if (error === undefined) resolve();
        else reject(error);
      };
      worker.on("message", (message: WorkerMessage) => {
        const test = tests[offset + message.index]!;
        if (message.type === "start") {
          timer = setTimeout(() => {
            results.push({
              ...test,
              outcome: "error",
              errorCode: "eval_cancel_error",
              detail: `timed out after ${timeoutMs / 1000}s (--timeout)`,
              output: [],
              durationNs: timeoutMs * 1_000_000,
            });
            finish();
          }, timeoutMs);
          return;
        }
        if (timer) clearTimeout(timer);
        results.push(message);
        if (results.length === tests.length) finish();
      });
      worker.on("error", (error) => finish(error instanceof Error ? new UserError(error.message) : error));
      worker.on("exit", (code) => {
        if (!settled) finish(new UserError(`the policy test worker stopped (exit code ${code})`));
      });
    });
  }
  return results;
}

type WorkerDone = Extract<WorkerMessage, { type: "done" }>;

function judge(
  test: PolicyTest,
  done: WorkerDone | PolicyTestResult,
  domain?: WorkerDone | PolicyTestResult,
): PolicyTestResult {
  if ("outcome" in done) return done; // timed out
  const base = { ...test, output: done.output, durationNs: done.durationNs };
  if (done.error !== undefined) {
    const { code, message } = splitError(done.error);
    return { ...base, outcome: "error", detail: message, ...(code ? { errorCode: code } : {}) };
  }
  if (test.parameterized) return judgeParameterized(base, done.value, domain);
  if (done.value === true) return { ...base, outcome: "pass" };
  return {
    ...base,
    outcome: "fail",
    detail: done.value === undefined ? "undefined" : `value ${JSON.stringify(done.value)}, not true`,
  };
}

/**
 * A parameterized test passes for each key value its body binds (its domain) that is in the
 * rule's value; without a domain (its probe did not compile), for each key of the value.
 */
function judgeParameterized(
  base: Omit<PolicyTestResult, "outcome">,
  value: unknown,
  domain: WorkerDone | PolicyTestResult | undefined,
): PolicyTestResult {
  const holds = (key: unknown): boolean => {
    if (Array.isArray(value)) return value.some((v) => isDeepStrictEqual(v, key));
    if (typeof value !== "object" || value === null) return false;
    return (value as Record<string, unknown>)[typeof key === "string" ? key : JSON.stringify(key)] === true;
  };
  let keys: unknown[];
  if (domain && !("outcome" in domain) && domain.error === undefined) {
    keys = Array.isArray(domain.value) ? domain.value : [];
  } else if (Array.isArray(value)) keys = value;
  else keys = typeof value === "object" && value !== null ? Object.keys(value) : [];
  const subResults = keys.map((key) => ({
    name: typeof key === "string" ? key : JSON.stringify(key),
    outcome: holds(key) ? ("pass" as const) : ("fail" as const),
  }));
  return { ...base, outcome: subResults.some((r) => r.outcome === "fail") ? "fail" : "pass", subResults };
}

/** `... failed in policy bundle sha256:..: file:row: eval_x_error: text` → the code and the text from `file:`. */
function splitError(text: string): { code?: string; message: string } {
  const message = text.replace(/^.* failed in policy bundle sha256:[0-9a-f]+: /s, "");
  const code = /^(?:[^\s:]+:\d+: )?([a-z_]+_error): /.exec(message)?.[1];
  return code === undefined ? { message } : { code, message };
}
