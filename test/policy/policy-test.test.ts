import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readPolicySources } from "../../src/policy/sources.ts";
import { goDuration, jsonReport, prettyReport } from "../../src/policy/test-report.ts";
import { discoverTests, type PolicyTestReport, runPolicyTests } from "../../src/policy/test-runner.ts";
import { opaForTest } from "../support/opa/index.ts";
import { runCli } from "../support/run-cli.ts";
import { POLICY_DIR } from "./support.ts";

/** Tests in the ways `opa test` reports them: pass, fail, error, todo, parameterized, print. */
const FIXTURE = fileURLToPath(new URL("./fixtures/opa-test/", import.meta.url));

let fixtureReport: Promise<PolicyTestReport> | undefined;
function fixture(): Promise<PolicyTestReport> {
  fixtureReport ??= runPolicyTests(FIXTURE);
  return fixtureReport;
}

function byName(report: PolicyTestReport) {
  return Object.fromEntries(report.results.map((r) => [r.rule, r]));
}

test("every guardrail test passes, and there are at least 60 of them", async () => {
  const report = await runPolicyTests(POLICY_DIR, "policies/");
  const failures = report.results.filter((r) => r.outcome !== "pass").map((r) => `${r.name}: ${r.detail}`);
  assert.deepEqual(failures, []);
  assert.ok(report.passed >= 60, `${report.passed} tests`);
  assert.equal(report.failed, 0);
});

test("test rules are found in *_test.rego files only, once each", async () => {
  const tests = discoverTests(await readPolicySources(POLICY_DIR, { tests: true }), "policies/");
  assert.ok(tests.every((t) => t.file.endsWith("_test.rego") && t.name.startsWith("data.tollgate.")));
  assert.equal(new Set(tests.map((t) => t.entrypoint)).size, tests.length);
  const first = tests.find((t) => t.name === "data.tollgate.budgets_test.test_deploy_spend_over_budget_rolls_back");
  assert.equal(first?.entrypoint, "tollgate/budgets_test/test_deploy_spend_over_budget_rolls_back");
  assert.equal(first?.file, "policies/budgets_test.rego");
});

test("outcomes as opa test: pass, fail, error with its code, todo_test_ skipped, sub-tests counted", async () => {
  const report = await fixture();
  const outcome = Object.fromEntries(report.results.map((r) => [r.rule, r.outcome]));
  assert.deepEqual(outcome, {
    test_allows_within_budget: "pass",
    test_denies_over_budget: "pass",
    test_wrong_expectation: "fail",
    test_scaled: "fail",
    test_conflict: "error",
    todo_test_later: "skip",
    test_within_budget: "fail",
  });
  assert.equal(byName(report).test_conflict?.errorCode, "eval_conflict_error");
  // The parameterized test counts once per sub-test: 2 + small; wrong, scaled, large; todo; conflict.
  assert.deepEqual([report.passed, report.failed, report.skipped, report.errors], [3, 3, 1, 1]);
});

test("a parameterized test has one sub-test per value its key takes in the body", async () => {
  const r = byName(await fixture()).test_within_budget;
  assert.deepEqual(r?.subResults, [
    { name: "large", outcome: "fail" },
    { name: "small", outcome: "pass" },
  ]);
});

test("a failing test shows its failing expression and the values of its operands", async () => {
  const results = byName(await fixture());
  assert.deepEqual(results.test_scaled?.failure, {
    file: "limits_test.rego",
    line: 19,
    text: "doubled == 5",
    operands: [{ term: "doubled", value: 4 }],
  });
  assert.deepEqual(results.test_wrong_expectation?.failure?.operands, [{ term: "limits.allow" }]);
  assert.equal(results.test_wrong_expectation?.failure?.line, 14);
});

test("print output is kept per test; the pretty report shows it for failures, and for all with verbose", async () => {
  const report = await fixture();
  assert.deepEqual(byName(report).test_denies_over_budget?.output, ["cost 3 budget 2"]);
  assert.deepEqual(byName(report).test_wrong_expectation?.output, ['checking {"cost": 3}']);
  const quiet = prettyReport(report, false).join("\n");
  assert.match(quiet, /test_wrong_expectation: FAIL \(.*\)\n {2}limits_test\.rego:14: limits\.allow with input/);
  assert.match(quiet, /\n {4}doubled: 4\n/);
  assert.match(quiet, /\n\n {2}checking \{"cost": 3\}\n\n/);
  assert.doesNotMatch(quiet, /cost 3 budget 2|test_allows_within_budget/);
  assert.match(quiet, /data\.limits_test\.todo_test_later: SKIPPED\n/);
  assert.match(quiet, / {2}large: FAIL\n/);
  assert.doesNotMatch(quiet, /small: PASS/);
  assert.match(quiet, /-{80}\nPASS: 3\/8\nFAIL: 3\/8\nSKIPPED: 1\/8\nERROR: 1\/8$/);
  const verbose = prettyReport(report, true).join("\n");
  assert.match(verbose, /data\.limits_test\.test_denies_over_budget: PASS \(.*\)\n\n {2}cost 3 budget 2\n/);
  assert.match(verbose, / {2}small: PASS\n/);
});

