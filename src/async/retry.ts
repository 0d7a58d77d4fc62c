/**
 * The one retry policy of tollgate: a bounded number of tries with exponential backoff (optionally
 * capped and jittered) and an abortable wait. What counts as worth another try is the caller's:
 * `once` turns the failures it would retry into results, and `again` says which results those are.
 */
import { sleep as abortableSleep } from "./sleep.ts";

export interface RetryPolicy {
  /** Tries in all (1: no retry). */
  attempts: number;
  /** Wait before the second try; doubled for each further one. */
  backoffMs: number;
  /** The longest wait; default none. */
  maxBackoffMs?: number;
  /** Each wait is scaled by a random factor in [1 − jitter, 1 + jitter); default 0. */
  jitter?: number;
}

/** How one run waits: an abort ends the waiting (no further try is made); tests may replace the clock. */
export interface RetryRun {
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface Retried<T> {
  /** The last try's result. */
  result: T;
  /** Tries made. */
  attempts: number;
  /** True when the run stopped because `signal` aborted while `result` was still worth another try. */
  aborted: boolean;
}

/** The wait in ms before try `attempt` (2 for the first retry). */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxBackoffMs ?? Number.POSITIVE_INFINITY, policy.backoffMs * 2 ** (attempt - 2));
  const jitter = policy.jitter ?? 0;
  return Math.round(jitter === 0 ? base : base * (1 - jitter + 2 * jitter * random()));
}

/**
 * Runs `once(attempt)` until its result is not worth another try (`again` false), the tries are
 * used up, or `run.signal` aborts. An error `once` throws is not retried: it propagates.
 */
export async function retry<T>(
  policy: RetryPolicy,
  once: (attempt: number) => Promise<T>,
  again: (result: T) => boolean,
  run: RetryRun = {},
): Promise<Retried<T>> {
  const sleep = run.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    const result = await once(attempt);
    if (!again(result) || attempt >= policy.attempts) return { result, attempts: attempt, aborted: false };
    if (run.signal?.aborted) return { result, attempts: attempt, aborted: true };
    await sleep(backoffMs(policy, attempt + 1, run.random), run.signal);
    if (run.signal?.aborted) return { result, attempts: attempt, aborted: true };
  }
}
