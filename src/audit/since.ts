import { UserError } from "../model/index.ts";

/**
 * `--since` as the history walk takes it: a date (`2026-11-24`, `2026-11-24T10:00Z`, any ISO time)
 * becomes a Date; anything else is a ref or commit whose ancestors are left out.
 */
export function parseSince(text: string | undefined): Date | string | undefined {
  if (text === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}([T ].*)?$/.test(text)) {
    const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
    if (Number.isNaN(date.getTime()))
      throw new UserError(`--since ${text}: not a date (use YYYY-MM-DD or an ISO time) nor a ref`);
    return date;
  }
  return text;
}
