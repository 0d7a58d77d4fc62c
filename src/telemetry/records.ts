/**
 * Telemetry interval records: the contract between telemetry sources, the analysis and the benchmark
 * (format in shared/design/decision-quality.md, "Telemetry interval records").
 *
 * One record per arm per scrape interval. Counts are increments within the interval; histograms hold
 * per-bucket counts within the interval. A missing scrape is a missing record, never zeros.
 *
 * Beyond the design page, the metric fields are individually optional: a source that could read
 * request counts but not the cost histogram of an interval leaves `costUsd` out, so that one metric
 * is missing for that interval while the others are still used. `errors` needs `requests` and
 * `interventions` needs `tasks` (a rate needs its denominator).
 */
import { type InputProblem, InvalidInputError } from "../model/index.ts";

export type Arm = "canary" | "baseline";
export const ARMS: readonly Arm[] = ["canary", "baseline"];

/**
 * `[upperBound, count]` pairs, bounds ascending, the last bound `null` (+Inf). The first bucket's
 * lower bound is 0. Counts are within the interval, not cumulative.
 */
export type HistogramBuckets = Array<[number | null, number]>;

export interface Histogram {
  buckets: HistogramBuckets;
  /** Increment of the histogram's `_sum` within the interval. */
  sum: number;
}

export interface IntervalRecord {
  /** Seconds since the stage started, at the end of the interval. */
  t: number;
  arm: Arm;
  requests?: number;
  errors?: number;
  tasks?: number;
  interventions?: number;
  latencyMs?: Histogram;
  costUsd?: Histogram;
}

/** First line of a scenario file. */
export interface ScenarioHeader {
  scenario: string;
  /** Scrape interval in seconds. */
  interval: number;
  /** Seconds from stage start at which judges start deciding. */
  analysisStart: number;
  /** Seconds from stage start at which the stage ends (the stage cap). */
  horizon: number;
}

/** Where a value came from, for error messages. */
export interface RecordSource {
  file: string;
  line?: number;
}

const RECORD_KEYS = new Set(["t", "arm", "requests", "errors", "tasks", "interventions", "latencyMs", "costUsd"]);
const HEADER_KEYS = new Set(["scenario", "interval", "analysisStart", "horizon"]);

/**
 * Checks one parsed JSON value against the record format and returns it typed.
 * Rejects (InvalidInputError naming file, line and field): unknown fields, a missing or negative `t`,
 * an unknown arm, negative, NaN or non-finite counts, errors above requests, interventions above
 * tasks, unsorted or malformed histogram buckets. Counts may be fractional (Prometheus `increase()`
 * extrapolates); they must be finite and ≥ 0.
 */
export function parseRecord(value: unknown, where: RecordSource): IntervalRecord {
  const problems: InputProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ ...where, field, message });
  if (!isObject(value)) {
    throw new InvalidInputError([{ ...where, message: "expected a JSON object (one interval record)" }]);
  }
  for (const key of Object.keys(value)) {
    if (!RECORD_KEYS.has(key)) bad(`/${key}`, `unknown field "${key}"`);
  }
  if (!isFiniteNumber(value.t) || value.t < 0)
    bad("/t", `t must be a finite number of seconds ≥ 0, got ${show(value.t)}`);
  if (value.arm !== "canary" && value.arm !== "baseline") {
    bad("/arm", `arm must be "canary" or "baseline", got ${show(value.arm)}`);
  }
  for (const key of ["requests", "errors", "tasks", "interventions"] as const) {
    const v = value[key];
    if (v !== undefined && !isCount(v)) bad(`/${key}`, `${key} must be a finite count ≥ 0, got ${show(v)}`);
  }
  checkPart(value, "errors", "requests", bad);
  checkPart(value, "interventions", "tasks", bad);
  for (const key of ["latencyMs", "costUsd"] as const) {
    if (value[key] !== undefined) checkHistogram(value[key], `/${key}`, bad);
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return value as unknown as IntervalRecord;
}

