/**
 * Safety: every variable must be bound before it is used in an input position. Bodies are
 * reordered (minimally, as OPA does) so that left-to-right evaluation binds variables first;
 * comprehension and `every` bodies are checked with the variables bound before them. Variables
 * that can never be bound are reported as `var x is unsafe`.
 */
import type { ProblemList, SourcePos } from "../errors.ts";
import type { Body, Expr, Term } from "../syntax/ast.ts";
import { exprVars, isClosure, termVars, visitTerms } from "./terms.ts";

export interface SafetyContext {
  /** Arity of a callable name (builtin or user function), undefined if unknown. */
  arity(name: string): number | undefined;
  readonly problems: ProblemList;
  /** Generated local name → source name, for messages. */
  readonly originals: ReadonlyMap<string, string>;
}

/** Reorders a body for safety (recursively into closures); reports unsafe variables. */
export function reorderBody(body: Body, globals: ReadonlySet<string>, ctx: SafetyContext): Body {
  const afterClosures = reorderForClosures(body, globals, ctx);
  if (!afterClosures) return body;

  const safe = new Set(globals);
  const unsafe = new Map<Expr, Set<string>>();
  for (const e of afterClosures) {
    const vs = new Set<string>();
    for (const v of exprVars(e)) if (!globals.has(v)) vs.add(v);
    unsafe.set(e, vs);
  }
  const placed: Expr[] = [];
  const isPlaced = new Set<Expr>();
  for (;;) {
    const before = placed.length;
    for (const e of afterClosures) {
      if (isPlaced.has(e)) continue;
      for (const v of exprOutputs(e, safe, ctx)) safe.add(v);
      const vs = unsafe.get(e)!;
      for (const v of [...vs]) if (safe.has(v)) vs.delete(v);
      if (vs.size === 0) {
        placed.push(e);
        isPlaced.add(e);
      }
    }
    if (placed.length === before) break;
  }
  if (placed.length !== afterClosures.length) {
    reportUnsafe(
      afterClosures.filter((e) => !isPlaced.has(e)).map((e) => [e.loc, unsafe.get(e)!] as const),
      ctx,
    );
    return body;
  }

  // Closures see the variables of every expression placed before them.
  const g = new Set(globals);
  return placed.map((e, i) => {
    if (i > 0) exprVars(placed[i - 1]!, g);
    return reorderClosuresIn(e, g, ctx);
  });
}

function reportUnsafe(items: readonly (readonly [SourcePos, ReadonlySet<string>])[], ctx: SafetyContext): void {
  const first = new Map<string, SourcePos>();
  for (const [loc, vars] of items) {
    for (const v of vars) {
      const prev = first.get(v);
      if (!prev || loc.line < prev.line || (loc.line === prev.line && loc.col < prev.col)) first.set(v, loc);
    }
  }
  for (const [v, loc] of first) {
    const name = ctx.originals.get(v) ?? (v.startsWith("$") ? "_" : v);
    ctx.problems.add(loc, "rego_unsafe_var_error", `var ${name} is unsafe`);
  }
}

/**
 * Orders expressions whose closures use variables of the enclosing body after the
 * expressions that bind those variables. Returns undefined (after reporting) if impossible.
 */
function reorderForClosures(body: Body, globals: ReadonlySet<string>, ctx: SafetyContext): Expr[] | undefined {
  const outer = new Set<string>();
  for (const e of body) exprVars(e, outer);
  const placed: Expr[] = [];
  const isPlaced = new Set<Expr>();
  const pending = new Map<Expr, Set<string>>();
  for (;;) {
    const before = placed.length;
    for (const e of body) {
      if (isPlaced.has(e)) continue;
      const cv = new Set<string>();
      for (const v of closureVarsOf(e)) if (outer.has(v) && !globals.has(v)) cv.add(v);
      if (cv.size > 0) {
        const bound = bodyOutputs(placed, globals, ctx);
        for (const v of [...cv]) if (bound.has(v)) cv.delete(v);
      }
      if (cv.size === 0) {
        placed.push(e);
        isPlaced.add(e);
        pending.delete(e);
      } else {
        pending.set(e, cv);
      }
    }
    if (placed.length === before) break;
  }
  if (pending.size > 0) {
    reportUnsafe(
      [...pending].map(([e, vs]) => [e.loc, vs] as const),
      ctx,
    );
    return undefined;
  }
  return placed;
}

