/**
 * Rule sets as IR functions `(input, data, args...) -> value`, as in OPA's planner:
 * - complete rules and functions: each rule (or else chain) assigns a result local once
 *   (`AssignVarOnceStmt`: two different values are a conflict error), then the function's
 *   return local is assigned once from it; a default rule applies if nothing else did;
 * - partial sets: every solution adds an element;
 * - objects (partial objects and ref heads like `p[x].y := v`): every solution inserts its
 *   value at its key path, creating intermediate objects; a different value at the same key is
 *   a conflict. Rules defined below such a node (`p.a.y := 1`) are merged into the same object.
 */
import type { CheckedRule, RuleNode, RuleSet } from "../check/program.ts";
import * as ir from "../ir.ts";
import type { Term } from "../syntax/ast.ts";
import { asBlock, type MutableBlock } from "./builder.ts";
import type { Planner } from "./planner.ts";

export function planRuleSetFunction(p: Planner, set: RuleSet, node: RuleNode, name: string): ir.Func {
  const arity = set.kind === "function" ? set.arity : 0;
  const params: ir.Local[] = [ir.INPUT, ir.DATA];
  for (let i = 0; i < arity; i++) params.push(2 + i);
  const ret = 2 + arity;
  const result = ret + 1;
  const blocks: MutableBlock[] = [];
  p.withFunction(ret + 2, () => {
    p.fb.vars.put("input", ir.INPUT);
    p.fb.vars.put("data", ir.DATA);
    const firstRule = set.rules[0] ?? set.defaultRule;
    p.loc = firstRule?.loc;
    switch (set.kind) {
      case "complete":
      case "function":
        planValueRules(p, set, params.slice(2), ret, result, blocks);
        break;
      case "set":
        blocks.push(p.topBlock(() => p.emit({ type: "MakeSetStmt", target: ret })));
        for (const rule of set.rules) {
          blocks.push(
            p.topBlock(() =>
              p.fb.vars.scoped(() => {
                p.loc = rule.loc;
                p.planBody(rule.body, () => {
                  p.cover(rule.loc);
                  p.planTerm(rule.element!, (el) => p.emit({ type: "SetAddStmt", value: el, set: ret }));
                });
              }),
            ),
          );
        }
        break;
      case "object": {
        const below = descendants(p, node);
        // With rules below this node, values from different rules may nest: remember where
        // values were put, so that putting something inside one of them is a conflict.
        const target: Target = below.length > 0 ? { root: ret, leaves: ret + 1 } : { root: ret };
        blocks.push(
          p.topBlock(() => {
            p.emit({ type: "MakeObjectStmt", target: ret });
            if (target.leaves !== undefined) p.emit({ type: "MakeSetStmt", target: target.leaves });
          }),
        );
        for (const rule of set.rules) {
          blocks.push(p.topBlock(() => p.fb.vars.scoped(() => planObjectRule(p, rule, target))));
        }
        for (const d of below) {
          blocks.push(p.topBlock(() => planDescendant(p, d.set, d.node, d.relPath, target)));
        }
        break;
      }
    }
    p.loc = firstRule?.loc;
    blocks.push(p.topBlock(() => p.emit({ type: "ReturnLocalStmt", source: ret })));
  });
  return { name, params, return: ret, blocks: blocks.map(asBlock), ...(arity === 0 ? { memoize: true } : {}) };
}

