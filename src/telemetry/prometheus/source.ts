/**
 * The Prometheus telemetry source: reads one service's canary and baseline signals over the HTTP
 * API and turns them into interval records. Everything that goes wrong with the server or the data
 * becomes a per-signal problem (and one log line), never an exception.
 */
import pino, { type Logger } from "pino";
import { type PrometheusQueryName, type PrometheusSettings, parseDuration, UserError } from "../../model/index.ts";
import { ARMS, type Arm, type Histogram } from "../records.ts";
import {
  intervalEnds,
  type ProblemCause,
  ProblemLog,
  type SignalName,
  type TelemetryRequest,
  type TelemetrySource,
  type TelemetryWindow,
  WindowBuilder,
} from "../source.ts";
import { PrometheusClient, type QueryOutcome } from "./client.ts";
import {
  assembleHistograms,
  describeSeries,
  evaluatedIncrements,
  type Grid,
  rawIncrements,
  type SeriesCells,
  sumSeries,
} from "./increments.ts";
import type { Series } from "./response.ts";
import {
  checkTemplate,
  DEFAULT_ARM_LABEL,
  DEFAULT_QUERIES,
  promDuration,
  QUERY_NAMES,
  renderTemplate,
  templateMode,
} from "./templates.ts";

export interface PrometheusSourceOptions {
  settings: PrometheusSettings;
  /** The environment's telemetry interval in milliseconds. */
  intervalMs: number;
  /** Where credentials are read from (names in settings.auth). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** First retry backoff in ms (tests make it small). */
  backoffMs?: number;
  /** Queries in flight at once. */
  concurrency?: number;
  /** Names the settings' file in configuration errors. */
  file?: string;
}

export const DEFAULT_TIMEOUT = "10s";
export const DEFAULT_RETRIES = 2;
/** Default staleness: this many intervals. */
export const DEFAULT_STALENESS_INTERVALS = 5;

const COUNTERS: ReadonlyArray<[PrometheusQueryName, SignalName]> = [
  ["requests", "requests"],
  ["errors", "errors"],
  ["tasks", "tasks"],
  ["interventions", "interventions"],
];
const HISTOGRAMS: ReadonlyArray<[PrometheusQueryName, PrometheusQueryName, "latency" | "cost"]> = [
  ["latencyBuckets", "latencySum", "latency"],
  ["costBuckets", "costSum", "cost"],
];
/** Factor from a latency histogram's unit to milliseconds. */
const TO_MILLISECONDS = { milliseconds: 1, seconds: 1000 } as const;

type Fetched = { ok: true; series: SeriesCells[] } | { ok: false; cause: ProblemCause; reason: string };

export class PrometheusSource implements TelemetrySource {
  readonly kind = "prometheus" as const;
  readonly interval: number;
  private readonly intervalMs: number;
  private readonly stalenessMs: number;
  private readonly armLabel: string;
  private readonly latencyScale: number;
  private readonly templates: Record<PrometheusQueryName, string>;
  private readonly client: PrometheusClient;
  private readonly concurrency: number;
  private readonly logger: Logger;
  private readonly problemLog: ProblemLog;

  constructor(options: PrometheusSourceOptions) {
    const { settings } = options;
    const file = options.file ?? "environment.yaml";
    this.intervalMs = options.intervalMs;
    this.interval = options.intervalMs / 1000;
    this.stalenessMs = settings.staleness
      ? parseDuration(settings.staleness)
      : DEFAULT_STALENESS_INTERVALS * options.intervalMs;
    this.armLabel = settings.armLabel ?? DEFAULT_ARM_LABEL;
    this.latencyScale = TO_MILLISECONDS[settings.latencyUnit ?? "milliseconds"];
    this.templates = { ...DEFAULT_QUERIES, ...settings.queries };
    for (const name of QUERY_NAMES) checkTemplate(name, this.templates[name], file);
    this.client = new PrometheusClient({
      url: settings.url,
      timeoutMs: parseDuration(settings.timeout ?? DEFAULT_TIMEOUT),
      retries: settings.retries ?? DEFAULT_RETRIES,
      backoffMs: options.backoffMs,
      authorization: authorization(settings, options.env ?? process.env, file),
    });
    this.concurrency = options.concurrency ?? 4;
    this.logger = options.logger ?? pino({ name: "tollgate" }, pino.destination(2));
    this.problemLog = new ProblemLog(this.logger, { source: "prometheus", url: this.client.url });
  }

