/**
 * The planner: checked Rego → the IR of `../ir.ts`, following OPA's planner
 * (internal/planner/planner.go). Queries become plans; rule sets become functions taking
 * (input, data, args...); iteration is `ScanStmt`; unification is a mix of `EqualStmt`,
 * `DotStmt` and assignments; comprehensions, negation and `every` are nested blocks;
 * `with` on input/data is `WithStmt`, `with` on functions re-plans the affected rules.
 *
 * Planning is continuation-passing: `planTerm(t, k)` emits the statements that compute `t`
 * and calls `k` with the operand holding its value; anything depending on that value is
 * planned inside `k`, hence inside any scan or block `t` needed.
 */

import { type CheckedQuery, type Program, pathKey, type RuleNode, type RuleSet } from "../check/program.ts";
import { isClosure, isGround, termVars, visitTerms } from "../check/terms.ts";
import type { SourcePos } from "../errors.ts";
import * as ir from "../ir.ts";
import type { Body, Expr, RefTerm, Term } from "../syntax/ast.ts";
import { asBlock, FuncBuilder, type MutableBlock } from "./builder.ts";
import { isRelation, planCall, planCallExpr } from "./calls.ts";
import { PlanContext } from "./context.ts";
import { planRefData } from "./datarefs.ts";
import { planRuleSetFunction } from "./rulesets.ts";
import { planWith } from "./with.ts";

export type Cont = () => void;
export type OpCont = (op: ir.Operand) => void;

export interface PlanOptions {
  /** Rule entrypoints, as paths below data (`["tollgate", "decision"]`), named by `name`. */
  readonly entrypoints: readonly { readonly name: string; readonly path: readonly string[] }[];
  /** Coverage build: mark each of these lines when a rule head or expression on it is evaluated. */
  readonly coverage?: readonly ir.CoverableLine[];
}

/** Plans a checked program: entrypoints first (ids 0..n-1 in order), then the queries. */
export function planProgram(program: Program, options: PlanOptions): ir.Policy {
  const p = new Planner(program, options.coverage);
  for (const ep of options.entrypoints) p.planEntrypoint(ep.name, ep.path);
  for (const q of program.queries) p.planQuery(q);
  return p.finish();
}

export class Planner {
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly files: string[] = [];
  private readonly fileIndex = new Map<string, number>();
  private readonly builtins = new Set<string>();
  private readonly plans: ir.Plan[] = [];
  private readonly funcs: ir.Func[] = [];
  /** (context key, path) → function name. */
  private readonly funcCache = new Map<string, string>();
  private funcCounter = 0;
  private freshVars = 0;

  /** State of the function being planned (a stack: rule functions are planned on demand). */
  fb!: FuncBuilder;
  /** Identity of the current function, for value mocks. */
  funcId = 0;
  private nextFuncId = 1;
  ctx: PlanContext = PlanContext.EMPTY;
  loc: SourcePos | undefined;

  /** `file:line` → index in `coverage` (coverage builds only). */
  private readonly coverIndex: Map<string, number> | undefined;

  constructor(
    readonly program: Program,
    private readonly coverage?: readonly ir.CoverableLine[],
  ) {
    this.coverIndex = coverage && new Map(coverage.map((c, i) => [`${c.file}:${c.line}`, i]));
  }

  finish(): ir.Policy {
    const builtinFuncs = [...this.builtins].sort().map((name) => ({ name }));
    return {
      static: { strings: this.strings, builtinFuncs, files: this.files },
      plans: this.plans,
      funcs: this.funcs,
      ...(this.coverage ? { coverage: this.coverage } : {}),
    };
  }

  /** Coverage builds: marks the line of `loc` as evaluated when control gets here. */
  cover(loc: SourcePos | undefined): void {
    const index = loc && this.coverIndex?.get(`${loc.file}:${loc.line}`);
    if (index !== undefined) this.emit({ type: "CoverStmt", index });
  }

  // ---- constants and statements ----

  str(s: string): number {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    return i;
  }

  strOp(s: string): ir.Operand {
    return ir.stringIndex(this.str(s));
  }

  private irLoc(): ir.Location | undefined {
    const l = this.loc;
    if (!l) return undefined;
    let f = this.fileIndex.get(l.file);
    if (f === undefined) {
      f = this.files.length;
      this.files.push(l.file);
      this.fileIndex.set(l.file, f);
    }
    return { file: f, row: l.line, col: l.col };
  }

