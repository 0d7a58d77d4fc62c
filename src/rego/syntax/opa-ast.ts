/**
 * A module in OPA's JSON form of the AST (what `rego.parse_module` and `opa parse --format json`
 * give, without locations): terms as `{type, value}`, expressions as `{index, terms}` with the
 * operator first (`=` is `eq`, `:=` is `assign`), rule heads with `name`, `ref`, `key`, `value`.
 */
import type { SourcePos } from "../errors.ts";
import type { Body, Expr, Module, Rule, Term } from "./ast.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const operator = (name: string): Json => {
  const [head, ...rest] = name.split(".");
  return {
    type: "ref",
    value: [{ type: "var", value: head! }, ...rest.map((s) => ({ type: "string", value: s }))],
  };
};

function term(t: Term): Json {
  switch (t.type) {
    case "null":
      return { type: "null" };
    case "boolean":
    case "string":
      return { type: t.type, value: t.value };
    case "number":
      return { type: "number", value: Number(t.text) };
    case "var":
      return { type: "var", value: t.name };
    case "ref":
      return { type: "ref", value: t.terms.map(term) };
    case "array":
    case "set":
      return { type: t.type, value: t.items.map(term) };
    case "object":
      return { type: "object", value: t.entries.map(([k, v]) => [term(k), term(v)]) };
    case "call":
      return { type: "call", value: [operator(t.name), ...t.args.map(term)] };
    case "arraycompr":
      return { type: "arraycomprehension", value: { term: term(t.term), body: body(t.body) } };
    case "setcompr":
      return { type: "setcomprehension", value: { term: term(t.term), body: body(t.body) } };
    case "objectcompr":
      return { type: "objectcomprehension", value: { key: term(t.key), value: term(t.value), body: body(t.body) } };
  }
}

function exprTerms(e: Expr): Json {
  const k = e.kind;
  switch (k.type) {
    case "term":
      return k.term.type === "call" ? [operator(k.term.name), ...k.term.args.map(term)] : term(k.term);
    case "unify":
      return [operator(k.op === ":=" ? "assign" : "eq"), term(k.lhs), term(k.rhs)];
    case "some":
      return { symbols: k.vars.map(term) };
    case "somein": {
      const args = [...(k.key ? [k.key] : []), k.value, k.domain].map(term);
      return {
        symbols: [{ type: "call", value: [operator(k.key ? "internal.member_3" : "internal.member_2"), ...args] }],
      };
    }
    case "every":
      return {
        type: "every",
        value: {
          ...(k.key ? { key: term(k.key) } : {}),
          value: term(k.value),
          domain: term(k.domain),
          body: body(k.body),
        },
      };
    case "logical":
      return { [k.op]: k.operands.map((b) => body(b)) };
  }
}

/** A body; `head`: the rule's position, where the parser puts the `true` of a rule without body. */
function body(b: Body, head?: SourcePos): Json[] {
  const generated = (e: Expr) =>
    head !== undefined && b.length === 1 && e.loc.line === head.line && e.loc.col === head.col;
  return b.map((e, index) => ({
    ...(generated(e) ? { generated: true } : {}),
    index,
    ...(e.negated ? { negated: true } : {}),
    terms: exprTerms(e),
    ...(e.with.length > 0 ? { with: e.with.map((w) => ({ target: term(w.target), value: term(w.value) })) } : {}),
  }));
}

function rule(r: Rule): Json {
  const h = r.head;
  const name = h.ref[0]?.type === "var" ? h.ref[0].name : "";
  const key = h.contains ?? (h.ref.length === 2 && h.ref[1]!.type !== "string" ? h.ref[1] : undefined);
  return {
    ...(r.default ? { default: true } : {}),
    head: {
      name,
      ref: h.ref.map(term),
      ...(h.args ? { args: h.args.map(term) } : {}),
      ...(key ? { key: term(key) } : {}),
      ...(h.value && !h.contains ? { value: term(h.value) } : {}),
      ...(h.assign ? { assign: true } : {}),
    },
    body: body(r.body, r.loc),
    ...(r.else ? { else: rule(r.else) } : {}),
  };
}

export function moduleToOpaJson(m: Module): Json {
  return {
    package: { path: [{ type: "var", value: "data" }, ...m.package.path.map((s) => ({ type: "string", value: s }))] },
    ...(m.imports.length > 0
      ? { imports: m.imports.map((i) => ({ path: term(i.path), ...(i.alias ? { alias: i.alias } : {}) })) }
      : {}),
    ...(m.rules.length > 0 ? { rules: m.rules.map(rule) } : {}),
  };
}