function planValueRules(
  p: Planner,
  set: RuleSet,
  params: readonly ir.Local[],
  ret: ir.Local,
  result: ir.Local,
  blocks: MutableBlock[],
): void {
  const conflict = set.kind === "function" ? "function" : "rule";
  const planLink = (rule: CheckedRule, first: boolean): void => {
    p.fb.vars.scoped(() => {
      p.loc = rule.loc;
      if (first) p.emit({ type: "ResetLocalStmt", target: result });
      else p.emit({ type: "IsUndefinedStmt", source: result });
      planParamsAround(
        p,
        params,
        rule.args ?? [],
        (k) => p.planBody(rule.body, k),
        () => {
          p.loc = rule.loc;
          p.cover(rule.loc);
          p.planTerm(rule.value!, (v) => p.emit({ type: "AssignVarOnceStmt", source: v, target: result, conflict }));
        },
      );
    });
  };
  for (const rule of set.rules) {
    if (rule.else) {
      const chain: CheckedRule[] = [];
      for (let r: CheckedRule | undefined = rule; r; r = r.else) chain.push(r);
      const linkBlocks = chain.map((link, i) => p.topBlock(() => planLink(link, i === 0)));
      blocks.push(p.topBlock(() => p.emit({ type: "BlockStmt", blocks: linkBlocks.map(asBlock) })));
    } else {
      blocks.push(p.topBlock(() => planLink(rule, true)));
    }
    blocks.push(
      p.topBlock(() => {
        p.loc = rule.loc;
        p.emit({ type: "IsDefinedStmt", source: result });
        p.emit({ type: "AssignVarOnceStmt", source: ir.local(result), target: ret, conflict });
      }),
    );
  }
  const def = set.defaultRule;
  if (def) {
    blocks.push(
      p.topBlock(() =>
        p.fb.vars.scoped(() => {
          p.loc = def.loc;
          p.emit({ type: "IsUndefinedStmt", source: ret });
          planParamsAround(
            p,
            params,
            def.args ?? [],
            (k) => p.planBody(def.body, k),
            () =>
              p.planTerm(def.value!, (v) => p.emit({ type: "AssignVarOnceStmt", source: v, target: ret, conflict })),
          );
        }),
      ),
    );
  }
}

/**
 * Unifies the parameters with the rule's arguments around its body. An argument that is a call
 * (a template string, `f($"{x}")`) binds nothing and may use variables the body binds, so it is
 * compared after the body, as OPA moves such head terms into the body.
 */
function planParamsAround(
  p: Planner,
  params: readonly ir.Local[],
  args: readonly Term[],
  body: (k: () => void) => void,
  k: () => void,
): void {
  const isCall = (i: number) => args[i]!.type === "call";
  const indices = args.map((_, i) => i);
  planParams(
    p,
    params,
    args,
    indices.filter((i) => !isCall(i)),
    () => body(() => planParams(p, params, args, indices.filter(isCall), k)),
  );
}

function planParams(
  p: Planner,
  params: readonly ir.Local[],
  args: readonly Term[],
  which: number[],
  k: () => void,
): void {
  const i = which[0];
  if (i === undefined) {
    k();
    return;
  }
  p.planUnifyLocal(ir.local(params[i]!), args[i]!, () => planParams(p, params, args, which.slice(1), k));
}

/** The object being built, and (if tracked) the set of paths holding values put by rules. */
interface Target {
  readonly root: ir.Local;
  readonly leaves?: ir.Local;
}

function planObjectRule(p: Planner, rule: CheckedRule, target: Target): void {
  p.loc = rule.loc;
  p.planBody(rule.body, () => {
    p.loc = rule.loc;
    p.cover(rule.loc);
    p.planTermList(rule.suffix, (keys) => {
      if (rule.kind === "contains") {
        p.planTerm(rule.element!, (el) => {
          const container = walkCreate(p, target, keys, "set");
          p.emit({ type: "SetAddStmt", value: el, set: container });
        });
      } else {
        p.planTerm(rule.value!, (v) => insertValue(p, target, keys, v));
      }
    });
  });
}

/**
 * Follows `keys` from `root`, creating missing levels (objects; the last one `last`), and
 * returns the local holding the innermost level. An existing value of another kind at a level
 * is a conflict (`ObjectInsertOnceStmt` aborts).
 */
function walkCreate(p: Planner, target: Target, keys: readonly ir.Operand[], last: "object" | "set"): ir.Local {
  let cur = target.root;
  keys.forEach((key, i) => {
    const kind = i === keys.length - 1 ? last : "object";
    cur = getOrCreate(p, cur, key, kind);
    if (target.leaves !== undefined) checkNotLeaf(p, target.leaves, keys.slice(0, i + 1));
  });
  return cur;
}

