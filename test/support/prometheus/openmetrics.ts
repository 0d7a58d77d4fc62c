/**
 * Writes telemetry of a service as OpenMetrics text with timestamps, for backfilling a real
 * Prometheus with `promtool tsdb create-blocks-from openmetrics`. Metric names and labels are
 * tollgate's defaults (src/telemetry/prometheus/templates.ts), so the default queries read them.
 */

export const LATENCY_LE = [50, 100, 250, 500, 1000];
export const COST_LE = [0.01, 0.02, 0.05, 0.1];

export interface HistogramIncrement {
  /** Non-cumulative counts per bucket: one per LE bound, then the +Inf bucket. */
  counts: number[];
  sum: number;
}

export interface PodInterval {
  requests: number;
  errors: number;
  tasks: number;
  interventions: number;
  latency: HistogramIncrement;
  cost: HistogramIncrement;
  /** The process restarted before this interval's scrape: every counter starts again from 0. */
  reset?: boolean;
  /** Overrides the scraped requests counter value (e.g. NaN or +Inf). */
  requestsValue?: number;
}

export interface PodTelemetry {
  arm: string;
  pod: string;
  /** Cumulative counter values at the first sample (before interval 1). */
  initial?: number;
  /** Entry k-1 is what happened in interval k; null means the scrape at the end of interval k was missed. */
  intervals: Array<PodInterval | null>;
}

export interface ServiceTelemetry {
  service: string;
  namespace: string;
  stageStartMs: number;
  intervalMs: number;
  /** Each scrape happens this long before its interval's end. */
  offsetMs: number;
  pods: PodTelemetry[];
}

interface Line {
  family: string;
  type: "counter" | "histogram";
  name: string;
  labels: Record<string, string>;
  value: number;
  tsMs: number;
}

/** The OpenMetrics text (ending with `# EOF`) for the given pods. */
export function serviceOpenMetrics(data: ServiceTelemetry): string {
  const lines: Line[] = [];
  for (const pod of data.pods) lines.push(...podLines(data, pod));
  return formatOpenMetrics(lines);
}

function podLines(data: ServiceTelemetry, pod: PodTelemetry): Line[] {
  const labels = { service: data.service, namespace: data.namespace, tollgate_dev_arm: pod.arm, pod: pod.pod };
  const lines: Line[] = [];
  const start = pod.initial ?? 0;
  const c = {
    requests: start,
    errors: Math.floor(start / 10),
    tasks: start,
    interventions: Math.floor(start / 20),
    latency: { buckets: LATENCY_LE.map(() => 0).concat(start), sum: start * 100 },
    cost: { buckets: COST_LE.map(() => 0).concat(start), sum: start / 8 },
  };
  const emit = (tsMs: number, requestsOverride?: number) => {
    const counter = (family: string, value: number) =>
      lines.push({ family, type: "counter", name: `${family}_total`, labels, value, tsMs });
    counter("tollgate_requests", requestsOverride ?? c.requests);
    counter("tollgate_request_errors", c.errors);
    counter("tollgate_tasks", c.tasks);
    counter("tollgate_interventions", c.interventions);
    histogram(lines, "tollgate_request_duration_ms", LATENCY_LE, labels, c.latency, tsMs);
    // The same latencies as Prometheus naming conventions have them: in seconds.
    const inSeconds = { buckets: c.latency.buckets, sum: c.latency.sum / 1000 };
    histogram(
      lines,
      "tollgate_request_duration_seconds",
      LATENCY_LE.map((le) => le / 1000),
      labels,
      inSeconds,
      tsMs,
    );
    histogram(lines, "tollgate_task_cost_usd", COST_LE, labels, c.cost, tsMs);
  };
  emit(data.stageStartMs - data.offsetMs);
  pod.intervals.forEach((interval, i) => {
    if (interval === null) return;
    if (interval.reset) {
      c.requests = c.errors = c.tasks = c.interventions = 0;
      c.latency = { buckets: c.latency.buckets.map(() => 0), sum: 0 };
      c.cost = { buckets: c.cost.buckets.map(() => 0), sum: 0 };
    }
    c.requests += interval.requests;
    c.errors += interval.errors;
    c.tasks += interval.tasks;
    c.interventions += interval.interventions;
    add(c.latency, interval.latency);
    add(c.cost, interval.cost);
    emit(data.stageStartMs + (i + 1) * data.intervalMs - data.offsetMs, interval.requestsValue);
  });
  return lines;
}

function add(into: { buckets: number[]; sum: number }, increment: HistogramIncrement): void {
  increment.counts.forEach((n, j) => {
    into.buckets[j] = (into.buckets[j] ?? 0) + n;
  });
  into.sum += increment.sum;
}

function histogram(
  lines: Line[],
  family: string,
  le: number[],
  labels: Record<string, string>,
  h: { buckets: number[]; sum: number },
  tsMs: number,
): void {
  let cumulative = 0;
  h.buckets.forEach((n, j) => {
    cumulative += n;
    const bound = j < le.length ? String(le[j]) : "+Inf";
    lines.push({
      family,
      type: "histogram",
      name: `${family}_bucket`,
      labels: { ...labels, le: bound },
      value: cumulative,
      tsMs,
    });
  });
  lines.push({ family, type: "histogram", name: `${family}_sum`, labels, value: h.sum, tsMs });
  lines.push({ family, type: "histogram", name: `${family}_count`, labels, value: cumulative, tsMs });
}

/** Groups lines by family and series, each series in time order. */
export function formatOpenMetrics(lines: readonly Line[]): string {
  const families = new Map<string, Line[]>();
  for (const line of lines) {
    const list = families.get(line.family) ?? [];
    families.set(line.family, list);
    list.push(line);
  }
  let text = "";
  for (const [family, list] of families) {
    text += `# TYPE ${family} ${list[0]!.type}\n`;
    const bySeries = new Map<string, Line[]>();
    for (const line of list) {
      const key = `${line.name}${formatLabels(line.labels)}`;
      const series = bySeries.get(key) ?? [];
      bySeries.set(key, series);
      series.push(line);
    }
    for (const [key, series] of bySeries) {
      for (const line of [...series].sort((a, b) => a.tsMs - b.tsMs)) {
        text += `${key} ${formatValue(line.value)} ${(line.tsMs / 1000).toFixed(3)}\n`;
      }
    }
  }
  return `${text}# EOF\n`;
}

function formatLabels(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]!.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}
