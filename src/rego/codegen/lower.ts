/**
 * Lowers IR functions and plans to binaryen functions. Each IR block becomes a wasm `block` with
 * its own label; a failing statement branches to the innermost label; `BreakStmt{index}` to the
 * label `index` levels out (see the execution model in ../ir.ts). Values are i32 addresses and
 * 0 is undefined.
 */

import type * as ir from "../ir.ts";
import { T_ARRAY, T_OBJECT, T_SET } from "../runtime/layout.ts";
import binaryen, { type Module } from "./binaryen.ts";
import type { DataBuilder } from "./data.ts";

const i32 = binaryen.i32;
type Expr = number;

/** How the lowerer reaches runtime functions, builtins and other policy functions. */
export interface LoweringEnv {
  readonly module: Module;
  readonly data: DataBuilder;
  /** Address of the coverage bytes (one per `Policy.coverage` line), in coverage builds. */
  readonly coverage?: number;
  readonly strings: readonly string[];
  readonly files: readonly string[];
  /** Internal name of a runtime `rt_*` function. */
  rt(name: string): string;
  /** Internal name and arity of a native builtin, if the runtime has one. */
  native(builtin: string): { name: string; arity: number } | undefined;
  /** Host builtin id, if `builtin` is dispatched to the host. */
  hostId(builtin: string): number | undefined;
  /** Generated wasm function name and parameter count of an IR function. */
  func(name: string): { name: string; params: number } | undefined;
  /** Functions that have a data path (for CallDynamicStmt). */
  readonly pathFuncs: readonly { path: string[]; name: string }[];
  /** Memo slot of an IR function (rule functions of two parameters), if memoised. */
  memoSlot(name: string): number | undefined;
  /** A global caching the result of an arity-0 host builtin for one evaluation (like OPA's time.now_ns). */
  hostCache(id: number): string;
  /** Runtime globals holding the location reported by builtin errors. */
  readonly errorLocation: { readonly file: string; readonly row: string };
}

interface Frame {
  readonly label: string;
  /** Code to run when a break or return leaves this frame (restoring `with` replacements). */
  readonly cleanup?: () => Expr[];
}

export class FunctionLowerer {
  private readonly m: Module;
  private readonly localIndex = new Map<number, number>();
  private readonly varTypes: number[] = [];
  private readonly frames: Frame[] = [];
  private labels = 0;
  private readonly nparams: number;
  private retLocal = -1;
  private rsLocal = -1;
  /** "rule data.a.b" or "entrypoint a/b": where run-time errors happen, for their messages. */
  private rule = "";

  constructor(
    private readonly env: LoweringEnv,
    params: readonly number[],
    blocks: readonly ir.Block[],
  ) {
    this.m = env.module;
    for (const [i, p] of params.entries()) this.localIndex.set(p, i);
    this.nparams = params.length;
    const used = new Set<number>();
    collectLocals(blocks, used);
    for (const l of [...used].sort((a, b) => a - b)) {
      if (!this.localIndex.has(l)) this.localIndex.set(l, this.nparams + this.varTypes.push(i32) - 1);
    }
  }

  /** A plan: (input, data) -> result set. */
  lowerPlan(plan: ir.Plan, name: string): void {
    this.rule = `entrypoint ${plan.name}`;
    this.rsLocal = this.temp();
    const body: Expr[] = [this.m.local.set(this.rsLocal, this.call("rt_set", []))];
    for (const block of plan.blocks) body.push(this.lowerBlock(block));
    body.push(this.m.return(this.m.local.get(this.rsLocal, i32)));
    this.m.addFunction(name, binaryen.createType([i32, i32]), i32, this.varTypes, this.m.block(null, body, i32));
  }

  /** An IR function: its params -> value or 0. */
  lowerFunc(fn: ir.Func, name: string): void {
    this.rule = `rule ${fn.name.replace(/^g\d+\./, "")}`;
    this.retLocal = this.temp();
    const exit = this.label("exit");
    const slot = this.env.memoSlot(fn.name);
    const body: Expr[] = [];
    if (slot !== undefined) {
      // memoised: 0 = not computed yet, 1 = computed and undefined
      const cached = this.temp();
      body.push(
        this.m.local.set(cached, this.call("rt_memo_get", [this.m.i32.const(slot)])),
        this.m.if(
          this.m.local.get(cached, i32),
          this.m.return(
            this.m.select(
              this.m.i32.eq(this.m.local.get(cached, i32), this.m.i32.const(1)),
              this.m.i32.const(0),
              this.m.local.get(cached, i32),
            ),
          ),
        ),
      );
    }
    this.frames.push({ label: exit });
    const inner: Expr[] = fn.blocks.map((b) => this.lowerBlock(b));
    this.frames.pop();
    body.push(this.m.block(exit, inner));
    if (slot !== undefined)
      body.push(this.callVoid("rt_memo_set", [this.m.i32.const(slot), this.m.local.get(this.retLocal, i32)]));
    body.push(this.m.return(this.m.local.get(this.retLocal, i32)));
    const params = binaryen.createType(fn.params.map(() => i32));
    this.m.addFunction(name, params, i32, this.varTypes, this.m.block(null, body, i32));
  }

