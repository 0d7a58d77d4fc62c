/**
 * The telemetry source contract: for one service in one environment, the interval records of the
 * canary and baseline arms over a time range, plus what could not be read and why.
 *
 * A source never throws for data problems (server down, slow, wrong, gaps, resets): those come back
 * as per-signal problems and the affected values are simply absent from the records. It throws only
 * for programming or configuration errors.
 */
import type { Logger } from "pino";
import type { Arm, Histogram, IntervalRecord } from "./records.ts";

/** The signals a record carries; `latency` and `cost` are the histograms `latencyMs` and `costUsd`. */
export type SignalName = "requests" | "errors" | "tasks" | "interventions" | "latency" | "cost";
export const SIGNALS: readonly SignalName[] = ["requests", "errors", "tasks", "interventions", "latency", "cost"];

/**
 * `missing`: nothing usable came back (server down, slow, an error answer, no series, a gap).
 * `insufficient`: data came back but an honest increment cannot be formed from it (a counter reset,
 * NaN or ±Inf samples, a series with no sample in the interval before, a broken histogram, a rate
 * without its denominator). When one of an arm's series has a problem, the arm's value is absent:
 * the problem names that series.
 */
export type ProblemKind = "missing" | "insufficient";

export type ProblemCause =
  | "unreachable"
  | "timeout"
  | "http-error"
  | "malformed-response"
  | "query-error"
  | "no-data"
  | "gap"
  | "no-start"
  | "non-finite"
  | "counter-reset"
  | "bad-histogram"
  | "inconsistent";

export const PROBLEM_KIND: Record<ProblemCause, ProblemKind> = {
  unreachable: "missing",
  timeout: "missing",
  "http-error": "missing",
  "malformed-response": "missing",
  "query-error": "missing",
  "no-data": "missing",
  gap: "missing",
  "no-start": "insufficient",
  "non-finite": "insufficient",
  "counter-reset": "insufficient",
  "bad-histogram": "insufficient",
  inconsistent: "insufficient",
};

export interface SignalProblem {
  signal: SignalName;
  arm: Arm;
  kind: ProblemKind;
  cause: ProblemCause;
  /** One sentence for people: what was wrong, naming the series or the server's answer. */
  reason: string;
  /** Ends (t, seconds since stage start) of the intervals whose value is absent because of this. */
  intervals: number[];
}

export interface TelemetryRequest {
  service: string;
  /** Kubernetes namespace of the service's workloads (the `{{namespace}}` placeholder). */
  namespace: string;
  /** When the stage started: record `t` counts seconds from here. */
  stageStart: Date;
  /** The window, in seconds since stage start: every interval whose end t satisfies from < t ≤ to. */
  from: number;
  to: number;
}

export interface TelemetryWindow {
  /** Interval length in seconds; every record's t is a multiple of it. */
  interval: number;
  /** Time order; at equal t the canary record comes first. An interval with no usable value for an arm has no record. */
  records: IntervalRecord[];
  problems: SignalProblem[];
}

export interface TelemetrySource {
  readonly kind: "prometheus" | "file" | "simulated";
  /** Interval length in seconds. */
  readonly interval: number;
  fetch(request: TelemetryRequest, options?: { signal?: AbortSignal }): Promise<TelemetryWindow>;
}

