import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import { parseEnvironment, parseRelease, parseStatus } from "../../src/model/load.ts";
import type { Release } from "../../src/model/types.ts";
import { idempotencyKey, situationOf, transition } from "../../src/decision/transitions.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const read = (p: string) => readFile(join(PROJECT_ROOT, p), "utf8");
const prod = parseEnvironment(await read("environments/prod/environment.yaml"), "prod/environment.yaml");
const stable = parseRelease(
  await read("environments/prod/releases/support-agent.yaml"),
  "prod/releases/support-agent.yaml",
);
const status = parseStatus(await read("environments/prod/status/support-agent.yaml"), "prod/status/support-agent.yaml");
const next = sealArtifact({ ...stable.artifact, model: { ...stable.artifact.model, snapshot: "20251101" } });
const proposed: Release = { ...stable, artifact: next, lastGood: stable.artifact };
const now = new Date("2026-11-23T10:00:00Z");
const reasons = [{ rule: "test.rule", message: "because" }];

describe("rollout transitions", () => {
  it("sees a new desired digest as pending, and a live one as steady", () => {
    assert.equal(situationOf(stable, status).kind, "steady");
    assert.deepEqual(situationOf(proposed, status), { kind: "pending", digest: next.digest });
  });

  it("starts a rollout at the first step's weight", () => {
    const t = transition({
      environment: prod,
      release: proposed,
      status,
      decision: { action: "advance", reasons },
      now,
    });
    assert.equal(t.status.phase, "progressing");
    assert.equal(t.status.canaryDigest, next.digest);
    assert.equal(t.status.step, 0);
    assert.equal(t.status.weight, 5);
    assert.equal(t.status.liveDigest, stable.artifact.digest);
    assert.equal(t.status.stepStartedAt, now.toISOString());
    assert.equal(t.releaseChanged, false);
    assert.equal(situationOf(proposed, t.status).kind, "rolling-out");
  });

  it("advances step by step and promotes at the end, keeping the new artifact warm as last good", () => {
    let s = transition({
      environment: prod,
      release: proposed,
      status,
      decision: { action: "advance", reasons },
      now,
    }).status;
    const weights = [s.weight];
    for (let i = 1; i < prod.rollout.steps.length; i++) {
      s = transition({
        environment: prod,
        release: proposed,
        status: s,
        decision: { action: "advance", reasons },
        now,
      }).status;
      weights.push(s.weight);
    }
    assert.deepEqual(weights, [5, 25, 50, 100]);
    assert.throws(
      () =>
        transition({ environment: prod, release: proposed, status: s, decision: { action: "advance", reasons }, now }),
      /past the last rollout step/,
    );
    const done = transition({
      environment: prod,
      release: proposed,
      status: s,
      decision: { action: "promote", reasons },
      now,
    });
    assert.equal(done.status.phase, "promoted");
    assert.equal(done.status.liveDigest, next.digest);
    assert.equal(done.status.canaryDigest, undefined);
    assert.deepEqual(done.status.verified?.at(-1), { digest: next.digest, at: now.toISOString() });
    assert.equal(done.release.lastGood?.digest, next.digest);
    assert.equal(done.releaseChanged, true);
    assert.equal(situationOf(done.release, done.status).kind, "steady");
  });

  it("rolls back by flipping the release pointer, rejecting the digest and freezing the service", () => {
    const rolling = transition({
      environment: prod,
      release: proposed,
      status,
      decision: { action: "advance", reasons },
      now,
    }).status;
    const t = transition({
      environment: prod,
      release: proposed,
      status: rolling,
      decision: { action: "rollback", reasons: [{ rule: "rollback.metric_failed", message: "error rate worse" }] },
      now,
    });
    assert.equal(t.release.artifact.digest, stable.artifact.digest);
    assert.equal(t.releaseChanged, true);
    assert.equal(t.status.phase, "rolled-back");
    assert.equal(t.status.weight, 0);
    assert.deepEqual(t.status.rejected?.at(-1), {
      digest: next.digest,
      at: now.toISOString(),
      reason: "error rate worse",
    });
    assert.equal(t.status.frozenUntil, "2026-11-23T14:00:00.000Z");
    assert.equal(situationOf(t.release, t.status).kind, "steady");
  });

  it("keys decisions by the step they were made in, and holds by their reasons", () => {
    const a = idempotencyKey("prod", "svc", next.digest, 3, 1, {
      action: "hold",
      reasons: [
        { rule: "b", message: "" },
        { rule: "a", message: "" },
      ],
    });
    const b = idempotencyKey("prod", "svc", next.digest, 3, 1, {
      action: "hold",
      reasons: [
        { rule: "a", message: "x" },
        { rule: "b", message: "y" },
      ],
    });
    const c = idempotencyKey("prod", "svc", next.digest, 3, 1, {
      action: "hold",
      reasons: [{ rule: "c", message: "" }],
    });
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.equal(
      idempotencyKey("prod", "svc", next.digest, 3, 2, { action: "advance", reasons: [] }),
      `prod/svc/${next.digest}/r3.2/advance`,
    );
    assert.equal(
      idempotencyKey("prod", "svc", next.digest, 4, undefined, { action: "advance", reasons: [] }),
      `prod/svc/${next.digest}/r4.pre/advance`,
    );
  });

  it("numbers rollouts so a digest rolled out again gets fresh keys", () => {
    const first = transition({
      environment: prod,
      release: proposed,
      status,
      decision: { action: "advance", reasons },
      now,
    });
    assert.equal(first.status.rollouts, 1);
    assert.equal(first.status.lastDecision?.idempotencyKey, `prod/support-agent/${next.digest}/r1.pre/advance`);
    const stepped = transition({
      environment: prod,
      release: proposed,
      status: first.status,
      decision: { action: "advance", reasons },
      now,
    });
    assert.equal(stepped.status.rollouts, 1);
    assert.equal(stepped.status.lastDecision?.idempotencyKey, `prod/support-agent/${next.digest}/r1.0/advance`);
    // Superseded by another digest, then the first comes back: a new rollout number.
    const other = sealArtifact({ ...stable.artifact, prompts: { digest: `sha256:${"7".repeat(64)}` } });
    const superseding = transition({
      environment: prod,
      release: { ...proposed, artifact: other },
      status: stepped.status,
      decision: { action: "advance", reasons },
      now,
    });
    assert.equal(superseding.status.rollouts, 2);
    const back = transition({
      environment: prod,
      release: proposed,
      status: superseding.status,
      decision: { action: "advance", reasons },
      now,
    });
    assert.equal(back.status.lastDecision?.idempotencyKey, `prod/support-agent/${next.digest}/r3.pre/advance`);
  });
});