  private temp(): number {
    return this.nparams + this.varTypes.push(i32) - 1;
  }

  private label(kind: string): string {
    return `${kind}${this.labels++}`;
  }

  private local(l: number): number {
    const idx = this.localIndex.get(l);
    if (idx === undefined) throw new Error(`internal: local ${l} not allocated`);
    return idx;
  }

  private get(l: number): Expr {
    return this.m.local.get(this.local(l), i32);
  }

  private set(l: number, value: Expr): Expr {
    return this.m.local.set(this.local(l), value);
  }

  private call(rtName: string, args: Expr[]): Expr {
    return this.m.call(this.env.rt(rtName), args, i32);
  }

  private callVoid(rtName: string, args: Expr[]): Expr {
    return this.m.call(this.env.rt(rtName), args, binaryen.none);
  }

  private operand(o: ir.Operand): Expr {
    switch (o.type) {
      case "local":
        return this.get(o.value);
      case "bool":
        return this.m.i32.const(this.env.data.boolValue(o.value));
      case "string_index": {
        const s = this.env.strings[o.value];
        if (s === undefined) throw new Error(`internal: string index ${o.value} out of range`);
        return this.m.i32.const(this.env.data.stringValue(s));
      }
    }
  }

  private failIf(cond: Expr): Expr {
    return this.m.br(this.frames[this.frames.length - 1]!.label, cond);
  }

  /** Cleanups of the frames above `depth` (innermost first). */
  private cleanupsAbove(depth: number): Expr[] {
    const out: Expr[] = [];
    for (let i = this.frames.length - 1; i > depth; i--) {
      const c = this.frames[i]!.cleanup;
      if (c) out.push(...c());
    }
    return out;
  }

  private lowerBlock(block: ir.Block, extra?: Omit<Frame, "label">, tail: Expr[] = []): Expr {
    const label = this.label("b");
    this.frames.push({ label, ...extra });
    const body = block.stmts.map((s) => this.lowerStmt(s));
    this.frames.pop();
    body.push(...tail);
    return this.m.block(label, body.length ? body : [this.m.nop()]);
  }

