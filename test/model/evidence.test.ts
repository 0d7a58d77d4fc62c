import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  EVIDENCE_FORMAT,
  EvidenceTooLargeError,
  encodeEvidence,
  evidencePath,
  evidenceProblems,
} from "../../src/model/evidence.ts";

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../policies/examples/${name}`, import.meta.url), "utf8")) as unknown;

/** A rollout decision as the reconciler stores it, built from the documented policy examples. */
function rolloutEvidence(): Record<string, unknown> {
  return {
    format: EVIDENCE_FORMAT,
    producer: { name: "tollgate", version: "0.1.0" },
    environment: "prod",
    service: "support-agent",
    decidedAt: "2026-11-24T10:15:00.000Z",
    decidedOn: "a".repeat(40),
    situation: "rolling-out",
    telemetry: {
      source: "file",
      interval: 10,
      stageStart: "2026-11-24T10:00:00.000Z",
      stepStart: 0,
      now: 900,
      records: [
        {
          t: 10,
          arm: "canary",
          requests: 100,
          errors: 1,
          latencyMs: {
            buckets: [
              [100, 90],
              [null, 100],
            ],
            sum: 4200,
          },
        },
        { t: 10, arm: "baseline", requests: 1900, errors: 20 },
      ],
      problems: [
        {
          signal: "cost",
          arm: "canary",
          kind: "missing",
          cause: "no-data",
          reason: "the cost series has no samples",
          intervals: [10],
        },
      ],
    },
    policy: {
      bundle: `sha256:${"b".repeat(64)}`,
      entrypoint: "tollgate/decision",
      input: example("live-error-rate-regression.input.json"),
      result: example("live-error-rate-regression.decision.json"),
    },
    decision: { action: "rollback", reasons: [{ rule: "rollback.metric_failed", message: "error_rate failed" }] },
  };
}

describe("the evidence document", () => {
  it("follows schemas/evidence.schema.json as the reconciler writes it, and when the policy failed", () => {
    assert.deepEqual(evidenceProblems(rolloutEvidence(), "e.json"), []);
    const failed = rolloutEvidence();
    failed.policy = { ...(failed.policy as object), result: null, error: "undefined decision" };
    assert.deepEqual(evidenceProblems(failed, "e.json"), []);
  });

  it("names the file and the field of what is wrong", () => {
    const doc = rolloutEvidence();
    (doc.telemetry as { records: unknown[] }).records.push({ t: 20, arm: "both" });
    doc.surprise = true;
    delete doc.decision;
    const problems = evidenceProblems(doc, "evidence/sha256/ab/x.json");
    assert.ok(problems.every((p) => p.file === "evidence/sha256/ab/x.json"));
    const fields = problems.map((p) => `${p.field}: ${p.message}`).join("\n");
    assert.match(fields, /^telemetry\.records\[2\]\.arm: must be one of "canary", "baseline"$/m);
    assert.match(fields, /^surprise: unknown field "surprise"$/m);
    assert.match(fields, /^decision: missing required field "decision"$/m);
    const badInput = rolloutEvidence();
    (badInput.policy as { input: Record<string, unknown> }).input = { mode: "dry-run" };
    assert.match(
      evidenceProblems(badInput, "e.json")
        .map((p) => p.field)
        .join(),
      /policy\.input/,
    );
  });

  it("is stored as canonical JSON under its digest, within the cap", () => {
    const doc = rolloutEvidence();
    const encoded = encodeEvidence(doc);
    const text = new TextDecoder().decode(encoded.bytes);
    assert.ok(text.startsWith('{"decidedAt":'), "keys sorted");
    assert.ok(!/\s"/.test(text.slice(0, 200)), "no whitespace between tokens");
    assert.equal(encoded.path, evidencePath(encoded.digest));
    assert.equal(encodeEvidence(JSON.parse(text)).digest, encoded.digest, "one document, one digest");
    assert.throws(() => encodeEvidence(doc, 100), EvidenceTooLargeError);
  });
});
