/**
 * The planner IR: the contract between the Rego frontend (parser, checker, planner) and the Wasm
 * backend (codegen on top of the runtime).
 *
 * Modelled on OPA's own planner IR (internal/ir): a policy is a static table of strings, the
 * builtins it calls, a list of plans (one per entrypoint) and a list of functions (one per rule
 * set or user function). Code is blocks of statements over numbered locals. Everything here is
 * plain data (JSON-serialisable) so that IR can be printed, compared and written by hand in tests.
 *
 * ## Execution model
 * - A *local* holds a value or is *undefined*. Every local of a plan or function starts undefined;
 *   function parameters start as the arguments passed.
 * - A *block* runs its statements in order. A statement that *fails* (its doc comment says when:
 *   "fails" = the statement is undefined) exits the innermost enclosing block immediately; what
 *   happens then is decided by the owner of that block (see below). A block that runs to its end
 *   has *completed*.
 * - Owners of blocks, and what exiting (by failure or `BreakStmt`) versus completing means:
 *   - a Plan's or Func's top-level block: either way, the next top-level block runs;
 *   - one of a `BlockStmt`'s blocks: either way, the next block of that BlockStmt runs; after the
 *     last one execution continues after the BlockStmt (a BlockStmt itself never fails);
 *   - a `ScanStmt`'s block (one iteration): either way, the next iteration starts; after the last
 *     iteration execution continues after the ScanStmt (a ScanStmt never fails);
 *   - a `NotStmt`'s block: completing makes the NotStmt fail; exiting makes it succeed;
 *   - a `WithStmt`'s block: completing makes the WithStmt succeed; exiting makes it fail.
 * - `BreakStmt{index}` exits `index + 1` blocks outward: index 0 exits the block that contains the
 *   break (exactly like a failing statement), index 1 also exits the block enclosing that one,
 *   and so on. Every `Block` counts as one level, whatever owns it (BlockStmt, ScanStmt, NotStmt,
 *   WithStmt, Plan, Func). The owner of the outermost block exited then acts as for an exit
 *   (e.g. breaking out of a ScanStmt's block with index 1 from a block nested directly inside the
 *   scan body abandons the current iteration only; breaking out of a WithStmt's block fails it).
 *   A break must not leave the Plan/Func top-level block it is in.
 *
 * ## Plans (entrypoints)
 * - Local 0 is `input` (undefined when the caller gave no input), local 1 is `data`.
 * - The plan's blocks run in order; rows are added with `ResultSetAdd`. The plan's result is the
 *   set of rows added (duplicates collapse), dumped by the ABI as a JSON array. For a rule
 *   entrypoint the frontend adds `{"result": value}` rows; for ad-hoc queries one object of
 *   variable bindings per solution. No row added = `[]` (undefined).
 * - `ReturnLocalStmt` is not allowed in plans.
 *
 * ## Functions
 * - `params` are the locals that receive the arguments, in order. By convention (as in OPA) the
 *   first two parameters are the input and data documents; user-function arguments follow.
 * - The blocks run in order; `ReturnLocalStmt` returns the value of a local (which may be
 *   undefined). Running off the end of the last block returns undefined.
 * - A call whose result is undefined makes the calling `CallStmt` fail.
 * - Functions must not recurse (the checker rejects recursion); the codegen may rely on this.
 *
 * ## Builtins
 * `CallStmt.func` names either a `Func` (by its `name`) or a builtin by its Rego name (`plus`,
 * `count`, `object.get`, `sprintf`, ...). Every builtin called must be listed in
 * `static.builtinFuncs`. The codegen runs a builtin natively when the runtime implements it and
 * otherwise declares it in the module's `builtins()` table and calls the host through
 * `opa_builtinN` (at most 4 arguments). A builtin returning undefined makes the CallStmt fail.
 * Builtin errors (type errors, divide by zero, ...) abort evaluation with OPA's message.
 * Relational builtins (e.g. `walk`) return the collection of their solutions; the planner scans it.
 *
 * ## Runtime errors
 * Conflicts and builtin errors abort evaluation through `opa_abort`; the SDK throws the message
 * (ASCII) as a string: `<file>:<row>:<col>: eval_conflict_error: complete rules must not produce
 * multiple outputs`, or `eval_type_error: plus: operand 2 must be number but got string`, ...
 */

/** A plan- or function-scoped variable, numbered from 0. */
export type Local = number;

/** Local 0 of every plan: the input document. */
export const INPUT: Local = 0;
/** Local 1 of every plan: the data document. */
export const DATA: Local = 1;