  /** Appends a statement (with the current source location) to the current block. */
  emit(stmt: ir.Stmt): void {
    const loc = this.irLoc();
    this.fb.append(loc ? ({ ...stmt, loc } as ir.Stmt) : stmt);
  }

  newLocal(): ir.Local {
    return this.fb.newLocal();
  }

  /** A local holding the operand's value (operands that are constants are copied). */
  toLocal(op: ir.Operand): ir.Local {
    if (op.type === "local") return op.value;
    const l = this.newLocal();
    this.emit({ type: "AssignVarStmt", source: op, target: l });
    return l;
  }

  useBuiltin(name: string): void {
    this.builtins.add(name);
  }

  /** Runs `f` with a fresh function builder (locals from `firstFree` on), then restores the previous one. */
  withFunction(firstFree: ir.Local, f: Cont): void {
    const saved = { fb: this.fb, loc: this.loc, funcId: this.funcId };
    this.funcId = this.nextFuncId++;
    this.fb = new FuncBuilder(firstFree, { stmts: [] });
    try {
      f();
    } finally {
      this.fb = saved.fb;
      this.loc = saved.loc;
      this.funcId = saved.funcId;
    }
  }

  /** A top-level block of the current function, planned by `f`. */
  topBlock(f: Cont): MutableBlock {
    return this.fb.inBlock(f);
  }

  // ---- plans ----

  planEntrypoint(name: string, path: readonly string[]): void {
    const blocks: MutableBlock[] = [];
    this.withFunction(2, () => {
      this.fb.vars.put("input", ir.INPUT);
      this.fb.vars.put("data", ir.DATA);
      const pos: SourcePos = { file: "<entrypoint>", line: 1, col: 1 };
      const ref: RefTerm = {
        type: "ref",
        terms: [
          { type: "var", name: "data", loc: pos },
          ...path.map((s) => ({ type: "string", value: s, loc: pos }) as const),
        ],
        loc: pos,
      };
      blocks.push(
        this.topBlock(() => {
          this.planTerm(ref, (value) => {
            const row = this.newLocal();
            this.emit({ type: "MakeObjectStmt", target: row });
            this.emit({ type: "ObjectInsertStmt", key: this.strOp("result"), value, object: row });
            this.emit({ type: "ResultSetAddStmt", value: row });
          });
        }),
      );
    });
    this.plans.push({ name, blocks: blocks.map(asBlock) });
  }

  planQuery(q: CheckedQuery): void {
    const blocks: MutableBlock[] = [];
    this.withFunction(2, () => {
      this.fb.vars.put("input", ir.INPUT);
      this.fb.vars.put("data", ir.DATA);
      this.loc = q.loc;
      blocks.push(
        this.topBlock(() => {
          this.planBody(q.body, () => {
            const row = this.newLocal();
            this.emit({ type: "MakeObjectStmt", target: row });
            for (const [local, name] of q.resultVars) {
              const l = this.fb.vars.get(local);
              if (l === undefined) continue;
              this.emit({ type: "ObjectInsertStmt", key: this.strOp(name), value: ir.local(l), object: row });
            }
            this.emit({ type: "ResultSetAddStmt", value: row });
          });
        }),
      );
    });
    this.plans.push({ name: q.name, blocks: blocks.map(asBlock) });
  }

  // ---- functions ----

  /** The function computing a rule set in the current context (planned on first use). */
  ruleSetFunction(set: RuleSet, node: RuleNode): string {
    const key = `${this.ctx.key}|${pathKey(set.path)}`;
    const cached = this.funcCache.get(key);
    if (cached) return cached;
    const name = `g${this.funcCounter++}.data.${set.path.join(".")}`;
    this.funcCache.set(key, name);
    const savedCtx = this.ctx;
    try {
      this.funcs.push(planRuleSetFunction(this, set, node, name));
    } finally {
      this.ctx = savedCtx;
    }
    return name;
  }

