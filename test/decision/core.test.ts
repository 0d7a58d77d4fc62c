/**
 * The reconciler decides and the audit re-derives through the same core: a core changed in one of
 * its stages changes what the reconciler commits, and the audit expects exactly that change when
 * given the same core (and finds the difference with the unchanged one).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { auditHistory } from "../../src/audit/audit.ts";
import { type DecisionCore, decisionCore } from "../../src/decision/decide.ts";
import type { EvidenceDocument } from "../../src/decision/evidence.ts";
import { evidencePath } from "../../src/model/evidence.ts";
import { exampleGitopsRepo, proposeRelease } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";

/** A core whose policy input says the decision is taken a minute later than it is. */
const aMinuteLate: DecisionCore = {
  ...decisionCore,
  policyInput: (facts, situation, observed) =>
    decisionCore.policyInput({ ...facts, now: new Date(facts.now.getTime() + 60_000) }, situation, observed),
};

describe("one decision core for the reconciler and the audit", () => {
  it("a change to a stage of the core changes both the committed decision and the audit's re-derivation", async () => {
    const repo = await exampleGitopsRepo();
    try {
      const s = await simulatedReconciler(repo.dir, {
        environment: "dev",
        service: "retrieval-api",
        core: aMinuteLate,
      });
      await proposeRelease(repo.dir, "dev", "retrieval-api", (p) => ({
        ...p,
        index: { buildId: "kb-2026-11-21.1", digest: `sha256:${"1".repeat(64)}` },
      }));
      const tick = await s.reconciler.tick();
      assert.equal(tick.decisions.length, 1, "the rollout starts");
      const written = tick.decisions[0]!;
      const evidence = JSON.parse(
        await s.gitRepo.treeAt(written.commit).read(evidencePath(written.evidence)),
      ) as EvidenceDocument;
      assert.equal(
        Date.parse(evidence.policy.input.now.time) - Date.parse(evidence.decidedAt),
        60_000,
        "the reconciler decided with the changed core",
      );

      const same = await auditHistory(s.gitRepo, { core: aMinuteLate });
      assert.deepEqual(same.failures, [], "the audit with the same core re-derives the same decision");
      const unchanged = await auditHistory(s.gitRepo);
      assert.deepEqual(
        unchanged.failures.map((f) => [f.commit, f.check]),
        [[written.commit, "decision"]],
      );
      assert.match(unchanged.failures[0]!.message, /the stored policy input is not what .* input\.now\.time/);
    } finally {
      await repo.cleanup();
    }
  });
});
