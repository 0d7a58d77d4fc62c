/**
 * From Prometheus series to per-interval increments of one arm.
 *
 * Raw counter samples are turned into increments the way `increase()` treats counters, but exactly
 * and without extrapolation: the increment of interval (A, E] is the newest sample in (A, E] minus
 * the newest sample in the interval before, (A − I, A]. The increments of consecutive intervals
 * therefore add up to the counter's whole increase, nothing counted twice or lost. Whenever that
 * difference cannot be trusted, the interval gets a problem instead of a number: no sample inside
 * the interval (a gap or a stale series), none in the interval before (a new series, or the interval
 * after a gap, whose difference would span two intervals), a NaN or infinite sample, or a counter
 * that went down (a reset: the increments between the last scrape and the restart are lost, so any
 * number would be too low).
 *
 * A series takes part in an interval when its samples span the interval or stopped less than the
 * staleness before it: a series that stopped longer ago is gone (a replaced pod), and one that only
 * starts later is not born yet. If any taking-part series has a problem, the arm has no value for
 * that interval: a partial sum would be a fabricated, too-low count.
 */

import type { Histogram } from "../records.ts";
import type { ProblemCause } from "../source.ts";
import type { Series } from "./response.ts";

export interface Grid {
  /** Interval ends in milliseconds since the epoch, ascending. */
  endsMs: number[];
  intervalMs: number;
  stalenessMs: number;
}

export type Cell = { value: number } | { cause: ProblemCause; reason: string };

export function isValue(cell: Cell): cell is { value: number } {
  return "value" in cell;
}

/** Per-interval increments of one raw counter series (samples of the whole window and before). */
export function rawIncrements(series: Series, grid: Grid, name: string): Cell[] {
  const { samples } = series;
  return grid.endsMs.map((end) => {
    const start = end - grid.intervalMs;
    let prevIndex = -1;
    let lastIndex = -1;
    for (let i = 0; i < samples.length && samples[i]!.ts <= end; i++) {
      if (samples[i]!.ts <= start) prevIndex = i;
      lastIndex = i;
    }
    if (lastIndex === -1 || lastIndex === prevIndex) {
      return { cause: "gap", reason: `${name} has no sample inside the interval (missed scrapes or a stale series)` };
    }
    // The previous sample must lie in the previous interval, or the difference would span (and
    // count) more than one interval.
    if (prevIndex === -1 || samples[prevIndex]!.ts <= start - grid.intervalMs) {
      return {
        cause: "no-start",
        reason: `${name} has no sample in the interval before to take the increase from (a new series, or one after missed scrapes)`,
      };
    }
    for (let i = prevIndex; i <= lastIndex; i++) {
      const v = samples[i]!.value;
      if (!Number.isFinite(v)) return { cause: "non-finite", reason: `${name} has a ${formatNonFinite(v)} sample` };
    }
    for (let i = prevIndex + 1; i <= lastIndex; i++) {
      if (samples[i]!.value < samples[i - 1]!.value) {
        return {
          cause: "counter-reset",
          reason: `${name} went down (a counter reset): the increments before the reset are lost`,
        };
      }
    }
    return { value: samples[lastIndex]!.value - samples[prevIndex]!.value };
  });
}

/** Per-interval values of a series that already holds one increment per interval end (query_range). */
export function evaluatedIncrements(series: Series, grid: Grid, name: string): Cell[] {
  const byTs = new Map(series.samples.map((s) => [s.ts, s.value]));
  return grid.endsMs.map((end) => {
    const v = byTs.get(end);
    if (v === undefined)
      return {
        cause: "gap",
        reason: `${name} has no value for the interval (too few samples for the query's range, or missed scrapes)`,
      };
    if (!Number.isFinite(v)) return { cause: "non-finite", reason: `${name} evaluated to ${formatNonFinite(v)}` };
    if (v < 0) return { cause: "inconsistent", reason: `${name} evaluated to a negative increment` };
    return { value: v };
  });
}

/** Whether a series takes part in the interval ending at `end` (see the module comment). */
export function takesPart(series: Series, end: number, grid: Grid): boolean {
  const first = series.samples[0]?.ts;
  const last = series.samples[series.samples.length - 1]?.ts;
  if (first === undefined || last === undefined) return false;
  return first <= end && last > end - grid.intervalMs - grid.stalenessMs;
}

export interface SeriesCells {
  series: Series;
  cells: Cell[];
}

export type ArmCell = { value: number } | { problems: { cause: ProblemCause; reason: string }[] };

/** Sums the taking-part series per interval; any problem among them leaves the interval without a value. */
export function sumSeries(all: readonly SeriesCells[], grid: Grid, noSeriesReason: string): ArmCell[] {
  return grid.endsMs.map((end, k) => {
    const taking = all.filter((s) => takesPart(s.series, end, grid));
    if (taking.length === 0) {
      return {
        problems: [
          {
            cause: "no-data",
            reason:
              all.length === 0
                ? noSeriesReason
                : `${noSeriesReason} around this interval (every series stopped more than the staleness before it)`,
          },
        ],
      };
    }
    const problems: { cause: ProblemCause; reason: string }[] = [];
    let sum = 0;
    for (const s of taking) {
      const cell = s.cells[k]!;
      if (isValue(cell)) sum += cell.value;
      else problems.push(cell);
    }
    return problems.length > 0 ? { problems } : { value: sum };
  });
}