  private lowerStmt(s: ir.Stmt): Expr {
    const m = this.m;
    switch (s.type) {
      case "ReturnLocalStmt": {
        if (this.retLocal < 0) throw new Error("internal: ReturnLocalStmt outside a function");
        return m.block(null, [
          m.local.set(this.retLocal, this.get(s.source)),
          ...this.cleanupsAbove(0),
          m.br(this.frames[0]!.label),
        ]);
      }
      case "CallStmt":
        return this.lowerCall(s);
      case "CallDynamicStmt":
        return this.lowerCallDynamic(s);
      case "BlockStmt":
        return m.block(null, s.blocks.length ? s.blocks.map((b) => this.lowerBlock(b)) : [m.nop()]);
      case "BreakStmt": {
        const target = this.frames.length - 1 - s.index;
        if (target < 0 || (this.retLocal >= 0 && target < 1))
          throw new Error(`internal: BreakStmt index ${s.index} leaves the function`);
        return m.block(null, [...this.cleanupsAbove(target), m.br(this.frames[target]!.label)]);
      }
      case "DotStmt":
        return m.block(null, [
          this.set(s.target, this.call("rt_get", [this.operand(s.source), this.operand(s.key)])),
          this.failIf(m.i32.eqz(this.get(s.target))),
        ]);
      case "LenStmt":
        return this.set(s.target, this.call("rt_len", [this.operand(s.source)]));
      case "ScanStmt":
        return this.lowerScan(s);
      case "NotStmt": {
        // The body completing means the NotStmt fails: branch to the enclosing block.
        const enclosing = this.frames[this.frames.length - 1]!.label;
        return this.lowerBlock(s.block, undefined, [m.br(enclosing)]);
      }
      case "AssignIntStmt":
        return this.set(
          s.target,
          this.call("rt_number_int", [m.i64.const(s.value | 0, Math.floor(s.value / 4294967296))]),
        );
      case "AssignVarStmt":
        return this.set(s.target, this.operand(s.source));
      case "AssignVarOnceStmt": {
        const kind = s.conflict === "function" ? 1 : 0;
        return m.block(null, [
          m.if(
            m.i32.and(
              m.i32.ne(this.get(s.target), m.i32.const(0)),
              m.i32.eqz(this.call("rt_equal", [this.get(s.target), this.operand(s.source)])),
            ),
            this.conflict(s.loc, kind),
          ),
          this.set(s.target, this.operand(s.source)),
        ]);
      }
      case "ResetLocalStmt":
        return this.set(s.target, m.i32.const(0));
      case "MakeNullStmt":
        return this.set(s.target, m.i32.const(this.env.data.nullValue()));
      case "MakeNumberIntStmt":
        return this.set(s.target, m.i32.const(this.env.data.intValue(s.value)));
      case "MakeNumberRefStmt": {
        const text = this.env.strings[s.index];
        if (text === undefined) throw new Error(`internal: string index ${s.index} out of range`);
        return this.set(s.target, m.i32.const(this.env.data.numberValue(text)));
      }
      case "MakeArrayStmt":
        return this.set(s.target, this.call("rt_array", [m.i32.const(Math.max(0, s.capacity | 0))]));
      case "MakeObjectStmt":
        return this.set(s.target, this.call("rt_object", []));
      case "MakeSetStmt":
        return this.set(s.target, this.call("rt_set", []));
      case "EqualStmt":
        return this.failIf(m.i32.eqz(this.call("rt_equal", [this.operand(s.a), this.operand(s.b)])));
      case "NotEqualStmt": {
        const a = this.operand(s.a);
        const b = this.operand(s.b);
        const undef = (o: ir.Operand) => (o.type === "local" ? m.i32.eqz(this.get(o.value)) : m.i32.const(0));
        return this.failIf(m.i32.or(m.i32.or(undef(s.a), undef(s.b)), this.call("rt_equal", [a, b])));
      }
      case "IsArrayStmt":
        return this.failIf(m.i32.ne(this.call("rt_type", [this.operand(s.source)]), m.i32.const(T_ARRAY)));
      case "IsObjectStmt":
        return this.failIf(m.i32.ne(this.call("rt_type", [this.operand(s.source)]), m.i32.const(T_OBJECT)));
      case "IsSetStmt":
        return this.failIf(m.i32.ne(this.call("rt_type", [this.operand(s.source)]), m.i32.const(T_SET)));
      case "IsDefinedStmt":
        return this.failIf(m.i32.eqz(this.get(s.source)));
      case "IsUndefinedStmt":
        return this.failIf(this.get(s.source));
      case "ArrayAppendStmt":
        return this.definedThen(
          [s.value],
          this.callVoid("rt_array_append", [this.get(s.array), this.operand(s.value)]),
        );
      case "ObjectInsertStmt":
        return this.definedThen(
          [s.key, s.value],
          this.callVoid("rt_object_insert", [this.get(s.object), this.operand(s.key), this.operand(s.value)]),
        );
      case "ObjectInsertOnceStmt":
        return this.definedThen(
          [s.key, s.value],
          m.if(
            this.call("rt_object_insert_once", [this.get(s.object), this.operand(s.key), this.operand(s.value)]),
            this.conflict(s.loc, 2),
          ),
        );
      case "ObjectMergeStmt":
        return this.set(s.target, this.call("rt_merge", [this.get(s.a), this.get(s.b)]));
      case "SetAddStmt":
        return this.definedThen([s.value], this.callVoid("rt_set_add", [this.get(s.set), this.operand(s.value)]));
      case "WithStmt":
        return this.lowerWith(s);
      case "NopStmt":
        return m.nop();
      case "CoverStmt":
        if (this.env.coverage === undefined) throw new Error("internal: CoverStmt without a coverage area");
        return m.i32.store8(0, 1, m.i32.const(this.env.coverage + s.index), m.i32.const(1));
      case "ResultSetAddStmt":
        if (this.rsLocal < 0) throw new Error("internal: ResultSetAddStmt outside a plan");
        return this.definedThen(
          [{ type: "local", value: s.value }],
          this.callVoid("rt_set_add", [m.local.get(this.rsLocal, i32), this.get(s.value)]),
        );
    }
  }