/** The interval ends (seconds since stage start) in (from, to], multiples of `interval`. */
export function intervalEnds(from: number, to: number, interval: number): number[] {
  const ends: number[] = [];
  const first = Math.floor(from / interval + 1e-9) + 1;
  for (let k = Math.max(first, 1); k * interval <= to + 1e-9; k++) ends.push(round(k * interval));
  return ends;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The values read for one signal of one arm, by interval end t. */
export type SignalValues = Map<number, number | Histogram>;

/** Collects per-signal values and problems, then builds validated-shape records. */
export class WindowBuilder {
  private readonly values = new Map<string, SignalValues>();
  private readonly problems = new Map<string, SignalProblem>();

  constructor(
    readonly interval: number,
    readonly ends: readonly number[],
  ) {}

  set(signal: SignalName, arm: Arm, t: number, value: number | Histogram): void {
    const key = `${signal}/${arm}`;
    const map = this.values.get(key) ?? new Map<number, number | Histogram>();
    this.values.set(key, map);
    map.set(t, value);
  }

  get(signal: SignalName, arm: Arm, t: number): number | Histogram | undefined {
    return this.values.get(`${signal}/${arm}`)?.get(t);
  }

  /** Records a problem; problems with the same signal, arm, cause and reason are merged. */
  problem(signal: SignalName, arm: Arm, cause: ProblemCause, reason: string, intervals: readonly number[]): void {
    if (intervals.length === 0) return;
    const key = `${signal}/${arm}/${cause}/${reason}`;
    const existing = this.problems.get(key);
    if (existing) {
      existing.intervals = [...new Set([...existing.intervals, ...intervals])].sort((a, b) => a - b);
    } else {
      this.problems.set(key, { signal, arm, kind: PROBLEM_KIND[cause], cause, reason, intervals: [...intervals] });
    }
  }

  /**
   * Builds the records. A rate's part without its whole (errors without requests, interventions
   * without tasks) or exceeding it is dropped with a problem: the record format forbids both.
   */
  build(): TelemetryWindow {
    const records: IntervalRecord[] = [];
    for (const t of this.ends) {
      for (const arm of ["canary", "baseline"] as const) {
        const count = (s: SignalName) => {
          const v = this.get(s, arm, t);
          return typeof v === "number" ? v : undefined;
        };
        const histogram = (s: SignalName) => {
          const v = this.get(s, arm, t);
          return typeof v === "object" ? v : undefined;
        };
        const requests = count("requests");
        const tasks = count("tasks");
        const record: IntervalRecord = {
          t,
          arm,
          requests,
          errors: this.part("errors", count("errors"), "requests", requests, arm, t),
          tasks,
          interventions: this.part("interventions", count("interventions"), "tasks", tasks, arm, t),
          latencyMs: histogram("latency"),
          costUsd: histogram("cost"),
        };
        const compact = Object.fromEntries(
          Object.entries(record).filter(([, v]) => v !== undefined),
        ) as unknown as IntervalRecord;
        if (Object.keys(compact).length > 2) records.push(compact);
      }
    }
    return { interval: this.interval, records, problems: [...this.problems.values()] };
  }

  private part(
    name: SignalName,
    part: number | undefined,
    wholeName: SignalName,
    whole: number | undefined,
    arm: Arm,
    t: number,
  ): number | undefined {
    if (part === undefined) return undefined;
    if (whole === undefined) {
      this.problem(name, arm, "inconsistent", `${name} cannot be used without ${wholeName}, which is absent`, [t]);
      return undefined;
    }
    if (part > whole) {
      this.problem(name, arm, "inconsistent", `${name} exceed ${wholeName} in the same interval`, [t]);
      return undefined;
    }
    return part;
  }
}

/**
 * Logs each problem once: when it first appears (warn) and when it has gone away (info), not on
 * every fetch while it lasts. New problems of one cause share one log line (a server that is down
 * is one event, not one per signal and arm).
 */
export class ProblemLog {
  private active = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly context: Record<string, unknown> = {},
  ) {}

  report(problems: readonly SignalProblem[], request: Pick<TelemetryRequest, "service">): void {
    const now = new Set<string>();
    const fresh = new Map<
      ProblemCause,
      { kind: ProblemKind; reasons: string[]; signals: string[]; intervals: Set<number> }
    >();
    for (const p of problems) {
      const key = `${request.service}/${p.signal}/${p.arm}/${p.cause}`;
      now.add(key);
      if (this.active.has(key)) continue;
      const entry = fresh.get(p.cause) ?? { kind: p.kind, reasons: [], signals: [], intervals: new Set<number>() };
      fresh.set(p.cause, entry);
      if (!entry.reasons.includes(p.reason)) entry.reasons.push(p.reason);
      if (!entry.signals.includes(`${p.signal}/${p.arm}`)) entry.signals.push(`${p.signal}/${p.arm}`);
      for (const t of p.intervals) entry.intervals.add(t);
    }
    for (const [cause, e] of fresh) {
      const more = e.reasons.length > 1 ? ` (and ${e.reasons.length - 1} more)` : "";
      this.logger.warn(
        {
          ...this.context,
          service: request.service,
          cause,
          kind: e.kind,
          signals: e.signals,
          intervals: e.intervals.size,
          reasons: e.reasons.slice(0, 5),
        },
        `telemetry ${e.kind}: ${e.reasons[0]}${more}`,
      );
    }
    const recovered = [...this.active].filter((k) => !now.has(k) && k.startsWith(`${request.service}/`));
    if (recovered.length > 0) {
      this.logger.info({ ...this.context, service: request.service, recovered }, "telemetry recovered");
    }
    this.active = new Set([...[...this.active].filter((k) => !k.startsWith(`${request.service}/`)), ...now]);
  }
}

const FIELD_OF: Record<SignalName, keyof IntervalRecord> = {
  requests: "requests",
  errors: "errors",
  tasks: "tasks",
  interventions: "interventions",
  latency: "latencyMs",
  cost: "costUsd",
};

/**
 * The window for the given interval ends out of ready-made records (a replayed file, a simulation):
 * an absent record is a gap for every signal of its arm, an absent field a gap for that signal.
 */
export function windowFromRecords(
  records: ReadonlyMap<number, readonly IntervalRecord[]>,
  ends: readonly number[],
  interval: number,
  absent: { record: string; field: string },
): TelemetryWindow {
  const builder = new WindowBuilder(interval, ends);
  for (const t of ends) {
    for (const arm of ["canary", "baseline"] as const) {
      const record = records.get(t)?.find((r) => r.arm === arm);
      for (const signal of SIGNALS) {
        const value = record?.[FIELD_OF[signal]] as number | Histogram | undefined;
        if (value !== undefined) builder.set(signal, arm, t, value);
        else builder.problem(signal, arm, "gap", record ? absent.field : absent.record, [t]);
      }
    }
  }
  return builder.build();
}