  async fetch(request: TelemetryRequest, options: { signal?: AbortSignal } = {}): Promise<TelemetryWindow> {
    const ends = intervalEnds(request.from, request.to, this.interval);
    const builder = new WindowBuilder(this.interval, ends);
    if (ends.length === 0) return builder.build();
    const stageStartMs = request.stageStart.getTime();
    const grid: Grid = {
      endsMs: ends.map((t) => stageStartMs + Math.round(t * 1000)),
      intervalMs: this.intervalMs,
      stalenessMs: this.stalenessMs,
    };

    const jobs: Array<{ name: PrometheusQueryName; arm: Arm }> = QUERY_NAMES.flatMap((name) =>
      ARMS.map((arm) => ({ name, arm })),
    );
    const breaker: { failure?: { cause: ProblemCause; reason: string } } = {};
    const results = await mapLimited(jobs, this.concurrency, (job) =>
      this.read(job.name, job.arm, request, grid, breaker, options.signal),
    );
    const result = (name: PrometheusQueryName, arm: Arm) =>
      results[jobs.findIndex((j) => j.name === name && j.arm === arm)]!;

    for (const arm of ARMS) {
      const noSeries = (name: PrometheusQueryName) => `no ${name} series for the ${arm} arm of ${request.service}`;
      for (const [name, signal] of COUNTERS) {
        const fetched = result(name, arm);
        if (!fetched.ok) {
          builder.problem(signal, arm, fetched.cause, fetched.reason, ends);
          continue;
        }
        this.apply(builder, signal, arm, ends, sumSeries(fetched.series, grid, noSeries(name)));
      }
      for (const [bucketsName, sumName, signal] of HISTOGRAMS) {
        const buckets = result(bucketsName, arm);
        const sums = result(sumName, arm);
        if (!buckets.ok || !sums.ok) {
          const failed = (!buckets.ok ? buckets : sums) as { cause: ProblemCause; reason: string };
          builder.problem(signal, arm, failed.cause, failed.reason, ends);
          continue;
        }
        const sumCells = sumSeries(sums.series, grid, noSeries(sumName));
        const scale = signal === "latency" ? this.latencyScale : 1;
        this.apply(
          builder,
          signal,
          arm,
          ends,
          assembleHistograms(buckets.series, sumCells, grid, noSeries(bucketsName), scale),
        );
      }
    }
    const window = builder.build();
    this.problemLog.report(window.problems, request);
    return window;
  }

  private apply<T extends number | Histogram>(
    builder: WindowBuilder,
    signal: SignalName,
    arm: Arm,
    ends: readonly number[],
    cells: ReadonlyArray<{ value: T } | { problems: { cause: ProblemCause; reason: string }[] }>,
  ): void {
    cells.forEach((cell, k) => {
      const t = ends[k]!;
      if ("value" in cell) builder.set(signal, arm, t, cell.value);
      else {
        // One problem per cause: a reset of one pod shows in every bucket series of its histogram.
        const byCause = new Map<ProblemCause, string[]>();
        for (const p of cell.problems) byCause.set(p.cause, [...(byCause.get(p.cause) ?? []), p.reason]);
        for (const [cause, reasons] of byCause) {
          const more = reasons.length > 1 ? ` (and ${reasons.length - 1} more series)` : "";
          builder.problem(signal, arm, cause, `${reasons[0]}${more}`, [t]);
        }
      }
    });
  }

  /** Runs one query for one arm and turns its series into per-interval cells. */
  private async read(
    name: PrometheusQueryName,
    arm: Arm,
    request: TelemetryRequest,
    grid: Grid,
    breaker: { failure?: { cause: ProblemCause; reason: string } },
    signal?: AbortSignal,
  ): Promise<Fetched> {
    if (breaker.failure) return { ok: false, ...breaker.failure };
    const template = this.templates[name];
    const mode = templateMode(template);
    const query = renderTemplate(template, {
      service: request.service,
      namespace: request.namespace,
      arm,
      armLabel: this.armLabel,
      intervalMs: this.intervalMs,
    });
    const firstEnd = grid.endsMs[0]!;
    const lastEnd = grid.endsMs[grid.endsMs.length - 1]!;
    let outcome: QueryOutcome;
    if (mode === "increments") {
      outcome = await this.client.queryRange(query, firstEnd, lastEnd, this.intervalMs, signal);
    } else {
      const range = promDuration(lastEnd - firstEnd + 2 * this.intervalMs + this.stalenessMs);
      const ranged = mode === "raw" ? `${query}[${range}]` : `(${query})[${range}:${promDuration(this.intervalMs)}]`;
      outcome = await this.client.query(ranged, lastEnd, signal);
    }
    if (!outcome.ok) {
      const reason = outcome.cause === "query-error" ? `${outcome.message} (query ${name}: ${query})` : outcome.message;
      const failure = { cause: outcome.cause, reason };
      // Server down or too slow: the remaining queries of this fetch would only wait for the same answer.
      if ((outcome.cause === "unreachable" || outcome.cause === "timeout") && !breaker.failure)
        breaker.failure = failure;
      return { ok: false, ...failure };
    }
    if (outcome.warnings.length > 0) this.logger.debug({ query, warnings: outcome.warnings }, "Prometheus warnings");
    const omit = ["service", "namespace", this.armLabel];
    const series: SeriesCells[] = outcome.series.map((s: Series) => {
      const label = s.labels.__name__
        ? describeSeries(s, omit)
        : `${name}${describeSeries(s, omit).replace(/^\{\}$/, "")}`;
      return {
        series: s,
        cells: mode === "increments" ? evaluatedIncrements(s, grid, label) : rawIncrements(s, grid, label),
      };
    });
    return { ok: true, series };
  }
}

function authorization(settings: PrometheusSettings, env: NodeJS.ProcessEnv, file: string): string | undefined {
  const auth = settings.auth;
  if (!auth) return undefined;
  const need = (name: string, field: string): string => {
    const value = env[name];
    if (!value) {
      throw new UserError(
        `${file}: telemetry.prometheus.auth.${field} names the environment variable ${name}, which is not set`,
        [{ file, field: `/telemetry/prometheus/auth/${field}`, message: `environment variable ${name} is not set` }],
      );
    }
    return value;
  };
  if (auth.type === "bearer") return `Bearer ${need(auth.tokenEnv, "tokenEnv")}`;
  const user = need(auth.usernameEnv, "usernameEnv");
  const password = need(auth.passwordEnv, "passwordEnv");
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
