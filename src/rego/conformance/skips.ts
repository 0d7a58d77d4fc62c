/**
 * THE list of conformance cases tollgate skips, each with its reason. Only cases that need what
 * is declared out of scope (network, cryptography, time zones and the wall clock, ...) may be
 * here; everything else must pass. Keyed by the case note (as written in the case file).
 */
export const SKIPPED_CASES: ReadonlyMap<string, string> = new Map<string, string>([]);

export function skipReason(note: string): string | undefined {
  return SKIPPED_CASES.get(note);
}
