import assert from "node:assert/strict";
import { it } from "node:test";
import { formatTick } from "../../src/reconcile/format-tick.ts";
import type { TickResult } from "../../src/reconcile/reconciler.ts";

const objects = (deleted: boolean) => [
  { kind: "Service", name: "old-agent", namespace: "agents", deleted },
  { kind: "Deployment", name: "old-agent-stable", namespace: "agents", deleted },
];

it("says what was pruned, what is orphaned with prune off, and which cluster could not be searched", () => {
  const tick: TickResult = {
    head: "a".repeat(40),
    decisions: [],
    skipped: 0,
    attempts: 1,
    conflict: false,
    applied: [],
    pruned: [
      {
        environment: "prod",
        prune: true,
        ok: true,
        clusters: [
          {
            cluster: "eu-1",
            namespace: "agents",
            ok: true,
            attempts: 1,
            orphans: [{ service: "old-agent", objects: objects(true) }],
          },
        ],
      },
      {
        environment: "dev",
        prune: false,
        ok: false,
        clusters: [
          {
            cluster: "dev-1",
            namespace: "agents",
            ok: true,
            attempts: 1,
            orphans: [{ service: "old-agent", objects: objects(false) }],
          },
          {
            cluster: "dev-2",
            namespace: "agents",
            ok: false,
            attempts: 3,
            orphans: [],
            error: { kind: "unreachable", message: "dev-2: connect ECONNREFUSED" },
          },
        ],
      },
    ],
    problems: [],
    errors: [],
    durationMs: 12.4,
  };
  const { out, err } = formatTick(tick);
  assert.deepEqual(out, [
    "pruned   prod/old-agent in eu-1: Service/old-agent, Deployment/old-agent-stable",
    "orphaned dev/old-agent in dev-1 (no release in git; prune is off): Service/old-agent, Deployment/old-agent-stable",
    `0 decision(s) committed; 0 service(s) applied to 0/0 cluster target(s); head ${"a".repeat(12)} (12 ms)`,
  ]);
  assert.deepEqual(err, ["prune    dev in dev-2: dev-2: connect ECONNREFUSED"]);
});
