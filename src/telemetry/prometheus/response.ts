/**
 * Checks a Prometheus HTTP API answer (`/api/v1/query`, `/api/v1/query_range`) and turns it into
 * series of numeric samples. Sample values arrive as strings; "NaN", "+Inf" and "-Inf" become the
 * matching numbers so that later stages can name them as problems.
 */

export interface Sample {
  /** Milliseconds since the epoch. */
  ts: number;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  /** Ascending by time. */
  samples: Sample[];
}

export type ParsedResponse =
  | { ok: true; series: Series[]; warnings: string[] }
  | { ok: false; errorType: string; error: string };

/** Parses a response body; returns a description of what is wrong when it is not a valid answer. */
export function parseApiResponse(body: string): ParsedResponse | { malformed: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return {
      malformed: `response is not JSON (${error instanceof Error ? error.message : String(error)}): ${preview(body)}`,
    };
  }
  if (!isObject(json)) return { malformed: `response is not a JSON object: ${preview(body)}` };
  if (json.status === "error") {
    return {
      ok: false,
      errorType: typeof json.errorType === "string" ? json.errorType : "unknown",
      error: typeof json.error === "string" ? json.error : preview(body),
    };
  }
  if (json.status !== "success")
    return { malformed: `response status is ${JSON.stringify(json.status)}, expected "success" or "error"` };
  const data = json.data;
  if (!isObject(data)) return { malformed: "response has no data object" };
  const warnings = Array.isArray(json.warnings) ? json.warnings.filter((w): w is string => typeof w === "string") : [];
  const result = data.result;
  switch (data.resultType) {
    case "matrix":
    case "vector": {
      if (!Array.isArray(result)) return { malformed: `data.result of a ${data.resultType} is not an array` };
      const series: Series[] = [];
      for (const [i, item] of result.entries()) {
        const parsed = parseSeries(item, data.resultType === "matrix");
        if (typeof parsed === "string") return { malformed: `data.result[${i}]: ${parsed}` };
        series.push(parsed);
      }
      return { ok: true, series, warnings };
    }
    case "scalar": {
      const sample = parseSample(result);
      if (typeof sample === "string") return { malformed: `data.result: ${sample}` };
      return { ok: true, series: [{ labels: {}, samples: [sample] }], warnings };
    }
    default:
      return { malformed: `unexpected data.resultType ${JSON.stringify(data.resultType)}` };
  }
}

function parseSeries(item: unknown, matrix: boolean): Series | string {
  if (!isObject(item)) return "not an object";
  const metric = item.metric;
  if (!isObject(metric)) return "no metric labels";
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(metric)) {
    if (typeof v !== "string") return `label ${k} is not a string`;
    labels[k] = v;
  }
  const raw = matrix ? item.values : [item.value];
  if (!Array.isArray(raw)) return matrix ? "no values array" : "no value";
  const samples: Sample[] = [];
  for (const [j, pair] of raw.entries()) {
    const sample = parseSample(pair);
    if (typeof sample === "string") return `sample ${j}: ${sample}`;
    samples.push(sample);
  }
  samples.sort((a, b) => a.ts - b.ts);
  return { labels, samples };
}

function parseSample(pair: unknown): Sample | string {
  if (!Array.isArray(pair) || pair.length !== 2) return 'expected [timestamp, "value"]';
  const [ts, value] = pair as [unknown, unknown];
  if (typeof ts !== "number" || !Number.isFinite(ts)) return `timestamp ${JSON.stringify(ts)} is not a number`;
  if (typeof value !== "string") return `value ${JSON.stringify(value)} is not a string`;
  const number = parseValue(value);
  if (number === undefined) return `value ${JSON.stringify(value)} is not a number`;
  return { ts: Math.round(ts * 1000), value: number };
}

/** Prometheus sample values: decimal or exponent notation, NaN, +Inf, -Inf. */
export function parseValue(text: string): number | undefined {
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 120 ? `${JSON.stringify(flat.slice(0, 120))}…` : JSON.stringify(flat);
}
