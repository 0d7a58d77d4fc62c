/**
 * The checker, planner and codegen recurse along a rule body (each expression continues in the
 * next), so a body of several hundred expressions can exhaust JavaScript's stack. That is bad input
 * to report, not a crash: the compile error names the longest body, the likely culprit.
 */
import { RegoCompileError, type RegoProblem } from "./errors.ts";
import type { Body, Module, Rule } from "./syntax/ast.ts";

export function withinStackLimit<T>(modules: readonly Module[], stage: () => T): T {
  try {
    return stage();
  } catch (error) {
    if (!isStackOverflow(error)) throw error;
    throw new RegoCompileError([tooDeepProblem(modules)]);
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function tooDeepProblem(modules: readonly Module[]): RegoProblem {
  let longest: { rule: Rule; size: number } | undefined;
  for (const m of modules)
    for (const rule of m.rules) {
      for (let r: Rule | undefined = rule; r; r = r.else) {
        const size = bodySize(r.body);
        if (!longest || size > longest.size) longest = { rule: r, size };
      }
    }
  const where = longest?.rule.loc ?? { file: modules[0]?.file ?? "<policy>", line: 1, col: 1 };
  const size = longest ? `its body has ${longest.size} expressions` : "a body is too long";
  return {
    pos: where,
    code: "rego_compile_error",
    message: `rule too long to compile (${size}, more than the compiler's stack allows): split it into smaller rules`,
  };
}

function bodySize(body: Body): number {
  let size = 0;
  for (const e of body) {
    size += 1;
    if (e.kind.type === "logical") for (const operand of e.kind.operands) size += bodySize(operand);
    if (e.kind.type === "every") size += bodySize(e.kind.body);
  }
  return size;
}
