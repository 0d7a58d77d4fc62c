/**
 * Reference resolution: names of rules in the module's package and imported names become
 * absolute references (`p` in `package x` is `data.x.p`; `import data.lib.f` makes `f(1)` a call
 * of `data.lib.f`). Variables declared in the enclosing scopes (function arguments, `some`,
 * `:=`, `every`) shadow those names, as in OPA.
 */

import { lookupBuiltin } from "../builtins/catalog.ts";
import type { ProblemList, SourcePos } from "../errors.ts";
import type { Body, Expr, Import, Module, RefTerm, Rule, Term, With } from "../syntax/ast.ts";
import { mapExpr, mapTerm, termVars } from "./terms.ts";

/** Name → absolute reference terms (a var head `data`/`input` followed by string operands). */
export type Globals = ReadonlyMap<string, readonly Term[]>;

/** The names visible in a module: rules of its package (from every module of that package) and imports. */
export function moduleGlobals(
  mod: Module,
  ruleNamesByPackage: ReadonlyMap<string, ReadonlySet<string>>,
  problems: ProblemList,
): Globals {
  const globals = new Map<string, readonly Term[]>();
  const pkgKey = mod.package.path.join(".");
  const loc = mod.package.loc;
  for (const name of ruleNamesByPackage.get(pkgKey) ?? []) {
    globals.set(name, absoluteRef(["data", ...mod.package.path, name], loc));
  }
  const seenImports = new Map<string, Import>();
  for (const imp of mod.imports) {
    const terms = imp.path.terms;
    const root = (terms[0] as { name: string }).name;
    if (root === "future" || root === "rego") continue;
    let name: string;
    if (imp.alias !== undefined) name = imp.alias;
    else if (terms.length === 1) name = root;
    else name = (terms[terms.length - 1] as { value: string }).value;
    if (seenImports.has(name)) {
      problems.add(imp.loc, "rego_compile_error", `import must not shadow ${refName(seenImports.get(name)!.path)}`);
      continue;
    }
    seenImports.set(name, imp);
    globals.set(name, terms);
  }
  return globals;
}

function refName(r: RefTerm): string {
  return r.terms.map((t, i) => (i === 0 ? (t as { name: string }).name : (t as { value: string }).value)).join(".");
}

export function absoluteRef(parts: readonly string[], loc: SourcePos): Term[] {
  return parts.map((p, i) => (i === 0 ? { type: "var", name: p, loc } : { type: "string", value: p, loc }));
}

/** `a.b.c` for a reference with a var head and string operands; undefined otherwise. */
export function refAsName(terms: readonly Term[]): string | undefined {
  const parts: string[] = [];
  for (const [i, t] of terms.entries()) {
    if (i === 0 && t.type === "var") parts.push(t.name);
    else if (i > 0 && t.type === "string") parts.push(t.value);
    else return undefined;
  }
  return parts.join(".");
}

/** A stack of sets of declared (local) names that shadow globals. */
class Scopes {
  private readonly stack: Set<string>[] = [];
  push(names: Iterable<string>): void {
    this.stack.push(new Set(names));
  }
  pop(): void {
    this.stack.pop();
  }
  has(name: string): boolean {
    return this.stack.some((s) => s.has(name));
  }
}

/** Variables a body declares at its top level: `some x`, `some k, v in xs`, `x := ...`. */
export function declaredVars(body: Body): Set<string> {
  const out = new Set<string>();
  for (const e of body) {
    const k = e.kind;
    if (k.type === "some") for (const v of k.vars) out.add(v.name);
    else if (k.type === "somein") {
      if (k.key) termVars(k.key, out);
      termVars(k.value, out);
    } else if (k.type === "unify" && k.op === ":=") termVars(k.lhs, out);
  }
  return out;
}

export class Resolver {
  private readonly scopes = new Scopes();
  constructor(private readonly globals: Globals) {}

