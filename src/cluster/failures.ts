/**
 * A cluster's failures, as each applier reports them: one call tried again (with the one retry
 * policy of src/async) while its failure is transient, and a count of failed calls in a row so a
 * cluster that keeps failing is reported as such. Every cluster gets a result; none is ever dropped.
 */
import { type RetryPolicy, retry } from "../async/index.ts";
import type { ClusterFailure } from "./types.ts";

export type Attempt<R> = { ok: true; value: R } | { ok: false; failure: ClusterFailure };

/** Tries `fn` until it succeeds, fails for good, the tries are used up or `signal` aborts. */
export async function tryCluster<R>(
  policy: RetryPolicy,
  fn: () => Promise<R>,
  describe: (error: unknown) => ClusterFailure,
  transient: (failure: ClusterFailure) => boolean,
  signal?: AbortSignal,
): Promise<{ result: Attempt<R>; attempts: number }> {
  const { result, attempts } = await retry(
    policy,
    async (): Promise<Attempt<R>> => {
      try {
        return { ok: true, value: await fn() };
      } catch (error) {
        return { ok: false, failure: describe(error) };
      }
    },
    (attempt) => !attempt.ok && transient(attempt.failure),
    signal ? { signal } : {},
  );
  return { result, attempts };
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