test("the JSON report has opa test's shape", async () => {
  const json = jsonReport(await fixture());
  const get = (name: string) => json.find((r) => r.name === name);
  assert.deepEqual(get("test_allows_within_budget")?.location, { file: "limits_test.rego", row: 5, col: 1 });
  assert.equal(get("test_allows_within_budget")?.package, "data.limits_test");
  assert.equal(get("test_allows_within_budget")?.fail, undefined);
  assert.equal(get("test_scaled")?.fail, true);
  assert.equal(get("todo_test_later")?.skip, true);
  assert.equal(get("test_conflict")?.error?.code, "eval_conflict_error");
  assert.match(get("test_conflict")?.error?.message ?? "", /^function data\.limits\.size produced conflicting/);
  assert.equal(Buffer.from(get("test_denies_over_budget")?.output ?? "", "base64").toString(), "cost 3 budget 2\n");
  assert.deepEqual(get("test_within_budget")?.sub_results, {
    large: { name: "large", fail: true },
    small: { name: "small" },
  });
  assert.ok(json.every((r) => Number.isInteger(r.duration) && r.duration >= 0));
});

test("durations print as Go's", () => {
  assert.deepEqual([999, 312_304, 1_500_000, 2_000_000_001, 3_000_000_000].map(goDuration), [
    "999ns",
    "312.304µs",
    "1.5ms",
    "2.000000001s",
    "3s",
  ]);
});

test("--run keeps the tests whose full name matches", async () => {
  const report = await runPolicyTests(FIXTURE, "", { run: /budget|later/ });
  assert.deepEqual(
    report.results.map((r) => r.rule),
    ["test_allows_within_budget", "test_denies_over_budget", "todo_test_later", "test_within_budget"],
  );
  const none = await runPolicyTests(FIXTURE, "", { run: /^data\.limits_test\.test_scaled$/ });
  assert.deepEqual(
    none.results.map((r) => r.outcome),
    ["fail"],
  );
});

