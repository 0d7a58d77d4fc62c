/**
 * Human-readable listing of IR, for debugging the planner and the codegen
 * (`printPolicy(policy)`). One statement per line, nested blocks indented; string operands are
 * shown with their text, locals as `L<n>`.
 */
import type { Block, Func, Operand, Plan, Policy, Stmt } from "./ir.ts";

export function printPolicy(policy: Policy): string {
  const out: string[] = [];
  const { strings, builtinFuncs, files } = policy.static;
  out.push(`strings (${strings.length}):`);
  for (const [i, s] of strings.entries()) out.push(`  ${i}: ${JSON.stringify(s)}`);
  out.push(`builtins: ${builtinFuncs.map((b) => b.name).join(", ") || "(none)"}`);
  out.push(`files: ${files.map((f) => JSON.stringify(f)).join(", ") || "(none)"}`);
  for (const [i, plan] of policy.plans.entries()) out.push(printPlan(plan, i, strings));
  for (const fn of policy.funcs) out.push(printFunc(fn, strings));
  return out.join("\n");
}

export function printPlan(plan: Plan, id: number, strings: readonly string[] = []): string {
  const out = [`plan ${id} ${JSON.stringify(plan.name)}`];
  printBlocks(plan.blocks, 1, strings, out);
  return out.join("\n");
}

export function printFunc(fn: Func, strings: readonly string[] = []): string {
  const params = fn.params.map((p) => `L${p}`).join(", ");
  const path = fn.path ? ` path=${fn.path.join(".")}` : "";
  const out = [`func ${fn.name}(${params}) -> L${fn.return}${path}`];
  printBlocks(fn.blocks, 1, strings, out);
  return out.join("\n");
}

export function printBlock(block: Block, strings: readonly string[] = []): string {
  const out: string[] = [];
  printBlocks([block], 0, strings, out);
  return out.join("\n");
}

function printBlocks(blocks: readonly Block[], depth: number, strings: readonly string[], out: string[]): void {
  const pad = "  ".repeat(depth);
  for (const block of blocks) {
    out.push(`${pad}block`);
    for (const stmt of block.stmts) printStmt(stmt, depth + 1, strings, out);
  }
}

function printStmt(stmt: Stmt, depth: number, strings: readonly string[], out: string[]): void {
  const [text, nested] = describe(stmt, strings);
  out.push(`${"  ".repeat(depth)}${text}`);
  if (nested.length > 0) printBlocks(nested, depth + 1, strings, out);
}

/** One line of text for the statement, and the blocks nested in it. */
function describe(stmt: Stmt, strings: readonly string[]): [string, Block[]] {
  const op = (o: Operand): string => operand(o, strings);
  const line = (text: string): [string, Block[]] => [text, []];
  switch (stmt.type) {
    case "ReturnLocalStmt":
      return line(`return L${stmt.source}`);
    case "CallStmt":
      return line(`L${stmt.result} = call ${stmt.func}(${stmt.args.map(op).join(", ")})`);
    case "CallDynamicStmt":
      return line(
        `L${stmt.result} = calldynamic [${stmt.path.map(op).join(", ")}](${stmt.args.map((a) => `L${a}`).join(", ")})`,
      );
    case "BlockStmt":
      return ["blockstmt", stmt.blocks];
    case "BreakStmt":
      return line(`break ${stmt.index}`);
    case "DotStmt":
      return line(`L${stmt.target} = ${op(stmt.source)}[${op(stmt.key)}]`);
    case "LenStmt":
      return line(`L${stmt.target} = len(${op(stmt.source)})`);
    case "ScanStmt":
      return [`scan L${stmt.source} key=L${stmt.key} value=L${stmt.value}`, [stmt.block]];
    case "NotStmt":
      return ["not", [stmt.block]];
    case "AssignIntStmt":
      return line(`L${stmt.target} = int ${stmt.value}`);
    case "AssignVarStmt":
      return line(`L${stmt.target} = ${op(stmt.source)}`);
    case "AssignVarOnceStmt":
      return line(`L${stmt.target} := once ${op(stmt.source)}${stmt.conflict ? ` (${stmt.conflict})` : ""}`);
    case "ResetLocalStmt":
      return line(`reset L${stmt.target}`);
    case "MakeNullStmt":
      return line(`L${stmt.target} = null`);
    case "MakeNumberIntStmt":
      return line(`L${stmt.target} = number ${stmt.value}`);
    case "MakeNumberRefStmt":
      return line(`L${stmt.target} = number ${strings[stmt.index] ?? `#${stmt.index}`}`);
    case "MakeArrayStmt":
      return line(`L${stmt.target} = [] (cap ${stmt.capacity})`);
    case "MakeObjectStmt":
      return line(`L${stmt.target} = {}`);
    case "MakeSetStmt":
      return line(`L${stmt.target} = set()`);
    case "EqualStmt":
      return line(`${op(stmt.a)} == ${op(stmt.b)}`);
    case "NotEqualStmt":
      return line(`${op(stmt.a)} != ${op(stmt.b)}`);
    case "IsArrayStmt":
      return line(`is_array ${op(stmt.source)}`);
    case "IsObjectStmt":
      return line(`is_object ${op(stmt.source)}`);
    case "IsSetStmt":
      return line(`is_set ${op(stmt.source)}`);
    case "IsDefinedStmt":
      return line(`is_defined L${stmt.source}`);
    case "IsUndefinedStmt":
      return line(`is_undefined L${stmt.source}`);
    case "ArrayAppendStmt":
      return line(`append L${stmt.array} <- ${op(stmt.value)}`);
    case "ObjectInsertStmt":
      return line(`L${stmt.object}[${op(stmt.key)}] = ${op(stmt.value)}`);
    case "ObjectInsertOnceStmt":
      return line(`L${stmt.object}[${op(stmt.key)}] := once ${op(stmt.value)}`);
    case "ObjectMergeStmt":
      return line(`L${stmt.target} = merge(L${stmt.a}, L${stmt.b})`);
    case "SetAddStmt":
      return line(`add L${stmt.set} <- ${op(stmt.value)}`);
    case "WithStmt": {
      const path = stmt.path.map((i) => strings[i] ?? `#${i}`).join(".");
      return [`with L${stmt.local}${path ? `.${path}` : ""} as ${op(stmt.value)}`, [stmt.block]];
    }
    case "NopStmt":
      return line("nop");
    case "CoverStmt":
      return line(`cover #${stmt.index}`);
    case "ResultSetAddStmt":
      return line(`result <- L${stmt.value}`);
  }
}

function operand(o: Operand, strings: readonly string[]): string {
  switch (o.type) {
    case "local":
      return `L${o.value}`;
    case "bool":
      return String(o.value);
    case "string_index":
      return strings[o.value] !== undefined ? JSON.stringify(strings[o.value]) : `#${o.value}`;
  }
}
