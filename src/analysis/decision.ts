/** What a judge concludes about one stage, and the interface every judge implements. */
import type { Tick } from "./observations.ts";

export type JudgeAction = "rollback" | "promote" | "hold";

/** The line `tollgate analyze` prints per scenario (without the scenario id). */
export interface Decision {
  action: JudgeAction;
  /** Seconds since stage start. */
  at: number;
  /** The metric stream (or rule) that caused a rollback; null for a promotion. */
  trigger: string | null;
  /** Why, in numbers; the shape depends on the judge. */
  evidence: Record<string, unknown>;
}

/**
 * One judge working through one stage. `observe` is called for every tick in time order, from the
 * first interval up to the horizon, with or without data; it returns the decision once it is made
 * (and is not called again after that). At the horizon it must decide.
 */
export interface JudgeRun {
  observe(tick: Tick): Decision | undefined;
}

/**
 * Rounds a number for evidence output to 4 significant digits. JSON has no NaN or Infinity:
 * both become null ("not available" or "unbounded", e.g. an upper confidence bound with no data).
 */
export function tidy(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  return Number(x.toPrecision(4));
}

/** `tidy`, with more digits if needed so that a value above `floor` does not round to `floor`. */
export function tidyAbove(x: number, floor: number): number | null {
  if (!(x > floor) || !Number.isFinite(x)) return tidy(x);
  for (let digits = 4; digits <= 12; digits++) {
    const rounded = Number(x.toPrecision(digits));
    if (rounded > floor) return rounded;
  }
  return x;
}
