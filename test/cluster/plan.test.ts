import assert from "node:assert/strict";
import { test } from "node:test";
import { checkService } from "../../src/cluster/manifests.ts";
import { gatewaySplit, planService, replicaSplit } from "../../src/cluster/plan.ts";
import { InvalidInputError } from "../../src/model/errors.ts";
import { artifact, release, status } from "./fixtures.ts";

const v1 = artifact(1);
const v2 = artifact(2);

test("plan: stable is the live digest, the canary is the release's artifact while progressing", () => {
  assert.deepEqual(planService("dev", release(v1), undefined), { environment: "dev", service: "support", stable: v1 });
  const progressing = status({ phase: "progressing", liveDigest: v1.digest, canaryDigest: v2.digest, weight: 30 });
  assert.deepEqual(planService("dev", release(v2, v1), progressing), {
    environment: "dev",
    service: "support",
    stable: v1,
    canary: { artifact: v2, weight: 30 },
  });
  assert.deepEqual(
    planService("dev", release(v2, v2), status({ phase: "promoted", liveDigest: v2.digest })).canary,
    undefined,
  );
  const rolledBack = planService(
    "dev",
    release(v1, v1),
    status({ phase: "rolled-back", liveDigest: v1.digest, canaryDigest: v2.digest }),
  );
  assert.deepEqual([rolledBack.stable.digest, rolledBack.canary], [v1.digest, undefined]);
});

test("plan: a canary digest the release no longer names runs nothing new", () => {
  const superseded = status({
    phase: "progressing",
    liveDigest: v1.digest,
    canaryDigest: artifact(3).digest,
    weight: 50,
  });
  assert.equal(planService("dev", release(v2, v1), superseded).canary, undefined);
});

test("plan: a live digest that is neither artifact nor lastGood is an input error naming the status file", () => {
  assert.throws(
    () => planService("prod", release(v2), status({ phase: "promoted", liveDigest: v1.digest })),
    (e: unknown) =>
      e instanceof InvalidInputError && /environments\/prod\/status\/support\.yaml.*liveDigest/.test(e.message),
  );
});

test("replica-ratio split rounds but never starves an arm; gateway split keeps stable full", () => {
  assert.deepEqual(replicaSplit(4, 0), { stable: 4, canary: 0, canaryWeight: 0 });
  assert.deepEqual(replicaSplit(4, 10), { stable: 3, canary: 1, canaryWeight: 25 });
  assert.deepEqual(replicaSplit(4, 50), { stable: 2, canary: 2, canaryWeight: 50 });
  assert.deepEqual(replicaSplit(4, 99), { stable: 1, canary: 3, canaryWeight: 75 });
  assert.deepEqual(replicaSplit(4, 100), { stable: 0, canary: 4, canaryWeight: 100 });
  assert.deepEqual(replicaSplit(100, 7), { stable: 93, canary: 7, canaryWeight: 7 });
  assert.deepEqual(gatewaySplit(4, 10), { stable: 4, canary: 1, canaryWeight: 10 });
  assert.deepEqual(gatewaySplit(4, 0), { stable: 4, canary: 0, canaryWeight: 0 });
});

test("services whose names cannot name Kubernetes objects and images not pinned by digest are rejected", () => {
  assert.throws(() => checkService("dev", "9lives", [v1]), /releases\/9lives\.yaml.*must start with a letter/);
  const unpinned = { ...v1, code: { ...v1.code, image: "registry.example/agents/support:latest" } };
  assert.throws(() => checkService("dev", "support", [unpinned]), /not pinned by digest/);
});
