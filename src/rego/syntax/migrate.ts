/**
 * Rego v0 → v1, as a text rewrite so comments and layout survive: `if` before every rule body
 * and `contains` for partial sets (`p[x] { ... }` → `p contains x if { ... }`). The result
 * compiles to the same module as the v0 original read with `regoVersion: "v0"`.
 */
import { parseModule, parseModuleV0, type TextEdit } from "./parser.ts";

export function rewriteV0ToV1(file: string, text: string): string {
  let edits: readonly TextEdit[];
  try {
    edits = parseModuleV0(file, text).edits;
  } catch (error) {
    // Already v1 (a v1 file need not import rego.v1): nothing to rewrite. Else the v0 error.
    try {
      parseModule(file, text);
      return text;
    } catch {
      throw error;
    }
  }
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