  rule(rule: Rule): Rule {
    const argVars = new Set<string>();
    for (const a of rule.head.args ?? []) termVars(a, argVars);
    this.scopes.push(argVars);
    this.scopes.push(declaredVars(rule.body));
    const h = rule.head;
    const head = {
      ...h,
      // The first element names the rule itself; operands may refer to other rules.
      ref: [h.ref[0]!, ...h.ref.slice(1).map((t) => this.term(t))],
      ...(h.value ? { value: this.term(h.value) } : {}),
      ...(h.contains ? { contains: this.term(h.contains) } : {}),
    };
    const body = this.body(rule.body, false);
    this.scopes.pop();
    this.scopes.pop();
    return { ...rule, head, body, ...(rule.else ? { else: this.rule(rule.else) } : {}) };
  }

  /** A query or body; `pushScope` is false when the caller already pushed the declarations. */
  body(body: Body, pushScope = true): Body {
    if (pushScope) this.scopes.push(declaredVars(body));
    const out = body.map((e) => this.expr(e));
    if (pushScope) this.scopes.pop();
    return out;
  }

  private expr(e: Expr): Expr {
    const resolved = this.exprNoWith(e);
    return { ...resolved, with: resolved.with.map((w, i) => this.withBuiltin(w, e.with[i]!.value)) };
  }

  /** Marks `with` values that name a builtin function (and are not shadowed by a local). */
  private withBuiltin(w: With, original: Term): With {
    let name: string | undefined;
    if (original.type === "var" && !this.scopes.has(original.name) && !this.globals.has(original.name)) {
      name = original.name;
    } else if (original.type === "ref") {
      const head = original.terms[0]!;
      if (head.type === "var" && !this.scopes.has(head.name) && !this.globals.has(head.name)) {
        name = refAsName(original.terms);
      }
    }
    return name !== undefined && lookupBuiltin(name) ? { ...w, builtin: name } : w;
  }

  private exprNoWith(e: Expr): Expr {
    if (e.kind.type === "every") {
      const k = e.kind;
      const locals = new Set<string>([k.value.name]);
      if (k.key) locals.add(k.key.name);
      const domain = this.term(k.domain);
      this.scopes.push(locals);
      const body = this.body(k.body);
      this.scopes.pop();
      const withs = e.with.map((w) => ({ ...w, target: this.term(w.target), value: this.term(w.value) }));
      return { ...e, kind: { ...k, domain, body }, with: withs };
    }
    return mapExpr(
      e,
      (t) => this.term(t),
      (b) => this.body(b),
    );
  }

  term(t: Term): Term {
    return mapTerm(
      t,
      (x) => {
        if (x.type === "var") return this.resolveVar(x.name, x.loc);
        if (x.type === "ref") return this.ref(x);
        if (x.type === "call") {
          const name = this.callName(x.name, x.nameLoc);
          return { ...x, name, args: x.args.map((a) => this.term(a)) };
        }
        if (x.type === "arraycompr" || x.type === "setcompr" || x.type === "objectcompr") {
          this.scopes.push(declaredVars(x.body));
          const body = x.body.map((e) => this.expr(e));
          const result: Term =
            x.type === "objectcompr"
              ? { ...x, key: this.term(x.key), value: this.term(x.value), body }
              : { ...x, term: this.term(x.term), body };
          this.scopes.pop();
          return result;
        }
        return undefined;
      },
      undefined,
    );
  }

  private resolveVar(name: string, loc: SourcePos): Term {
    const g = this.scopes.has(name) ? undefined : this.globals.get(name);
    if (!g) return { type: "var", name, loc };
    return { type: "ref", terms: g.map((x) => ({ ...x, loc })), loc };
  }

  private ref(r: RefTerm): Term {
    const head = r.terms[0]!;
    const rest = r.terms.slice(1).map((t) => this.term(t));
    if (head.type === "var") {
      const resolved = this.resolveVar(head.name, head.loc);
      if (resolved.type === "ref") return { ...r, terms: [...resolved.terms, ...rest] };
      return { ...r, terms: [head, ...rest] };
    }
    return { ...r, terms: [this.term(head), ...rest] };
  }

  private callName(name: string, loc: SourcePos): string {
    const parts = name.split(".");
    const first = parts[0]!;
    if (this.scopes.has(first)) return name;
    const g = this.globals.get(first);
    if (!g) return name;
    const prefix = g.map((t) => (t.type === "var" ? t.name : t.type === "string" ? t.value : "?"));
    void loc;
    return [...prefix, ...parts.slice(1)].join(".");
  }
}
