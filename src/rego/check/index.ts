/**
 * The compile passes, a named list run in order as OPA's compiler runs its stages; each stops
 * the pipeline with `RegoCompileError` if it found problems. `stopAfter` ends the run after the
 * pass of that name (for tests and debugging: the state then holds what that pass produced).
 */
import { lookupBuiltin } from "../builtins/catalog.ts";
import { ProblemList, type SourcePos } from "../errors.ts";
import { type Body, type Expr, isGeneratedVar, isWildcard, type Module, type Term } from "../syntax/ast.ts";
import { checkRecursion } from "./deps.ts";
import { LocalRewriter } from "./locals.ts";
import { PrintRewriter } from "./print.ts";
import { type CheckedQuery, type CheckedRule, type Program, pathKey, type RuleNode, type RuleSet } from "./program.ts";
import { moduleGlobals, Resolver, refAsName } from "./resolve.ts";
import { buildRuleTable, dataName, toChecked } from "./ruletable.ts";
import { exprOutputs, refOutputs, reorderBody, type SafetyContext } from "./safety.ts";
import { allVarsDeep, allVarsInBodyDeep, exprTerms, exprVars, termVars, visitTerms } from "./terms.ts";
import { checkLiteralArgumentTypes } from "./types.ts";

export interface QueryInput {
  readonly name: string;
  readonly body: Body;
  readonly loc: SourcePos;
}

/** What the passes share: each reads what earlier passes left and replaces or adds its part. */
export interface CompileState {
  /** Modules sorted by file name; rewritten in place by the passes that change rules. */
  modules: Module[];
  queries: QueryInput[];
  readonly problems: ProblemList;
  /** Set by rewriteLocalVars: local name → the name written in the source. */
  originals?: ReadonlyMap<string, string>;
  /** Set by setRuleTree. */
  checkedRules?: CheckedRule[];
  root?: RuleNode;
  ruleSets?: Map<string, RuleSet>;
  /** Set by checkSafety. */
  checkedQueries?: CheckedQuery[];
}

export interface CompilePass {
  readonly name: string;
  readonly run: (state: CompileState) => void;
}

/** The passes in the order they run. */
export const PASSES: readonly CompilePass[] = [
  { name: "resolveRefs", run: resolveRefs },
  { name: "rewritePrintCalls", run: rewritePrintCalls },
  { name: "rewriteLocalVars", run: rewriteLocalVars },
  { name: "setRuleTree", run: setRuleTree },
  { name: "checkCalls", run: checkCalls },
  { name: "checkSafety", run: checkSafety },
  { name: "checkRecursion", run: (s) => checkRecursion(s.ruleSets!, s.root!, s.problems) },
];

export type PassName = (typeof PASSES)[number]["name"];

export interface CheckOptions {
  /** Run the passes up to and including this one only. */
  readonly stopAfter?: string;
}

/** Runs the passes over parsed modules (any order) and queries; returns the state they leave. */
export function runPasses(
  modules: readonly Module[],
  queries: readonly QueryInput[],
  options: CheckOptions = {},
): CompileState {
  if (options.stopAfter !== undefined && !PASSES.some((p) => p.name === options.stopAfter)) {
    throw new Error(`no compile pass named ${options.stopAfter} (passes: ${PASSES.map((p) => p.name).join(", ")})`);
  }
  const state: CompileState = {
    modules: [...modules].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    queries: [...queries],
    problems: new ProblemList(),
  };
  for (const pass of PASSES) {
    pass.run(state);
    state.problems.throwIfAny();
    if (pass.name === options.stopAfter) break;
  }
  return state;
}

/** Runs every pass: the checked program the planner takes. */
export function checkProgram(modules: readonly Module[], queries: readonly QueryInput[]): Program {
  const s = runPasses(modules, queries);
  return { root: s.root!, ruleSets: s.ruleSets!, queries: s.checkedQueries! };
}

