/**
 * The simulated and file sources behind TelemetrySource, the recorder that stores what a source
 * observed, and the factory that picks a source from an environment's settings.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { InvalidInputError, UserError } from "../../src/model/errors.ts";
import type { Environment, TelemetrySettings } from "../../src/model/types.ts";
import { createTelemetrySource } from "../../src/telemetry/factory.ts";
import { FileSource } from "../../src/telemetry/file-source.ts";
import { PrometheusSource } from "../../src/telemetry/prometheus/source.ts";
import { validateRecords } from "../../src/telemetry/records.ts";
import { RecordingSource } from "../../src/telemetry/recorder.ts";
import { SimulatedSource } from "../../src/telemetry/simulated-source.ts";
import { intervalEnds, type TelemetryRequest } from "../../src/telemetry/source.ts";
import { captureLogs } from "./helpers.ts";

const STAGE = new Date("2026-03-01T10:00:00Z");
const request = (from: number, to: number, service = "support-agent"): TelemetryRequest => ({
  service,
  namespace: "agents",
  stageStart: STAGE,
  from,
  to,
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-replay-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("interval grid", () => {
  test("intervals whose end lies in (from, to]", () => {
    assert.deepEqual(intervalEnds(0, 30, 10), [10, 20, 30]);
    assert.deepEqual(intervalEnds(15, 40, 10), [20, 30, 40]);
    assert.deepEqual(intervalEnds(20, 20, 10), []);
    assert.deepEqual(intervalEnds(0, 1, 0.5), [0.5, 1]);
  });
});

describe("simulated source", () => {
  test("deterministic: the same records however the stage is fetched", async () => {
    const whole = await new SimulatedSource({ seed: 7, interval: 10 }).fetch(request(0, 300));
    const split = new SimulatedSource({ seed: 7, interval: 10 });
    const parts = [...(await split.fetch(request(0, 120))).records, ...(await split.fetch(request(120, 300))).records];
    assert.deepEqual(parts, whole.records);
    assert.ok(whole.records.length > 50);
    validateRecords(whole.records, "simulated");
    const other = await new SimulatedSource({ seed: 8, interval: 10 }).fetch(request(0, 300));
    assert.notDeepEqual(other.records, whole.records);
  });

  test("a version that is down has missing records with a reason, not zeros", async () => {
    const source = new SimulatedSource({
      seed: 3,
      interval: 10,
      profiles: () => ({ canary: { down: { from: 60, until: 120 } } }),
    });
    const window = await source.fetch(request(0, 180));
    const canaryTs = window.records.filter((r) => r.arm === "canary").map((r) => r.t);
    for (const t of [70, 80, 90, 100, 110, 120]) assert.ok(!canaryTs.includes(t), `no canary record at ${t}`);
    const gap = window.problems.find((p) => p.signal === "requests" && p.arm === "canary");
    assert.ok(gap);
    assert.equal(gap.kind, "missing");
    for (const t of [70, 80, 90, 100, 110, 120]) assert.ok(gap.intervals.includes(t));
  });
});

describe("recorder and file source", () => {
  test("what a source observed is recorded and replays to the same window", async () => {
    const file = join(dir, "recorded.ndjson");
    const live = new SimulatedSource({ seed: 11, interval: 10 });
    const recording = await RecordingSource.create(live, file, {
      scenario: "prod/support-agent",
      analysisStart: 60,
      horizon: 300,
    });
    // Overlapping fetches, as a reconciler makes them: nothing is written twice.
    const first = await recording.fetch(request(0, 150));
    const second = await recording.fetch(request(100, 300));
    await recording.close();
    const seen = [...first.records, ...second.records.filter((r) => r.t > 150)];
    assert.equal(recording.recordsWritten, seen.length);

    const replay = await FileSource.open(file);
    assert.equal(replay.interval, 10);
    const window = await replay.fetch(request(0, 300));
    assert.deepEqual(window.records, seen);
    const fresh = await new SimulatedSource({ seed: 11, interval: 10 }).fetch(request(0, 300));
    assert.deepEqual(
      window.problems,
      fresh.problems.map((p) => ({ ...p, reason: `no record for this arm and interval in ${file}` })),
    );
    assert.match(
      await readFile(file, "utf8"),
      /^\{"scenario":"prod\/support-agent","interval":10,"analysisStart":60,"horizon":300\}\n\{"t":10,"arm":"canary"/,
    );
  });

  test("a record without a signal: that signal is missing, the others are used", async () => {
    const file = join(dir, "partial.ndjson");
    await writeFile(
      file,
      [
        '{"scenario":"partial","interval":10,"analysisStart":0,"horizon":20}',
        '{"t":10,"arm":"canary","requests":100,"errors":2}',
        '{"t":10,"arm":"baseline","requests":90,"errors":1,"tasks":90,"interventions":0}',
        "",
      ].join("\n"),
    );
    const logs = captureLogs();
    const window = await (await FileSource.open(file, logs.logger)).fetch(request(0, 20));
    assert.deepEqual(window.records, [
      { t: 10, arm: "canary", requests: 100, errors: 2 },
      { t: 10, arm: "baseline", requests: 90, errors: 1, tasks: 90, interventions: 0 },
    ]);
    const tasks = window.problems.find((p) => p.signal === "tasks" && p.arm === "canary")!;
    assert.deepEqual(tasks.intervals, [10]);
    assert.match(tasks.reason, /has no value for this signal/);
    const t20 = window.problems.find((p) => p.signal === "requests" && p.arm === "baseline")!;
    assert.deepEqual(t20.intervals, [20]);
    assert.equal(logs.warnings().length, 1, "one line for the gaps");
  });

  test("a broken scenario file is an error naming file and line", async () => {
    const file = join(dir, "broken.ndjson");
    await writeFile(
      file,
      '{"scenario":"b","interval":10,"analysisStart":0,"horizon":20}\n{"t":10,"arm":"canary","requests":-1}\n',
    );
    await assert.rejects(
      FileSource.open(file),
      (e: unknown) => e instanceof InvalidInputError && e.message.includes(`${file}:2`),
    );
  });
});

describe("factory", () => {
  const environment = (telemetry: TelemetrySettings) => ({ name: "prod", telemetry }) as unknown as Environment;

  test("builds the source the settings name", async () => {
    const prom = await createTelemetrySource(
      environment({ source: "prometheus", interval: "10s", prometheus: { url: "http://127.0.0.1:9" } }),
      { root: dir },
    );
    assert.ok(prom instanceof PrometheusSource);
    assert.equal(prom.interval, 10);
    const sim = await createTelemetrySource(
      environment({ source: "simulated", interval: "5s", simulated: { seed: 2 } }),
      { root: dir },
    );
    assert.ok(sim instanceof SimulatedSource);
    assert.equal(sim.interval, 5);
    const file = join(dir, "factory.ndjson");
    await writeFile(file, '{"scenario":"f","interval":10,"analysisStart":0,"horizon":10}\n');
    const replay = await createTelemetrySource(
      environment({ source: "file", interval: "10s", file: { path: "factory.ndjson" } }),
      { root: dir },
    );
    assert.ok(replay instanceof FileSource);
  });

  test("settings that do not fit are configuration errors naming the field", async () => {
    await assert.rejects(
      createTelemetrySource(environment({ source: "prometheus", interval: "10s" }), { root: dir }),
      (e: unknown) =>
        e instanceof UserError &&
        /telemetry\.prometheus is not set/.test(e.message) &&
        /environments\/prod\/environment\.yaml/.test(e.message),
    );
    await writeFile(join(dir, "every5.ndjson"), '{"scenario":"f","interval":5,"analysisStart":0,"horizon":10}\n');
    await assert.rejects(
      createTelemetrySource(environment({ source: "file", interval: "10s", file: { path: "every5.ndjson" } }), {
        root: dir,
      }),
      (e: unknown) => e instanceof UserError && /recorded every 5s/.test(e.message),
    );
  });
});
