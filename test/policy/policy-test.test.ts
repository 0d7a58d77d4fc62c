import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readPolicySources } from "../../src/policy/sources.ts";
import { discoverTests, runPolicyTests } from "../../src/policy/test-runner.ts";
import { POLICY_DIR } from "./support.ts";

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

test("failing, undefined and erroring tests are reported as such; `with` mocks input and functions", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-policy-test-"));
  try {
    await writeFile(
      join(dir, "limits.rego"),
      "package limits\n\nimport rego.v1\n\nallow if input.cost <= data.budget\n\nscaled(x) := x * 2\n\ndoubled := scaled(input.cost)\n",
    );
    await writeFile(
      join(dir, "limits_test.rego"),
      [
        "package limits_test",
        "import rego.v1",
        "import data.limits",
        'test_allows_within_budget if limits.allow with input as {"cost": 1} with data.budget as 2',
        'test_denies_over_budget if not limits.allow with input as {"cost": 3} with data.budget as 2',
        'test_function_mock if limits.doubled == 7 with input as {"cost": 1} with limits.scaled as 7',
        'test_wrong_expectation if limits.allow with input as {"cost": 3} with data.budget as 2',
        "test_not_true := 5",
        'size(x) := "big" if x > 1',
        'size(x) := "huge" if x > 2',
        'test_conflict if size(input.n) == "big" with input as {"n": 3}',
        "",
      ].join("\n"),
    );
    const report = await runPolicyTests(dir);
    const outcome = Object.fromEntries(report.results.map((r) => [r.name.replace("data.limits_test.", ""), r.outcome]));
    assert.deepEqual(outcome, {
      test_allows_within_budget: "pass",
      test_denies_over_budget: "pass",
      test_function_mock: "pass",
      test_wrong_expectation: "fail",
      test_not_true: "fail",
      test_conflict: "error",
    });
    assert.equal(report.passed, 3);
    assert.equal(report.failed, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