/**
 * Builds per-interval non-cumulative histograms from classic `_bucket` series (cumulative by `le`)
 * and the `_sum` increments. Every taking-part instance (a series set without `le`) must have the
 * same bucket layout, including `+Inf`. `scale` converts bounds and sum to tollgate's unit (1000 for
 * a latency histogram in seconds).
 */
export function assembleHistograms(
  buckets: readonly SeriesCells[],
  sums: ArmCell[],
  grid: Grid,
  noSeriesReason: string,
  scale = 1,
): Array<{ value: Histogram } | { problems: { cause: ProblemCause; reason: string }[] }> {
  return grid.endsMs.map((end, k) => {
    const taking = buckets.filter((s) => takesPart(s.series, end, grid));
    if (taking.length === 0) {
      return {
        problems: [
          {
            cause: "no-data",
            reason: buckets.length === 0 ? noSeriesReason : `${noSeriesReason} around this interval`,
          },
        ],
      };
    }
    const problems = taking.flatMap((s) =>
      isValue(s.cells[k]!) ? [] : [s.cells[k] as { cause: ProblemCause; reason: string }],
    );
    const sum = sums[k]!;
    if (!("value" in sum)) problems.push(...sum.problems.map((p) => ({ cause: p.cause, reason: `_sum: ${p.reason}` })));
    if (problems.length > 0) return { problems };

    const layouts = new Map<string, Set<string>>();
    const totals = new Map<string, number>();
    for (const s of taking) {
      const le = s.series.labels.le;
      if (le === undefined)
        return { problems: [{ cause: "bad-histogram", reason: "a bucket series has no le label" }] };
      const instance = instanceKey(s.series.labels);
      const set = layouts.get(instance) ?? new Set<string>();
      layouts.set(instance, set);
      set.add(le);
      totals.set(le, (totals.get(le) ?? 0) + (s.cells[k] as { value: number }).value);
    }
    const shapes = new Set([...layouts.values()].map((set) => [...set].sort().join(",")));
    if (shapes.size > 1)
      return {
        problems: [{ cause: "bad-histogram", reason: "series of this arm have different bucket layouts (le values)" }],
      };
    const bounds = [...totals.keys()].map((le) => ({ le, bound: parseLe(le) }));
    if (bounds.some((b) => b.bound === undefined || b.bound <= 0)) {
      return {
        problems: [
          {
            cause: "bad-histogram",
            reason: `bucket bounds must be positive numbers or +Inf, got le=${bounds.map((b) => b.le).join(",")}`,
          },
        ],
      };
    }
    bounds.sort((a, b) => a.bound! - b.bound!);
    if (bounds[bounds.length - 1]!.bound !== Number.POSITIVE_INFINITY) {
      return { problems: [{ cause: "bad-histogram", reason: "the histogram has no +Inf bucket" }] };
    }
    const result: Histogram = { buckets: [], sum: scaled((sum as { value: number }).value, scale) };
    let previous = 0;
    for (const { le, bound } of bounds) {
      const cumulative = totals.get(le)!;
      const count = cumulative - previous;
      if (count < -1e-9 * Math.max(1, cumulative)) {
        return { problems: [{ cause: "bad-histogram", reason: "cumulative bucket counts go down with a larger le" }] };
      }
      result.buckets.push([bound === Number.POSITIVE_INFINITY ? null : scaled(bound!, scale), Math.max(0, count)]);
      previous = cumulative;
    }
    return { value: result };
  });
}

/** `value × scale`, rid of the binary noise a decimal unit change leaves (0.3 s is 300 ms, not 300.00000000000006). */
function scaled(value: number, scale: number): number {
  return scale === 1 ? value : Number((value * scale).toPrecision(12));
}

function parseLe(le: string): number | undefined {
  if (le === "+Inf" || le === "Inf") return Number.POSITIVE_INFINITY;
  const n = Number(le);
  return le.trim() !== "" && Number.isFinite(n) ? n : undefined;
}

function instanceKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .filter((k) => k !== "le" && k !== "__name__")
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

function formatNonFinite(v: number): string {
  return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
}

/** A short name for a series in messages: metric name and its distinguishing labels. */
export function describeSeries(series: Series, omit: readonly string[]): string {
  const name = series.labels.__name__ ?? "";
  const labels = Object.keys(series.labels)
    .filter((k) => k !== "__name__" && !omit.includes(k))
    .sort()
    .map((k) => `${k}="${series.labels[k]}"`);
  return labels.length > 0 ? `${name}{${labels.join(",")}}` : name || "{}";
}
