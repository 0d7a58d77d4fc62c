/**
 * What the reconciler saw at its latest tick, per service: most ticks commit nothing (a step waits for
 * data), so between decisions this is the only news. Kept in memory by the reconciler's own process
 * and shown beside the history, never instead of it; `tollgate serve` on its own has none.
 */
import type { RolloutDecision } from "../audit/index.ts";
import type { DecisionAction, DecisionReason } from "../model/index.ts";

/** One tick's look at one service (a structural subset of the reconciler's observation). */
export interface LiveObservation {
  environment: string;
  service: string;
  now: Date;
  decision: { action: DecisionAction; reasons: DecisionReason[] };
  analysis?: { metrics: RolloutDecision["metrics"] };
}

export type LiveListener = (keys: string[]) => void;

export function liveKey(environment: string, service: string): string {
  return `${environment}/${service}`;
}

export class LiveFeed {
  readonly #latest = new Map<string, LiveObservation>();
  readonly #listeners = new Set<LiveListener>();
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  /** @param batchMs observations arriving within this window are announced together */
  constructor(private readonly batchMs = 200) {}

  observe(observation: LiveObservation): void {
    const key = liveKey(observation.environment, observation.service);
    this.#latest.set(key, observation);
    this.#pending.add(key);
    this.#timer ??= setTimeout(() => this.flush(), this.batchMs);
  }

  latest(environment: string, service: string): LiveObservation | undefined {
    return this.#latest.get(liveKey(environment, service));
  }

  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
  }

  private flush(): void {
    this.#timer = undefined;
    const keys = [...this.#pending].sort();
    this.#pending = new Set();
    for (const listener of this.#listeners) listener(keys);
  }
}
