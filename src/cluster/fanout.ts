/**
 * Running one piece of work per cluster: transient failures retried with
 * backoff, and a count of failed calls in a row so a cluster that keeps failing is reported as such.
 * Every cluster gets a result; none is ever dropped.
 */
import { sleep } from "../async/index.ts";
import type { ClusterFailure } from "./types.ts";

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
