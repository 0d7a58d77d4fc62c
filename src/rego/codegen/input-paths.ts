/**
 * Which parts of the input document a policy can read, proven from the IR, so that `opa_eval`
 * builds only those parts of the input it parses (it still validates all of the JSON).
 *
 * A flow-insensitive abstract interpretation over every plan and function: each local gets the
 * set of input paths whose value it may hold (plan local 0 holds the root path `[]`). Values flow
 * through `AssignVarStmt`, calls of functions (arguments to parameters, returns to results) and
 * `DotStmt` with a constant string key (path + key). Every other use of a local that may hold an
 * input value — a comparison, a builtin call, a scan, a count, a dynamic key, putting it into a
 * collection or the result, a `with` value — can observe the value as a whole, so its paths are
 * *whole*: their subtrees are built completely. Type tests (`IsObject`, ...) and defined-ness
 * tests only observe the type, which the pruned parse keeps.
 *
 * The parser then builds, at a path some local may hold but that is not whole, an object with only
 * the members whose path some local may hold; any other value at such a path is built completely.
 * Anything else is skipped. So every value a plan can reach through constant-key lookups is the
 * same as with a full parse, and nothing it could observe as a whole is pruned.
 */
import * as ir from "../ir.ts";

/** A node of the needed-input tree: `whole` builds the subtree completely; else only `children`. */
export interface InputPathNode {
  readonly whole: boolean;
  /** Keys sorted by code unit order, for deterministic output. */
  readonly children: ReadonlyMap<string, InputPathNode>;
  /**
   * Every member or element not named in `children` (which already include it), when the node is
   * enumerated or looked up by a variable key: then all members are kept. Without it, members not
   * named are skipped and arrays are built completely.
   */
  readonly any: InputPathNode | undefined;
}

/** Paths longer than this make the analysis give up (full parse): keeps it finite on odd IR. */
const MAX_PATH_LENGTH = 64;

/** A path element: an object key, or ANY member or element (a scan or a lookup by a variable key). */
type PathKey = string | typeof ANY;
const ANY = 0;
type PathSet = Set<string>; // JSON texts of PathKey[] paths

/**
 * The tree of input paths `policy` can read, or undefined when it may read the input as a whole
 * (then the whole input must be built).
 */
export function neededInputPaths(policy: ir.Policy): InputPathNode | undefined {
  const analysis = new Analysis(policy);
  analysis.run();
  if (analysis.whole.has("[]")) return undefined;
  return buildTree(analysis.held, analysis.whole);
}

class Analysis {
  /** Per function name (or `plan:i`): local → paths it may hold. */
  private readonly locals = new Map<string, Map<ir.Local, PathSet>>();
  private readonly returns = new Map<string, PathSet>();
  private readonly funcs = new Map<string, ir.Func>();
  /** Every path some local may hold. */
  readonly held: PathSet = new Set();
  readonly whole: PathSet = new Set();
  private changed = false;

  constructor(private readonly policy: ir.Policy) {
    for (const f of policy.funcs) this.funcs.set(f.name, f);
  }

  run(): void {
    do {
      this.changed = false;
      this.policy.plans.forEach((plan, i) => {
        const scope = `plan:${i}`;
        this.add(scope, 0, new Set(["[]"]));
        this.blocks(scope, plan.blocks);
      });
      for (const f of this.policy.funcs) this.blocks(f.name, f.blocks);
    } while (this.changed && !this.whole.has("[]"));
  }

  private localsOf(scope: string): Map<ir.Local, PathSet> {
    let m = this.locals.get(scope);
    if (!m) {
      m = new Map();
      this.locals.set(scope, m);
    }
    return m;
  }

  private get(scope: string, l: ir.Local): PathSet | undefined {
    return this.locals.get(scope)?.get(l);
  }

  private add(scope: string, l: ir.Local, paths: PathSet | undefined): void {
    if (!paths || paths.size === 0) return;
    const m = this.localsOf(scope);
    let s = m.get(l);
    if (!s) {
      s = new Set();
      m.set(l, s);
    }
    for (const p of paths) {
      if (s.has(p)) continue;
      s.add(p);
      this.held.add(p);
      this.changed = true;
    }
  }

  private operandPaths(scope: string, o: ir.Operand): PathSet | undefined {
    return o.type === "local" ? this.get(scope, o.value) : undefined;
  }