  /**
   * Calls a rule function of arity 0 and returns the local holding its result (the calling
   * statements fail when it is undefined). Within one function, input and data are the same
   * values at every call site not under a `with`, so the result is computed once there and
   * reused: `action` read by five `reasons` rules is evaluated once per call of `reasons`.
   */
  callRule(fname: string): ir.Local {
    if (this.fb.docsReplaced) {
      const result = this.newLocal();
      this.emit({
        type: "CallStmt",
        func: fname,
        args: [ir.local(this.inputLocal()), ir.local(this.dataLocal())],
        result,
      });
      return result;
    }
    let entry = this.fb.ruleResults.get(fname);
    if (!entry) {
      entry = { called: this.newLocal(), result: this.newLocal() };
      this.fb.ruleResults.set(fname, entry);
    }
    const first = this.fb.inBlock(() => {
      this.emit({ type: "IsUndefinedStmt", source: entry.called });
      this.emit({ type: "AssignVarStmt", source: ir.bool(true), target: entry.called });
      this.emit({
        type: "CallStmt",
        func: fname,
        args: [ir.local(this.inputLocal()), ir.local(this.dataLocal())],
        result: entry.result,
      });
    });
    this.emit({ type: "BlockStmt", blocks: [asBlock(first)] });
    this.emit({ type: "IsDefinedStmt", source: entry.result });
    return entry.result;
  }

  /** A variable no source can name, that binds whatever it is unified with. */
  freshVar(loc: SourcePos): Term {
    return { type: "var", name: `$planner${this.freshVars++}`, loc };
  }

  nodeAt(path: readonly string[]): RuleNode | undefined {
    let n: RuleNode | undefined = this.program.root;
    for (const p of path) {
      n = n.children.get(p);
      if (!n) return undefined;
    }
    return n;
  }

  /** The rule set at a node if visible in the current context. */
  visibleRuleSet(node: RuleNode | undefined): RuleSet | undefined {
    const set = node?.ruleSet;
    if (!set || this.ctx.hides(set.path)) return undefined;
    return set;
  }

  inputLocal(): ir.Local {
    return this.fb.vars.get("input")!;
  }

  dataLocal(): ir.Local {
    return this.fb.vars.get("data")!;
  }

  // ---- bodies and expressions ----

  planBody(body: Body, k: Cont, index = 0): void {
    if (index >= body.length) {
      k();
      return;
    }
    const e = body[index]!;
    const saved = this.loc;
    this.loc = e.loc;
    this.cover(e.loc);
    this.planExpr(e, () => {
      const inner = this.loc;
      this.loc = saved;
      this.planBody(body, k, index + 1);
      this.loc = inner;
    });
    this.loc = saved;
  }

  planExpr(e: Expr, k: Cont): void {
    if (e.negated) {
      this.planNot(e, k);
      return;
    }
    if (e.with.length > 0) {
      planWith(this, e, k);
      return;
    }
    const kind = e.kind;
    switch (kind.type) {
      case "term":
        if (kind.term.type === "boolean") {
          // `true` needs no code; `false` makes the rest of the body unreachable.
          if (kind.term.value) k();
          return;
        }
        if (kind.term.type === "call") planCallExpr(this, kind.term, k);
        else
          this.planTerm(kind.term, (op) => {
            this.emit({ type: "NotEqualStmt", a: op, b: ir.bool(false) });
            k();
          });
        return;
      case "unify":
        this.planUnify(kind.lhs, kind.rhs, k);
        return;
      case "every":
        this.planEvery(kind, k);
        return;
      case "logical":
        this.planLogical(kind, k);
        return;
      default:
        throw new Error(`planner: unexpected ${kind.type} expression (rewritten by the checker)`);
    }
  }

  private planNot(e: Expr, k: Cont): void {
    const found = this.planExists((onSolution) => this.planExpr({ ...e, negated: false }, onSolution));
    this.emit({ type: "IsUndefinedStmt", source: found });
    k();
  }

  /**
   * Plans `body` (which calls its continuation once per solution) and returns a local that is
   * defined iff there was a solution. A `NotStmt` is not enough on its own: a body with
   * alternatives (blocks for virtual and base documents) can succeed in one block and then fail
   * in the next, and only reaching the end of the not-block counts.
   */
  private planExists(body: (onSolution: Cont) => void): ir.Local {
    const found = this.newLocal();
    this.emit({ type: "ResetLocalStmt", target: found });
    const block = this.fb.inBlock(() => {
      this.fb.vars.scoped(() => body(() => this.emit({ type: "AssignVarStmt", source: ir.bool(true), target: found })));
    });
    this.emit({ type: "BlockStmt", blocks: [asBlock(block)] });
    return found;
  }