/** Checks the first line of a scenario file. */
export function parseScenarioHeader(value: unknown, where: RecordSource): ScenarioHeader {
  const problems: InputProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ ...where, field, message });
  if (!isObject(value)) {
    throw new InvalidInputError([{ ...where, message: "expected the scenario header object first" }]);
  }
  for (const key of Object.keys(value)) {
    if (!HEADER_KEYS.has(key)) bad(`/${key}`, `unknown field "${key}" in the scenario header`);
  }
  if (typeof value.scenario !== "string" || value.scenario === "")
    bad("/scenario", "scenario must be a non-empty string");
  if (!isFiniteNumber(value.interval) || value.interval <= 0)
    bad("/interval", `interval must be seconds > 0, got ${show(value.interval)}`);
  if (!isFiniteNumber(value.analysisStart) || value.analysisStart < 0) {
    bad("/analysisStart", `analysisStart must be seconds ≥ 0, got ${show(value.analysisStart)}`);
  }
  if (!isFiniteNumber(value.horizon) || value.horizon <= 0)
    bad("/horizon", `horizon must be seconds > 0, got ${show(value.horizon)}`);
  if (problems.length === 0 && (value.analysisStart as number) > (value.horizon as number)) {
    bad("/analysisStart", `analysisStart ${value.analysisStart} is after horizon ${value.horizon}`);
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return value as unknown as ScenarioHeader;
}

/**
 * Checks the order of records across a stream: time never goes back, and each arm has at most one
 * record per time. Feed records in file order; `check` throws InvalidInputError naming the line.
 */
export class RecordOrderCheck {
  private lastT = Number.NEGATIVE_INFINITY;
  private readonly seenAtLastT = new Set<Arm>();

  check(record: IntervalRecord, where: RecordSource): void {
    if (record.t < this.lastT) {
      throw new InvalidInputError([
        {
          ...where,
          field: "/t",
          message: `time goes backwards: t = ${record.t} after t = ${this.lastT} (records must be in time order)`,
        },
      ]);
    }
    if (record.t > this.lastT) {
      this.lastT = record.t;
      this.seenAtLastT.clear();
    } else if (this.seenAtLastT.has(record.arm)) {
      throw new InvalidInputError([
        {
          ...where,
          field: "/t",
          message: `second ${record.arm} record for t = ${record.t} (one record per arm per interval)`,
        },
      ]);
    }
    this.seenAtLastT.add(record.arm);
  }
}

/** Validates a whole in-memory list (e.g. built by a source) and returns it; `file` names it in errors. */
export function validateRecords(records: readonly unknown[], file: string): IntervalRecord[] {
  const order = new RecordOrderCheck();
  return records.map((value, i) => {
    const where = { file, line: i + 1 };
    const record = parseRecord(value, where);
    order.check(record, where);
    return record;
  });
}

function checkPart(
  value: Record<string, unknown>,
  part: "errors" | "interventions",
  whole: "requests" | "tasks",
  bad: (field: string, message: string) => void,
): void {
  const p = value[part];
  const w = value[whole];
  if (p === undefined || !isCount(p)) return;
  if (w === undefined) bad(`/${part}`, `${part} given without ${whole}`);
  else if (isCount(w) && p > w) bad(`/${part}`, `${part} (${p}) exceed ${whole} (${w})`);
}

function checkHistogram(h: unknown, field: string, bad: (field: string, message: string) => void): void {
  if (!isObject(h)) {
    bad(field, "histogram must be an object with buckets and sum");
    return;
  }
  for (const key of Object.keys(h)) {
    if (key !== "buckets" && key !== "sum") bad(`${field}/${key}`, `unknown field "${key}" in histogram`);
  }
  if (!isFiniteNumber(h.sum) || h.sum < 0) bad(`${field}/sum`, `sum must be a finite number ≥ 0, got ${show(h.sum)}`);
  const buckets = h.buckets;
  if (!Array.isArray(buckets) || buckets.length === 0) {
    bad(`${field}/buckets`, "buckets must be a non-empty array of [upperBound, count] pairs");
    return;
  }
  let previous = 0;
  for (let i = 0; i < buckets.length; i++) {
    const b: unknown = buckets[i];
    const at = `${field}/buckets/${i}`;
    if (!Array.isArray(b) || b.length !== 2) {
      bad(at, "each bucket must be a [upperBound, count] pair");
      return;
    }
    const [bound, count] = b as [unknown, unknown];
    const last = i === buckets.length - 1;
    if (last) {
      if (bound !== null) bad(`${at}/0`, `the last bucket's bound must be null (+Inf), got ${show(bound)}`);
    } else if (!isFiniteNumber(bound) || bound <= previous) {
      const why =
        bound === null
          ? "only the last bucket may have a null (+Inf) bound"
          : `bounds must be finite and strictly ascending from 0, got ${show(bound)} after ${previous}`;
      bad(`${at}/0`, why);
      return;
    } else {
      previous = bound;
    }
    if (!isCount(count)) {
      bad(`${at}/1`, `bucket count must be a finite number ≥ 0, got ${show(count)}`);
      return;
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function isCount(v: unknown): v is number {
  return isFiniteNumber(v) && v >= 0;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "number") return String(v);
  return JSON.stringify(v) ?? String(v);
}
