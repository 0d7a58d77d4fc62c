/** Generic walks over terms and expressions: variable collection and structural mapping. */
import type { Body, Expr, ExprKind, Term, With } from "../syntax/ast.ts";

export function isClosure(t: Term): boolean {
  return t.type === "arraycompr" || t.type === "setcompr" || t.type === "objectcompr";
}

/** Calls `f` on `t` and every sub-term (pre-order); returning false skips the sub-terms. Does not enter closure bodies. */
export function visitTerms(t: Term, f: (t: Term) => boolean | undefined): void {
  if (f(t) === false) return;
  switch (t.type) {
    case "ref":
      for (const x of t.terms) visitTerms(x, f);
      return;
    case "array":
    case "set":
      for (const x of t.items) visitTerms(x, f);
      return;
    case "object":
      for (const [k, v] of t.entries) {
        visitTerms(k, f);
        visitTerms(v, f);
      }
      return;
    case "call":
      for (const x of t.args) visitTerms(x, f);
      return;
    case "arraycompr":
    case "setcompr":
      visitTerms(t.term, f);
      return;
    case "objectcompr":
      visitTerms(t.key, f);
      visitTerms(t.value, f);
      return;
    default:
      return;
  }
}

/** The terms directly in an expression (outside closures and nested bodies), `with` values included. */
export function exprTerms(e: Expr): Term[] {
  const k = e.kind;
  const out: Term[] = [];
  switch (k.type) {
    case "term":
      out.push(k.term);
      break;
    case "unify":
      out.push(k.lhs, k.rhs);
      break;
    case "some":
      out.push(...k.vars);
      break;
    case "somein":
      if (k.key) out.push(k.key);
      out.push(k.value, k.domain);
      break;
    case "every":
      out.push(k.domain);
      break;
  }
  for (const w of e.with) if (w.builtin === undefined) out.push(w.value);
  return out;
}

/** Variables in a term, not looking into closures. */
export function termVars(t: Term, into: Set<string> = new Set(), skipRefHeads = false): Set<string> {
  visitTerms(t, (x) => {
    if (isClosure(x)) return false;
    if (x.type === "var") into.add(x.name);
    if (skipRefHeads && x.type === "ref") {
      for (const op of x.terms.slice(1)) termVars(op, into, true);
      if (x.terms[0]!.type !== "var") termVars(x.terms[0]!, into, true);
      return false;
    }
    return true;
  });
  return into;
}

/** Variables of an expression outside closures (`every` contributes its domain only). */
export function exprVars(e: Expr, into: Set<string> = new Set()): Set<string> {
  for (const t of exprTerms(e)) termVars(t, into);
  return into;
}

export function bodyVars(b: Body, into: Set<string> = new Set()): Set<string> {
  for (const e of b) exprVars(e, into);
  return into;
}

/** Every variable anywhere in a term, including inside closures (their bodies too). */
export function allVarsDeep(t: Term, into: Set<string> = new Set()): Set<string> {
  visitTerms(t, (x) => {
    if (x.type === "var") into.add(x.name);
    if (x.type === "arraycompr" || x.type === "setcompr" || x.type === "objectcompr") {
      allVarsInBodyDeep(x.body, into);
    }
    return true;
  });
  return into;
}

export function allVarsInBodyDeep(b: Body, into: Set<string> = new Set()): Set<string> {
  for (const e of b) allVarsInExprDeep(e, into);
  return into;
}

export function allVarsInExprDeep(e: Expr, into: Set<string> = new Set()): Set<string> {
  for (const t of exprTerms(e)) allVarsDeep(t, into);
  if (e.kind.type === "logical") for (const b of e.kind.operands) allVarsInBodyDeep(b, into);
  if (e.kind.type === "every") {
    if (e.kind.key) into.add(e.kind.key.name);
    into.add(e.kind.value.name);
    allVarsInBodyDeep(e.kind.body, into);
  }
  return into;
}

