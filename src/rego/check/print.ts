/**
 * `print(a, b)` as OPA compiles it: `internal.print([{$x | $x = a}, {$y | $y = b}])`, each
 * argument captured in a set comprehension, so an undefined argument prints `<undefined>` instead
 * of making the body fail, and the call never fails either.
 */
import type { Body, Expr, Rule, Term } from "../syntax/ast.ts";
import { mapExpr, mapTerm } from "./terms.ts";

export const PRINT = "print";
export const INTERNAL_PRINT = "internal.print";

export class PrintRewriter {
  private next = 0;

  rule(r: Rule): Rule {
    return {
      ...r,
      head: {
        ...r.head,
        ...(r.head.value ? { value: this.term(r.head.value) } : {}),
        ...(r.head.contains ? { contains: this.term(r.head.contains) } : {}),
      },
      body: this.body(r.body),
      ...(r.else ? { else: this.rule(r.else) } : {}),
    };
  }

  body(b: Body): Body {
    return b.map((e) => this.expr(e));
  }

  private expr(e: Expr): Expr {
    const k = e.kind;
    if (k.type === "term" && k.term.type === "call" && k.term.name === PRINT) {
      const args = k.term.args.map((a) => this.capture(this.term(a)));
      const loc = k.term.loc;
      const call: Term = {
        type: "call",
        name: INTERNAL_PRINT,
        nameLoc: k.term.nameLoc,
        args: [{ type: "array", items: args, loc }],
        loc,
      };
      return { ...e, kind: { type: "term", term: call } };
    }
    return mapExpr(
      e,
      (t) => this.term(t),
      (b) => this.body(b),
    );
  }

  private term(t: Term): Term {
    return mapTerm(
      t,
      () => undefined,
      (b) => this.body(b),
    );
  }

  private capture(t: Term): Term {
    const x: Term = { type: "var", name: `$print${this.next++}`, loc: t.loc };
    const capture: Expr = { kind: { type: "unify", op: "=", lhs: x, rhs: t }, negated: false, with: [], loc: t.loc };
    return { type: "setcompr", term: x, body: [capture], loc: t.loc };
  }
}