  /** `o` may be observed as a whole value. */
  private useWhole(scope: string, o: ir.Operand | ir.Local): void {
    const paths = typeof o === "number" ? this.get(scope, o) : this.operandPaths(scope, o);
    if (!paths) return;
    for (const p of paths) {
      if (this.whole.has(p)) continue;
      this.whole.add(p);
      this.changed = true;
    }
  }

  private extend(paths: PathSet, key: PathKey): PathSet {
    const out: PathSet = new Set();
    for (const p of paths) {
      const path = JSON.parse(p) as PathKey[];
      if (path.length >= MAX_PATH_LENGTH) this.whole.add("[]");
      out.add(JSON.stringify([...path, key]));
    }
    return out;
  }

  private blocks(scope: string, blocks: readonly ir.Block[]): void {
    for (const b of blocks) for (const s of b.stmts) this.stmt(scope, s);
  }

  /** Per scope: the `AssignVarOnceStmt`s that are the only writer of their target and run at most once per call. */
  private readonly singles = new Map<string, Set<ir.Stmt>>();

  private singleWriter(scope: string, stmt: ir.AssignVarOnceStmt): boolean {
    let set = this.singles.get(scope);
    if (!set) {
      const func = this.funcs.get(scope);
      const blocks = func ? func.blocks : this.policy.plans[Number(scope.slice("plan:".length))]!.blocks;
      set = singleWriters(func?.params ?? [ir.INPUT, ir.DATA], blocks);
      this.singles.set(scope, set);
    }
    return set.has(stmt);
  }

  private stmt(scope: string, s: ir.Stmt): void {
    switch (s.type) {
      case "AssignVarStmt":
        this.add(scope, s.target, this.operandPaths(scope, s.source));
        return;
      case "DotStmt": {
        const source = this.operandPaths(scope, s.source);
        if (!source) return;
        // a dynamic key can select any member or element (and its value is compared)
        if (s.key.type !== "string_index") this.useWhole(scope, s.key);
        this.add(scope, s.target, this.extend(source, s.key.type === "string_index" ? this.policy.static.strings[s.key.value]! : ANY));
        return;
      }
      case "CallStmt": {
        const f = this.funcs.get(s.func);
        if (!f) {
          for (const a of s.args) this.useWhole(scope, a);
          return;
        }
        s.args.forEach((a, i) => {
          const param = f.params[i];
          if (param === undefined) this.useWhole(scope, a);
          else this.add(f.name, param, this.operandPaths(scope, a));
        });
        this.add(scope, s.result, this.returns.get(f.name));
        return;
      }
      case "ReturnLocalStmt": {
        const paths = this.get(scope, s.source);
        if (!paths) return;
        let r = this.returns.get(scope);
        if (!r) {
          r = new Set();
          this.returns.set(scope, r);
        }
        for (const p of paths) {
          if (r.has(p)) continue;
          r.add(p);
          this.changed = true;
        }
        return;
      }
      case "CallDynamicStmt":
        for (const o of s.path) this.useWhole(scope, o);
        for (const a of s.args) this.useWhole(scope, a);
        return;
      case "BlockStmt":
        this.blocks(scope, s.blocks);
        return;
      case "NotStmt":
        this.blocks(scope, [s.block]);
        return;
      case "ScanStmt": {
        // every member is enumerated (keys are always built); values are any member's
        const source = this.get(scope, s.source);
        if (source) this.add(scope, s.value, this.extend(source, ANY));
        this.blocks(scope, [s.block]);
        return;
      }
      case "WithStmt":
        this.useWhole(scope, s.value);
        this.blocks(scope, [s.block]);
        return;
      case "AssignVarOnceStmt":
        // a plain copy when nothing else can have set the target; else the values are compared
        if (this.singleWriter(scope, s)) this.add(scope, s.target, this.operandPaths(scope, s.source));
        else {
          this.useWhole(scope, s.source);
          this.useWhole(scope, s.target);
        }
        return;
      case "LenStmt":
        this.useWhole(scope, s.source);
        return;
      case "EqualStmt":
      case "NotEqualStmt":
        this.useWhole(scope, s.a);
        this.useWhole(scope, s.b);
        return;
      case "ArrayAppendStmt":
        this.useWhole(scope, s.value);
        this.useWhole(scope, s.array);
        return;
      case "ObjectInsertStmt":
      case "ObjectInsertOnceStmt":
        this.useWhole(scope, s.key);
        this.useWhole(scope, s.value);
        this.useWhole(scope, s.object);
        return;
      case "SetAddStmt":
        this.useWhole(scope, s.value);
        this.useWhole(scope, s.set);
        return;
      case "ObjectMergeStmt":
        this.useWhole(scope, s.a);
        this.useWhole(scope, s.b);
        return;
      case "ResultSetAddStmt":
        this.useWhole(scope, s.value);
        return;
      case "IsArrayStmt":
      case "IsObjectStmt":
      case "IsSetStmt":
      case "IsDefinedStmt":
      case "IsUndefinedStmt":
      case "BreakStmt":
      case "AssignIntStmt":
      case "ResetLocalStmt":
      case "MakeNullStmt":
      case "MakeNumberIntStmt":
      case "MakeNumberRefStmt":
      case "MakeArrayStmt":
      case "MakeObjectStmt":
      case "MakeSetStmt":
      case "NopStmt":
        return;
      default: {
        const unknown: never = s;
        throw new Error(`internal: input path analysis: unknown statement ${JSON.stringify(unknown)}`);
      }
    }
  }
}