/** An operand: a local, a boolean constant, or a string constant (index into `static.strings`). */
export type Operand =
  | { readonly type: "local"; readonly value: Local }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string_index"; readonly value: number };

export function local(value: Local): Operand {
  return { type: "local", value };
}
export function bool(value: boolean): Operand {
  return { type: "bool", value };
}
export function stringIndex(value: number): Operand {
  return { type: "string_index", value };
}

/** Source position a statement came from; `file` indexes `static.files`. Rows and columns are 1-based. */
export interface Location {
  readonly file: number;
  readonly row: number;
  readonly col: number;
}

export interface Policy {
  readonly static: Static;
  /** One plan per entrypoint; a plan's index is its entrypoint id in the module. */
  readonly plans: Plan[];
  readonly funcs: Func[];
  /** Coverage builds: the source lines `CoverStmt` indexes (every rule head and expression). */
  readonly coverage?: readonly CoverableLine[];
}

/** A rule head or expression: the lines from `line` to `lastLine` (default: `line`). */
export interface CoverableLine {
  readonly file: string;
  readonly line: number;
  readonly lastLine?: number;
  /** Counted only when evaluated (declarations: `some x in xs`), never as not covered. */
  readonly onlyIfHit?: boolean;
}

export interface Static {
  /** String constants: string operands, number literals (`MakeNumberRefStmt`), `WithStmt` paths, ... */
  readonly strings: string[];
  /** Every builtin named by a `CallStmt`, sorted by name for deterministic output. */
  readonly builtinFuncs: BuiltinFunc[];
  /** File names used by statement locations (for error messages). */
  readonly files: string[];
}

export interface BuiltinFunc {
  /** Rego name, e.g. `count`, `object.get`, `time.now_ns`. */
  readonly name: string;
}

export interface Plan {
  /** Entrypoint name as the SDK sees it, e.g. `tollgate/decision`. */
  readonly name: string;
  readonly blocks: Block[];
}

export interface Func {
  /** Unique name, e.g. `g0.data.tollgate.decision`. */
  readonly name: string;
  readonly params: Local[];
  readonly return: Local;
  readonly blocks: Block[];
  /**
   * Optional: the data path of the rule set this function computes (e.g. `["g0", "tollgate",
   * "decision"]` as in OPA), for `CallDynamicStmt` lookups. Functions with a path take exactly the
   * two parameters input and data.
   */
  readonly path?: string[];
  /**
   * Set by the planner on rule functions (params exactly [input, data]) whose result depends only
   * on those two arguments. The codegen may then compute the result once per evaluation and reuse
   * it for later calls made with the *same* input and data values the evaluation started with
   * (compare addresses: a `with` makes copies, so calls under a `with` never hit the cache).
   * An undefined result may be cached too. Purely an optimisation: ignoring it is correct.
   */
  readonly memoize?: boolean;
}

export interface Block {
  readonly stmts: Stmt[];
}

interface StmtBase {
  readonly loc?: Location;
}

/** Returns the value of `source` (possibly undefined) from the enclosing function. Funcs only. */
export interface ReturnLocalStmt extends StmtBase {
  readonly type: "ReturnLocalStmt";
  readonly source: Local;
}

/**
 * `result = func(args...)`, calling a `Func` by name or a builtin by Rego name (see "Builtins").
 * Fails if the result is undefined.
 */
export interface CallStmt extends StmtBase {
  readonly type: "CallStmt";
  readonly func: string;
  readonly args: Operand[];
  readonly result: Local;
}

/**
 * Calls the `Func` whose `path` equals the values of `path` (strings), passing `args` (input,
 * data). Fails if no function has that path, or if the function returns undefined.
 */
export interface CallDynamicStmt extends StmtBase {
  readonly type: "CallDynamicStmt";
  readonly path: Operand[];
  readonly args: Local[];
  readonly result: Local;
}

/** Runs each block in order (see the execution model); never fails itself. */
export interface BlockStmt extends StmtBase {
  readonly type: "BlockStmt";
  readonly blocks: Block[];
}

/** Exits `index + 1` enclosing blocks (index 0 = the block containing this statement). */
export interface BreakStmt extends StmtBase {
  readonly type: "BreakStmt";
  readonly index: number;
}

/**
 * `target = source[key]`: object member by key, array element by integer index (a number equal
 * to an integer, e.g. 1 or 1.0), set element if the set contains `key` (target = that element).
 * Fails if the key is absent, or `source` is a scalar, a string, or undefined.
 */
