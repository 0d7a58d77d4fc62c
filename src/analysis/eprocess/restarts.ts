/**
 * Rollback tests that also see regressions beginning partway through a step (change-point aware).
 *
 * A cumulative e-process started at deploy has, by the time a regression begins, added up the
 * healthy intervals before it: evidence against every large alternative that the regression must
 * first pay back. Restarting it when the data look bad is not valid (a maximum over restarts is no
 * e-process), but a fixed mixture over start times is: with E_s the e-process that ignores every
 * interval up to s (it is 1 until then), M_t = π₀·E₀,t + Σ_j π_j·E_{s_j},t with Σ π = 1 is a
 * nonnegative supermartingale under the null, starting at 1, whatever the start times, because each
 * term is one. The price: the test started at deploy counts with weight π₀ (its threshold is
 * 1/π₀ times higher), one started at s_j with π_j.
 *
 * Start times are fixed before the step begins (every `every` seconds up to the step's cap), so a
 * step held past its cap keeps only the starts it had.
 */

export interface RestartSettings {
  /** Seconds between start times. */
  every: number;
  /** The share of the test's weight given to the restarts; the rest stays with the start at deploy. */
  share: number;
}

export interface RestartSchedule {
  /** Weight of the e-process started at deploy. */
  atDeploy: number;
  /** Start times (seconds since stage start, ascending) and the weight of each. */
  starts: readonly number[];
  each: number;
}

/** No restarts: the plain cumulative e-process. */
export const NO_RESTARTS: RestartSchedule = Object.freeze({ atDeploy: 1, starts: [], each: 0 });

/**
 * Starts every `every` seconds from `every` up to `horizon − every` (a start later than that could
 * not gather evidence before the cap), sharing `share` of the weight equally.
 */
export function restartSchedule(settings: RestartSettings | undefined, horizon: number): RestartSchedule {
  if (!settings || !(settings.share > 0) || !(settings.every > 0)) return NO_RESTARTS;
  const starts: number[] = [];
  for (let s = settings.every; s <= horizon - settings.every + 1e-9; s += settings.every) starts.push(s);
  if (starts.length === 0) return NO_RESTARTS;
  return { atDeploy: 1 - settings.share, starts, each: settings.share / starts.length };
}

/**
 * Which start times have begun before an interval ending at `t` is added: a start at s uses the
 * intervals ending after s. `advance(t)` returns the weight of the starts that begin now.
 */
export class StartClock {
  private next = 0;

  constructor(readonly schedule: RestartSchedule) {}

  advance(t: number): number {
    const starts = this.schedule.starts;
    let begun = 0;
    while (this.next < starts.length && starts[this.next]! < t - 1e-9) {
      begun++;
      this.next++;
    }
    return begun * this.schedule.each;
  }

  /** Weight of the starts that have not begun: those e-processes are still 1. */
  get pending(): number {
    return (this.schedule.starts.length - this.next) * this.schedule.each;
  }
}

/** log(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}
