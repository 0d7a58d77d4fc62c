/**
 * What the conformance harness may skip, and nothing else: cases that call one of the builtins
 * that need the network (declared out of scope in the builtin catalogue), and cases their own
 * file marks `skip` or `todo`. Every other case must pass or counts as failed.
 */
import { allBuiltins } from "../builtins/catalog.ts";
import type { ConformanceCase } from "./cases.ts";

/** The out-of-scope builtins: only those needing the network (checked by the tests). */
export const OUT_OF_SCOPE: readonly string[] = allBuiltins()
  .filter((b) => b.outOfScope !== undefined)
  .map((b) => b.name);

/** Why the case is skipped, if it is. */
export function skipReason(c: ConformanceCase): string | undefined {
  if (c.skip !== undefined) return c.skip;
  const text = [c.query, ...c.modules].join("\n");
  for (const name of OUT_OF_SCOPE) {
    if (new RegExp(`\\b${name.replaceAll(".", "\\.")}\\s*\\(`).test(text))
      return `calls ${name} (out of scope: network access)`;
  }
  return undefined;
}