/** Imports and rule names of the module's package become absolute `data` references. */
function resolveRefs(s: CompileState): void {
  const ruleNames = new Map<string, Set<string>>();
  for (const m of s.modules) {
    const key = m.package.path.join(".");
    let names = ruleNames.get(key);
    if (!names) {
      names = new Set();
      ruleNames.set(key, names);
    }
    for (const r of m.rules) names.add((r.head.ref[0] as { name: string }).name);
  }
  s.modules = s.modules.map((m) => {
    const resolver = new Resolver(moduleGlobals(m, ruleNames, s.problems));
    return { ...m, rules: m.rules.map((r) => resolver.rule(r)) };
  });
  s.queries = s.queries.map((q) => ({ ...q, body: new Resolver(new Map()).body(q.body) }));
}

/** `print(...)` becomes `internal.print([...])` over its arguments' captured values. */
function rewritePrintCalls(s: CompileState): void {
  const print = new PrintRewriter();
  s.modules = s.modules.map((m) => ({ ...m, rules: m.rules.map((r) => print.rule(r)) }));
  s.queries = s.queries.map((q) => ({ ...q, body: print.body(q.body) }));
}

/** Unique names for declared locals, `:=` → `=`, `some ... in` → iteration. */
function rewriteLocalVars(s: CompileState): void {
  const reserved = new Set<string>();
  for (const m of s.modules) for (const r of m.rules) collectRuleNames(r, reserved);
  for (const q of s.queries) allVarsInBodyDeep(q.body, reserved);
  const locals = new LocalRewriter(s.problems, reserved);
  s.modules = s.modules.map((m) => ({ ...m, rules: m.rules.map((r) => locals.rule(r)) }));
  s.queries = s.queries.map((q) => ({ ...q, body: locals.query(q.body) }));
  s.originals = locals.originals;
}

/** Rules grouped into rule sets at their paths, whose kinds must agree. */
function setRuleTree(s: CompileState): void {
  const checkedRules = s.modules.flatMap((m) => m.rules.map((r) => toChecked(m, r)));
  const table = buildRuleTable(s.modules, checkedRules, s.problems);
  s.checkedRules = checkedRules;
  s.root = table.root;
  s.ruleSets = new Map(table.ruleSets);
}

/** Calls name builtins or functions with the right arity and literal argument types; `with` targets exist. */
function checkCalls(s: CompileState): void {
  const calls = new CallChecker(s.ruleSets!, s.root!, s.problems);
  for (const r of s.checkedRules!) calls.rule(r);
  for (const q of s.queries) calls.body(q.body);
}

