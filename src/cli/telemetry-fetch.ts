/**
 * `tollgate telemetry fetch --env ENV --service SVC [--since 30m] [--out FILE] [--repo PATH]`:
 * shows what tollgate sees of a service's canary and baseline, one row per interval and arm, and
 * the problems (missing or insufficient data with the reason); or records it as a scenario file.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { Command } from "commander";
import pino from "pino";
import { histogramQuantile } from "../analysis/index.ts";
import {
  DirectoryTree,
  type Environment,
  formatDuration,
  formatProblem,
  loadRepository,
  MAX_STEP_INTERVALS,
  parseDuration,
  UserError,
} from "../model/index.ts";
import {
  createTelemetrySource,
  type Histogram,
  type IntervalRecord,
  recordWindow,
  type SignalProblem,
} from "../telemetry/index.ts";
import { table as textTable } from "../text/index.ts";
import { envOption, jsonOption, repoOption, serviceOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.ts";
import { checkOutputPath } from "./files.ts";
import { durationArg, UsageError } from "./options.ts";

interface FetchOptions {
  env: string;
  service: string;
  /** Milliseconds. */
  since: number;
  out?: string;
  repo: string;
  namespace?: string;
  json?: boolean;
}

export function telemetryCommand(ctx: CommandContext): Command {
  const telemetry = new Command("telemetry").description(
    "read canary and baseline telemetry the way the reconciler does",
  );
  telemetry.addCommand(
    new Command("fetch")
      .description("fetch a service's interval records from the environment's telemetry source and show them")
      .addOption(envOption("environment name (environments/<env>/environment.yaml)", { required: true }))
      .addOption(serviceOption("service name", { required: true }))
      .option(
        "--since <duration>",
        `how far back to look, e.g. 30m (the stage is taken to start then); at most ${MAX_STEP_INTERVALS} telemetry intervals`,
        durationArg({ min: 1000 }),
        30 * 60_000,
      )
      .option("--out <file>", "write the records as a scenario file (NDJSON) instead of a table")
      .addOption(repoOption("repository root"))
      .option("--namespace <namespace>", "namespace placeholder (default: the environment's first cluster's namespace)")
      .addOption(jsonOption("print records and problems as JSON"))
      .action(async (options: FetchOptions) => {
        ctx.exitCode = await fetchTelemetry(ctx, options);
      }),
  );
  return telemetry;
}

