/**
 * Helpers for backend tests: build IR by hand, compile it with emitWasm and run it through the
 * unmodified OPA Wasm SDK.
 */
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { type EmitOptions, emitWasm } from "../../src/rego/codegen/index.ts";
import type * as ir from "../../src/rego/ir.ts";
import { local, stringIndex } from "../../src/rego/ir.ts";
import { BuiltinHost } from "../../src/rego/builtins/host.ts";

export type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

/** Interns strings while IR is written, like the planner's static string table. */
export class Strings {
  readonly list: string[] = [];
  op(s: string): ir.Operand {
    return stringIndex(this.index(s));
  }
  index(s: string): number {
    let i = this.list.indexOf(s);
    if (i < 0) i = this.list.push(s) - 1;
    return i;
  }
}

/** Statements that wrap `value` as {"result": value} and add it to the result set. */
export function resultRow(strings: Strings, value: number, scratch: number): ir.Stmt[] {
  return [
    { type: "MakeObjectStmt", target: scratch },
    { type: "ObjectInsertStmt", key: strings.op("result"), value: local(value), object: scratch },
    { type: "ResultSetAddStmt", value: scratch },
  ];
}

export function policyOf(parts: {
  strings: Strings;
  plans: ir.Plan[];
  funcs?: ir.Func[];
  builtins?: string[];
  files?: string[];
}): ir.Policy {
  return {
    static: {
      strings: parts.strings.list,
      builtinFuncs: [...(parts.builtins ?? [])].sort().map((name) => ({ name })),
      files: parts.files ?? ["test.rego"],
    },
    plans: parts.plans,
    funcs: parts.funcs ?? [],
  };
}

export async function load(policy: ir.Policy, options: EmitOptions = {}): Promise<LoadedPolicy> {
  return loadPolicy(emitWasm(policy, options), undefined, new BuiltinHost().functions);
}

/** A thrown SDK error (a string for aborts) as text. */
export function errorText(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return typeof e === "string" ? e : e instanceof Error ? e.message : JSON.stringify(e);
  }
  throw new Error("expected an error");
}

const builtinModules = new Map<string, Promise<LoadedPolicy>>();

/**
 * Calls builtin `name` with `args` (JSON values) in a module compiled for it; returns the result,
 * or undefined when the call is undefined. Strict mode turns builtin errors into thrown strings.
 * `rawArgs` passes the arguments as JSON text instead (same shape as `args`).
 */
export async function callBuiltin(name: string, args: unknown[], strict = false, rawArgs?: string): Promise<unknown> {
  const shape = args.map((a) => (a instanceof Set ? "s" : "j")).join("");
  const key = `${name}/${shape}/${strict}`;
  let p = builtinModules.get(key);
  if (!p) {
    const s = new Strings();
    const stmts: ir.Stmt[] = [];
    const argLocals: ir.Operand[] = [];
    for (let i = 0; i < args.length; i++) {
      const base = 10 + 5 * i;
      stmts.push({ type: "MakeNumberIntStmt", value: i, target: base });
      stmts.push({ type: "DotStmt", source: local(0), key: local(base), target: base + 1 });
      if (args[i] instanceof Set) {
        // sets travel as JSON arrays and are rebuilt here
        stmts.push({ type: "MakeSetStmt", target: base + 2 });
        stmts.push({
          type: "ScanStmt",
          source: base + 1,
          key: base + 3,
          value: base + 4,
          block: { stmts: [{ type: "SetAddStmt", value: local(base + 4), set: base + 2 }] },
        });
        argLocals.push(local(base + 2));
      } else argLocals.push(local(base + 1));
    }
    stmts.push({ type: "CallStmt", func: name, args: argLocals, result: 2 });
    stmts.push(...resultRow(s, 2, 3));
    p = load(policyOf({ strings: s, plans: [{ name: "call", blocks: [{ stmts }] }], builtins: [name] }), {
      strictBuiltinErrors: strict,
    });
    builtinModules.set(key, p);
  }
  const policy = await p;
  const json = args.map((a) => (a instanceof Set ? [...a] : a));
  // rawArgs: the arguments as JSON text, for numbers JavaScript cannot hold exactly
  const input = rawArgs !== undefined ? (new TextEncoder().encode(rawArgs).buffer as ArrayBuffer) : json;
  const rows = policy.evaluate(input, "call") as { result: unknown }[];
  return rows.length === 0 ? undefined : rows[0]!.result;
}
