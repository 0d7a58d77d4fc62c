/**
 * Local variable rewriting: every declared variable (`some x`, `x := ...`, `some k, v in xs`,
 * `every k, v in xs`, function arguments) gets a unique name `__localN__`, so that later passes
 * and the planner never confuse a local with a same-named variable of an enclosing scope.
 * `:=` becomes `=`; `some v in xs` becomes `xs[_] = v` and `some k, v in xs` becomes `xs[k] = v`.
 * Errors as in OPA: `var x assigned above`, `var x referenced above`, `cannot assign to ref`.
 */
import type { ProblemList, SourcePos } from "../errors.ts";
import { type Body, type Expr, isWildcard, type Rule, type Term, type VarTerm } from "../syntax/ast.ts";
import { mapExpr, mapTerm, termVars } from "./terms.ts";

class Scope {
  readonly declared = new Map<string, string>();
  /** How each name was declared first (for the wording of "... above"). */
  readonly declaredBy = new Map<string, "assign" | "some" | "arg">();
  /** Names referenced in this scope before any declaration (for "referenced above"). */
  readonly used = new Set<string>();
  /**
   * @param closure a comprehension's body: a name it reads without declaring is its own unless
   *   the enclosing body binds it, so it does not count as "referenced above" out there (as OPA).
   */
  constructor(
    readonly parent?: Scope,
    readonly closure = false,
  ) {}
  lookup(name: string): string | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const r = s.declared.get(name);
      if (r !== undefined) return r;
    }
    return undefined;
  }
}

export class LocalRewriter {
  private next = 0;
  /** Generated name → name written in the source. */
  readonly originals = new Map<string, string>();

  constructor(
    private readonly problems: ProblemList,
    private readonly reserved: ReadonlySet<string>,
  ) {}

  private fresh(original: string): string {
    let name: string;
    do name = `__local${this.next++}__`;
    while (this.reserved.has(name));
    this.originals.set(name, original);
    return name;
  }

  private declare(scope: Scope, v: VarTerm, how: "assign" | "some" | "arg"): string {
    if (isWildcard(v.name)) return v.name;
    if (scope.declared.has(v.name)) {
      const first = scope.declaredBy.get(v.name);
      const word = how === "some" || first === "some" ? "declared" : "assigned";
      this.problems.add(v.loc, "rego_compile_error", `var ${v.name} ${word} above`);
    } else if (how === "assign" && scope.used.has(v.name)) {
      this.problems.add(v.loc, "rego_compile_error", `var ${v.name} referenced above`);
    }
    const name = this.fresh(v.name);
    if (!scope.declared.has(v.name)) scope.declaredBy.set(v.name, how);
    scope.declared.set(v.name, name);
    return name;
  }

  rule(rule: Rule): Rule {
    const scope = new Scope();
    const args = rule.head.args?.map((a) => this.declarePattern(a, scope, "arg"));
    const body = this.bodyIn(rule.body, new Scope(scope));
    return this.finishRule(rule, args, body, scope);
  }

  private finishRule(rule: Rule, args: Term[] | undefined, body: { body: Body; scope: Scope }, argScope: Scope): Rule {
    const h = rule.head;
    const s = body.scope;
    const head = {
      ...h,
      ref: [h.ref[0]!, ...h.ref.slice(1).map((t) => this.term(t, s))],
      ...(args ? { args } : {}),
      ...(h.value ? { value: this.term(h.value, s) } : {}),
      ...(h.contains ? { contains: this.term(h.contains, s) } : {}),
    };
    void argScope;
    return { ...rule, head, body: body.body, ...(rule.else ? { else: this.rule(rule.else) } : {}) };
  }

  /** A query: returns the rewritten body; declared names are in `originals`. */
  query(body: Body): Body {
    return this.bodyIn(body, new Scope()).body;
  }

  private declarePattern(t: Term, scope: Scope, how: "assign" | "some" | "arg"): Term {
    return mapTerm(t, (x) => {
      if (x.type === "var") return { ...x, name: this.declare(scope, x, how) };
      if (x.type === "ref" || x.type === "call") return this.term(x, scope);
      return undefined;
    });
  }

  private bodyIn(body: Body, scope: Scope): { body: Body; scope: Scope } {
    const out: Expr[] = [];
    for (const e of body) {
      const r = this.expr(e, scope);
      if (r) out.push(r);
    }
    return { body: out, scope };
  }

