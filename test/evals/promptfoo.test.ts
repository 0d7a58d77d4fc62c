import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { evalAttestation, readPromptfooResults } from "../../src/evals/index.ts";

const FIXTURE = new URL("./fixtures/promptfoo-results.json", import.meta.url);
const text = readFileSync(FIXTURE, "utf8");

describe("promptfoo's JSON output", () => {
  it("normalises pass rate, scores, cost, latency and the judge model", () => {
    const run = readPromptfooResults(text, "results.json");
    assert.equal(run.sampleSize, 10);
    assert.deepEqual([run.passed, run.failed, run.errors], [9, 1, 0]);
    assert.equal(run.passRate, 0.9);
    assert.ok(Math.abs(run.meanScore - 0.94) < 1e-9, String(run.meanScore));
    assert.deepEqual(Object.keys(run.namedScores), ["helpfulness", "policy-compliance"]);
    assert.ok(Math.abs(run.namedScores.helpfulness! - 0.86) < 1e-9);
    assert.ok(Math.abs(run.costUsd - 0.031) < 1e-9);
    assert.equal(run.latencyMeanMs, 1160);
    assert.equal(run.latencyP95Ms, 2650);
    assert.equal(run.judgeModel, "openai:gpt-4.1-2025-04-14");
  });

  it("makes an attestation whose score is the pass rate, passing at --min-pass-rate", () => {
    const run = readPromptfooResults(text, "results.json");
    const facts = {
      digest: `sha256:${"a".repeat(64)}`,
      suite: "support-golden-v8",
      by: "ci",
      at: "2026-11-24T10:00:00Z",
    };
    const strict = evalAttestation(run, facts);
    assert.equal(strict.score, 0.9);
    assert.equal(strict.pass, false);
    assert.equal(strict.sampleSize, 10);
    assert.equal(strict.metrics?.["score.policy-compliance"], 0.9);
    assert.equal(strict.metrics?.costUsd, 0.031);
    assert.equal(evalAttestation(run, { ...facts, minPassRate: 0.9 }).pass, true);
  });

  it("names what is wrong with a file that is not promptfoo's output", () => {
    assert.throws(() => readPromptfooResults("{", "r.json"), /^UserError: r\.json: not JSON/);
    assert.throws(() => readPromptfooResults("{}", "r.json"), /r\.json: no results\.results array/);
    assert.throws(
      () => readPromptfooResults(JSON.stringify({ results: { results: [] } }), "r.json"),
      /r\.json: results\.results is empty/,
    );
    assert.throws(
      () => readPromptfooResults(JSON.stringify({ results: { results: [{ success: true, cost: "x" }] } }), "r.json"),
      /r\.json: results\.results\[0\]\.cost is not a number/,
    );
  });
});
