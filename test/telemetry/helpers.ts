/** Shared helpers of the telemetry tests: a log capture and deterministic pod telemetry. */
import pino, { type Logger } from "pino";
import type { PodInterval } from "../support/prometheus/openmetrics.ts";
import type { IntervalRecord } from "../../src/telemetry/records.ts";

export interface LogLine {
  level: number;
  msg: string;
  cause?: string;
  signals?: string[];
  [key: string]: unknown;
}

/** A pino logger whose lines are kept (parsed) instead of printed. */
export function captureLogs(): { logger: Logger; lines: LogLine[]; warnings: () => LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines, warnings: () => lines.filter((l) => l.level === 40) };
}

/** A small deterministic generator (LCG), so the written counts are known and varied. */
export function counts(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One pod's traffic in one interval: integer counts, dyadic sums (exact in binary floating point). */
export function podInterval(random: () => number, scale: number): PodInterval {
  const requests = 50 + Math.floor(random() * 100 * scale);
  const errors = Math.floor(random() * 6);
  const tasks = Math.floor(requests / 2);
  const interventions = Math.floor(random() * 4);
  const latencyCounts = [0, 0, 0, 0, 0, 0];
  let latencySum = 0;
  for (let i = 0; i < requests; i++) {
    const bucket = Math.min(5, Math.floor(random() * random() * 7));
    latencyCounts[bucket]!++;
    latencySum += [30, 80, 200, 400, 800, 1500][bucket]!;
  }
  const costCounts = [0, 0, 0, 0, 0];
  for (let i = 0; i < tasks; i++) costCounts[Math.min(4, Math.floor(random() * 5))]!++;
  return {
    requests,
    errors,
    tasks,
    interventions,
    latency: { counts: latencyCounts, sum: latencySum },
    cost: { counts: costCounts, sum: tasks / 32 },
  };
}

/** The records a source must return for pods' intervals: per arm and interval, the sums over pods. */
export function expectedRecords(
  pods: ReadonlyArray<{ arm: string; intervals: Array<PodInterval | null> }>,
  intervalS: number,
  n: number,
): IntervalRecord[] {
  const records: IntervalRecord[] = [];
  for (let k = 1; k <= n; k++) {
    for (const arm of ["canary", "baseline"] as const) {
      const mine = pods.filter((p) => p.arm === arm).map((p) => p.intervals[k - 1]);
      if (mine.length === 0 || mine.some((i) => !i)) continue;
      const sum = (f: (i: PodInterval) => number) => mine.reduce((a, i) => a + f(i!), 0);
      const buckets = (bounds: Array<number | null>, pick: (i: PodInterval) => number[]) =>
        bounds.map((b, j): [number | null, number] => [b, sum((i) => pick(i)[j]!)]);
      records.push({
        t: k * intervalS,
        arm,
        requests: sum((i) => i.requests),
        errors: sum((i) => i.errors),
        tasks: sum((i) => i.tasks),
        interventions: sum((i) => i.interventions),
        latencyMs: {
          buckets: buckets([50, 100, 250, 500, 1000, null], (i) => i.latency.counts),
          sum: sum((i) => i.latency.sum),
        },
        costUsd: { buckets: buckets([0.01, 0.02, 0.05, 0.1, null], (i) => i.cost.counts), sum: sum((i) => i.cost.sum) },
      });
    }
  }
  return records;
}