  /** `then`, after failing if any of the local operands is undefined. */
  private definedThen(operands: readonly ir.Operand[], then: Expr): Expr {
    const checks: Expr[] = [];
    for (const o of operands) if (o.type === "local") checks.push(this.failIf(this.m.i32.eqz(this.get(o.value))));
    return checks.length ? this.m.block(null, [...checks, then]) : then;
  }

  /** Address of the site record (file NUL rule NUL) for error messages at `loc`, or 0. */
  private site(loc: ir.Location | undefined): number {
    const file = loc ? this.env.files[loc.file] : undefined;
    return file === undefined ? 0 : this.env.data.cstring(`${file}\0${this.rule}`);
  }

  private conflict(loc: ir.Location | undefined, kind: number): Expr {
    const m = this.m;
    return m.block(null, [
      this.callVoid("rt_conflict", [
        m.i32.const(this.site(loc)),
        m.i32.const(loc?.row ?? 0),
        m.i32.const(loc?.col ?? 0),
        m.i32.const(kind),
      ]),
      m.unreachable(),
    ]);
  }

  private lowerCall(s: ir.CallStmt): Expr {
    const m = this.m;
    const args = s.args.map((a) => this.operand(a));
    let call: Expr;
    const fn = this.env.func(s.func);
    if (fn) {
      if (fn.params !== args.length)
        throw new Error(`internal: call of ${s.func} with ${args.length} arguments, it takes ${fn.params}`);
      call = m.call(fn.name, args, i32);
    } else {
      const native = this.env.native(s.func);
      const host = this.env.hostId(s.func);
      if (native && native.arity === args.length) {
        call = m.call(native.name, args, i32);
      } else if (host !== undefined) {
        if (args.length > 4)
          throw new Error(`builtin ${s.func}: at most 4 arguments can be passed to the host, got ${args.length}`);
        const padded = [...args, ...Array<Expr>(4 - args.length).fill(m.i32.const(0))];
        call = this.call("rt_host_call", [m.i32.const(host), m.i32.const(args.length), ...padded]);
        if (args.length === 0) {
          const cache = this.env.hostCache(host);
          call = m.block(
            null,
            [m.if(m.i32.eqz(m.global.get(cache, i32)), m.global.set(cache, call)), m.global.get(cache, i32)],
            i32,
          );
        }
      } else if (native) {
        throw new Error(`builtin ${s.func} takes ${native.arity} arguments, called with ${args.length}`);
      } else {
        throw new Error(`undefined function: ${s.func} (neither a planned function nor a declared builtin)`);
      }
      call = m.block(
        null,
        [
          m.global.set(this.env.errorLocation.file, m.i32.const(this.site(s.loc))),
          m.global.set(this.env.errorLocation.row, m.i32.const(s.loc?.row ?? 0)),
          call,
        ],
        i32,
      );
    }
    return m.block(null, [this.set(s.result, call), this.failIf(m.i32.eqz(this.get(s.result)))]);
  }

  private lowerCallDynamic(s: ir.CallDynamicStmt): Expr {
    const m = this.m;
    const args = s.args.map((a) => this.get(a));
    const parts = s.path.map((p) => this.operand(p));
    const done = this.label("dyn");
    const cases: Expr[] = [];
    for (const f of this.env.pathFuncs) {
      if (f.path.length !== parts.length) continue;
      let cond: Expr = m.i32.const(1);
      f.path.forEach((seg, i) => {
        const eq = this.call("rt_equal", [parts[i]!, m.i32.const(this.env.data.stringValue(seg))]);
        cond = i === 0 ? eq : m.i32.and(cond, eq);
      });
      cases.push(m.if(cond, m.block(null, [this.set(s.result, m.call(f.name, args, i32)), m.br(done)])));
    }
    return m.block(null, [
      this.set(s.result, m.i32.const(0)),
      m.block(done, cases.length ? cases : [m.nop()]),
      this.failIf(m.i32.eqz(this.get(s.result))),
    ]);
  }

  private lowerScan(s: ir.ScanStmt): Expr {
    const m = this.m;
    const src = this.temp();
    const n = this.temp();
    const i = this.temp();
    const exit = this.label("scanexit");
    const loop = this.label("scan");
    const body = this.lowerBlock(s.block);
    return m.block(exit, [
      m.local.set(src, this.get(s.source)),
      m.local.set(n, this.call("rt_iter_count", [m.local.get(src, i32)])),
      m.local.set(i, m.i32.const(0)),
      m.loop(
        loop,
        m.block(null, [
          m.br(exit, m.i32.ge_u(m.local.get(i, i32), m.local.get(n, i32))),
          this.set(s.key, this.call("rt_iter_key", [m.local.get(src, i32), m.local.get(i, i32)])),
          this.set(s.value, this.call("rt_iter_value", [m.local.get(src, i32), m.local.get(i, i32)])),
          m.local.set(i, m.i32.add(m.local.get(i, i32), m.i32.const(1))),
          body,
          m.br(loop),
        ]),
      ),
    ]);
  }