export interface DotStmt extends StmtBase {
  readonly type: "DotStmt";
  readonly source: Operand;
  readonly key: Operand;
  readonly target: Local;
}

/** `target = count(source)` as a number: elements of an array/set, keys of an object, code points of a string; 0 for other values. Never fails. */
export interface LenStmt extends StmtBase {
  readonly type: "LenStmt";
  readonly source: Operand;
  readonly target: Local;
}

/**
 * Runs `block` once per element of `source`, with `key`/`value` set to: array index (number) and
 * element; object key and value (keys in Rego order); set element and the same element. Scalars
 * and undefined give no iteration. Iteration order is the deterministic value order. The
 * collection is not modified by the body. Never fails.
 */
export interface ScanStmt extends StmtBase {
  readonly type: "ScanStmt";
  readonly source: Local;
  readonly key: Local;
  readonly value: Local;
  readonly block: Block;
}

/** Fails if `block` completes; succeeds if `block` is exited (its body was undefined). */
export interface NotStmt extends StmtBase {
  readonly type: "NotStmt";
  readonly block: Block;
}

/** `target = value` as a new number (no aliasing: other locals holding a number are unaffected). */
export interface AssignIntStmt extends StmtBase {
  readonly type: "AssignIntStmt";
  readonly value: number;
  readonly target: Local;
}

/** `target = source`. If `source` is an undefined local, `target` becomes undefined. Never fails. */
export interface AssignVarStmt extends StmtBase {
  readonly type: "AssignVarStmt";
  readonly source: Operand;
  readonly target: Local;
}

/**
 * `target = source` if `target` is undefined or already equal to `source`; otherwise evaluation
 * aborts with a conflict error: `eval_conflict_error: rule data.a.p produced conflicting values`
 * (or, with `conflict: "function"`, `function data.a.f produced conflicting values for the same
 * inputs`), prefixed by the statement's location.
 */
export interface AssignVarOnceStmt extends StmtBase {
  readonly type: "AssignVarOnceStmt";
  readonly source: Operand;
  readonly target: Local;
  readonly conflict?: "rule" | "function";
}

/** Makes `target` undefined. */
export interface ResetLocalStmt extends StmtBase {
  readonly type: "ResetLocalStmt";
  readonly target: Local;
}

export interface MakeNullStmt extends StmtBase {
  readonly type: "MakeNullStmt";
  readonly target: Local;
}

/** `target` = the integer `value` (a safe JavaScript integer). */
export interface MakeNumberIntStmt extends StmtBase {
  readonly type: "MakeNumberIntStmt";
  readonly value: number;
  readonly target: Local;
}

/** `target` = the number whose JSON literal text is `static.strings[index]` (kept exactly: big integers, 1.0, 1e3). */
export interface MakeNumberRefStmt extends StmtBase {
  readonly type: "MakeNumberRefStmt";
  readonly index: number;
  readonly target: Local;
}

/** `target` = a new empty array (capacity is a hint). */
export interface MakeArrayStmt extends StmtBase {
  readonly type: "MakeArrayStmt";
  readonly capacity: number;
  readonly target: Local;
}

/** `target` = a new empty object. */
export interface MakeObjectStmt extends StmtBase {
  readonly type: "MakeObjectStmt";
  readonly target: Local;
}

/** `target` = a new empty set. */
export interface MakeSetStmt extends StmtBase {
  readonly type: "MakeSetStmt";
  readonly target: Local;
}

/** Fails unless `a` and `b` are equal Rego values (1 == 1.0; composite values deeply). Fails if either is undefined. */
export interface EqualStmt extends StmtBase {
  readonly type: "EqualStmt";
  readonly a: Operand;
  readonly b: Operand;
}

/** Fails if `a` and `b` are equal Rego values, or if either is undefined. */
export interface NotEqualStmt extends StmtBase {
  readonly type: "NotEqualStmt";
  readonly a: Operand;
  readonly b: Operand;
}

/** Fails unless `source` is an array. */
export interface IsArrayStmt extends StmtBase {
  readonly type: "IsArrayStmt";
  readonly source: Operand;
}

/** Fails unless `source` is an object. */
export interface IsObjectStmt extends StmtBase {
  readonly type: "IsObjectStmt";
  readonly source: Operand;
}

/** Fails unless `source` is a set. */
export interface IsSetStmt extends StmtBase {
  readonly type: "IsSetStmt";
  readonly source: Operand;
}

