import assert from "node:assert/strict";
import { test } from "node:test";
import { loadGuardrails, readExamples } from "./support.ts";

test("tollgate/decision gives the decision documented next to each example input", async () => {
  const guardrails = await loadGuardrails();
  const examples = readExamples();
  assert.ok(examples.length >= 8);
  for (const example of examples) {
    assert.deepEqual(guardrails.decide(example.input), example.decision, example.name);
  }
});

test("the issue's cost example reads as the issue wrote it", async () => {
  const guardrails = await loadGuardrails();
  const example = readExamples().find((e) => e.name === "live-cost-regression");
  assert.ok(example);
  const decision = guardrails.decide(example.input);
  assert.equal(decision.action, "rollback");
  assert.deepEqual(
    decision.reasons.map((r) => r.message),
    ["cost per task $0.031 is 41% above baseline $0.022; budget tolerance 20%"],
  );
});
