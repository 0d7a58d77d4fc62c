/**
 * What a coverage build tracks: every rule head and every expression (nested bodies included), as
 * the lines from its first to its last, keyed by the first (the planner knows where expressions
 * start). As OPA, declarations (`some x`, `some x in xs`) count when evaluated, and are not
 * reported as not covered otherwise.
 */
import type { CoverableLine } from "../ir.ts";
import type { Body, Module, Rule } from "../syntax/ast.ts";
import { exprTerms, visitTerms } from "./terms.ts";

export function coverableLines(modules: readonly Module[]): CoverableLine[] {
  const byStart = new Map<string, CoverableLine>();
  const add = (file: string, line: number, lastLine = line, onlyIfHit = false) => {
    const key = `${file}:${line}`;
    const known = byStart.get(key);
    const span = Math.max(lastLine, known?.lastLine ?? line);
    byStart.set(key, {
      file,
      line,
      ...(span > line ? { lastLine: span } : {}),
      ...(onlyIfHit && (!known || known.onlyIfHit) ? { onlyIfHit: true } : {}),
    });
  };
  const body = (b: Body) => {
    for (const e of b) {
      const declaration = e.kind.type === "some" || e.kind.type === "somein";
      add(e.loc.file, e.loc.line, e.endLine, declaration);
      if (e.kind.type === "every") body(e.kind.body);
      if (e.kind.type === "logical") for (const operand of e.kind.operands) body(operand);
      for (const t of exprTerms(e)) {
        visitTerms(t, (x) => {
          if (x.type === "arraycompr" || x.type === "setcompr" || x.type === "objectcompr") body(x.body);
          return true;
        });
      }
    }
  };
  const rule = (r: Rule) => {
    add(r.loc.file, r.loc.line, r.head.endLine);
    body(r.body);
    if (r.else) rule(r.else);
  };
  for (const m of modules) for (const r of m.rules) rule(r);
  return [...byStart.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
