import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { validatorFor } from "../../src/model/schemas.ts";

const examplesDir = new URL("../../policies/examples/", import.meta.url);
const read = (name: string) => JSON.parse(readFileSync(new URL(name, examplesDir), "utf8")) as Record<string, unknown>;
const inputs = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".input.json"))
  .sort();

test("every example input follows the input schema", () => {
  assert.ok(inputs.length >= 8);
  const validate = validatorFor("policy-input");
  for (const file of inputs) assert.ok(validate(read(file)), `${file}: ${JSON.stringify(validate.errors)}`);
});

test("every documented decision follows the decision schema", () => {
  const validate = validatorFor("policy-decision");
  for (const file of inputs) {
    const decision = file.replace(".input.json", ".decision.json");
    assert.ok(validate(read(decision)), `${decision}: ${JSON.stringify(validate.errors)}`);
  }
});

test("the input schema rejects unknown fields, a wrong mode and non-UTC times", () => {
  const validate = validatorFor("policy-input");
  const base = read("live-advance.input.json");
  assert.equal(validate({ ...base, surprise: 1 }), false);
  assert.equal(validate({ ...base, mode: "dry-run" }), false);
  assert.equal(validate({ ...base, now: { ...(base.now as object), time: "2026-11-24T11:15:00+01:00" } }), false);
  assert.equal(
    validate({ ...base, status: { ...(base.status as object), phase: "progressing", step: undefined } }),
    false,
  );
  const environment = base.environment as Record<string, unknown>;
  assert.equal(
    validate({ ...base, environment: { ...environment, budgets: { ...(environment.budgets as object), extra: 1 } } }),
    false,
  );
});

test("the decision schema requires a reason for every action but advance", () => {
  const validate = validatorFor("policy-decision");
  for (const action of ["promote", "hold", "rollback", "block"]) {
    assert.equal(validate({ action, mode: "live", reasons: [], violations: [] }), false, action);
  }
  assert.equal(validate({ action: "advance", mode: "live", reasons: [], violations: [] }), true);
  assert.equal(validate({ action: "advance", mode: "live", reasons: [], violations: [], why: "?" }), false);
});

test("every field of both schemas is described", () => {
  for (const name of ["policy-input", "policy-decision"]) {
    const schema = JSON.parse(
      readFileSync(new URL(`../../schemas/${name}.schema.json`, import.meta.url), "utf8"),
    ) as unknown;
    const undescribed: string[] = [];
    const visit = (node: unknown, path: string) => {
      if (!node || typeof node !== "object") return;
      const obj = node as Record<string, unknown>;
      if (obj.properties && typeof obj.properties === "object") {
        for (const [key, sub] of Object.entries(obj.properties as Record<string, Record<string, unknown>>)) {
          if (typeof sub.description !== "string") undescribed.push(`${path}/properties/${key}`);
        }
      }
      for (const [key, value] of Object.entries(obj)) visit(value, `${path}/${key}`);
    };
    visit(schema, name);
    assert.deepEqual(undescribed, []);
  }
});
