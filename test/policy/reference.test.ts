import assert from "node:assert/strict";
import { test } from "node:test";
import { referenceDecision } from "../../bench/guardrails-reference.ts";
import type { MetricJudgement, PolicyInput } from "../../src/policy/types.ts";
import { loadGuardrails, readExamples } from "./support.ts";

/** sfc32: a small seeded generator, so a failure can be replayed. */
function generator(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A variant of an example input with a few things changed at random (values with few decimals). */
function variant(base: PolicyInput, random: () => number): PolicyInput {
  const input = structuredClone(base);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const cents = (max: number) => Math.round(random() * max * 1000) / 1000;
  if (input.analysis) {
    for (const name of Object.keys(input.analysis.metrics) as (keyof typeof input.analysis.metrics)[]) {
      const m = input.analysis.metrics[name] as MetricJudgement;
      if (random() < 0.2) m.verdict = pick(["pass", "fail", "inconclusive"]);
      if (m.verdict === "inconclusive") m.reason = pick(["insufficient-data", "undecided"]);
      if (random() < 0.15) m.dataAgeSeconds = pick([0, 59, 60, 61, 600, 601, 3725]);
    }
    if (random() < 0.2) input.analysis.absolute.errorRate = { value: pick([0.01, 0.05, 0.061]), windowSeconds: 120 };
    if (random() < 0.2) input.analysis.absolute.podRestarts = { value: pick([0, 2, 3, 7]), windowSeconds: 300 };
    if (random() < 0.1) delete input.analysis.metrics.latency;
  }
  if (input.spend && random() < 0.4) {
    input.spend = {
      deployUsd: cents(300),
      canaryCostPerTaskUsd: cents(0.1),
      baselineCostPerTaskUsd: cents(0.05),
      canaryTaskRatePerMinute: Math.round(random() * 1500),
    };
  }
  if (input.status.phase === "progressing") {
    if (random() < 0.4) input.status.step = pick([0, 1, 2, 3, 4]);
    if (random() < 0.4) input.status.stepSeconds = pick([0, 299, 300, 599, 600, 1799, 1800, 3600]);
    if (random() < 0.3) input.status.rolloutSeconds = pick([100, 600, 5000]);
    const at = input.status.step ?? 0;
    if (random() < 0.25 && input.environment.rollout.steps[at]) {
      const steps = input.environment.rollout.steps.map((s, k) => (k === at ? { ...s, confirm: true as const } : s));
      input.environment = { ...input.environment, rollout: { ...input.environment.rollout, steps } };
      input.status.confirmedBy = pick([[], [], ["alice"], ["alice", "bob"]]);
    }
  } else if (random() < 0.3) {
    input.status.frozenUntil = pick(["2026-11-24T10:15:00Z", "2026-11-24T10:15:01Z", "2026-11-01T00:00:00Z"]);
  }
  if (random() < 0.2)
    input.now = {
      ...input.now,
      weekday: pick(["fri", "sat", "mon"]),
      localTime: pick(["08:59", "09:00", "11:59", "12:00", "16:59", "17:00"]),
    };
  if (random() < 0.1) input.now = { ...input.now, time: "2026-12-22T09:00:00Z" };
  if (random() < 0.15)
    input.release.attestations = input.release.attestations.map((a) => ({
      ...a,
      score: pick([0.85, 0.9, 0.95]),
      pass: random() < 0.7,
    }));
  if (random() < 0.15) input.approvals = input.approvals.slice(0, Math.floor(random() * (input.approvals.length + 1)));
  if (random() < 0.1) input.dependencies = [{ service: "retrieval-api", healthy: false, detail: "0 of 3 pods ready" }];
  if (random() < 0.1) input.deployments = [{ service: "retrieval-api", phase: "progressing", weight: 25 }];
  if (random() < 0.1) input.environment = { ...input.environment, protected: false };
  if (random() < 0.1) input.mode = input.mode === "live" ? "check" : "live";
  return input;
}

test("the compiled guardrails and the hand-written reference decide alike", async () => {
  const guardrails = await loadGuardrails();
  const random = generator(20261124);
  const examples = readExamples();
  let compared = 0;
  const actions = new Set<string>();
  for (const example of examples) {
    for (let i = 0; i < 40; i++) {
      const input = i === 0 ? example.input : variant(example.input, random);
      if (input.mode === "live" && input.status.phase === "progressing" && input.status.step === undefined) continue;
      const compiled = guardrails.decide(input);
      assert.deepEqual(compiled, referenceDecision(input), `${example.name} variant ${i}: ${JSON.stringify(input)}`);
      actions.add(compiled.action);
      compared++;
    }
  }
  assert.ok(compared >= 300);
  assert.deepEqual([...actions].sort(), ["advance", "block", "hold", "promote", "rollback"]);
});