/** Bodies reordered so every variable is bound before use; unsafe variables reported. */
function checkSafety(s: CompileState): void {
  const problems = s.problems;
  const originals = s.originals ?? new Map<string, string>();
  const arity = (name: string): number | undefined => {
    if (name.startsWith("data.")) {
      const set = s.ruleSets!.get(pathKey(name.split(".").slice(1)));
      return set?.kind === "function" ? set.arity : undefined;
    }
    const b = lookupBuiltin(name);
    // Variadic builtins (`print`) have no output argument.
    return b?.variadic ? undefined : b?.arity;
  };
  const ctx: SafetyContext = { arity, problems, originals };
  const safeRule = (r: CheckedRule): CheckedRule => {
    const globals = new Set(["data", "input"]);
    for (const a of r.args ?? []) termVars(a, globals);
    const body = reorderBody(r.body, globals, ctx);
    const bound = new Set(globals);
    for (const e of body) for (const v of exprOutputs(e, bound, ctx)) bound.add(v);
    for (const e of body) exprVars(e, bound);
    const headTerms = [...r.suffix, ...(r.value ? [r.value] : []), ...(r.element ? [r.element] : [])];
    // References in the head iterate like in the body: `q := xs[_]`.
    for (let grew = true; grew; ) {
      const before = bound.size;
      for (const t of headTerms) refOutputs(t, bound, bound);
      grew = bound.size > before;
    }
    const unsafe = new Set<string>();
    for (const t of headTerms) for (const v of termVars(t)) if (!bound.has(v)) unsafe.add(v);
    for (const v of unsafe) {
      problems.add(r.loc, "rego_unsafe_var_error", `var ${originals.get(v) ?? v} is unsafe`);
    }
    const headClosuresChecked = headTerms.length > 0 ? reorderHeadClosures(r, bound, ctx) : r;
    return { ...headClosuresChecked, body, ...(r.else ? { else: safeRule(r.else) } : {}) };
  };
  const ruleSets = new Map<string, RuleSet>();
  for (const [key, set] of s.ruleSets!) {
    const checked: RuleSet = {
      ...set,
      rules: set.rules.map(safeRule),
      ...(set.defaultRule ? { defaultRule: safeRule(set.defaultRule) } : {}),
    };
    ruleSets.set(key, checked);
    nodeFor(s.root!, set.path).ruleSet = checked;
  }
  s.ruleSets = ruleSets;
  s.checkedQueries = s.queries.map((q) => {
    const body = reorderBody(q.body, new Set(["data", "input"]), ctx);
    const vars = new Set<string>();
    for (const e of q.body) exprVars(e, vars);
    const resultVars: [string, string][] = [];
    for (const v of [...vars].sort()) {
      const original = originals.get(v) ?? v;
      if (isWildcard(v) || isWildcard(original) || v === "data" || v === "input") continue;
      if (!originals.has(v) && isGeneratedVar(v)) continue;
      resultVars.push([v, original]);
    }
    resultVars.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    return { name: q.name, body, resultVars, loc: q.loc };
  });
}

function nodeFor(root: Program["root"], path: readonly string[]): Program["root"] {
  let n = root;
  for (const p of path) n = n.children.get(p)!;
  return n;
}

/** Comprehensions in rule heads (`p := [x | ...]`) are checked with the body's variables. */
function reorderHeadClosures(r: CheckedRule, bound: ReadonlySet<string>, ctx: SafetyContext): CheckedRule {
  const wrap = (t: Term): Term => {
    const e: Expr = { kind: { type: "term", term: t }, negated: false, with: [], loc: r.loc };
    const [out] = reorderBody([e], bound, { ...ctx, problems: ctx.problems });
    return out && out.kind.type === "term" ? out.kind.term : t;
  };
  return {
    ...r,
    suffix: r.suffix.map(wrap),
    ...(r.value ? { value: wrap(r.value) } : {}),
    ...(r.element ? { element: wrap(r.element) } : {}),
  };
}

function collectRuleNames(r: import("../syntax/ast.ts").Rule, into: Set<string>): void {
  for (const t of [...r.head.ref, ...(r.head.args ?? []), ...(r.head.value ? [r.head.value] : [])])
    allVarsDeep(t, into);
  if (r.head.contains) allVarsDeep(r.head.contains, into);
  allVarsInBodyDeep(r.body, into);
  if (r.else) collectRuleNames(r.else, into);
}

/** Checks that calls name builtins or functions with a valid number of arguments, and `with` targets. */
class CallChecker {
  constructor(
    private readonly ruleSets: ReadonlyMap<string, RuleSet>,
    private readonly root: Program["root"],
    private readonly problems: ProblemList,
  ) {}

  rule(r: CheckedRule): void {
    this.body(r.body);
    for (const t of [
      ...(r.args ?? []),
      ...r.suffix,
      ...(r.value ? [r.value] : []),
      ...(r.element ? [r.element] : []),
    ]) {
      this.term(t);
    }
    if (r.else) this.rule(r.else);
  }

  body(b: Body): void {
    for (const e of b) this.expr(e);
  }