test("--timeout stops a test that runs too long, and the tests after it still run", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-policy-test-"));
  try {
    await writeFile(
      join(dir, "slow_test.rego"),
      [
        "package slow_test",
        "xs := numbers.range(1, 4000)",
        "test_slow if {",
        "\tevery i in xs {",
        "\t\tevery j in xs {",
        "\t\t\tevery k in xs { k != -1 }",
        "\t\t}",
        "\t}",
        "}",
        "test_after if true",
        "",
      ].join("\n"),
    );
    // A memory cap high enough that the time limit, not the memory one, stops the loop.
    const report = await runPolicyTests(dir, "", { timeoutMs: 300, maxMemoryPages: 16384 });
    const [slow, after] = report.results;
    assert.equal(slow?.outcome, "error", slow?.detail);
    assert.equal(slow?.errorCode, "eval_cancel_error");
    assert.match(slow?.detail ?? "", /timed out after 0\.3s/);
    assert.equal(after?.outcome, "pass");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("policy test exits as opa test: 0 all pass, 2 on a failure or a skip (0 with -z), 1 when nothing ran", async () => {
  const passing = await runCli(["policy", "test", FIXTURE, "--run", "allows"]);
  assert.equal(passing.code, 0, passing.stdout + passing.stderr);
  assert.equal(passing.stdout, `${"-".repeat(80)}\nPASS: 1/1\n`);
  const failing = await runCli(["policy", "test", FIXTURE]);
  assert.equal(failing.code, 2);
  const skipped = await runCli(["policy", "test", FIXTURE, "--run", "allows|todo"]);
  assert.equal(skipped.code, 2);
  assert.equal((await runCli(["policy", "test", FIXTURE, "--run", "allows|todo", "-z"])).code, 0);
  const none = await runCli(["policy", "test", FIXTURE, "--run", "nothing_matches"]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no test matches --run nothing_matches/);
  const json = await runCli(["policy", "test", FIXTURE, "--format", "json", "--run", "scaled"]);
  assert.equal(json.code, 2);
  assert.deepEqual(
    (JSON.parse(json.stdout) as { name: string; fail?: boolean }[]).map((r) => [r.name, r.fail]),
    [["test_scaled", true]],
  );
  const verbose = await runCli(["policy", "test", FIXTURE, "-v", "--run", "denies"]);
  assert.match(verbose.stdout, /test_denies_over_budget: PASS .*\n\n {2}cost 3 budget 2\n/);
  const bad = await runCli(["policy", "test", FIXTURE, "--timeout", "soon"]);
  assert.notEqual(bad.code, 0);
});

test("the same folder under the real opa test gives the same outcomes, sub-tests and print output", async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  const { stdout } = await promisify(execFile)(opa.bin, ["test", "--format", "json", "."], { cwd: FIXTURE }).catch(
    (error: { stdout: string }) => error, // exit 2: some tests fail
  );
  type Row = {
    name: string;
    fail?: boolean;
    skip?: boolean;
    error?: { code: string };
    output?: string;
    sub_results?: unknown;
    location: unknown;
  };
  const shape = (rows: Row[]) =>
    rows
      .map((r) => ({
        name: r.name,
        fail: r.fail ?? false,
        skip: r.skip ?? false,
        error: r.error?.code,
        output: r.output,
        sub_results: r.sub_results,
        location: r.location,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  const ours = jsonReport(await fixture()) as Row[];
  assert.deepEqual(shape(ours), shape(JSON.parse(stdout) as Row[]));
});

/** The rows a list of ranges covers, each once, in order (OPA's ranges are per expression and overlap). */
const rows = (ranges: { start: { row: number }; end: { row: number } }[]) =>
  [
    ...new Set(ranges.flatMap((r) => Array.from({ length: r.end.row - r.start.row + 1 }, (_, i) => r.start.row + i))),
  ].sort((a, b) => a - b);

test("--coverage reports per file the lines the tests evaluated and those they did not", async () => {
  const report = await runPolicyTests(FIXTURE, "", { run: /allows|denies/, coverage: true });
  const coverage = report.coverage;
  assert.ok(coverage);
  const limits = coverage.files["limits.rego"];
  assert.deepEqual(rows(limits?.covered ?? []), [3]);
  assert.deepEqual(rows(limits?.not_covered ?? []), [5, 7, 9]);
  assert.equal(limits?.coverage, 25);
  const tests = coverage.files["limits_test.rego"];
  assert.deepEqual(rows(tests?.covered ?? []), [5, 7, 8, 9]);
  assert.deepEqual(rows(tests?.not_covered ?? []), [12, 13, 14, 17, 18, 19, 22, 24, 26, 28, 30]);
  assert.equal(coverage.covered_lines, 5);
  assert.equal(coverage.not_covered_lines, 14);
});

test("a multi-line rule head or expression counts every line it spans", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-coverage-"));
  try {
    await writeFile(
      join(dir, "p.rego"),
      [
        "package p",
        "",
        "limits := {",
        '\t"cpu": 2,',
        "}",
        "",
        "ok if {",
        "\tobject.get(",
        "\t\tlimits,",
        '\t\t"cpu",',
        "\t\t0,",
        "\t) == 2",
        "}",
        "",
      ].join("\n"),
    );
    await writeFile(join(dir, "p_test.rego"), "package p_test\n\ntest_ok if data.p.ok\n");
    const report = await runPolicyTests(dir, "", { coverage: true });
    assert.deepEqual(rows(report.coverage?.files["p.rego"]?.covered ?? []), [3, 4, 5, 7, 8, 9, 10, 11, 12]);
    assert.equal(report.coverage?.files["p.rego"]?.not_covered_lines, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("policy test --coverage prints the report; --threshold exits 2 below it", async () => {
  const args = ["policy", "test", FIXTURE, "--coverage", "--run", "allows|denies"];
  const ok = await runCli([...args, "--threshold", "20"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { covered_lines: number }).covered_lines, 5);
  const below = await runCli([...args, "--threshold", "50"]);
  assert.equal(below.code, 2);
  assert.match(below.stderr, /Code coverage threshold not met: got 26\.32 instead of 50\.00/);
});

test("the fixture's coverage is the real opa test --coverage's, line for line", async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  const { stdout } = await promisify(execFile)(opa.bin, ["test", "--coverage", "--run", "allows|denies", "."], {
    cwd: FIXTURE,
  });
  type Files = Record<string, { covered: Parameters<typeof rows>[0]; not_covered?: Parameters<typeof rows>[0] }>;
  const lines = (files: Files) =>
    Object.fromEntries(Object.entries(files).map(([f, c]) => [f, [rows(c.covered), rows(c.not_covered ?? [])]]));
  const ours = await runPolicyTests(FIXTURE, "", { run: /allows|denies/, coverage: true });
  assert.deepEqual(lines(ours.coverage!.files as Files), lines((JSON.parse(stdout) as { files: Files }).files));
});