  /**
   * `and`: each operand in turn must have a solution; `or`: the first operand with a solution
   * decides, later ones are not evaluated. Operand bindings stay inside the operand.
   */
  private planLogical(kind: Extract<Expr["kind"], { type: "logical" }>, k: Cont): void {
    if (kind.op === "and") {
      for (const body of kind.operands) {
        const holds = this.planExists((onSolution) => this.planBody(body, onSolution));
        this.emit({ type: "IsDefinedStmt", source: holds });
      }
      k();
      return;
    }
    const found = this.newLocal();
    this.emit({ type: "ResetLocalStmt", target: found });
    for (const body of kind.operands) {
      const block = this.fb.inBlock(() => {
        this.emit({ type: "IsUndefinedStmt", source: found });
        this.fb.vars.scoped(() =>
          this.planBody(body, () => this.emit({ type: "AssignVarStmt", source: ir.bool(true), target: found })),
        );
      });
      this.emit({ type: "BlockStmt", blocks: [asBlock(block)] });
    }
    this.emit({ type: "IsDefinedStmt", source: found });
    k();
  }

  private planEvery(kind: Extract<Expr["kind"], { type: "every" }>, k: Cont): void {
    this.planTerm(kind.domain, (domainOp) => {
      const domain = this.toLocal(domainOp);
      // Only collections can be quantified over: `every x in 42 { ... }` is undefined.
      const isCollection = this.newLocal();
      this.emit({ type: "ResetLocalStmt", target: isCollection });
      const checks = (["IsArrayStmt", "IsObjectStmt", "IsSetStmt"] as const).map((type) =>
        this.fb.inBlock(() => {
          this.emit({ type, source: ir.local(domain) });
          this.emit({ type: "AssignVarStmt", source: ir.bool(true), target: isCollection });
        }),
      );
      this.emit({ type: "BlockStmt", blocks: checks.map(asBlock) });
      this.emit({ type: "IsDefinedStmt", source: isCollection });
      const counterexample = this.newLocal();
      this.emit({ type: "ResetLocalStmt", target: counterexample });
      const key = this.newLocal();
      const value = this.newLocal();
      const scanBlock = this.fb.inBlock(() => {
        this.fb.vars.scoped(() => {
          if (kind.key) this.fb.vars.put(kind.key.name, key);
          this.fb.vars.put(kind.value.name, value);
          const holds = this.planExists((onSolution) => this.planBody(kind.body, onSolution));
          this.emit({ type: "IsUndefinedStmt", source: holds });
          this.emit({ type: "AssignVarStmt", source: ir.bool(true), target: counterexample });
        });
      });
      this.emit({ type: "ScanStmt", source: domain, key, value, block: asBlock(scanBlock) });
      this.emit({ type: "IsUndefinedStmt", source: counterexample });
      k();
    });
  }

  // ---- terms ----

  /**
   * Plans the terms and passes their operands in order. Terms that iterate over a variable not yet
   * bound (`xs[foo]`) are planned first, so that in `foo == xs[foo]` the reference binds `foo`
   * before the other argument reads it (as OPA, whose arguments bind in any order).
   */
  planTermList(terms: readonly Term[], k: (ops: ir.Operand[]) => void): void {
    const order = terms.map((_, i) => i);
    const binders = new Set(order.filter((i) => this.iteratesUnbound(terms[i]!)));
    if (binders.size > 0 && binders.size < terms.length) {
      order.sort((a, b) => Number(binders.has(b)) - Number(binders.has(a)) || a - b);
    }
    const ops: ir.Operand[] = new Array(terms.length);
    const next = (n: number): void => {
      if (n >= order.length) {
        k([...ops]); // a copy: a continuation may run again for another alternative
        return;
      }
      const i = order[n]!;
      this.planTerm(terms[i]!, (op) => {
        ops[i] = op;
        next(n + 1);
      });
    };
    next(0);
  }

  /** A reference in `t` (outside closures) has an operand with a variable not bound yet. */
  private iteratesUnbound(t: Term): boolean {
    let found = false;
    visitTerms(t, (x) => {
      if (found || isClosure(x)) return false;
      if (x.type === "ref") {
        for (const op of x.terms.slice(1)) {
          if ([...termVars(op)].some((v) => this.fb.vars.get(v) === undefined)) found = true;
        }
      }
      return !found;
    });
    return found;
  }

