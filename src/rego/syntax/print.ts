/** Prints AST nodes back as Rego text (canonical spacing; infix operators as calls). For messages and debugging. */
import type { Body, Expr, Module, Rule, Term } from "./ast.ts";

export function termToString(t: Term): string {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return String(t.value);
    case "number":
      return t.text;
    case "string":
      return JSON.stringify(t.value);
    case "var":
      return t.name;
    case "ref":
      return refToString(t.terms);
    case "array":
      return `[${t.items.map(termToString).join(", ")}]`;
    case "set":
      return t.items.length === 0 ? "set()" : `{${t.items.map(termToString).join(", ")}}`;
    case "object":
      return `{${t.entries.map(([k, v]) => `${termToString(k)}: ${termToString(v)}`).join(", ")}}`;
    case "call":
      return `${t.name}(${t.args.map(termToString).join(", ")})`;
    case "arraycompr":
      return `[${termToString(t.term)} | ${bodyToString(t.body)}]`;
    case "setcompr":
      return `{${termToString(t.term)} | ${bodyToString(t.body)}}`;
    case "objectcompr":
      return `{${termToString(t.key)}: ${termToString(t.value)} | ${bodyToString(t.body)}}`;
  }
}

export function refToString(terms: readonly Term[]): string {
  let out = termToString(terms[0]!);
  for (const op of terms.slice(1)) {
    if (op.type === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(op.value)) out += `.${op.value}`;
    else out += `[${termToString(op)}]`;
  }
  return out;
}

export function exprToString(e: Expr): string {
  let out = e.negated ? "not " : "";
  const k = e.kind;
  switch (k.type) {
    case "term":
      out += termToString(k.term);
      break;
    case "unify":
      out += `${termToString(k.lhs)} ${k.op} ${termToString(k.rhs)}`;
      break;
    case "some":
      out += `some ${k.vars.map(termToString).join(", ")}`;
      break;
    case "somein":
      out += `some ${k.key ? `${termToString(k.key)}, ` : ""}${termToString(k.value)} in ${termToString(k.domain)}`;
      break;
    case "every":
      out += `every ${k.key ? `${termToString(k.key)}, ` : ""}${termToString(k.value)} in ${termToString(k.domain)} { ${bodyToString(k.body)} }`;
      break;
    case "logical":
      out += k.operands.map((b) => `{ ${bodyToString(b)} }`).join(` ${k.op} `);
      break;
  }
  for (const w of e.with) out += ` with ${termToString(w.target)} as ${termToString(w.value)}`;
  return out;
}

export function bodyToString(b: Body): string {
  return b.map(exprToString).join("; ");
}

export function ruleToString(r: Rule): string {
  const h = r.head;
  let out = r.default ? "default " : "";
  out += refToString(h.ref);
  if (h.args) out += `(${h.args.map(termToString).join(", ")})`;
  if (h.contains) out += ` contains ${termToString(h.contains)}`;
  if (h.value) out += ` ${h.assign ? ":=" : "="} ${termToString(h.value)}`;
  out += ` if { ${bodyToString(r.body)} }`;
  if (r.else) out += ` else ${ruleToString(r.else).replace(/^\S+/, "")}`;
  return out;
}

export function moduleToString(m: Module): string {
  const lines = [`package ${m.package.path.join(".")}`];
  for (const i of m.imports) lines.push(`import ${refToString(i.path.terms)}${i.alias ? ` as ${i.alias}` : ""}`);
  for (const r of m.rules) lines.push(ruleToString(r));
  return lines.join("\n");
}