/** Puts a rule's value at `keys`; a different value already there is a conflict. */
function insertValue(p: Planner, target: Target, keys: readonly ir.Operand[], value: ir.Operand): void {
  const parent = walkCreate(p, target, keys.slice(0, -1), "object");
  p.emit({ type: "ObjectInsertOnceStmt", key: keys[keys.length - 1]!, value, object: parent });
  if (target.leaves !== undefined)
    p.emit({ type: "SetAddStmt", value: ir.local(pathArray(p, keys)), set: target.leaves });
}

function pathArray(p: Planner, keys: readonly ir.Operand[]): ir.Local {
  const arr = p.newLocal();
  p.emit({ type: "MakeArrayStmt", capacity: keys.length, target: arr });
  for (const k of keys) p.emit({ type: "ArrayAppendStmt", value: k, array: arr });
  return arr;
}

/** Aborts with a conflict if a rule put a value at this path (something is being put inside it). */
function checkNotLeaf(p: Planner, leaves: ir.Local, keys: readonly ir.Operand[]): void {
  const path = pathArray(p, keys);
  const found = p.newLocal();
  const block = p.fb.inBlock(() => {
    p.emit({ type: "DotStmt", source: ir.local(leaves), key: ir.local(path), target: found });
    const clash = p.newLocal();
    p.emit({ type: "MakeObjectStmt", target: clash });
    p.emit({ type: "ObjectInsertStmt", key: p.strOp("value"), value: ir.bool(true), object: clash });
    p.emit({ type: "ObjectInsertOnceStmt", key: p.strOp("value"), value: ir.bool(false), object: clash });
  });
  p.emit({ type: "BlockStmt", blocks: [asBlock(block)] });
}

function getOrCreate(p: Planner, obj: ir.Local, key: ir.Operand, kind: "object" | "set"): ir.Local {
  const child = p.newLocal();
  const existing = p.fb.inBlock(() => {
    p.emit({ type: "DotStmt", source: ir.local(obj), key, target: child });
    p.emit(
      kind === "object"
        ? { type: "IsObjectStmt", source: ir.local(child) }
        : { type: "IsSetStmt", source: ir.local(child) },
    );
    p.emit({ type: "BreakStmt", index: 1 });
  });
  const create = p.fb.inBlock(() => {
    p.emit({ type: "BlockStmt", blocks: [asBlock(existing)] });
    p.emit(kind === "object" ? { type: "MakeObjectStmt", target: child } : { type: "MakeSetStmt", target: child });
    p.emit({ type: "ObjectInsertOnceStmt", key, value: ir.local(child), object: obj });
  });
  p.emit({ type: "BlockStmt", blocks: [asBlock(create)] });
  return child;
}

interface Descendant {
  readonly set: RuleSet;
  readonly node: RuleNode;
  readonly relPath: readonly string[];
}

/** Visible rule sets below an object node (not below another object rule set, which merges its own). */
function descendants(p: Planner, node: RuleNode): Descendant[] {
  const out: Descendant[] = [];
  const visit = (n: RuleNode, rel: string[]): void => {
    for (const key of [...n.children.keys()].sort()) {
      const c = n.children.get(key)!;
      const path = [...rel, key];
      const set = p.visibleRuleSet(c);
      if (set) {
        if (set.kind !== "function") out.push({ set, node: c, relPath: path });
        continue;
      }
      visit(c, path);
    }
  };
  visit(node, []);
  return out;
}

function planDescendant(p: Planner, set: RuleSet, node: RuleNode, relPath: readonly string[], target: Target): void {
  p.loc = (set.rules[0] ?? set.defaultRule)?.loc;
  const fname = p.ruleSetFunction(set, node);
  const value = p.newLocal();
  p.emit({ type: "CallStmt", func: fname, args: [ir.local(ir.INPUT), ir.local(ir.DATA)], result: value });
  const keys = relPath.map((s) => p.strOp(s));
  if (set.kind === "complete") {
    insertValue(p, target, keys, ir.local(value));
    return;
  }
  const container = walkCreate(p, target, keys, set.kind === "set" ? "set" : "object");
  p.planScan(value, p.freshVar(p.loc!), (k, v) => {
    if (set.kind === "set") p.emit({ type: "SetAddStmt", value: ir.local(v), set: container });
    else p.emit({ type: "ObjectInsertOnceStmt", key: ir.local(k), value: ir.local(v), object: container });
  });
}
