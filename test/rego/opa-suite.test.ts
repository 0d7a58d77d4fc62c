/**
 * OPA's complete v1 conformance suite, as shipped inside the pinned Go module
 * (v1/test/cases/testdata/v1), through tollgate's compiler and the opa-wasm SDK, with the same
 * harness as ../shared/opa-cases. Network cases are skipped (the harness's only skips).
 *
 * A ratchet: the pass count may not drop below PASS_FLOOR (raise it whenever more cases pass).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCases } from "../../src/rego/conformance/cases.ts";
import { DISAGREEMENTS, disagreementOf } from "../../src/rego/conformance/disagreements.ts";
import { type CaseResult, runCase, summarise } from "../../src/rego/conformance/run.ts";
import { opaForTest } from "../support/opa/index.ts";

/** The pass count may not fall below this. Raise it whenever more cases pass. */
const PASS_FLOOR = 2295;

test("OPA's own v1 suite from the pinned module passes through tollgate", { timeout: 60 * 60_000 }, async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  const cases = await loadCases(opa.casesDir);
  assert.ok(cases.length > 2000, `only ${cases.length} cases in ${opa.casesDir}`);
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runCase(c));

  const count = (status: CaseResult["status"]) => results.filter((r) => r.status === status).length;
  const passed = count("passed");
  t.diagnostic(
    summarise(results)
      .map((s) => `${s.dir}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`)
      .join("\n"),
  );
  t.diagnostic(`OPA ${opa.version} suite: ${passed} passed, ${count("failed")} failed, ${count("skipped")} skipped`);

  // a disagreement with the shared case files is declared only where OPA's own copy of the case passes
  const passedHere = new Set(
    results
      .filter((r) => r.status === "passed" && disagreementOf(r.case))
      .map((r) => `${disagreementOf(r.case)?.file}: ${r.case.note}`),
  );
  const declared = DISAGREEMENTS.flatMap((d) => d.notes.map((note) => `${d.file}: ${note}`));
  assert.deepEqual(
    declared.filter((d) => !passedHere.has(d)),
    [],
    `declared disagreements whose case OPA ${opa.version}'s own files lack or tollgate fails there`,
  );
  assert.ok(passed >= PASS_FLOOR, `only ${passed} of OPA's own cases pass; the floor is ${PASS_FLOOR}`);
});