/** Variables used inside the closures of an expression (comprehension bodies and heads, `every`). */
function closureVarsOf(e: Expr): Set<string> {
  const out = new Set<string>();
  const k = e.kind;
  const inTerm = (t: Term): void =>
    visitTerms(t, (x) => {
      if (x.type === "arraycompr" || x.type === "setcompr") {
        termVars(x.term, out);
        for (const b of x.body) allExprVars(b, out);
        return false;
      }
      if (x.type === "objectcompr") {
        termVars(x.key, out);
        termVars(x.value, out);
        for (const b of x.body) allExprVars(b, out);
        return false;
      }
      return true;
    });
  const terms: Term[] = [];
  if (k.type === "term") terms.push(k.term);
  else if (k.type === "unify") terms.push(k.lhs, k.rhs);
  else if (k.type === "every") {
    terms.push(k.domain);
    for (const b of k.body) allExprVars(b, out);
  } else if (k.type === "logical") {
    for (const body of k.operands) for (const b of body) allExprVars(b, out);
  }
  for (const w of e.with) if (w.builtin === undefined) terms.push(w.value);
  for (const t of terms) inTerm(t);
  return out;
}

function allExprVars(e: Expr, out: Set<string>): void {
  exprVars(e, out);
  for (const v of closureVarsOf(e)) out.add(v);
  if (e.kind.type === "every") {
    if (e.kind.key) out.add(e.kind.key.name);
    out.add(e.kind.value.name);
  }
}

function bodyOutputs(body: readonly Expr[], globals: ReadonlySet<string>, ctx: SafetyContext): Set<string> {
  const safe = new Set(globals);
  for (const e of body) for (const v of exprOutputs(e, safe, ctx)) safe.add(v);
  return safe;
}

/** Recursively reorders the comprehension and `every` bodies inside an expression. */
function reorderClosuresIn(e: Expr, globals: ReadonlySet<string>, ctx: SafetyContext): Expr {
  const mapTermClosures = (t: Term): Term => mapClosures(t, globals, ctx, e.loc);
  const k = e.kind;
  const withs = e.with.map((w) => (w.builtin === undefined ? { ...w, value: mapTermClosures(w.value) } : w));
  switch (k.type) {
    case "term":
      return { ...e, kind: { type: "term", term: mapTermClosures(k.term) }, with: withs };
    case "unify":
      return { ...e, kind: { ...k, lhs: mapTermClosures(k.lhs), rhs: mapTermClosures(k.rhs) }, with: withs };
    case "every": {
      const g = new Set(globals);
      if (k.key) g.add(k.key.name);
      g.add(k.value.name);
      const body = reorderBody(k.body, g, ctx);
      return { ...e, kind: { ...k, domain: mapTermClosures(k.domain), body }, with: withs };
    }
    case "logical":
      return { ...e, kind: { ...k, operands: k.operands.map((b) => reorderBody(b, globals, ctx)) }, with: withs };
    default:
      return e;
  }
}

function mapClosures(t: Term, globals: ReadonlySet<string>, ctx: SafetyContext, exprLoc: SourcePos): Term {
  const rec = (x: Term): Term => mapClosures(x, globals, ctx, exprLoc);
  switch (t.type) {
    case "ref":
      return { ...t, terms: t.terms.map(rec) };
    case "array":
      return { ...t, items: t.items.map(rec) };
    case "set":
      return { ...t, items: t.items.map(rec) };
    case "object":
      return { ...t, entries: t.entries.map(([k, v]) => [rec(k), rec(v)] as const) };
    case "call":
      return { ...t, args: t.args.map(rec) };
    case "arraycompr":
    case "setcompr": {
      const body = comprehensionBody(t.body, [t.term], globals, ctx, exprLoc);
      return { ...t, body, term: mapClosures(t.term, bodyScope(body, globals), ctx, exprLoc) };
    }
    case "objectcompr": {
      const body = comprehensionBody(t.body, [t.key, t.value], globals, ctx, exprLoc);
      const g = bodyScope(body, globals);
      return { ...t, body, key: mapClosures(t.key, g, ctx, exprLoc), value: mapClosures(t.value, g, ctx, exprLoc) };
    }
    default:
      return t;
  }
}