  private lowerWith(s: ir.WithStmt): Expr {
    const m = this.m;
    const saved = this.temp();
    const ok = this.temp();
    let value = this.operand(s.value);
    if (s.path.length > 0) {
      const path = this.temp();
      const build: Expr[] = [m.local.set(path, this.call("rt_array", [m.i32.const(s.path.length)]))];
      for (const idx of s.path) {
        const seg = this.env.strings[idx];
        if (seg === undefined) throw new Error(`internal: string index ${idx} out of range`);
        build.push(
          this.callVoid("rt_array_append", [m.local.get(path, i32), m.i32.const(this.env.data.stringValue(seg))]),
        );
      }
      value = m.block(
        null,
        [...build, this.call("rt_upsert", [this.get(s.local), m.local.get(path, i32), value, m.i32.const(0)])],
        i32,
      );
    }
    const restore = (): Expr[] => [this.set(s.local, m.local.get(saved, i32)), this.callVoid("rt_memo_pop", [])];
    return m.block(null, [
      m.local.set(saved, this.get(s.local)),
      this.set(s.local, value),
      this.callVoid("rt_memo_push", []),
      m.local.set(ok, m.i32.const(0)),
      this.lowerBlock(s.block, { cleanup: restore }, [m.local.set(ok, m.i32.const(1))]),
      ...restore(),
      this.failIf(m.i32.eqz(m.local.get(ok, i32))),
    ]);
  }
}

function collectLocals(blocks: readonly ir.Block[], out: Set<number>): void {
  const op = (o: ir.Operand) => {
    if (o.type === "local") out.add(o.value);
  };
  for (const block of blocks) {
    for (const s of block.stmts) {
      switch (s.type) {
        case "ReturnLocalStmt":
          out.add(s.source);
          break;
        case "CallStmt":
          s.args.forEach(op);
          out.add(s.result);
          break;
        case "CallDynamicStmt":
          s.path.forEach(op);
          for (const a of s.args) out.add(a);
          out.add(s.result);
          break;
        case "BlockStmt":
          collectLocals(s.blocks, out);
          break;
        case "DotStmt":
          op(s.source);
          op(s.key);
          out.add(s.target);
          break;
        case "LenStmt":
          op(s.source);
          out.add(s.target);
          break;
        case "ScanStmt":
          out.add(s.source);
          out.add(s.key);
          out.add(s.value);
          collectLocals([s.block], out);
          break;
        case "NotStmt":
          collectLocals([s.block], out);
          break;
        case "AssignIntStmt":
        case "ResetLocalStmt":
        case "MakeNullStmt":
        case "MakeNumberIntStmt":
        case "MakeNumberRefStmt":
        case "MakeArrayStmt":
        case "MakeObjectStmt":
        case "MakeSetStmt":
          out.add(s.target);
          break;
        case "AssignVarStmt":
        case "AssignVarOnceStmt":
          op(s.source);
          out.add(s.target);
          break;
        case "EqualStmt":
        case "NotEqualStmt":
          op(s.a);
          op(s.b);
          break;
        case "IsArrayStmt":
        case "IsObjectStmt":
        case "IsSetStmt":
          op(s.source);
          break;
        case "IsDefinedStmt":
        case "IsUndefinedStmt":
          out.add(s.source);
          break;
        case "ArrayAppendStmt":
          op(s.value);
          out.add(s.array);
          break;
        case "ObjectInsertStmt":
        case "ObjectInsertOnceStmt":
          op(s.key);
          op(s.value);
          out.add(s.object);
          break;
        case "ObjectMergeStmt":
          out.add(s.a);
          out.add(s.b);
          out.add(s.target);
          break;
        case "SetAddStmt":
          op(s.value);
          out.add(s.set);
          break;
        case "WithStmt":
          out.add(s.local);
          op(s.value);
          collectLocals([s.block], out);
          break;
        case "ResultSetAddStmt":
          out.add(s.value);
          break;
        case "NopStmt":
        case "CoverStmt":
        case "BreakStmt":
          break;
      }
    }
  }
}