  private expr(e: Expr): void {
    const k = e.kind;
    if (k.type === "term" && k.term.type === "call") {
      this.call(k.term, true);
      for (const a of k.term.args) this.term(a);
    } else {
      for (const t of exprTerms(e)) this.term(t);
    }
    if (k.type === "every") this.body(k.body);
    if (k.type === "logical") for (const b of k.operands) this.body(b);
    for (const w of e.with) {
      this.withTarget(w.target, w.loc);
      this.withValue(w.value, w.loc);
    }
  }

  private term(t: Term): void {
    visitTerms(t, (x) => {
      if (x.type === "call") this.call(x, false);
      if (x.type === "arraycompr" || x.type === "setcompr" || x.type === "objectcompr") this.body(x.body);
      return true;
    });
  }

  private call(c: Term & { type: "call" }, exprLevel: boolean): void {
    let arity: number;
    let name = c.name;
    if (c.name.startsWith("data.")) {
      const set = this.ruleSets.get(pathKey(c.name.split(".").slice(1)));
      if (!set) {
        this.problems.add(c.nameLoc, "rego_type_error", `undefined function ${c.name}`);
        return;
      }
      if (set.kind !== "function") {
        this.problems.add(c.nameLoc, "rego_type_error", `${dataName(set.path)} is not a function`);
        return;
      }
      arity = set.arity;
      name = dataName(set.path);
    } else {
      const b = lookupBuiltin(c.name);
      if (!b) {
        this.problems.add(c.nameLoc, "rego_type_error", `undefined function ${c.name}`);
        return;
      }
      if (b.outOfScope !== undefined) {
        this.problems.add(c.nameLoc, "rego_type_error", `${c.name} is not available: ${b.outOfScope}`);
        return;
      }
      if (b.variadic) return;
      arity = b.arity;
      checkLiteralArgumentTypes(c, this.problems);
    }
    const n = c.args.length;
    const ok = n === arity || (exprLevel && n === arity + 1);
    if (!ok) {
      this.problems.add(
        c.loc,
        "rego_type_error",
        `${name}: ${n < arity ? "too few" : "too many"} arguments (have ${n}, want ${arity})`,
      );
    }
  }

  /** True if a rule set sits at a proper prefix of `path` (the target is inside a rule's value). */
  private belowRuleSet(path: readonly string[]): boolean {
    let n: Program["root"] | undefined = this.root;
    for (const p of path.slice(0, -1)) {
      n = n.children.get(p);
      if (!n) return false;
      if (n.ruleSet) return true;
    }
    return false;
  }

  /** A `with` value naming a builtin tollgate does not provide (`with f as http.send`) is an error too. */
  private withValue(t: Term, loc: SourcePos): void {
    const name = t.type === "ref" ? refAsName(t.terms) : t.type === "var" ? t.name : undefined;
    const b = name !== undefined ? lookupBuiltin(name) : undefined;
    if (b?.outOfScope !== undefined)
      this.problems.add(loc, "rego_type_error", `${name} is not available: ${b.outOfScope}`);
  }

  private withTarget(t: Term, loc: SourcePos): void {
    if (t.type === "ref") {
      const head = t.terms[0]!;
      if (head.type === "var" && (head.name === "input" || head.name === "data")) {
        const path: string[] = [];
        for (const op of t.terms.slice(1)) {
          if (op.type !== "string") {
            this.problems.add(loc, "rego_type_error", "with keyword target must be a ground reference");
            return;
          }
          path.push(op.value);
        }
        if (head.name === "data" && this.belowRuleSet(path)) {
          this.problems.add(loc, "rego_compile_error", "with keyword cannot partially replace virtual document(s)");
        }
        return;
      }
      // a builtin with a dotted name, e.g. `object.get`
      const name = refAsName(t.terms);
      if (name !== undefined && lookupBuiltin(name)) return;
    }
    if (t.type === "var" && lookupBuiltin(t.name)) return;
    this.problems.add(loc, "rego_type_error", "with keyword target must reference existing input, data, or a function");
  }
}
