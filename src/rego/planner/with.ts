/**
 * `with` modifiers. Replacing (part of) input or data is a `WithStmt` on the input/data local,
 * and the rest of the body runs inside nested `WithStmt`s that restore the saved originals.
 * Replacing data that rules define hides those rules (a new planning context: references read
 * the replaced data). Replacing a builtin or function is a mock in the planning context: every
 * rule function evaluated under it is planned again with the mock applied.
 */
import type { RuleNode } from "../check/program.ts";
import { allVarsDeep } from "../check/terms.ts";
import * as ir from "../ir.ts";
import type { Expr, Term, With } from "../syntax/ast.ts";
import { asBlock } from "./builder.ts";
import type { MockTarget } from "./context.ts";
import type { Cont, Planner } from "./planner.ts";

/** Data key under which `with` values that use local variables reach other rules (see planWith). */
export const HIDDEN_MOCKS_KEY = "$tollgate:with";

export function planWith(p: Planner, e: Expr, k: Cont): void {
  const docWiths: { root: "input" | "data"; path: string[]; with: With }[] = [];
  const mocks: { name: string; with: With }[] = [];
  const shadows: string[][] = [];
  for (const w of e.with) {
    const target = w.target;
    if (target.type === "ref" && target.terms[0]!.type === "var") {
      const root = target.terms[0]!.name;
      if (root === "input" || root === "data") {
        const path = target.terms.slice(1).map((t) => (t as { value: string }).value);
        if (root === "data") {
          const set = p.nodeAt(path)?.ruleSet;
          if (set && set.kind === "function" && set.path.length === path.length) {
            mocks.push({ name: `data.${path.join(".")}`, with: w });
            continue;
          }
          if (rulesAtOrBelow(p, path)) shadows.push(path);
        }
        docWiths.push({ root, path, with: w });
        continue;
      }
    }
    const name = target.type === "var" ? target.name : refName(target);
    mocks.push({ name: name ?? "?", with: w });
  }

  const mockTargets = new Map<string, MockTarget>();
  // Values using local variables reach other rules' functions through a hidden data key.
  const hidden: { path: string[]; value: ir.Operand }[] = [];
  const planMockValues = (i: number, done: Cont): void => {
    if (i >= mocks.length) {
      done();
      return;
    }
    const m = mocks[i]!;
    const fn = functionValue(p, m.with);
    if (fn) {
      mockTargets.set(m.name, fn);
      planMockValues(i + 1, done);
      return;
    }
    p.planTerm(m.with.value, (op) => {
      const l = p.toLocal(op);
      const portable = isPortable(p, m.with.value);
      mockTargets.set(m.name, {
        kind: "value",
        term: m.with.value,
        local: l,
        owner: p.funcId,
        portable,
        at: m.with.loc,
      });
      if (!portable) hidden.push({ path: [HIDDEN_MOCKS_KEY, m.name], value: ir.local(l) });
      planMockValues(i + 1, done);
    });
  };

  planMockValues(0, () => {
    p.planTermList(
      docWiths.map((d) => d.with.value),
      (docValues) => {
        const replaced = [
          ...docWiths.map((d, i) => ({ root: d.root, path: d.path, value: docValues[i]! })),
          ...hidden.map((h) => ({ root: "data" as const, path: h.path, value: h.value })),
        ];
        // Save the documents the withs replace, to restore them for the rest of the body.
        const roots = [...new Set(replaced.map((d) => d.root))].sort();
        const saved = roots.map((r) => {
          const orig = r === "input" ? p.inputLocal() : p.dataLocal();
          const copy = p.newLocal();
          p.emit({ type: "AssignVarStmt", source: ir.local(orig), target: copy });
          return { orig, copy };
        });
        const outer = p.ctx;
        const inner = outer.withShadows(shadows).withMocks(mockTargets);
        const planWithRec = (i: number): void => {
          if (i >= replaced.length) {
            const outerReplaced = p.fb.docsReplaced;
            p.ctx = inner;
            p.fb.docsReplaced = outerReplaced || replaced.length > 0;
            p.planExpr({ ...e, with: [] }, () => {
              p.ctx = outer;
              p.fb.docsReplaced = outerReplaced;
              planRestore(p, saved, 0, k);
              p.fb.docsReplaced = outerReplaced || replaced.length > 0;
              p.ctx = inner;
            });
            p.fb.docsReplaced = outerReplaced;
            p.ctx = outer;
            return;
          }
          const d = replaced[i]!;
          const local = d.root === "input" ? p.inputLocal() : p.dataLocal();
          const block = p.fb.inBlock(() => planWithRec(i + 1));
          p.emit({
            type: "WithStmt",
            local,
            path: d.path.map((s) => p.str(s)),
            value: d.value,
            block: asBlock(block),
          });
        };
        planWithRec(0);
      },
    );
  });
}

/** True if a term uses no local variable bound here, so it can be planned in another function. */
export function isPortable(p: Planner, t: Term): boolean {
  for (const v of allVarsDeep(t)) {
    if (v !== "input" && v !== "data" && p.fb.vars.get(v) !== undefined) return false;
  }
  return true;
}

export function planRestore(p: Planner, saved: { orig: ir.Local; copy: ir.Local }[], i: number, k: Cont): void {
  if (i >= saved.length) {
    k();
    return;
  }
  const { orig, copy } = saved[i]!;
  const block = p.fb.inBlock(() => planRestore(p, saved, i + 1, k));
  p.emit({ type: "WithStmt", local: orig, path: [], value: ir.local(copy), block: asBlock(block) });
}

export function rulesAtOrBelow(p: Planner, path: readonly string[]): boolean {
  let n: RuleNode | undefined = p.program.root;
  for (const p of path) {
    if (n.ruleSet) return true;
    n = n.children.get(p);
    if (!n) return false;
  }
  return hasRuleSets(n);
}

/** A `with` value that is a function (builtin name or user function reference), if it is one. */
export function functionValue(p: Planner, w: With): MockTarget | undefined {
  if (w.builtin !== undefined) return { kind: "builtin", name: w.builtin };
  const v = w.value;
  if (v.type === "ref" && v.terms[0]!.type === "var" && v.terms[0]!.name === "data") {
    const path: string[] = [];
    for (const t of v.terms.slice(1)) {
      if (t.type !== "string") return undefined;
      path.push(t.value);
    }
    const set = p.nodeAt(path)?.ruleSet;
    if (set?.kind === "function" && set.path.length === path.length) return { kind: "function", path };
  }
  return undefined;
}

function hasRuleSets(n: RuleNode): boolean {
  if (n.ruleSet) return true;
  for (const c of n.children.values()) if (hasRuleSets(c)) return true;
  return false;
}

function refName(t: Term): string | undefined {
  if (t.type !== "ref") return undefined;
  const parts: string[] = [];
  for (const [i, x] of t.terms.entries()) {
    if (i === 0 && x.type === "var") parts.push(x.name);
    else if (i > 0 && x.type === "string") parts.push(x.value);
    else return undefined;
  }
  return parts.join(".");
}