  private expr(e: Expr, scope: Scope): Expr | undefined {
    const k = e.kind;
    const withs = () =>
      e.with.map((w) => ({ ...w, target: this.term(w.target, scope), value: this.term(w.value, scope) }));
    switch (k.type) {
      case "some":
        for (const v of k.vars) this.declare(scope, v, "some");
        return undefined;
      case "somein": {
        const domain = this.term(k.domain, scope);
        const withList = withs();
        const value = this.declarePattern(k.value, scope, "some");
        const key: Term = k.key
          ? this.declarePattern(k.key, scope, "some")
          : { type: "var", name: `$some${this.next++}`, loc: k.value.loc };
        const ref: Term = {
          type: "ref",
          terms: domain.type === "ref" ? [...domain.terms, key] : [domain, key],
          loc: domain.loc,
        };
        return { ...e, kind: { type: "unify", op: "=", lhs: ref, rhs: value }, with: withList };
      }
      case "unify":
        if (k.op === ":=") {
          const rhs = this.term(k.rhs, scope);
          const withList = withs();
          if (!this.checkAssignable(k.lhs)) return undefined;
          const lhs = this.declarePattern(k.lhs, scope, "assign");
          return { ...e, kind: { type: "unify", op: "=", lhs, rhs }, with: withList };
        }
        break;
      case "every": {
        const domain = this.term(k.domain, scope);
        const withList = withs();
        const inner = new Scope(scope);
        const key = k.key ? { ...k.key, name: this.declare(inner, k.key, "some") } : undefined;
        const value = { ...k.value, name: this.declare(inner, k.value, "some") };
        const body = this.bodyIn(k.body, new Scope(inner)).body;
        return { ...e, kind: { type: "every", value, domain, body, ...(key ? { key } : {}) }, with: withList };
      }
      case "logical": {
        const withList = withs();
        const operands = k.operands.map((b) => this.bodyIn(b, new Scope(scope)).body);
        return { ...e, kind: { ...k, operands }, with: withList };
      }
      default:
        break;
    }
    return mapExpr(
      e,
      (t) => this.term(t, scope),
      (b) => b,
    );
  }

  private checkAssignable(lhs: Term): boolean {
    let ok = true;
    const check = (t: Term): void => {
      switch (t.type) {
        case "var":
          return;
        case "array":
          for (const x of t.items) check(x);
          return;
        case "object":
          for (const [, v] of t.entries) check(v);
          return;
        case "ref":
        case "call":
        case "set":
        case "arraycompr":
        case "setcompr":
        case "objectcompr":
          ok = false;
          this.problems.add(t.loc, "rego_compile_error", `cannot assign to ${describe(t)}`);
          return;
        default:
          // A scalar in a pattern (`[x, 1] := ...`, `[false, _] := f(x)`) is an error too, as OPA.
          ok = false;
          this.problems.add(t.loc, "rego_compile_error", `cannot assign to ${describe(t)}`);
      }
    };
    check(lhs);
    return ok;
  }

  /** Renames variable occurrences by scope; closures get their own scope. */
  term(t: Term, scope: Scope): Term {
    return mapTerm(t, (x) => {
      if (x.type === "var") {
        const renamed = scope.lookup(x.name);
        if (renamed === undefined) {
          for (let s: Scope | undefined = scope; s; s = s.closure ? undefined : s.parent) s.used.add(x.name);
          return x;
        }
        return { ...x, name: renamed };
      }
      if (x.type === "arraycompr" || x.type === "setcompr") {
        const inner = this.bodyIn(x.body, new Scope(scope, true));
        return { ...x, body: inner.body, term: this.term(x.term, inner.scope) };
      }
      if (x.type === "objectcompr") {
        const inner = this.bodyIn(x.body, new Scope(scope, true));
        return { ...x, body: inner.body, key: this.term(x.key, inner.scope), value: this.term(x.value, inner.scope) };
      }
      return undefined;
    });
  }
}

function describe(t: Term): string {
  switch (t.type) {
    case "arraycompr":
    case "setcompr":
    case "objectcompr":
      return "comprehension";
    default:
      return t.type;
  }
}

/** All variable names written anywhere in the given bodies/terms (to avoid generating clashing names). */
export function collectNames(terms: Iterable<Term>, into: Set<string>): void {
  for (const t of terms) termVars(t, into);
}

export type { SourcePos };