  planTerm(t: Term, k: OpCont): void {
    switch (t.type) {
      case "null": {
        const l = this.newLocal();
        this.emit({ type: "MakeNullStmt", target: l });
        k(ir.local(l));
        return;
      }
      case "boolean":
        k(ir.bool(t.value));
        return;
      case "number":
        k(ir.local(this.makeNumber(t.text)));
        return;
      case "string":
        k(this.strOp(t.value));
        return;
      case "var": {
        let l = this.fb.vars.get(t.name);
        if (l === undefined) {
          // Unbound (only in positions where undefined is the right answer).
          l = this.newLocal();
        }
        k(ir.local(l));
        return;
      }
      case "ref":
        this.planRef(t, (op) => k(op));
        return;
      case "array": {
        const arr = this.newLocal();
        this.emit({ type: "MakeArrayStmt", capacity: t.items.length, target: arr });
        const rec = (i: number): void => {
          if (i >= t.items.length) {
            k(ir.local(arr));
            return;
          }
          this.planTerm(t.items[i]!, (op) => {
            this.emit({ type: "ArrayAppendStmt", value: op, array: arr });
            rec(i + 1);
          });
        };
        rec(0);
        return;
      }
      case "object": {
        const obj = this.newLocal();
        this.emit({ type: "MakeObjectStmt", target: obj });
        const rec = (i: number): void => {
          if (i >= t.entries.length) {
            k(ir.local(obj));
            return;
          }
          const [key, value] = t.entries[i]!;
          this.planTerm(key, (kop) =>
            this.planTerm(value, (vop) => {
              this.emit({ type: "ObjectInsertStmt", key: kop, value: vop, object: obj });
              rec(i + 1);
            }),
          );
        };
        rec(0);
        return;
      }
      case "set": {
        const set = this.newLocal();
        this.emit({ type: "MakeSetStmt", target: set });
        const rec = (i: number): void => {
          if (i >= t.items.length) {
            k(ir.local(set));
            return;
          }
          this.planTerm(t.items[i]!, (op) => {
            this.emit({ type: "SetAddStmt", value: op, set });
            rec(i + 1);
          });
        };
        rec(0);
        return;
      }
      case "call":
        planCall(this, t.name, t.args, (result) => {
          // A relation used as a value (`[path, v] := walk(x)`) has one value per solution.
          if (isRelation(this, t.name))
            this.planScan(result, this.freshVar(t.loc), (_key, value) => k(ir.local(value)));
          else k(ir.local(result));
        });
        return;
      case "arraycompr":
      case "setcompr":
      case "objectcompr":
        this.planComprehension(t, k);
        return;
    }
  }