/** Fails if `source` is undefined. */
export interface IsDefinedStmt extends StmtBase {
  readonly type: "IsDefinedStmt";
  readonly source: Local;
}

/** Fails if `source` is defined. */
export interface IsUndefinedStmt extends StmtBase {
  readonly type: "IsUndefinedStmt";
  readonly source: Local;
}

/** Appends `value` to the array in `array` (mutates it: only use on arrays the plan made). Fails if `value` is undefined. */
export interface ArrayAppendStmt extends StmtBase {
  readonly type: "ArrayAppendStmt";
  readonly value: Operand;
  readonly array: Local;
}

/** `object[key] = value`, replacing an existing value (mutates: only on objects the plan made). Fails if `key` or `value` is undefined. */
export interface ObjectInsertStmt extends StmtBase {
  readonly type: "ObjectInsertStmt";
  readonly key: Operand;
  readonly value: Operand;
  readonly object: Local;
}

/**
 * `object[key] = value` (fails if `key` or `value` is undefined); if `key` is present with a
 * different value, evaluation aborts:
 * `eval_conflict_error: object keys must be unique` (prefixed by the location).
 */
export interface ObjectInsertOnceStmt extends StmtBase {
  readonly type: "ObjectInsertOnceStmt";
  readonly key: Operand;
  readonly value: Operand;
  readonly object: Local;
}

/**
 * `target` = recursive merge of objects `a` and `b`: keys of both; where both values are objects
 * they are merged recursively, otherwise the value from `a` wins. If `a` is undefined the result
 * is `b` and vice versa; if either is not an object the result is `a`. Never mutates `a` or `b`.
 */
export interface ObjectMergeStmt extends StmtBase {
  readonly type: "ObjectMergeStmt";
  readonly a: Local;
  readonly b: Local;
  readonly target: Local;
}

/** Adds `value` to the set in `set` (mutates: only on sets the plan made). Fails if `value` is undefined. */
export interface SetAddStmt extends StmtBase {
  readonly type: "SetAddStmt";
  readonly value: Operand;
  readonly set: Local;
}

/**
 * Runs `block` with `local` replaced: if `path` is empty, by `value`; otherwise by a copy of the
 * local's value with `value` upserted at `path` (string indices; missing or non-object
 * intermediate nodes become objects; an undefined local starts as `{}`). Afterwards `local` gets
 * its original value back. Fails if `block` is exited (see the execution model).
 */
export interface WithStmt extends StmtBase {
  readonly type: "WithStmt";
  readonly local: Local;
  readonly path: number[];
  readonly value: Operand;
  readonly block: Block;
}

/** Does nothing. */
export interface NopStmt extends StmtBase {
  readonly type: "NopStmt";
}

/** Records that source line `Policy.coverage[index]` was evaluated (coverage builds only). Never fails. */
export interface CoverStmt extends StmtBase {
  readonly type: "CoverStmt";
  readonly index: number;
}

/** Adds `value` (a row) to the plan's result set. Plans only. Fails if `value` is undefined. */
export interface ResultSetAddStmt extends StmtBase {
  readonly type: "ResultSetAddStmt";
  readonly value: Local;
}

export type Stmt =
  | ReturnLocalStmt
  | CallStmt
  | CallDynamicStmt
  | BlockStmt
  | BreakStmt
  | DotStmt
  | LenStmt
  | ScanStmt
  | NotStmt
  | AssignIntStmt
  | AssignVarStmt
  | AssignVarOnceStmt
  | ResetLocalStmt
  | MakeNullStmt
  | MakeNumberIntStmt
  | MakeNumberRefStmt
  | MakeArrayStmt
  | MakeObjectStmt
  | MakeSetStmt
  | EqualStmt
  | NotEqualStmt
  | IsArrayStmt
  | IsObjectStmt
  | IsSetStmt
  | IsDefinedStmt
  | IsUndefinedStmt
  | ArrayAppendStmt
  | ObjectInsertStmt
  | ObjectInsertOnceStmt
  | ObjectMergeStmt
  | SetAddStmt
  | WithStmt
  | NopStmt
  | CoverStmt
  | ResultSetAddStmt;

export type StmtType = Stmt["type"];

/** The blocks directly nested in a statement (for walkers). */
export function childBlocks(stmt: Stmt): Block[] {
  switch (stmt.type) {
    case "BlockStmt":
      return stmt.blocks;
    case "ScanStmt":
    case "NotStmt":
    case "WithStmt":
      return [stmt.block];
    default:
      return [];
  }
}
