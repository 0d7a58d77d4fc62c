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
                p.planBody(rule.body, () =>
                  p.planTerm(rule.element!, (el) => p.emit({ type: "SetAddStmt", value: el, set: ret })),
                );
              }),
            ),
          );
        }
        break;
      case "object":
        blocks.push(p.topBlock(() => p.emit({ type: "MakeObjectStmt", target: ret })));
        for (const rule of set.rules) {
          blocks.push(p.topBlock(() => p.fb.vars.scoped(() => planObjectRule(p, rule, ret))));
        }
        for (const d of descendants(p, node)) {
          blocks.push(p.topBlock(() => planDescendant(p, d.set, d.node, d.relPath, ret)));
        }
        break;
    }
    p.loc = firstRule?.loc;
    blocks.push(p.topBlock(() => p.emit({ type: "ReturnLocalStmt", source: ret })));
  });
  return { name, params, return: ret, blocks: blocks.map(asBlock) };
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
      planParams(p, params, rule.args ?? [], 0, () =>
        p.planBody(rule.body, () => {
          p.loc = rule.loc;
          p.planTerm(rule.value!, (v) => p.emit({ type: "AssignVarOnceStmt", source: v, target: result, conflict }));
        }),
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
          planParams(p, params, def.args ?? [], 0, () =>
            p.planBody(def.body, () =>
              p.planTerm(def.value!, (v) => p.emit({ type: "AssignVarOnceStmt", source: v, target: ret, conflict })),
            ),
          );
        }),
      ),
    );
  }
}

function planParams(p: Planner, params: readonly ir.Local[], args: readonly Term[], i: number, k: () => void): void {
  if (i >= args.length) {
    k();
    return;
  }
  p.planUnifyLocal(ir.local(params[i]!), args[i]!, () => planParams(p, params, args, i + 1, k));
}

function planObjectRule(p: Planner, rule: CheckedRule, ret: ir.Local): void {
  p.loc = rule.loc;
  p.planBody(rule.body, () => {
    p.loc = rule.loc;
    p.planTermList(rule.suffix, (keys) => {
      if (rule.kind === "contains") {
        p.planTerm(rule.element!, (el) => {
          const container = walkCreate(p, ret, keys, "set");
          p.emit({ type: "SetAddStmt", value: el, set: container });
        });
      } else {
        p.planTerm(rule.value!, (v) => {
          const parent = walkCreate(p, ret, keys.slice(0, -1), "object");
          p.emit({ type: "ObjectInsertOnceStmt", key: keys[keys.length - 1]!, value: v, object: parent });
        });
      }
    });
  });
}

/**
 * Follows `keys` from `root`, creating missing levels (objects; the last one `last`), and
 * returns the local holding the innermost level. An existing value of another kind at a level
 * is a conflict (`ObjectInsertOnceStmt` aborts).
 */
function walkCreate(p: Planner, root: ir.Local, keys: readonly ir.Operand[], last: "object" | "set"): ir.Local {
  let cur = root;
  keys.forEach((key, i) => {
    const kind = i === keys.length - 1 ? last : "object";
    cur = getOrCreate(p, cur, key, kind);
  });
  return cur;
}

function getOrCreate(p: Planner, obj: ir.Local, key: ir.Operand, kind: "object" | "set"): ir.Local {
  const child = p.newLocal();
  const existing = p.fb.inBlock(() => {
    p.emit({ type: "DotStmt", source: ir.local(obj), key, target: child });
    p.emit(kind === "object" ? { type: "IsObjectStmt", source: ir.local(child) } : { type: "IsSetStmt", source: ir.local(child) });
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

function planDescendant(p: Planner, set: RuleSet, node: RuleNode, relPath: readonly string[], ret: ir.Local): void {
  p.loc = (set.rules[0] ?? set.defaultRule)?.loc;
  const fname = p.ruleSetFunction(set, node);
  const value = p.newLocal();
  p.emit({ type: "CallStmt", func: fname, args: [ir.local(ir.INPUT), ir.local(ir.DATA)], result: value });
  const keys = relPath.map((s) => p.strOp(s));
  if (set.kind === "complete") {
    const parent = walkCreate(p, ret, keys.slice(0, -1), "object");
    p.emit({ type: "ObjectInsertOnceStmt", key: keys[keys.length - 1]!, value: ir.local(value), object: parent });
    return;
  }
  const container = walkCreate(p, ret, keys, set.kind === "set" ? "set" : "object");
  p.planScan(value, { type: "var", name: "$descendant", loc: p.loc! }, (k, v) => {
    if (set.kind === "set") p.emit({ type: "SetAddStmt", value: ir.local(v), set: container });
    else p.emit({ type: "ObjectInsertOnceStmt", key: ir.local(k), value: ir.local(v), object: container });
  });
}
