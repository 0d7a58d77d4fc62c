/**
 * OPA's conformance cases (../shared/opa-cases relative to the repository root) through the
 * compiler and the unmodified opa-wasm SDK.
 *
 * PLAINLY: until every non-skipped case passes, this test asserts only that the number of
 * passing cases does not drop below PASS_FLOOR (raised as the pass count goes up), plus that at
 * most 10% of the cases are skipped. When all non-skipped cases pass, it requires zero failures.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { loadCases } from "../../src/rego/conformance/cases.ts";
import { type CaseResult, runCase, summarise } from "../../src/rego/conformance/run.ts";

const CASES = resolve(import.meta.dirname, "../..", "../shared/opa-cases");

/** The pass count may not fall below this. Raise it whenever more cases pass. */
const PASS_FLOOR = 640;
/** Set to true once every non-skipped case passes: from then on any failure fails the test. */
const REQUIRE_ALL = false;

test("OPA conformance cases pass through the compiler and the opa-wasm SDK", { timeout: 20 * 60_000 }, async (t) => {
  if (!existsSync(CASES)) {
    if (process.env.CI === "true") assert.fail(`conformance cases missing: ${CASES} (required under CI)`);
    t.skip(`SKIPPED LOUDLY: conformance cases not found at ${CASES}`);
    return;
  }
  const cases = await loadCases(CASES);
  assert.ok(cases.length > 0, "no cases found");
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runCase(c));

  const lines = summarise(results).map((s) => `${s.dir}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  const count = (status: CaseResult["status"]) => results.filter((r) => r.status === status).length;
  const passed = count("passed");
  const failed = count("failed");
  const skipped = count("skipped");
  t.diagnostic(lines.join("\n"));
  t.diagnostic(`conformance: ${passed} passed, ${failed} failed, ${skipped} skipped`);

  assert.ok(skipped <= cases.length * 0.1, `${skipped} of ${cases.length} cases skipped (more than 10%)`);
  if (REQUIRE_ALL) {
    const failures = results.filter((r) => r.status === "failed").map((r) => `${r.case.file}: ${r.case.note}: ${r.detail}`);
    assert.deepEqual(failures, []);
  } else {
    assert.ok(passed >= PASS_FLOOR, `only ${passed} cases pass; the floor is ${PASS_FLOOR}`);
  }
});
