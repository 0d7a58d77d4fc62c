import { UserError } from "../model/index.ts";

/** Environment variable that fixes "now" for promote and check (tests, replaying a past check). */
export const NOW_ENV = "TOLLGATE_NOW";

/** An RFC 3339 time with a zone (Z or ±hh:mm), seconds optional. */
export const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The moment to act at: `--now`, else TOLLGATE_NOW, else the clock. Times need a zone (Z or ±hh:mm). */
export function resolveNow(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  clock: () => Date = () => new Date(),
): Date {
  const text = option ?? env[NOW_ENV];
  if (text === undefined || text === "") return clock();
  const where = option !== undefined ? "--now" : NOW_ENV;
  if (!ZONED_TIME.test(text)) {
    throw new UserError(`${where} "${text}" is not a time with a zone, e.g. 2026-11-24T10:15:00Z`);
  }
  const moment = new Date(text);
  if (Number.isNaN(moment.getTime())) throw new UserError(`${where} "${text}" is not a valid time`);
  return moment;
}
