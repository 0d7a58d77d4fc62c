/** Whether the runtime knows an IANA time zone name (Intl throws a RangeError for unknown ones). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
