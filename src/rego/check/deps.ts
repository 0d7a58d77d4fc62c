/**
 * Rule dependencies (which rule sets a body may evaluate) and the recursion check: OPA rejects
 * any cycle between rules and functions (`rego_recursion_error`).
 */
import type { ProblemList } from "../errors.ts";
import type { Body, Term } from "../syntax/ast.ts";
import { type CheckedRule, pathKey, type RuleNode, type RuleSet } from "./program.ts";
import { dataName } from "./ruletable.ts";
import { exprTerms, visitTerms } from "./terms.ts";

/** Variables a body binds to a string constant (`k := "q"`): `data[k]` reads only `data.q`. */
type Constants = ReadonlyMap<string, string>;

function constantsOf(body: Body, inherited: Constants): Constants {
  let out: Map<string, string> | undefined;
  for (const e of body) {
    if (e.negated || e.with.length > 0 || e.kind.type !== "unify") continue;
    const { lhs, rhs } = e.kind;
    const [v, s] = lhs.type === "var" ? [lhs, rhs] : [rhs, lhs];
    if (v.type !== "var" || s.type !== "string") continue;
    out ??= new Map(inherited);
    out.set(v.name, s.value);
  }
  return out ?? inherited;
}

/** Rule sets that a reference `data...` may read. */
export function refDependencies(
  terms: readonly Term[],
  root: RuleNode,
  out: Set<RuleSet>,
  constants: Constants = new Map(),
): void {
  let n: RuleNode = root;
  for (const operand of terms.slice(1)) {
    if (n.ruleSet) {
      out.add(n.ruleSet);
      if (n.ruleSet.kind !== "object") return;
    }
    const known = operand.type === "var" ? constants.get(operand.name) : undefined;
    const op: Term = known === undefined ? operand : { type: "string", value: known, loc: operand.loc };
    if (op.type === "string") {
      const c = n.children.get(op.value);
      if (!c) return;
      n = c;
      continue;
    }
    // rule paths are strings: a scalar key of another type (`data[2]`) reads base documents only
    if (!n.ruleSet && (op.type === "number" || op.type === "boolean" || op.type === "null")) return;
    subtree(n, out);
    return;
  }
  subtree(n, out);
}

function subtree(n: RuleNode, out: Set<RuleSet>): void {
  if (n.ruleSet) out.add(n.ruleSet);
  for (const c of n.children.values()) subtree(c, out);
}

function nodeAt(root: RuleNode, path: readonly string[]): RuleNode | undefined {
  let n: RuleNode | undefined = root;
  for (const p of path) {
    n = n.children.get(p);
    if (!n) return undefined;
  }
  return n;
}

/** Dependencies of terms and bodies, including closures and `with` modifiers. */
export function termDependencies(t: Term, root: RuleNode, out: Set<RuleSet>, constants: Constants = new Map()): void {
  visitTerms(t, (x) => {
    if (x.type === "ref" && x.terms[0]!.type === "var" && x.terms[0]!.name === "data")
      refDependencies(x.terms, root, out, constants);
    if (x.type === "call" && x.name.startsWith("data.")) {
      const n = nodeAt(root, x.name.split(".").slice(1));
      if (n?.ruleSet) out.add(n.ruleSet);
    }
    if (x.type === "arraycompr" || x.type === "setcompr" || x.type === "objectcompr")
      bodyDependencies(x.body, root, out, constants);
    return true;
  });
}

export function bodyDependencies(
  body: Body,
  root: RuleNode,
  out: Set<RuleSet>,
  inherited: Constants = new Map(),
): void {
  const constants = constantsOf(body, inherited);
  for (const e of body) {
    // `with` targets are replaced, not read; the values are terms like any other.
    for (const t of exprTerms(e)) termDependencies(t, root, out, constants);
    if (e.kind.type === "every") bodyDependencies(e.kind.body, root, out, constants);
    if (e.kind.type === "logical") for (const b of e.kind.operands) bodyDependencies(b, root, out, constants);
  }
}

function ruleDependencies(r: CheckedRule, root: RuleNode, out: Set<RuleSet>): void {
  bodyDependencies(r.body, root, out);
  const constants = constantsOf(r.body, new Map());
  for (const t of [...(r.args ?? []), ...r.suffix, ...(r.value ? [r.value] : []), ...(r.element ? [r.element] : [])]) {
    termDependencies(t, root, out, constants);
  }
  if (r.else) ruleDependencies(r.else, root, out);
}

/** Reports every rule set that (transitively) depends on itself. */
export function checkRecursion(ruleSets: ReadonlyMap<string, RuleSet>, root: RuleNode, problems: ProblemList): void {
  const edges = new Map<RuleSet, RuleSet[]>();
  for (const set of ruleSets.values()) {
    const deps = new Set<RuleSet>();
    for (const r of set.rules) ruleDependencies(r, root, deps);
    if (set.defaultRule) ruleDependencies(set.defaultRule, root, deps);
    edges.set(
      set,
      [...deps].sort((a, b) => cmp(pathKey(a.path), pathKey(b.path))),
    );
  }
  const state = new Map<RuleSet, "active" | "done">();
  const stack: RuleSet[] = [];
  const reported = new Set<RuleSet>();
  const visit = (s: RuleSet): void => {
    state.set(s, "active");
    stack.push(s);
    for (const d of edges.get(s) ?? []) {
      const st = state.get(d);
      if (st === "active") {
        const cycle = stack.slice(stack.indexOf(d));
        if (!reported.has(d)) {
          reported.add(d);
          const names = [...cycle, d].map((x) => dataName(x.path));
          const loc = (d.rules[0] ?? d.defaultRule)!.loc;
          problems.add(loc, "rego_recursion_error", `rule ${dataName(d.path)} is recursive: ${names.join(" -> ")}`);
        }
      } else if (st === undefined) visit(d);
    }
    stack.pop();
    state.set(s, "done");
  };
  const sorted = [...ruleSets.values()].sort((a, b) => cmp(pathKey(a.path), pathKey(b.path)));
  for (const s of sorted) if (!state.has(s)) visit(s);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
