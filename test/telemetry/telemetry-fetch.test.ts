/**
 * `tollgate telemetry fetch` against live data: a real Prometheus scrapes a prom-client exporter
 * every second, and the command reads it through an environment in a temporary repository.
 * Every exporter scrape adds exactly 10 canary requests with 1 error and 20 baseline requests with
 * 1 error, so every interval's counts must be whole multiples of those.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { main } from "../../src/cli/main.ts";
import type { IntervalRecord } from "../../src/telemetry/records.ts";
import { parseScenarioText } from "../../src/telemetry/scenario-file.ts";
import type { SignalProblem } from "../../src/telemetry/source.ts";
import { type Exporter, PER_SCRAPE, startExporter } from "../support/prometheus/exporter.ts";
import { type PrometheusServer, prometheusSkip, startPrometheus } from "../support/prometheus/server.ts";

const SERVICE = "support-agent";

async function makeRepo(telemetry: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-fetch-"));
  const env = parse(
    await readFile(new URL("../../environments/dev/environment.yaml", import.meta.url), "utf8"),
  ) as Record<string, unknown>;
  env.name = "live";
  env.clusters = [{ name: "live-1", namespace: "agents" }];
  env.telemetry = telemetry;
  await mkdir(join(dir, "environments", "live"), { recursive: true });
  await writeFile(join(dir, "environments", "live", "environment.yaml"), stringify(env));
  return dir;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), env: {} });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function waitForScrapes(url: string, minimum: number): Promise<void> {
  const query = encodeURIComponent(
    `count_over_time(tollgate_requests_total{service="${SERVICE}",tollgate_dev_arm="canary"}[1m])`,
  );
  for (let i = 0; i < 300; i++) {
    const body = (await fetch(`${url}/api/v1/query?query=${query}`).then((r) => r.json())) as {
      data?: { result?: Array<{ value: [number, string] }> };
    };
    const n = Number(body.data?.result?.[0]?.value[1] ?? 0);
    if (n >= minimum) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Prometheus did not ingest ${minimum} scrapes within 60 s`);
}

function assertScrapeMultiples(records: readonly IntervalRecord[]): void {
  for (const arm of ["canary", "baseline"] as const) {
    const mine = records.filter((r) => r.arm === arm && r.requests !== undefined);
    assert.ok(mine.length >= 2, `at least two ${arm} intervals with data: ${JSON.stringify(records)}`);
    for (const r of mine) {
      const scrapes = r.requests! / PER_SCRAPE[arm].requests;
      assert.ok(
        Number.isInteger(scrapes) && scrapes >= 1,
        `${arm} t=${r.t}: ${r.requests} requests is not a whole number of scrapes`,
      );
      assert.equal(r.errors, scrapes * PER_SCRAPE[arm].errors);
      const observed = r.latencyMs!.buckets.reduce((n, [, c]) => n + c, 0);
      assert.equal(observed, r.requests, "one latency observation per request");
    }
  }
}

describe("tollgate telemetry fetch with a live Prometheus", { skip: prometheusSkip() }, () => {
  let exporter: Exporter;
  let prometheus: PrometheusServer;
  let repo: string;
  before(async () => {
    exporter = await startExporter(SERVICE, "agents");
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalS: 1 });
    repo = await makeRepo({
      source: "prometheus",
      interval: "2s",
      prometheus: { url: prometheus.url, timeout: "5s", retries: 1 },
    });
    await waitForScrapes(prometheus.url, 16);
  });
  after(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  test("prints a table per interval and arm", async () => {
    const { code, out, err } = await run([
      "telemetry",
      "fetch",
      "--env",
      "live",
      "--service",
      SERVICE,
      "--since",
      "8s",
      "--repo",
      repo,
    ]);
    assert.equal(code, 0, err);
    assert.match(
      out,
      new RegExp(`^${SERVICE} in live from prometheus http://127\\.0\\.0\\.1:\\d+: 8s in 2s intervals`),
    );
    assert.match(out, /t {2}arm +requests +errors +err % +tasks +interv\. +lat mean +lat p99 +cost\/task/);
    assert.match(out, /\n *\d+ {2}canary +\d+0 /);
    assert.match(out, /\n *\d+ {2}baseline +\d+0 /);
    // The exporter has no task or cost metrics: those are missing, and the output says so.
    assert.match(
      out,
      /tasks\/canary: missing \(no-data\) at t=2–8: no tasks series for the canary arm of support-agent/,
    );
  });

  test("--json gives the records: whole scrapes of known traffic, never zeros", async () => {
    const { code, out, err } = await run([
      "telemetry",
      "fetch",
      "--env",
      "live",
      "--service",
      SERVICE,
      "--since",
      "12s",
      "--repo",
      repo,
      "--json",
    ]);
    assert.equal(code, 0, err);
    const result = JSON.parse(out) as { records: IntervalRecord[]; problems: SignalProblem[]; interval: number };
    assert.equal(result.interval, 2);
    assertScrapeMultiples(result.records);
    assert.ok(result.problems.some((p) => p.signal === "cost" && p.cause === "no-data"));
  });

  test("--out records a scenario file that the file source format reads back", async () => {
    const file = join(repo, "recorded.ndjson");
    const { code, out, err } = await run([
      "telemetry",
      "fetch",
      "--env",
      "live",
      "--service",
      SERVICE,
      "--since",
      "12s",
      "--repo",
      repo,
      "--out",
      file,
    ]);
    assert.equal(code, 0, err);
    assert.match(out, /^wrote \d+ records \(support-agent in live, prometheus http:/);
    const { header, records } = parseScenarioText(await readFile(file, "utf8"), file);
    assert.equal(header.interval, 2);
    assert.match(header.scenario, /^live\/support-agent@/);
    assertScrapeMultiples(records);
  });

  test("an unknown environment or a bad --since is reported, not thrown", async () => {
    const unknown = await run(["telemetry", "fetch", "--env", "nope", "--service", SERVICE, "--repo", repo]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no environment "nope" .*\(environments: live\)/);
    const since = await run([
      "telemetry",
      "fetch",
      "--env",
      "live",
      "--service",
      SERVICE,
      "--since",
      "soon",
      "--repo",
      repo,
    ]);
    assert.equal(since.code, 2);
    assert.match(since.err, /option '--since <duration>' argument 'soon' is invalid\. expected a duration/);
  });
});
