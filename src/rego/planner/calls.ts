/**
 * Calls of builtins and user functions, with `with` mocks applied: at expression level a call
 * must not be `false` (`f(x)`) or unifies its result with the last argument (`f(x, y)`);
 * relations (`walk`) iterate their solutions.
 */
import { lookupBuiltin } from "../builtins/catalog.ts";
import * as ir from "../ir.ts";
import type { Term } from "../syntax/ast.ts";
import { INTERNAL_PRINT, PRINT } from "../check/print.ts";
import { asBlock } from "./builder.ts";
import { planBasePath } from "./datarefs.ts";
import type { Cont, Planner } from "./planner.ts";
import { HIDDEN_MOCKS_KEY } from "./with.ts";

/** A call used as an expression: `f(x)` (must not be false) or `f(x, out)` (relational form). */
export function planCallExpr(p: Planner, c: Extract<Term, { type: "call" }>, k: Cont): void {
  const arity = callArity(p, c.name);
  const builtin = c.name.startsWith("data.") ? undefined : lookupBuiltin(c.name);
  if (builtin?.void) {
    planVoid(p, c, k);
    return;
  }
  const mocked = p.ctx.mocks.has(c.name);
  if (!mocked && c.args.length === 2 && (c.name === "equal" || c.name === "neq")) {
    p.planTermList(c.args, ([a, b]) => {
      p.emit({ type: c.name === "equal" ? "EqualStmt" : "NotEqualStmt", a: a!, b: b! });
      k();
    });
    return;
  }
  const relation = !mocked && builtin?.relation === true;
  if (c.args.length === arity + 1) {
    planCall(p, c.name, c.args.slice(0, arity), (result) => {
      if (relation) {
        p.planScanValues(result, c.args[arity]!, k);
      } else {
        p.planUnifyLocal(ir.local(result), c.args[arity]!, k);
      }
    });
    return;
  }
  planCall(p, c.name, c.args, (result) => {
    if (relation) {
      const n = p.newLocal();
      const zero = p.newLocal();
      p.emit({ type: "LenStmt", source: ir.local(result), target: n });
      p.emit({ type: "MakeNumberIntStmt", value: 0, target: zero });
      p.emit({ type: "NotEqualStmt", a: ir.local(n), b: ir.local(zero) });
    } else {
      p.emit({ type: "NotEqualStmt", a: ir.local(result), b: ir.bool(false) });
    }
    k();
  });
}

/**
 * Void builtins never fail. `internal.print([...])` (what `print(...)` is rewritten to) formats
 * its lines natively (`internal.print_lines`) and hands them to the host builtin `print` (see
 * builtins/families/meta.ts), which writes them where the evaluation's context says.
 */
export function planVoid(p: Planner, c: Extract<Term, { type: "call" }>, k: Cont): void {
  if (c.name !== INTERNAL_PRINT) {
    k();
    return;
  }
  // In a block of its own: nothing in it can make the body fail.
  const block = p.fb.inBlock(() =>
    p.planTerm(c.args[0]!, (parts) =>
      emitDirectCall(p, "internal.print_lines", [parts], (lines) =>
        emitDirectCall(p, PRINT, [ir.local(lines)], () => {}),
      ),
    ),
  );
  p.emit({ type: "BlockStmt", blocks: [asBlock(block)] });
  k();
}

/** A builtin that produces several solutions (and is not replaced by a `with`). */
export function isRelation(p: Planner, name: string): boolean {
  return !name.startsWith("data.") && !p.ctx.mocks.has(name) && lookupBuiltin(name)?.relation === true;
}

export function callArity(p: Planner, name: string): number {
  if (name.startsWith("data.")) {
    const set = p.nodeAt(name.split(".").slice(1))?.ruleSet;
    return set?.arity ?? 0;
  }
  return lookupBuiltin(name)?.arity ?? 0;
}

/** Plans the arguments, then a call of `name` (mocks applied); `k` gets the result local. */
export function planCall(p: Planner, name: string, args: readonly Term[], k: (result: ir.Local) => void): void {
  p.planTermList(args, (ops) => emitCall(p, name, ops, k));
}

export function emitCall(p: Planner, name: string, ops: ir.Operand[], k: (result: ir.Local) => void): void {
  const mock = p.ctx.mocks.get(name);
  if (mock) {
    switch (mock.kind) {
      case "value": {
        if (mock.owner === p.funcId) {
          k(mock.local);
        } else if (mock.portable) {
          const saved = p.ctx;
          p.ctx = p.ctx.withoutMocks();
          p.planTerm(mock.term, (op) => {
            p.ctx = saved;
            k(p.toLocal(op));
            p.ctx = p.ctx.withoutMocks();
          });
          p.ctx = saved;
        } else {
          planBasePath(p, { local: p.dataLocal(), path: [HIDDEN_MOCKS_KEY, name] }, k);
        }
        return;
      }
      case "builtin": {
        emitDirectCall(p, mock.name, ops, k);
        return;
      }
      case "function": {
        const saved = p.ctx;
        p.ctx = p.ctx.withoutMocks();
        let fname: string;
        try {
          const node = p.nodeAt(mock.path)!;
          fname = p.ruleSetFunction(node.ruleSet!, node);
        } finally {
          p.ctx = saved;
        }
        const result = p.newLocal();
        p.emit({
          type: "CallStmt",
          func: fname,
          args: [ir.local(p.inputLocal()), ir.local(p.dataLocal()), ...ops],
          result,
        });
        k(result);
        return;
      }
    }
  }
  emitDirectCall(p, name, ops, k);
}

export function emitDirectCall(p: Planner, name: string, ops: ir.Operand[], k: (result: ir.Local) => void): void {
  const result = p.newLocal();
  if (name.startsWith("data.")) {
    const path = name.split(".").slice(1);
    const node = p.nodeAt(path);
    const set = node?.ruleSet;
    if (!node || !set) throw new Error(`planner: unknown function ${name}`);
    const fname = p.ruleSetFunction(set, node);
    p.emit({
      type: "CallStmt",
      func: fname,
      args: [ir.local(p.inputLocal()), ir.local(p.dataLocal()), ...ops],
      result,
    });
  } else {
    p.useBuiltin(name);
    p.emit({ type: "CallStmt", func: name, args: ops, result });
  }
  k(result);
}