  makeNumber(text: string): ir.Local {
    const l = this.newLocal();
    const n = Number(text);
    if (/^-?(0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(n)) {
      this.emit({ type: "MakeNumberIntStmt", value: n, target: l });
    } else {
      this.emit({ type: "MakeNumberRefStmt", index: this.str(text), target: l });
    }
    return l;
  }

  private planComprehension(t: Extract<Term, { type: "arraycompr" | "setcompr" | "objectcompr" }>, k: OpCont): void {
    const target = this.newLocal();
    if (t.type === "arraycompr") this.emit({ type: "MakeArrayStmt", capacity: 0, target });
    else if (t.type === "setcompr") this.emit({ type: "MakeSetStmt", target });
    else this.emit({ type: "MakeObjectStmt", target });
    const saved = this.loc;
    const block = this.fb.inBlock(() => {
      this.fb.vars.scoped(() => {
        this.planBody(t.body, () => {
          if (t.type === "objectcompr") {
            this.planTerm(t.key, (key) =>
              this.planTerm(t.value, (value) => {
                this.emit({ type: "ObjectInsertOnceStmt", key, value, object: target });
              }),
            );
          } else {
            this.planTerm(t.term, (value) => {
              if (t.type === "arraycompr") this.emit({ type: "ArrayAppendStmt", value, array: target });
              else this.emit({ type: "SetAddStmt", value, set: target });
            });
          }
        });
      });
    });
    this.loc = saved;
    this.emit({ type: "BlockStmt", blocks: [asBlock(block)] });
    k(ir.local(target));
  }

  // ---- unification ----

  planUnify(a: Term, b: Term, k: Cont): void {
    switch (a.type) {
      case "var":
        this.planUnifyVar(a.name, b, k);
        return;
      case "array":
        if (b.type === "var") this.planUnifyVar(b.name, a, k);
        else if (b.type === "array") {
          if (a.items.length !== b.items.length) return;
          const rec = (i: number): void => {
            if (i >= a.items.length) k();
            else this.planUnify(a.items[i]!, b.items[i]!, () => rec(i + 1));
          };
          rec(0);
        } else this.planTerm(b, (op) => this.planUnifyLocal(op, a, k));
        return;
      case "object":
        if (b.type === "var") this.planUnifyVar(b.name, a, k);
        else if (b.type === "object") this.planUnifyObjects(a, b, k);
        else this.planTerm(b, (op) => this.planUnifyLocal(op, a, k));
        return;
      default:
        this.planTerm(a, (op) => this.planUnifyLocal(op, b, k));
    }
  }

  private planUnifyObjects(a: Extract<Term, { type: "object" }>, b: Extract<Term, { type: "object" }>, k: Cont): void {
    if (a.entries.length !== b.entries.length) return;
    const groundKeys = (o: typeof a) => o.entries.every(([key]) => isGround(key));
    if (groundKeys(a) && groundKeys(b)) {
      const pairs: [Term, Term][] = [];
      for (const [ka, va] of a.entries) {
        const match = b.entries.find(([kb]) => sameConstant(ka, kb));
        if (!match) return;
        pairs.push([va, match[1]]);
      }
      const rec = (i: number): void => {
        if (i >= pairs.length) k();
        else this.planUnify(pairs[i]![0], pairs[i]![1], () => rec(i + 1));
      };
      rec(0);
      return;
    }
    // keys computed at run time: build the side that is fully bound, match the other against it
    const [built, pattern] = this.hasUnboundVars(b) && !this.hasUnboundVars(a) ? [a, b] : [b, a];
    this.planTerm(built, (op) => this.planUnifyLocal(op, pattern, k));
  }

  private planUnifyVar(name: string, b: Term, k: Cont): void {
    const bound = this.fb.vars.get(name);
    if (bound !== undefined) {
      this.planUnifyLocal(ir.local(bound), b, k);
      return;
    }
    if (b.type === "var" && this.fb.vars.get(b.name) === undefined) {
      // Both unbound: cannot happen after safety checks; treat as undefined.
      return;
    }
    this.planTerm(b, (op) => {
      const l = this.newLocal();
      this.emit({ type: "AssignVarStmt", source: op, target: l });
      this.fb.vars.put(name, l);
      k();
    });
  }

  /** Unifies a computed value with a term (which may bind variables). */
  planUnifyLocal(a: ir.Operand, b: Term, k: Cont): void {
    switch (b.type) {
      case "var": {
        const bound = this.fb.vars.get(b.name);
        if (bound !== undefined) {
          this.emit({ type: "EqualStmt", a, b: ir.local(bound) });
          k();
          return;
        }
        const l = this.newLocal();
        this.emit({ type: "AssignVarStmt", source: a, target: l });
        this.fb.vars.put(b.name, l);
        k();
        return;
      }
      case "array": {
        this.emit({ type: "IsArrayStmt", source: a });
        this.emitLengthCheck(a, b.items.length);
        const rec = (i: number): void => {
          if (i >= b.items.length) {
            k();
            return;
          }
          const key = this.newLocal();
          const value = this.newLocal();
          this.emit({ type: "MakeNumberIntStmt", value: i, target: key });
          this.emit({ type: "DotStmt", source: a, key: ir.local(key), target: value });
          this.planUnifyLocal(ir.local(value), b.items[i]!, () => rec(i + 1));
        };
        rec(0);
        return;
      }
      case "object": {
        this.emit({ type: "IsObjectStmt", source: a });
        this.emitLengthCheck(a, b.entries.length);
        const rec = (i: number): void => {
          if (i >= b.entries.length) {
            k();
            return;
          }
          const [key, value] = b.entries[i]!;
          this.planTerm(key, (kop) => {
            const v = this.newLocal();
            this.emit({ type: "DotStmt", source: a, key: kop, target: v });
            this.planUnifyLocal(ir.local(v), value, () => rec(i + 1));
          });
        };
        rec(0);
        return;
      }
      default:
        this.planTerm(b, (op) => {
          this.emit({ type: "EqualStmt", a, b: op });
          k();
        });
    }
  }

  private emitLengthCheck(a: ir.Operand, n: number): void {
    const len = this.newLocal();
    const want = this.newLocal();
    this.emit({ type: "LenStmt", source: a, target: len });
    this.emit({ type: "MakeNumberIntStmt", value: n, target: want });
    this.emit({ type: "EqualStmt", a: ir.local(len), b: ir.local(want) });
  }

  // ---- references ----

  planRef(r: RefTerm, k: OpCont): void {
    const head = r.terms[0]!;
    if (head.type === "var") {
      if (head.name === "data") {
        planRefData(this, r.terms, k);
        return;
      }
      const l = this.fb.vars.get(head.name);
      if (l === undefined) throw new Error(`planner: unbound reference head ${head.name}`);
      // `input` is the only document that may be undefined; a bare reference to it must fail then.
      if (head.name === "input" && r.terms.length === 1) this.emit({ type: "IsDefinedStmt", source: l });
      this.planRefRec(ir.local(l), r.terms, 1, k);
      return;
    }
    this.planTerm(head, (op) => this.planRefRec(op, r.terms, 1, k));
  }

  /** Applies `terms[i..]` to a value: dots for bound operands, scans for unbound ones. */
  /** `baseData`: the ref reads base documents (see `baseDataKey`). */
  planRefRec(source: ir.Operand, terms: readonly Term[], i: number, k: OpCont, baseData = false): void {
    if (i >= terms.length) {
      k(source);
      return;
    }
    const op = terms[i]!;
    if (!this.hasUnboundVars(op)) {
      this.planTerm(op, (key) => {
        const target = this.newLocal();
        this.emit({ type: "DotStmt", source, key: baseData ? this.baseDataKey(source, op, key) : key, target });
        this.planRefRec(ir.local(target), terms, i + 1, k, baseData);
      });
      return;
    }
    this.planScan(this.toLocal(source), op, (_key, value) =>
      this.planRefRec(ir.local(value), terms, i + 1, k, baseData),
    );
  }

  /**
   * The key to read a base document with. As OPA reads storage paths, a literal integer key of a
   * data ref names an object's member by its decimal text (`data.nested[2]` finds `{"2": ...}`),
   * and still indexes an array.
   */
  baseDataKey(source: ir.Operand, op: Term, key: ir.Operand): ir.Operand {
    if (op.type !== "number" || !/^-?\d+$/.test(op.text)) return key;
    const chosen = this.newLocal();
    this.emit({ type: "AssignVarStmt", source: key, target: chosen });
    const asText = this.fb.inBlock(() => {
      this.emit({ type: "IsObjectStmt", source });
      this.emit({ type: "AssignVarStmt", source: this.strOp(op.text), target: chosen });
    });
    this.emit({ type: "BlockStmt", blocks: [asBlock(asText)] });
    return ir.local(chosen);
  }

  /** Iterates a collection, unifying each key with `keyTerm`. */
  planScan(source: ir.Local, keyTerm: Term, k: (key: ir.Local, value: ir.Local) => void): void {
    const key = this.newLocal();
    const value = this.newLocal();
    const block = this.fb.inBlock(() => {
      this.fb.vars.scoped(() => this.planUnifyLocal(ir.local(key), keyTerm, () => k(key, value)));
    });
    this.emit({ type: "ScanStmt", source, key, value, block: asBlock(block) });
  }

  /** Iterates the values of a collection, unifying each with `valueTerm`. */
  planScanValues(source: ir.Local, valueTerm: Term, k: Cont): void {
    const key = this.newLocal();
    const value = this.newLocal();
    const block = this.fb.inBlock(() => {
      this.fb.vars.scoped(() => this.planUnifyLocal(ir.local(value), valueTerm, k));
    });
    this.emit({ type: "ScanStmt", source, key, value, block: asBlock(block) });
  }

  hasUnboundVars(t: Term): boolean {
    let unbound = false;
    const visit = (x: Term): void => {
      if (unbound) return;
      switch (x.type) {
        case "var":
          if (this.fb.vars.get(x.name) === undefined) unbound = true;
          return;
        case "ref":
          for (const y of x.terms) visit(y);
          return;
        case "array":
        case "set":
          for (const y of x.items) visit(y);
          return;
        case "object":
          for (const [a, b] of x.entries) {
            visit(a);
            visit(b);
          }
          return;
        case "call":
          for (const y of x.args) visit(y);
          return;
        default:
          return;
      }
    };
    visit(t);
    return unbound;
  }
}

function sameConstant(a: Term, b: Term): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "string" && b.type === "string") return a.value === b.value;
  if (a.type === "number" && b.type === "number") return Number(a.text) === Number(b.text);
  if (a.type === "boolean" && b.type === "boolean") return a.value === b.value;
  return a.type === "null";
}
