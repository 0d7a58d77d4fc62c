/**
 * A small Prometheus HTTP API client on Node's fetch: per-request timeout, bounded retries with
 * exponential backoff for transient failures, bearer or basic credentials. It never throws for a
 * failed request: every outcome is a value the caller can turn into "missing data, because ...".
 */

import { retry } from "../../async/index.ts";
import { type ParsedResponse, parseApiResponse, type Series } from "./response.ts";

export type QueryFailureCause = "unreachable" | "timeout" | "http-error" | "malformed-response" | "query-error";

export type QueryOutcome =
  | { ok: true; series: Series[]; warnings: string[] }
  | { ok: false; cause: QueryFailureCause; message: string; attempts: number };

export interface PrometheusClientOptions {
  /** Base URL, e.g. `http://prometheus.monitoring:9090` (a path prefix is kept). */
  url: string;
  /** Timeout of one HTTP request in milliseconds. */
  timeoutMs: number;
  /** Further attempts after a transient failure (network, timeout, HTTP 429 or 5xx). */
  retries: number;
  /** First backoff in milliseconds; doubles per retry, with jitter. */
  backoffMs?: number;
  /** Value of the Authorization header, if any. */
  authorization?: string;
}

/** Failures worth another attempt: the next one may well succeed. */
const TRANSIENT: ReadonlySet<QueryFailureCause> = new Set(["unreachable", "timeout", "http-error"]);

export class PrometheusClient {
  private readonly base: string;
  private readonly backoffMs: number;

  constructor(private readonly options: PrometheusClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
    this.backoffMs = options.backoffMs ?? 250;
  }

  get url(): string {
    return this.base;
  }

  /** Instant query at `timeMs` (a range-vector query returns raw samples). */
  query(query: string, timeMs: number, signal?: AbortSignal): Promise<QueryOutcome> {
    return this.call("/api/v1/query", { query, time: seconds(timeMs) }, signal);
  }

  /** Range query evaluated at start, start+step, ..., end. */
  queryRange(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
  ): Promise<QueryOutcome> {
    return this.call(
      "/api/v1/query_range",
      { query, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) },
      signal,
    );
  }

  private async call(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<QueryOutcome> {
    const cancelled = (attempts: number): QueryOutcome => ({
      ok: false,
      cause: "timeout",
      message: "cancelled by the caller",
      attempts,
    });
    if (signal?.aborted) return cancelled(0);
    const { result, attempts, aborted } = await retry(
      { attempts: this.options.retries + 1, backoffMs: this.backoffMs, jitter: 0.25 },
      (attempt) => this.once(path, params, attempt, signal),
      (outcome) => !outcome.ok && TRANSIENT.has(outcome.cause),
      signal ? { signal } : {},
    );
    return aborted ? cancelled(attempts) : result;
  }

  private async once(
    path: string,
    params: Record<string, string>,
    attempt: number,
    outer?: AbortSignal,
  ): Promise<QueryOutcome> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    if (this.options.authorization) headers.authorization = this.options.authorization;
    // Prometheus stops evaluating after its own timeout too, so a slow query frees the server.
    const body = new URLSearchParams({
      ...params,
      timeout: `${Math.max(1, Math.floor(this.options.timeoutMs / 1000))}s`,
    });
    const fail = (cause: QueryFailureCause, message: string): QueryOutcome => ({
      ok: false,
      cause,
      message,
      attempts: attempt,
    });
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${this.base}${path}`, { method: "POST", headers, body, signal });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) return fail("timeout", `no answer from ${this.base} within ${this.options.timeoutMs} ms`);
      if (outer?.aborted) return fail("timeout", "cancelled by the caller");
      return fail("unreachable", `cannot reach ${this.base}: ${describeNetworkError(error)}`);
    }
    const parsed = parseApiResponse(text);
    if ("malformed" in parsed) {
      if (status >= 500 || status === 429) return fail("http-error", `HTTP ${status} from ${this.base}${path}`);
      if (status !== 200) return fail("http-error", `HTTP ${status} from ${this.base}${path}: ${parsed.malformed}`);
      return fail("malformed-response", `malformed answer from ${this.base}${path}: ${parsed.malformed}`);
    }
    return this.classify(parsed, status, path, fail);
  }

  private classify(
    parsed: ParsedResponse,
    status: number,
    path: string,
    fail: (cause: QueryFailureCause, message: string) => QueryOutcome,
  ): QueryOutcome {
    if (parsed.ok) {
      if (status !== 200) return fail("http-error", `HTTP ${status} from ${this.base}${path}`);
      return { ok: true, series: parsed.series, warnings: parsed.warnings };
    }
    // 400 bad_data and 422 execution: the query itself is wrong; retrying cannot help.
    if (status === 400 || status === 422 || parsed.errorType === "bad_data" || parsed.errorType === "execution") {
      return fail("query-error", `Prometheus rejected the query (${parsed.errorType}): ${parsed.error}`);
    }
    if (parsed.errorType === "timeout")
      return fail("timeout", `Prometheus timed out evaluating the query: ${parsed.error}`);
    return fail("http-error", `HTTP ${status} from ${this.base}${path} (${parsed.errorType}): ${parsed.error}`);
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