/** Variables inside the closures (comprehensions, `every` bodies) of an expression, at any depth. */
export function closureVars(e: Expr): Set<string> {
  const out = new Set<string>();
  const inTerm = (t: Term): void =>
    visitTerms(t, (x) => {
      if (x.type === "arraycompr" || x.type === "setcompr" || x.type === "objectcompr") {
        allVarsDeep(x, out);
        return false;
      }
      return true;
    });
  for (const t of exprTerms(e)) inTerm(t);
  if (e.kind.type === "every") {
    if (e.kind.key) out.add(e.kind.key.name);
    out.add(e.kind.value.name);
    allVarsInBodyDeep(e.kind.body, out);
  }
  if (e.kind.type === "logical") for (const b of e.kind.operands) allVarsInBodyDeep(b, out);
  return out;
}

/** A term mapper: return a replacement, or undefined to map the children. */
export type TermMapper = (t: Term) => Term | undefined;

/** Rebuilds a term bottom-up through `f`. Closure bodies are mapped with `mapBody` when given. */
export function mapTerm(t: Term, f: TermMapper, mapBody?: (b: Body) => Body): Term {
  const replaced = f(t);
  if (replaced !== undefined) return replaced;
  const m = (x: Term): Term => mapTerm(x, f, mapBody);
  switch (t.type) {
    case "ref":
      return { ...t, terms: t.terms.map(m) };
    case "array":
      return { ...t, items: t.items.map(m) };
    case "set":
      return { ...t, items: t.items.map(m) };
    case "object":
      return { ...t, entries: t.entries.map(([k, v]) => [m(k), m(v)] as const) };
    case "call":
      return { ...t, args: t.args.map(m) };
    case "arraycompr":
      return { ...t, term: m(t.term), body: mapBody ? mapBody(t.body) : t.body };
    case "setcompr":
      return { ...t, term: m(t.term), body: mapBody ? mapBody(t.body) : t.body };
    case "objectcompr":
      return { ...t, key: m(t.key), value: m(t.value), body: mapBody ? mapBody(t.body) : t.body };
    default:
      return t;
  }
}

/** Maps every term of an expression (including `with` targets and values) and nested bodies. */
export function mapExpr(e: Expr, f: (t: Term) => Term, mapBody: (b: Body) => Body): Expr {
  const k = e.kind;
  let kind: ExprKind;
  switch (k.type) {
    case "term":
      kind = { type: "term", term: f(k.term) };
      break;
    case "unify":
      kind = { ...k, lhs: f(k.lhs), rhs: f(k.rhs) };
      break;
    case "some":
      kind = k;
      break;
    case "somein":
      kind = { ...k, value: f(k.value), domain: f(k.domain), ...(k.key ? { key: f(k.key) } : {}) };
      break;
    case "every":
      kind = { ...k, domain: f(k.domain), body: mapBody(k.body) };
      break;
    case "logical":
      kind = { ...k, operands: k.operands.map(mapBody) };
      break;
  }
  const withs: With[] = e.with.map((w) => ({ ...w, target: f(w.target), value: f(w.value) }));
  return { ...e, kind, with: withs };
}

/** True if the term contains no variables (closures count as non-ground). */
export function isGround(t: Term): boolean {
  let ground = true;
  visitTerms(t, (x) => {
    if (x.type === "var" || isClosure(x) || x.type === "call") ground = false;
    if (x.type === "ref" && x.terms[0]!.type === "var") ground = false;
    return ground;
  });
  return ground;
}

/** A canonical string for a ground scalar/composite term (for keys and comparisons). */
export function groundKey(t: Term): string | undefined {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return String(t.value);
    case "number": {
      const n = Number(t.text);
      return Number.isSafeInteger(n) || Number.isFinite(n) ? `n:${n}` : `n:${t.text}`;
    }
    case "string":
      return `s:${JSON.stringify(t.value)}`;
    case "array": {
      const parts = t.items.map(groundKey);
      return parts.some((p) => p === undefined) ? undefined : `[${parts.join(",")}]`;
    }
    case "set": {
      const parts = t.items.map(groundKey);
      if (parts.some((p) => p === undefined)) return undefined;
      return `{${[...new Set(parts)].sort().join(",")}}`;
    }
    case "object": {
      const parts = t.entries.map(([k, v]) => {
        const a = groundKey(k);
        const b = groundKey(v);
        return a === undefined || b === undefined ? undefined : `${a}:${b}`;
      });
      if (parts.some((p) => p === undefined)) return undefined;
      return `o{${parts.sort().join(",")}}`;
    }
    default:
      return undefined;
  }
}
