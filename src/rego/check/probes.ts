/**
 * Probe rules for `policy test`, derived from a test rule and compiled beside it:
 *
 * - `domain`: for a parameterized test (`test_x[name] if { some name in cases; ... }`), the set of
 *   values its key takes: the key over the body up to the first expression naming it. Each value
 *   is one sub-test, which passes when the test rule holds for it (OPA reports the same values).
 * - `values`: for a test that fails, the values of the operands of each body expression after
 *   the expressions before it held: `[k, row, text, [[operand, {value}], ...]]` per solution. The
 *   largest `k` present is the expression that failed, with what it compared.
 */
import type { Body, Expr, Module, Rule, Term, VarTerm } from "../syntax/ast.ts";
import { exprToString, termToString } from "../syntax/print.ts";
import { exprTerms, termVars } from "./terms.ts";

export interface TestProbe {
  readonly kind: "domain" | "values";
  /** The test rule's package below data: `["tollgate", "budgets_test"]`. */
  readonly package: readonly string[];
  /** The test rule's name: `test_x`. */
  readonly rule: string;
}

/** The name of the rule a probe adds to the test's package. */
export function probeRuleName(probe: TestProbe): string {
  return `__probe_${probe.kind}__${probe.rule}`;
}

/** The entrypoint that evaluates a probe: `tollgate/budgets_test/__probe_domain__test_x`. */
export function probeEntrypoint(probe: TestProbe): string {
  return [...probe.package, probeRuleName(probe)].join("/");
}

/** The modules with each probe's rules added to the module defining its test rule. */
export function addProbes(modules: readonly Module[], probes: readonly TestProbe[]): Module[] {
  if (probes.length === 0) return [...modules];
  return modules.map((module) => {
    const added: Rule[] = [];
    for (const probe of probes) {
      if (!samePath(module.package.path, probe.package)) continue;
      const globals = globalNames(modules, module);
      for (const rule of module.rules) {
        const name = rule.head.ref[0];
        if (rule.default || rule.head.args || name?.type !== "var" || name.name !== probe.rule) continue;
        const probeRule =
          probe.kind === "domain"
            ? domainRule(rule, probeRuleName(probe))
            : valuesRules(rule, probeRuleName(probe), globals);
        added.push(...probeRule);
      }
    }
    return added.length === 0 ? module : { ...module, rules: [...module.rules, ...added] };
  });
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Names a test body may use without binding them: imports, the package's rules, input, data. */
function globalNames(modules: readonly Module[], module: Module): Set<string> {
  const names = new Set(["input", "data"]);
  for (const i of module.imports) {
    const last = i.path.terms.at(-1);
    names.add(i.alias ?? (last?.type === "string" ? last.value : last?.type === "var" ? last.name : ""));
  }
  for (const m of modules) {
    if (!samePath(m.package.path, module.package.path)) continue;
    for (const r of m.rules) if (r.head.ref[0]?.type === "var") names.add(r.head.ref[0].name);
  }
  return names;
}

function exprVars(e: Expr): Set<string> {
  const vars = new Set<string>();
  for (const t of exprTerms(e)) termVars(t, vars);
  if (e.kind.type === "every") {
    if (e.kind.key) vars.add(e.kind.key.name);
    vars.add(e.kind.value.name);
  }
  return vars;
}

function var_(name: string, loc: Term["loc"]): VarTerm {
  return { type: "var", name, loc };
}

function domainRule(rule: Rule, name: string): Rule[] {
  const key = rule.head.contains ?? rule.head.ref[1];
  if (key === undefined || rule.head.ref.length > 2) return [];
  const keyVars = termVars(key);
  const first = rule.body.findIndex((e) => [...exprVars(e)].some((v) => keyVars.has(v)));
  const body: Body = first < 0 ? rule.body : rule.body.slice(0, first + 1);
  return [
    {
      default: false,
      head: { ref: [var_(name, rule.head.loc)], contains: key, assign: false, loc: rule.head.loc },
      body,
      loc: rule.loc,
    },
  ];
}

/** What an expression compares or tests: the arguments of a call, both sides of `=`, or the term. */
function operands(e: Expr): Term[] {
  const k = e.kind;
  if (k.type === "unify") return [k.lhs, k.rhs];
  if (k.type !== "term") return [];
  if (k.term.type === "call") return [...k.term.args];
  return [k.term];
}

function isLiteral(t: Term): boolean {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return true;
    case "array":
    case "set":
      return t.items.every(isLiteral);
    case "object":
      return t.entries.every(([k, v]) => isLiteral(k) && isLiteral(v));
    default:
      return false;
  }
}

function valuesRules(rule: Rule, name: string, globals: Set<string>): Rule[] {
  if (rule.head.ref.length !== 1 || rule.head.contains) return [];
  const rules: Rule[] = [];
  const bound = new Set<string>();
  rule.body.forEach((next, k) => {
    const loc = next.loc;
    const shown = operands(next).filter(
      (t) => !isLiteral(t) && [...termVars(t)].every((v) => bound.has(v) || globals.has(v)),
    );
    const captured = shown.map((t, i): Term => {
      const v = var_(`__probe_v${i}__`, loc);
      return {
        type: "array",
        items: [
          { type: "string", value: termToString(t), loc },
          { type: "setcompr", term: v, body: [unify(v, t, loc)], loc },
        ],
        loc,
      };
    });
    const ops = var_("__probe_ops__", loc);
    const element: Term = {
      type: "array",
      items: [
        { type: "number", text: String(k), loc },
        { type: "number", text: String(loc.line), loc },
        { type: "string", value: exprToString(next), loc },
        ops,
      ],
      loc,
    };
    rules.push({
      default: false,
      head: { ref: [var_(name, rule.head.loc)], contains: element, assign: false, loc: rule.head.loc },
      body: [
        ...rule.body.slice(0, k),
        { ...unify(ops, { type: "array", items: captured, loc }, loc), with: next.with },
      ],
      loc: rule.loc,
    });
    for (const v of exprVars(next)) bound.add(v);
  });
  return rules;
}

function unify(lhs: Term, rhs: Term, loc: Term["loc"]): Expr {
  return { kind: { type: "unify", op: "=", lhs, rhs }, negated: false, with: [], loc };
}
