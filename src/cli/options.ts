/**
 * Parsers of option values. A value that does not parse is a usage error: commander prints
 * "option '--x <v>' argument 'abc' is invalid. <why>" and `main` exits 2, as for an unknown option.
 */
import { InvalidArgumentError } from "commander";
import { formatDuration, parseDuration, UserError } from "../model/index.ts";
import { ZONED_TIME } from "./now.ts";

/** A duration (`30s`, `5m`, `1h30m`) of at least `min` ms, at most `max` ms; returns milliseconds. */
export function durationArg(bounds: { min: number; max?: number }): (value: string) => number {
  return (value) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      throw new InvalidArgumentError("expected a duration such as 30s, 5m or 1h30m");
    }
    if (ms < bounds.min) throw new InvalidArgumentError(`must be at least ${formatDuration(bounds.min)}`);
    if (bounds.max !== undefined && ms > bounds.max)
      throw new InvalidArgumentError(`must be at most ${formatDuration(bounds.max)}`);
    return ms;
  };
}

/** A whole number ≥ 1. */
export function positiveIntegerArg(what = "a positive whole number"): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected ${what}`);
    return n;
  };
}

/** A TCP port (0 lets the system choose); `:9090` is taken as 9090. */
export function portArg(value: string): number {
  const text = value.replace(/^:/, "");
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new InvalidArgumentError("expected a port number (0 to 65535)");
  return n;
}

/** A moment with a zone, e.g. 2026-11-24T10:15:00Z; kept as text (resolveNow reads it). */
export function zonedTimeArg(value: string): string {
  if (!ZONED_TIME.test(value) || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError("expected a time with a zone, e.g. 2026-11-24T10:15:00Z");
  return value;
}

/** Options that cannot be used together, or other misuse found after parsing: exit 2, as commander's own. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
