/**
 * OPA's complete v1 conformance suite, as shipped inside the pinned Go module
 * (v1/test/cases/testdata/v1), through tollgate's compiler and the opa-wasm SDK, with the same
 * harness as ../shared/opa-cases. Network cases are skipped (the harness's only skips).
 *
 * A ratchet: the pass count may not drop below PASS_FLOOR (raise it whenever more cases pass).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { loadCases } from "../../src/rego/conformance/cases.ts";
import { DISAGREEMENTS, disagreementOf } from "../../src/rego/conformance/disagreements.ts";
import { type CaseResult, canonical, runCase, summarise } from "../../src/rego/conformance/run.ts";
import { opaForTest, opaRunCase, startOpaServer } from "../support/opa/index.ts";

const SHARED_CASES = resolve(import.meta.dirname, "../..", "../shared/opa-cases");

/** The pass count may not fall below this. Raise it whenever more cases pass. */
const PASS_FLOOR = 2392;

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
  const declared = DISAGREEMENTS.filter((d) => d.opaRejects === undefined).flatMap((d) =>
    d.notes.map((note) => `${d.file}: ${note}`),
  );
  assert.deepEqual(
    declared.filter((d) => !passedHere.has(d)),
    [],
    `declared disagreements whose case OPA ${opa.version}'s own files lack or tollgate fails there`,
  );

  const own = new Set(cases.filter((c) => disagreementOf(c)).map((c) => `${disagreementOf(c)?.file}: ${c.note}`));
  assert.deepEqual(
    DISAGREEMENTS.flatMap((d) => d.notes.map((note) => `${d.file}: ${note}`)).filter((d) => !own.has(d)),
    [],
    `declared disagreements that OPA ${opa.version}'s own files lack`,
  );

  // every declaration is a real disagreement: the opa binary does not answer as the shared case file says
  if (existsSync(SHARED_CASES)) {
    const shared = (await loadCases(SHARED_CASES)).filter((c) => disagreementOf(c));
    assert.equal(shared.length, DISAGREEMENTS.flatMap((d) => d.notes).length, "declared cases missing in ../shared");
    const server = await startOpaServer(opa.bin);
    try {
      for (const c of shared) {
        const d = disagreementOf(c);
        const theirs = await opaRunCase(server, c);
        const where = `${c.file}: ${c.note}: opa ${opa.version}`;
        if (d?.opaRejects !== undefined) {
          assert.ok(
            theirs.kind === "compile_error" && theirs.message.includes(d.opaRejects),
            `${where} does not refuse it`,
          );
        } else if (c.wantResult !== undefined) {
          assert.ok(
            theirs.kind !== "rows" || canonical(theirs.rows) !== canonical(c.wantResult),
            `${where} answers as the case file: not a disagreement`,
          );
        } else {
          // an expected error: OPA's message differs from the file's
          const message = theirs.kind === "rows" ? undefined : theirs.message;
          assert.ok(
            message === undefined || !message.includes(c.wantError ?? ""),
            `${where} fails as the case file says: not a disagreement (${message})`,
          );
        }
      }
    } finally {
      await server.stop();
    }
  }
  assert.ok(passed >= PASS_FLOOR, `only ${passed} of OPA's own cases pass; the floor is ${PASS_FLOOR}`);
});
