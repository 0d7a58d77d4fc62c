/**
 * Faults a real Prometheus cannot be made to produce on demand: nothing listening, no answer within
 * the timeout, HTTP 5xx, malformed JSON. A tiny local HTTP server plays the broken server. Each
 * fault must give explicit missing data for every signal with the reason, logged once, and never an
 * exception or a fabricated zero. Also: credentials from environment variables.
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { UserError } from "../../src/model/errors.ts";
import type { PrometheusSettings } from "../../src/model/types.ts";
import { PrometheusSource } from "../../src/telemetry/prometheus/source.ts";
import { SIGNALS, type TelemetryWindow } from "../../src/telemetry/source.ts";
import { type Fault, type FaultServer, startFaultServer } from "../support/prometheus/fault-server.ts";
import { freePort } from "../support/prometheus/server.ts";
import { captureLogs } from "./helpers.ts";

const QUERIES_PER_FETCH = 16; // 8 queries × 2 arms

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function makeSource(settings: PrometheusSettings, env: NodeJS.ProcessEnv = {}) {
  const logs = captureLogs();
  const source = new PrometheusSource({ settings, intervalMs: 10_000, logger: logs.logger, backoffMs: 5, env });
  return { source, logs };
}

function fetchWindow(source: PrometheusSource): Promise<TelemetryWindow> {
  return source.fetch({
    service: "support-agent",
    namespace: "agents",
    stageStart: new Date(Date.now() - 120_000),
    from: 0,
    to: 60,
  });
}

async function withFault(fault: Fault, settings: Partial<PrometheusSettings> = {}) {
  server = await startFaultServer(fault);
  return makeSource({ url: server.url, timeout: "2s", retries: 2, ...settings });
}

/** Every signal of both arms is missing over the whole window for the same cause; nothing else. */
function assertAllMissing(window: TelemetryWindow, cause: string, reason: RegExp): void {
  assert.deepEqual(window.records, [], "no record, and so no zero, is made up");
  assert.equal(window.problems.length, SIGNALS.length * 2);
  for (const p of window.problems) {
    assert.equal(p.cause, cause);
    assert.equal(p.kind, "missing");
    assert.match(p.reason, reason);
    assert.deepEqual(p.intervals, [10, 20, 30, 40, 50, 60]);
  }
}

describe("Prometheus faults", () => {
  test("Prometheus down: unreachable, retried a bounded number of times, logged once", async () => {
    const port = await freePort();
    const { source, logs } = makeSource({ url: `http://127.0.0.1:${port}`, retries: 2 });
    const window = await fetchWindow(source);
    assertAllMissing(window, "unreachable", /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    assert.equal(logs.warnings().length, 1);
    assert.equal(logs.warnings()[0]!.cause, "unreachable");
    assert.equal((logs.warnings()[0]!.signals as string[]).length, 12);
    await fetchWindow(source);
    assert.equal(logs.warnings().length, 1, "still down: not logged again");
  });

  test("slower than the timeout: timeout, and the rest of the fetch does not wait again", async () => {
    const { source, logs } = await withFault("slow", { timeout: "200ms", retries: 1 });
    const window = await fetchWindow(source);
    assertAllMissing(window, "timeout", /no answer from http:\/\/127\.0\.0\.1:\d+ within 200 ms/);
    // At most the first batch of concurrent queries (4), each tried twice, reached the server.
    assert.ok(server!.seen.length >= 2 && server!.seen.length <= 8, `requests sent: ${server!.seen.length}`);
    assert.equal(logs.warnings().length, 1);
  });

  test("HTTP 5xx: retried with backoff up to the limit, then missing with the status", async () => {
    const { source, logs } = await withFault("5xx", { retries: 2 });
    const window = await fetchWindow(source);
    assertAllMissing(window, "http-error", /HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query/);
    assert.equal(server!.seen.length, QUERIES_PER_FETCH * 3, "each query tried 1 + retries times");
    assert.equal(logs.warnings().length, 1);
  });

  test("malformed JSON: missing with what was wrong, not retried", async () => {
    const { source, logs } = await withFault("malformed");
    const window = await fetchWindow(source);
    assertAllMissing(window, "malformed-response", /malformed answer .*response is not JSON/);
    assert.equal(server!.seen.length, QUERIES_PER_FETCH);
    assert.equal(logs.warnings().length, 1);
  });

  test("an empty answer: no series for either arm is missing data, not zero", async () => {
    const { source } = await withFault("empty");
    const window = await fetchWindow(source);
    assertAllMissing(window, "no-data", /no \w+ series for the (canary|baseline) arm of support-agent/);
  });

  test("the default queries are raw selectors for the service, namespace and arm", async () => {
    const { source } = await withFault("empty");
    await fetchWindow(source);
    const queries = server!.seen.map((r) => new URLSearchParams(r.body).get("query"));
    assert.ok(
      queries.includes(
        'tollgate_requests_total{service="support-agent",namespace="agents",tollgate_dev_arm="canary"}[120s]',
      ),
      JSON.stringify(queries),
    );
    assert.ok(
      queries.includes(
        'tollgate_request_duration_ms_bucket{service="support-agent",namespace="agents",tollgate_dev_arm="baseline"}[120s]',
      ),
    );
  });

  test("bearer and basic credentials come from environment variables", async () => {
    server = await startFaultServer("empty");
    const bearer = makeSource(
      { url: server.url, auth: { type: "bearer", tokenEnv: "PROM_TOKEN" } },
      { PROM_TOKEN: "s3cret" },
    );
    await fetchWindow(bearer.source);
    assert.ok(server.seen.length > 0 && server.seen.every((r) => r.authorization === "Bearer s3cret"));
    server.seen.length = 0;
    const basic = makeSource(
      { url: server.url, auth: { type: "basic", usernameEnv: "PROM_USER", passwordEnv: "PROM_PASSWORD" } },
      { PROM_USER: "tollgate", PROM_PASSWORD: "pa:ss" },
    );
    await fetchWindow(basic.source);
    const expected = `Basic ${Buffer.from("tollgate:pa:ss").toString("base64")}`;
    assert.ok(server.seen.length > 0 && server.seen.every((r) => r.authorization === expected));
  });

  test("a credential variable that is not set is a configuration error naming it", () => {
    assert.throws(
      () => makeSource({ url: "http://127.0.0.1:1", auth: { type: "bearer", tokenEnv: "PROM_TOKEN" } }, {}),
      (error: unknown) =>
        error instanceof UserError && /PROM_TOKEN/.test(error.message) && /tokenEnv/.test(error.message),
    );
  });

  test("an unknown placeholder in a template is a configuration error naming the query", () => {
    assert.throws(
      () => makeSource({ url: "http://127.0.0.1:1", queries: { errors: 'x_total{pod="{{pod}}"}' } }),
      (error: unknown) =>
        error instanceof UserError && /\{\{pod\}\}/.test(error.message) && /queries\.errors/.test(error.message),
    );
  });
});
