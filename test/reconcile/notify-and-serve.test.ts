import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import pino from "pino";
import { Registry } from "prom-client";
import type { WrittenDecision } from "../../src/gitops/index.ts";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import { startStatusServer } from "../../src/reconcile/loop.ts";
import { ReconcilerMetrics } from "../../src/reconcile/metrics.ts";
import { WebhookNotifier } from "../../src/reconcile/notify.ts";
import type { TickResult } from "../../src/reconcile/reconciler.ts";

const parts = {
  code: { image: `ghcr.io/acme/agent@sha256:${"1".repeat(64)}`, sourceCommit: "2".repeat(40) },
  model: { provider: "anthropic", name: "claude-sonnet-4-5", snapshot: "20250929" },
  prompts: { digest: `sha256:${"3".repeat(64)}` },
  tools: { manifestDigest: `sha256:${"4".repeat(64)}`, allowed: ["search_kb"] },
  index: { buildId: "kb-1", digest: `sha256:${"5".repeat(64)}` },
};
const good = sealArtifact(parts);
const bad = sealArtifact({ ...parts, model: { ...parts.model, snapshot: "20251112" } });
const decision: WrittenDecision = {
  commit: "c".repeat(40),
  parent: "p".repeat(40),
  idempotencyKey: "prod/agent/x/r1.0/rollback",
  evidence: `sha256:${"e".repeat(64)}`,
  change: {
    action: "rollback",
    environment: "prod",
    service: "agent",
    artifact: bad.digest,
    step: 0,
    from: bad,
    to: good,
    why: "error_rate failed the canary analysis",
    evidenceLines: [],
    reasons: [{ rule: "rollback.metric_failed", message: "error_rate failed the canary analysis" }],
    policy: `sha256:${"f".repeat(64)}`,
    evidence: {},
    status: { apiVersion: "tollgate.dev/v1", kind: "Status", service: "agent", phase: "rolled-back" },
  },
};

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function listen(handler: (req: IncomingMessage, body: string) => number): Promise<string> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.writeHead(handler(req, body));
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("decision webhooks", () => {
  it("post the decision as JSON, retrying a failing endpoint", async () => {
    const bodies: string[] = [];
    let calls = 0;
    const url = await listen((req, body) => {
      calls++;
      assert.equal(req.headers["content-type"], "application/json");
      bodies.push(body);
      return calls === 1 ? 503 : 204;
    });
    await new WebhookNotifier({ urls: [`${url}/hook`], logger: pino({ level: "silent" }), backoffMs: 1 }).notify(
      decision,
    );
    assert.equal(calls, 2);
    const event = JSON.parse(bodies[1]!) as Record<string, unknown>;
    assert.equal(event.type, "tollgate.decision");
    assert.equal(event.action, "rollback");
    assert.equal(event.commit, decision.commit);
    assert.equal(
      event.text,
      `rollback(prod/agent): ${bad.digest.slice(7, 19)} → ${good.digest.slice(7, 19)}: error_rate failed the canary analysis (commit cccccccccccc)`,
    );
    assert.deepEqual(event.artifactDiff, {
      changed: ["model"],
      summary: "model claude-sonnet-4-5 snapshot 20251112 → 20250929",
    });
  });

  it("never throw for an endpoint that is down, and log once without the URL's secret path", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (l: string) => lines.push(l) });
    await new WebhookNotifier({ urls: ["http://127.0.0.1:1/secret-token"], logger, attempts: 2, backoffMs: 1 }).notify(
      decision,
    );
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /webhook-failed/);
    assert.doesNotMatch(lines[0]!, /secret-token/);
  });
});

describe("status server", () => {
  it("serves /metrics with the decision counters and /healthz", async () => {
    const metrics = new ReconcilerMetrics();
    const result: TickResult = {
      head: "h",
      decisions: [decision],
      skipped: 0,
      attempts: 2,
      conflict: false,
      applied: [],
      problems: [],
      errors: [],
      durationMs: 120,
    };
    metrics.record(result);
    const server = await startStatusServer({
      port: 0,
      host: "127.0.0.1",
      registries: [metrics.registry, new Registry()],
      metrics,
      intervalMs: 30_000,
    });
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /tollgate_decisions_total\{environment="prod",action="rollback"\} 1/);
    assert.match(text, /tollgate_push_retries_total 1/);
    assert.match(text, /tollgate_reconcile_duration_seconds_count 1/);
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it("/healthz fails once the policy has failed for longer than its grace, and recovers with it", async () => {
    const metrics = new ReconcilerMetrics();
    const tick = (errors: TickResult["errors"]): TickResult => ({
      head: "h",
      decisions: [],
      skipped: 0,
      attempts: 1,
      conflict: false,
      applied: [],
      problems: [],
      errors,
      durationMs: 10,
    });
    const failure = { environment: "prod", service: "api", message: "the policy failed", stage: "policy" as const };
    const server = await startStatusServer({
      port: 0,
      host: "127.0.0.1",
      registries: [metrics.registry],
      metrics,
      intervalMs: 30_000,
      policyFailureGraceMs: 60_000,
    });
    servers.push(server);
    const health = () => fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
    metrics.record(tick([failure]));
    assert.equal((await health()).status, 200, "within the grace");
    metrics.policyFailingSince = Date.now() - 61_000;
    metrics.record(tick([failure]));
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.match(await failing.text(), /^the policy has failed \(no decision\) for 6\ds$/m);
    assert.match(await metrics.registry.metrics(), /tollgate_reconcile_errors_total\{stage="policy"\} 2/);
    metrics.record(tick([]));
    assert.equal((await health()).status, 200, "a tick without policy failures clears it");
  });
});