async function fetchTelemetry(ctx: CommandContext, options: FetchOptions): Promise<number> {
  const sinceMs = options.since;
  const root = resolve(ctx.cwd, options.repo);
  if (
    !(await stat(root).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    ctx.err(`error: ${options.repo} is not a folder`);
    return EXIT_USAGE;
  }
  const environment = await readEnvironment(root, options.env);
  checkSpan(sinceMs, environment);
  if (options.out) await checkOutputPath(ctx.cwd, options.out);
  const logger = pino({ level: ctx.env.TOLLGATE_LOG_LEVEL ?? "error" }, { write: (line: string) => ctx.err(line) });
  const source = await createTelemetrySource(environment, { root, env: ctx.env, logger });
  const intervalMs = source.interval * 1000;
  const now = Date.now();
  // The stage is taken to start `since` ago, on an interval boundary; only whole intervals are read.
  const stageStart = Math.floor((now - sinceMs) / intervalMs) * intervalMs;
  const to = Math.floor((now - stageStart) / intervalMs) * source.interval;
  const namespace = options.namespace ?? environment.clusters[0]?.namespace ?? "default";
  const window = await source.fetch({
    service: options.service,
    namespace,
    stageStart: new Date(stageStart),
    from: 0,
    to,
  });
  const where = describeSource(environment);

  if (options.out) {
    const out = resolve(ctx.cwd, options.out);
    const header = {
      scenario: `${environment.name}/${options.service}@${new Date(stageStart).toISOString()}`,
      interval: window.interval,
      analysisStart: 0,
      horizon: Math.max(to, window.interval),
    };
    await recordWindow(out, header, window);
    ctx.out(
      `wrote ${window.records.length} records (${options.service} in ${environment.name}, ${where}) to ${options.out}`,
    );
    for (const line of problemLines(window.problems)) ctx.out(line);
  } else if (options.json) {
    ctx.out(
      JSON.stringify(
        {
          environment: environment.name,
          service: options.service,
          source: environment.telemetry.source,
          stageStart: new Date(stageStart).toISOString(),
          interval: window.interval,
          records: window.records,
          problems: window.problems,
        },
        null,
        2,
      ),
    );
  } else {
    ctx.out(
      `${options.service} in ${environment.name} from ${where}: ${formatDuration(to * 1000)} in ${formatDuration(intervalMs)} intervals from ${new Date(stageStart).toISOString()} (t = seconds since then)`,
    );
    ctx.out("");
    for (const line of table(window.records)) ctx.out(line);
    const problems = problemLines(window.problems);
    if (problems.length > 0) {
      ctx.out("");
      for (const line of problems) ctx.out(line);
    }
  }
  return window.records.length > 0 ? EXIT_OK : EXIT_FAILED;
}

/**
 * A fetch spans at least one interval and at most as many as one rollout step may (the records of
 * a longer span do not fit in memory: 7 days at 10 s took 2.8 GB).
 */
function checkSpan(sinceMs: number, environment: Environment): void {
  const interval = environment.telemetry.interval;
  const intervalMs = parseDuration(interval);
  const intervals = Math.floor(sinceMs / intervalMs);
  if (intervals < 1)
    throw new UsageError(
      `--since ${formatDuration(sinceMs)} is shorter than one telemetry interval of ${environment.name} (${interval}): there is nothing to fetch`,
    );
  if (intervals > MAX_STEP_INTERVALS)
    throw new UsageError(
      `--since ${formatDuration(sinceMs)} spans ${intervals} telemetry intervals of ${interval}; at most ${MAX_STEP_INTERVALS} (${formatDuration(MAX_STEP_INTERVALS * intervalMs)}) are fetched at once, the most one rollout step may span`,
    );
}

async function readEnvironment(root: string, name: string): Promise<Environment> {
  const { state, problems } = await loadRepository(new DirectoryTree(root));
  const found = state.environments.get(name)?.environment;
  if (found) return found;
  const mine = problems.filter((p) => p.file.includes(`environments/${name}/environment.yaml`));
  if (mine.length > 0)
    throw new UserError(`environment ${name} is invalid:\n${mine.map(formatProblem).join("\n")}`, mine);
  const known = [...state.environments.keys()];
  throw new UserError(
    `no environment "${name}" in ${root}${known.length ? ` (environments: ${known.join(", ")})` : ""}`,
  );
}

function describeSource(environment: Environment): string {
  const t = environment.telemetry;
  if (t.source === "prometheus") return `prometheus ${t.prometheus?.url ?? ""}`.trim();
  if (t.source === "file") return `file ${t.file?.path ?? ""}`.trim();
  return `simulation (seed ${t.simulated?.seed ?? 1})`;
}

const COLUMNS = ["t", "arm", "requests", "errors", "err %", "tasks", "interv.", "lat mean", "lat p99", "cost/task"];

function table(records: readonly IntervalRecord[]): string[] {
  if (records.length === 0) return ["no records: nothing usable was read (see the problems below)"];
  const rows = records.map((r) => [
    String(r.t),
    r.arm,
    count(r.requests),
    count(r.errors),
    r.requests && r.errors !== undefined ? `${((100 * r.errors) / r.requests).toFixed(2)}%` : "—",
    count(r.tasks),
    count(r.interventions),
    r.latencyMs ? ms(mean(r.latencyMs)) : "—",
    r.latencyMs ? ms(quantile(r.latencyMs, 0.99)) : "—",
    r.costUsd ? usd(mean(r.costUsd)) : "—",
  ]);
  return textTable(
    COLUMNS,
    rows,
    COLUMNS.map((_, i) => (i === 1 ? "left" : "right")),
  );
}

function problemLines(problems: readonly SignalProblem[]): string[] {
  if (problems.length === 0) return [];
  return [
    `problems (${problems.length}):`,
    ...problems.map((p) => `  ${p.signal}/${p.arm}: ${p.kind} (${p.cause}) at ${ranges(p.intervals)}: ${p.reason}`),
  ];
}

/** 10,20,30,50 → "t=10–30, 50". */
function ranges(ts: readonly number[]): string {
  if (ts.length === 0) return "—";
  const parts: string[] = [];
  const step = ts.length > 1 ? Math.min(...ts.slice(1).map((t, i) => t - ts[i]!)) : 0;
  let start = ts[0]!;
  let prev = start;
  for (const t of [...ts.slice(1), Number.NaN]) {
    if (t - prev === step) {
      prev = t;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}–${prev}`);
    start = prev = t;
  }
  return `t=${parts.join(", ")}`;
}

function count(n: number | undefined): string {
  if (n === undefined) return "—";
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function total(h: Histogram): number {
  return h.buckets.reduce((n, [, c]) => n + c, 0);
}

function mean(h: Histogram): number | undefined {
  const n = total(h);
  return n > 0 ? h.sum / n : undefined;
}

/** Prometheus's histogram_quantile (analysis' one definition); undefined for an empty histogram. */
function quantile(h: Histogram, q: number): number | undefined {
  const value = histogramQuantile(q, h.buckets);
  return Number.isNaN(value) ? undefined : value;
}

function ms(v: number | undefined): string {
  return v === undefined ? "—" : `${Math.round(v)} ms`;
}

function usd(v: number | undefined): string {
  return v === undefined ? "—" : `$${v.toFixed(4)}`;
}