function bodyScope(body: Body, globals: ReadonlySet<string>): Set<string> {
  const g = new Set(globals);
  for (const e of body) exprVars(e, g);
  return g;
}

function comprehensionBody(
  body: Body,
  heads: readonly Term[],
  globals: ReadonlySet<string>,
  ctx: SafetyContext,
  exprLoc: SourcePos,
): Body {
  const available = bodyScope(body, globals);
  const missing = new Set<string>();
  for (const h of heads) for (const v of termVars(h)) if (!available.has(v)) missing.add(v);
  if (missing.size > 0) reportUnsafe([[exprLoc, missing]], ctx);
  return reorderBody(body, globals, ctx);
}

// ---- output variables ----

/** Variables an expression binds, given the variables already bound. */
export function exprOutputs(e: Expr, safe: ReadonlySet<string>, ctx: SafetyContext): Set<string> {
  const out = new Set<string>();
  if (e.negated) return out;
  for (const w of e.with) {
    if (w.builtin !== undefined) continue;
    for (const v of termVars(w.value)) if (!safe.has(v)) return out;
  }
  const k = e.kind;
  switch (k.type) {
    case "term": {
      const t = k.term;
      refOutputs(t, safe, out);
      if (t.type === "call") {
        const arity = ctx.arity(t.name);
        if (arity !== undefined && t.args.length === arity + 1) {
          const inputs = new Set<string>();
          for (const a of t.args.slice(0, arity)) patternVars(a, inputs);
          for (const v of inputs) if (!out.has(v) && !safe.has(v)) return out;
          patternVars(t.args[arity]!, out);
        }
      }
      return out;
    }
    case "unify": {
      refOutputs(k.lhs, safe, out);
      refOutputs(k.rhs, safe, out);
      const u = new Unifier(new Set([...safe, ...out]));
      u.unify(k.lhs, k.rhs);
      for (const v of u.safe) if (!safe.has(v)) out.add(v);
      return out;
    }
    case "every":
      refOutputs(k.domain, safe, out);
      return out;
    default:
      return out;
  }
}

/** Vars of a term in pattern positions: not in closures, sets, object keys or ref heads. */
function patternVars(t: Term, into: Set<string>): void {
  switch (t.type) {
    case "var":
      into.add(t.name);
      return;
    case "array":
      for (const x of t.items) patternVars(x, into);
      return;
    case "object":
      for (const [, v] of t.entries) patternVars(v, into);
      return;
    case "ref":
      for (const x of t.terms.slice(1)) patternVars(x, into);
      if (t.terms[0]!.type !== "var") patternVars(t.terms[0]!, into);
      return;
    case "call":
      for (const x of t.args) patternVars(x, into);
      return;
    default:
      return;
  }
}

/** Operand variables of references whose heads are bound: `a[i]` binds `i` by iteration. */
export function refOutputs(t: Term, safe: ReadonlySet<string>, out: Set<string>): void {
  visitTerms(t, (x) => {
    if (isClosure(x)) return false;
    if (x.type === "ref") {
      if (!isRefSafe(x, safe)) return false;
      for (const op of x.terms.slice(1)) operandVars(op, out);
    }
    return true;
  });
}

function operandVars(t: Term, out: Set<string>): void {
  switch (t.type) {
    case "var":
      out.add(t.name);
      return;
    case "array":
      for (const x of t.items) operandVars(x, out);
      return;
    case "object":
      for (const [k, v] of t.entries) {
        operandVars(k, out);
        operandVars(v, out);
      }
      return;
    default:
      return;
  }
}

export function isRefSafe(r: Term & { type: "ref" }, safe: ReadonlySet<string>): boolean {
  const head = r.terms[0]!;
  if (head.type === "var") return safe.has(head.name);
  for (const v of termVars(head)) if (!safe.has(v)) return false;
  return true;
}

