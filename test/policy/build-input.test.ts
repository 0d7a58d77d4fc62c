import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadRepository } from "../../src/model/repository.ts";
import { DirectoryTree } from "../../src/model/tree.ts";
import type { Status } from "../../src/model/types.ts";
import { buildPolicyInput } from "../../src/policy/build-input.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const { state } = await loadRepository(new DirectoryTree(PROJECT_ROOT));
const prod = state.environments.get("prod")!;
const now = new Date("2026-11-24T10:00:00Z");
const input = () =>
  buildPolicyInput({
    mode: "live",
    state,
    environment: "prod",
    service: "support-agent",
    release: prod.releases.get("support-agent")!,
    status: prod.statuses.get("support-agent"),
    now,
  });

describe("policy input: dependencies", () => {
  it("lists the services a release depends on, healthy when something of them is live", () => {
    assert.deepEqual(input().dependencies, [{ service: "retrieval-api", healthy: true }]);
    assert.deepEqual(input().deployments, []);
  });

  it("shows a dependency's rollout under way, and an incident holding it as unhealthy", () => {
    const original = prod.statuses.get("retrieval-api")!;
    const rolling: Status = {
      ...original,
      phase: "progressing",
      canaryDigest: `sha256:${"9".repeat(64)}`,
      step: 1,
      weight: 25,
      lastDecision: {
        action: "hold",
        at: now.toISOString(),
        idempotencyKey: "k",
        reasons: [
          { rule: "rollback.incident_on_both_arms", message: "error rate is above the ceiling 5% on both versions" },
        ],
      },
    };
    prod.statuses.set("retrieval-api", rolling);
    try {
      assert.deepEqual(input().deployments, [
        { service: "retrieval-api", phase: "progressing", digest: rolling.canaryDigest, step: 1, weight: 25 },
      ]);
      assert.deepEqual(input().dependencies, [
        { service: "retrieval-api", healthy: false, detail: "error rate is above the ceiling 5% on both versions" },
      ]);
    } finally {
      prod.statuses.set("retrieval-api", original);
    }
  });

  it("leaves out rollouts of services it does not depend on, so the input does not grow with the fleet", () => {
    for (let i = 0; i < 50; i++)
      prod.statuses.set(`other-${i}`, {
        apiVersion: "tollgate.dev/v1",
        kind: "Status",
        service: `other-${i}`,
        phase: "progressing",
        step: 0,
        weight: 5,
      });
    try {
      assert.deepEqual(input().deployments, []);
    } finally {
      for (let i = 0; i < 50; i++) prod.statuses.delete(`other-${i}`);
    }
  });
});

describe("policy input: approvals", () => {
  it("names each recorded approver's teams by teams.yaml, and none without it", () => {
    const release = {
      ...prod.releases.get("support-agent")!,
      approvals: [
        { by: "carol", at: "2026-11-24T09:00:00Z", digest: prod.releases.get("support-agent")!.artifact.digest },
      ],
    };
    const build = (teams?: Record<string, string[]>) =>
      buildPolicyInput({
        mode: "live",
        state: {
          environments: state.environments,
          ...(teams ? { teams: { apiVersion: "tollgate.dev/v1", kind: "Teams", teams } } : {}),
        },
        environment: "prod",
        service: "support-agent",
        release,
        status: prod.statuses.get("support-agent"),
        now,
      });
    assert.deepEqual(
      build({ "support-eng": ["carol", "dave"], "ml-platform": ["carol"], other: ["erin"] }).approvals[0]!.teams,
      ["ml-platform", "support-eng"],
    );
    assert.equal(build().approvals[0]!.teams, undefined);
    assert.deepEqual(state.teams?.teams["ml-platform"], ["carol"], "the example repository's own teams.yaml is read");
  });
});
