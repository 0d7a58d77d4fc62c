/**
 * PromQL templates per query, their defaults, and how each one is read.
 *
 * A template is read in one of three ways, decided by its text:
 * - it contains `{{interval}}`: it already yields one increment per interval (e.g.
 *   `sum(increase(x_total{...}[{{interval}}]))`) and is evaluated with query_range, step = interval;
 * - it is a plain series selector (the defaults): tollgate reads the raw counter samples and takes
 *   the increase per interval itself, exactly and without extrapolation (see increments.ts);
 * - any other expression is read the same way through a subquery at the interval's resolution.
 */
import { type PrometheusQueryName, UserError } from "../../model/index.ts";

export const DEFAULT_ARM_LABEL = "tollgate_dev_arm";

const SELECTOR = 'service="{{service}}",namespace="{{namespace}}",{{armLabel}}="{{arm}}"';

/** Metric names tollgate expects by default (counters, and classic histograms in ms and USD). */
export const DEFAULT_QUERIES: Record<PrometheusQueryName, string> = {
  requests: `tollgate_requests_total{${SELECTOR}}`,
  errors: `tollgate_request_errors_total{${SELECTOR}}`,
  tasks: `tollgate_tasks_total{${SELECTOR}}`,
  interventions: `tollgate_interventions_total{${SELECTOR}}`,
  latencyBuckets: `tollgate_request_duration_ms_bucket{${SELECTOR}}`,
  latencySum: `tollgate_request_duration_ms_sum{${SELECTOR}}`,
  costBuckets: `tollgate_task_cost_usd_bucket{${SELECTOR}}`,
  costSum: `tollgate_task_cost_usd_sum{${SELECTOR}}`,
};

export const QUERY_NAMES = Object.keys(DEFAULT_QUERIES) as PrometheusQueryName[];

const PLACEHOLDERS = new Set(["service", "arm", "namespace", "interval", "armLabel"]);

export type TemplateMode = "increments" | "raw" | "subquery";

export interface TemplateValues {
  service: string;
  arm: string;
  namespace: string;
  armLabel: string;
  intervalMs: number;
}

/** Throws a UserError naming the environment field when a template uses an unknown placeholder. */
export function checkTemplate(name: PrometheusQueryName, template: string, file: string): void {
  for (const [, key] of template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    if (!PLACEHOLDERS.has(key!)) {
      throw new UserError(
        `${file}: unknown placeholder {{${key}}} in telemetry.prometheus.queries.${name} (known: {{service}}, {{arm}}, {{namespace}}, {{interval}}, {{armLabel}})`,
        [{ file, field: `/telemetry/prometheus/queries/${name}`, message: `unknown placeholder {{${key}}}` }],
      );
    }
  }
}

export function templateMode(template: string): TemplateMode {
  if (/\{\{\s*interval\s*\}\}/.test(template)) return "increments";
  return isPlainSelector(template) ? "raw" : "subquery";
}

export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, key: string) => {
    switch (key) {
      case "service":
        return escapeLabelValue(values.service);
      case "arm":
        return escapeLabelValue(values.arm);
      case "namespace":
        return escapeLabelValue(values.namespace);
      case "armLabel":
        return values.armLabel;
      case "interval":
        return promDuration(values.intervalMs);
      default:
        return `{{${key}}}`;
    }
  });
}

/** A PromQL duration: `10s` for whole seconds, else milliseconds. */
export function promDuration(ms: number): string {
  const whole = Math.round(ms);
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

function isPlainSelector(template: string): boolean {
  return (
    /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*\s*)?(\{([^{}"]|"([^"\\]|\\.)*"|\{\{[^}]*\}\})*\})?\s*$/.test(template) &&
    /\S/.test(template)
  );
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
