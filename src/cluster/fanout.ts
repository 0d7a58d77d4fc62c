/**
 * Running one piece of work per cluster: bounded concurrency, transient failures retried with
 * backoff, and a count of failed calls in a row so a cluster that keeps failing is reported as such.
 * Every cluster gets a result; none is ever dropped.
 */
import type { ClusterFailure } from "./types.ts";

/** Runs `fn` over `items`, at most `limit` at a time; results keep the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export interface RetryPolicy {
  /** Tries per call (1 = no retry). */
  attempts: number;
  /** Wait before the second try; doubled for each further one. */
  backoffMs: number;
}

export type Attempt<R> = { ok: true; value: R } | { ok: false; failure: ClusterFailure };

/** Tries `fn` until it succeeds, fails for good, or the tries are used up. */
export async function withRetries<R>(
  policy: RetryPolicy,
  fn: () => Promise<R>,
  describe: (error: unknown) => ClusterFailure,
  transient: (failure: ClusterFailure) => boolean,
  signal?: AbortSignal,
): Promise<{ result: Attempt<R>; attempts: number }> {
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      return { result: { ok: true, value: await fn() }, attempts };
    } catch (error) {
      const failure = describe(error);
      if (attempts >= policy.attempts || !transient(failure) || signal?.aborted)
        return { result: { ok: false, failure }, attempts };
      await sleep(policy.backoffMs * 2 ** (attempts - 1), signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Failed calls in a row, per key (e.g. environment/cluster/service). */
export class FailureStreaks {
  private readonly streaks = new Map<string, number>();
  constructor(readonly threshold: number) {}

  record(key: string, ok: boolean): number {
    const streak = ok ? 0 : (this.streaks.get(key) ?? 0) + 1;
    this.streaks.set(key, streak);
    return streak;
  }

  isPersistent(streak: number): boolean {
    return streak >= this.threshold;
  }
}