/**
 * The `AssignVarOnceStmt`s of a plan or function that cannot find their target already set: the
 * only statement writing a value to that local (not a parameter), outside any scan (the IR has no
 * other loops, and locals start undefined on every call; `ResetLocalStmt` only undefines).
 */
function singleWriters(params: readonly ir.Local[], blocks: readonly ir.Block[]): Set<ir.Stmt> {
  const writers = new Map<ir.Local, number>();
  const write = (l: ir.Local) => writers.set(l, (writers.get(l) ?? 0) + 1);
  for (const p of params) write(p);
  const candidates: ir.AssignVarOnceStmt[] = [];
  const walk = (bs: readonly ir.Block[], inScan: boolean): void => {
    for (const b of bs) {
      for (const s of b.stmts) {
        if (s.type === "AssignVarOnceStmt" && !inScan) candidates.push(s);
        if (s.type === "ScanStmt") {
          write(s.key);
          write(s.value);
        } else if (s.type === "WithStmt") write(s.local);
        else if (s.type === "ArrayAppendStmt") write(s.array);
        else if (s.type === "ObjectInsertStmt" || s.type === "ObjectInsertOnceStmt") write(s.object);
        else if (s.type === "SetAddStmt") write(s.set);
        else if ("target" in s && s.type !== "ResetLocalStmt") write(s.target);
        else if ("result" in s) write(s.result);
        walk(ir.childBlocks(s), inScan || s.type === "ScanStmt");
      }
    }
  };
  walk(blocks, false);
  return new Set(candidates.filter((s) => writers.get(s.target) === 1));
}

interface MutableNode {
  whole: boolean;
  children: Map<string, MutableNode>;
  any: MutableNode | undefined;
}

function emptyNode(): MutableNode {
  return { whole: false, children: new Map(), any: undefined };
}

function buildTree(held: PathSet, whole: PathSet): InputPathNode {
  const root = emptyNode();
  for (const p of held) {
    let node = root;
    for (const key of JSON.parse(p) as PathKey[]) {
      let next = key === ANY ? node.any : node.children.get(key);
      if (!next) {
        next = emptyNode();
        if (key === ANY) node.any = next;
        else node.children.set(key, next);
      }
      node = next;
    }
    if (whole.has(p)) node.whole = true;
  }
  return freeze(root);
}

/** A member named in `n` is read both by its name and as any member: it needs both subtrees. */
function merge(a: MutableNode, b: MutableNode | undefined): MutableNode {
  if (!b) return a;
  const children = new Map(a.children);
  for (const [k, c] of b.children) children.set(k, merge(children.get(k) ?? emptyNode(), c));
  return { whole: a.whole || b.whole, children, any: a.any ? merge(a.any, b.any) : b.any };
}

function freeze(n: MutableNode): InputPathNode {
  if (n.whole) return WHOLE;
  const keys = [...n.children.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    whole: false,
    children: new Map(keys.map((k) => [k, freeze(merge(n.children.get(k)!, n.any))])),
    any: n.any ? freeze(n.any) : undefined,
  };
}

const WHOLE: InputPathNode = { whole: true, children: new Map(), any: undefined };