function allSafe(t: Term, safe: ReadonlySet<string>): boolean {
  for (const v of termVars(t)) if (!safe.has(v)) return false;
  return true;
}

/** Which variables become bound by unifying two terms (OPA's unification safety rules). */
class Unifier {
  readonly unknown = new Map<string, Set<string>>();
  constructor(readonly safe: Set<string>) {}

  private markSafe(v: string): void {
    if (this.safe.has(v)) return;
    this.safe.add(v);
    const deps = this.unknown.get(v);
    this.unknown.delete(v);
    for (const d of deps ?? []) this.markSafe(d);
    for (const [w, ds] of [...this.unknown]) {
      if (ds.delete(v) && ds.size === 0) this.markSafe(w);
    }
  }

  private markUnknown(a: string, b: string): void {
    let s = this.unknown.get(a);
    if (!s) {
      s = new Set();
      this.unknown.set(a, s);
    }
    s.add(b);
  }

  private markAllSafe(t: Term): void {
    for (const v of termVars(t)) this.markSafe(v);
  }

  private unifyAll(v: string, composite: Term): void {
    if (this.safe.has(v)) {
      this.markAllSafe(composite);
      return;
    }
    const unsafe = [...termVars(composite)].filter((x) => !this.safe.has(x));
    if (unsafe.length === 0) this.markSafe(v);
    else for (const x of unsafe) this.markUnknown(v, x);
  }

  private isValueSafe(t: Term): boolean {
    if (t.type === "ref") return isRefSafe(t, this.safe);
    return allSafe(t, this.safe);
  }

  /** An array or object pattern against a variable or a computed value. */
  private unifyCompositeWith(a: Term, b: Term): void {
    switch (b.type) {
      case "var":
        this.unifyAll(b.name, a);
        return;
      case "ref":
      case "call":
        if (this.isValueSafe(b)) this.markAllSafe(a);
        return;
      case "arraycompr":
      case "setcompr":
      case "objectcompr":
        this.markAllSafe(a);
        return;
      default:
        return;
    }
  }

  unify(a: Term, b: Term): void {
    switch (a.type) {
      case "var":
        switch (b.type) {
          case "var":
            if (this.safe.has(b.name)) this.markSafe(a.name);
            else if (this.safe.has(a.name)) this.markSafe(b.name);
            else {
              this.markUnknown(a.name, b.name);
              this.markUnknown(b.name, a.name);
            }
            return;
          case "array":
          case "object":
            this.unifyAll(a.name, b);
            return;
          case "ref":
          case "call":
            if (this.isValueSafe(b)) this.markSafe(a.name);
            return;
          default:
            this.markSafe(a.name);
            return;
        }
      case "ref":
      case "call":
        if (this.isValueSafe(a)) {
          if (b.type === "var") this.markSafe(b.name);
          else if (b.type === "array" || b.type === "object") this.markAllSafe(b);
        }
        return;
      case "arraycompr":
      case "setcompr":
      case "objectcompr":
        if (b.type === "var") this.markSafe(b.name);
        else if (b.type === "array" || b.type === "object") this.markAllSafe(b);
        return;
      case "array":
        if (b.type === "array") {
          if (a.items.length === b.items.length) for (const [i, x] of a.items.entries()) this.unify(x, b.items[i]!);
        } else this.unifyCompositeWith(a, b);
        return;
      case "object":
        if (b.type === "object") {
          for (const [ka, va] of a.entries) {
            const match = b.entries.find(([kb]) => sameGround(ka, kb));
            if (match) this.unify(va, match[1]);
          }
        } else this.unifyCompositeWith(a, b);
        return;
      default:
        if (b.type === "var") this.markSafe(b.name);
        return;
    }
  }
}

function sameGround(a: Term, b: Term): boolean {
  if (a.type === "string" && b.type === "string") return a.value === b.value;
  if (a.type === "number" && b.type === "number") return Number(a.text) === Number(b.text);
  if (a.type === "boolean" && b.type === "boolean") return a.value === b.value;
  if (a.type === "null" && b.type === "null") return true;
  if (a.type === "var" && b.type === "var") return a.name === b.name;
  return false;
}
