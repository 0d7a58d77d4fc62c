/**
 * The traffic split check reaches the policy input and the evidence: a canary that gets a fraction of
 * the share its step set holds the rollout with the reason; a correct split does not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadRepository } from "../../src/model/repository.ts";
import { DirectoryTree } from "../../src/model/tree.ts";
import type { Status } from "../../src/model/types.ts";
import { observeRecords } from "../../src/decision/observe.ts";
import { simulateStage } from "../../src/telemetry/simulated/generator.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const { state } = await loadRepository(new DirectoryTree(PROJECT_ROOT));
const prod = state.environments.get("prod")!.environment;

/** Step 1 of prod (5% of traffic), 5 minutes in. */
const status: Status = {
  apiVersion: "tollgate.dev/v1",
  kind: "Status",
  service: "support-agent",
  phase: "progressing",
  step: 0,
  weight: 5,
  rolloutStartedAt: "2026-11-24T10:00:00Z",
  stepStartedAt: "2026-11-24T10:00:00Z",
};

function observe(canaryPercent: number) {
  const records = [
    ...simulateStage({
      seed: 22,
      scenario: `split-${canaryPercent}`,
      horizon: 300,
      baselineTraffic: "remainder",
      canaryPercent,
    }),
  ].flatMap((i) => i.records);
  return observeRecords(prod, status, records, { interval: 10, now: 300, stepStart: 0 });
}

describe("sample ratio mismatch in the policy input and the evidence", () => {
  it("a canary getting 1% where its step set 5% is a mismatch, with the reason", () => {
    const observed = observe(1);
    const ratio = observed.analysis!.sampleRatio!;
    assert.equal(ratio.mismatch, true);
    assert.equal(ratio.expectedShare, 0.05);
    assert.ok(ratio.observedShare! < 0.015, `observed ${ratio.observedShare}`);
    assert.match(
      ratio.reason,
      /^canary receives 1(\.\d)?% of requests, expected 5%: the traffic split is not what the step set/,
    );
    // The evidence keeps the whole report, split check included.
    assert.equal(observed.analysisEvidence!.report.sampleRatio!.mismatchAt !== null, true);
    assert.equal(observed.analysisEvidence!.timing.canaryShare, 0.05);
  });

  it("the split the step set is no mismatch", () => {
    const ratio = observe(5).analysis!.sampleRatio!;
    assert.equal(ratio.mismatch, false);
    assert.match(ratio.reason, /consistent with the step's split/);
  });
});
