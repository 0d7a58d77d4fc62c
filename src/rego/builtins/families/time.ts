/** time.*: the evaluation's clock, Go's layouts and durations, time zones (luxon over ICU). */
import type { BuiltinImpl } from "../host.ts";

export const TIME: Record<string, BuiltinImpl> = {
  /** The evaluation's clock (one value per evaluation; a recorded decision replays its own). */
  "time.now_ns": (_args, ctx) => ctx.nowNs,
};
