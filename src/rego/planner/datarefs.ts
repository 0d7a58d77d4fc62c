/**
 * References into `data`: virtual documents (rules) and base documents (data given to the module)
 * merged as in OPA. The walk follows the rule tree along the reference; a node with a rule set
 * calls its function; an unbound operand enumerates the tree's children and then the base
 * document's other keys; the end of a reference inside the tree builds the full extent.
 */
import type { RuleNode } from "../check/program.ts";
import * as ir from "../ir.ts";
import type { Term } from "../syntax/ast.ts";
import { asBlock } from "./builder.ts";
import type { OpCont, Planner } from "./planner.ts";

export interface BasePtr {
  readonly local: ir.Local;
  readonly path: readonly string[];
}

/** References into `data`: rules (virtual documents) and base data, merged as in OPA. */
export function planRefData(p: Planner, terms: readonly Term[], k: OpCont): void {
  planDataWalk(p, p.program.root, { local: p.dataLocal(), path: [] }, terms, 1, k);
}

export function planDataWalk(
  p: Planner,
  node: RuleNode | undefined,
  base: BasePtr,
  terms: readonly Term[],
  i: number,
  k: OpCont,
): void {
  const set = p.visibleRuleSet(node);
  if (set) {
    if (set.kind === "function") {
      // A function is not a document: the reference is undefined.
      const l = p.newLocal();
      p.emit({ type: "IsDefinedStmt", source: l });
      return;
    }
    const result = p.callRule(p.ruleSetFunction(set, node!));
    p.planRefRec(ir.local(result), terms, i, k);
    return;
  }
  const virtual = node && hasVisibleRules(p, node) ? node : undefined;
  if (!virtual) {
    planBasePath(p, base, (b) => p.planRefRec(ir.local(b), terms, i, k, true));
    return;
  }
  if (i >= terms.length) {
    planExtent(p, virtual, base, (l) => k(ir.local(l)));
    return;
  }
  const op = terms[i]!;
  if (op.type === "string") {
    planDataWalk(
      p,
      virtual.children.get(op.value),
      { local: base.local, path: [...base.path, op.value] },
      terms,
      i + 1,
      k,
    );
    return;
  }
  if (!p.hasUnboundVars(op)) {
    // A computed key: compare against each virtual child, or read base data.
    p.planTerm(op, (keyOp) => {
      const children = [...virtual.children.keys()].sort();
      const blocks = children.map((c) =>
        p.fb.inBlock(() =>
          p.fb.vars.scoped(() => {
            p.emit({ type: "EqualStmt", a: keyOp, b: p.strOp(c) });
            planDataWalk(p, virtual.children.get(c), { local: base.local, path: [...base.path, c] }, terms, i + 1, k);
          }),
        ),
      );
      if (blocks.length > 0) p.emit({ type: "BlockStmt", blocks: blocks.map(asBlock) });
      planBasePath(p, base, (b) => {
        const excluded = planExcludeSet(p, children);
        emitNotMember(p, excluded, keyOp);
        const target = p.newLocal();
        p.emit({ type: "DotStmt", source: ir.local(b), key: p.baseDataKey(ir.local(b), op, keyOp), target });
        p.planRefRec(ir.local(target), terms, i + 1, k, true);
      });
    });
    return;
  }
  // An unbound operand: enumerate the virtual children, then the base data not shadowed by them.
  const children = [...virtual.children.keys()].sort();
  const blocks = children.map((c) =>
    p.fb.inBlock(() =>
      p.fb.vars.scoped(() => {
        p.planUnifyLocal(p.strOp(c), op, () =>
          planDataWalk(p, virtual.children.get(c), { local: base.local, path: [...base.path, c] }, terms, i + 1, k),
        );
      }),
    ),
  );
  if (blocks.length > 0) p.emit({ type: "BlockStmt", blocks: blocks.map(asBlock) });
  planBasePath(p, base, (b) => {
    const excluded = planExcludeSet(p, children);
    p.planScan(b, op, (key, value) => {
      emitNotMember(p, excluded, ir.local(key));
      p.planRefRec(ir.local(value), terms, i + 1, k, true);
    });
  });
}

export function planExcludeSet(p: Planner, keys: readonly string[]): ir.Local {
  const set = p.newLocal();
  p.emit({ type: "MakeSetStmt", target: set });
  for (const key of keys) p.emit({ type: "SetAddStmt", value: p.strOp(key), set });
  return set;
}

export function emitNotMember(p: Planner, set: ir.Local, key: ir.Operand): void {
  const ignored = p.newLocal();
  const block = p.fb.inBlock(() => p.emit({ type: "DotStmt", source: ir.local(set), key, target: ignored }));
  p.emit({ type: "NotStmt", block: asBlock(block) });
}

/** The base document at `base.path` (undefined if absent). */
export function planBasePath(p: Planner, base: BasePtr, k: (l: ir.Local) => void): void {
  let cur = base.local;
  for (const key of base.path) {
    const next = p.newLocal();
    p.emit({ type: "DotStmt", source: ir.local(cur), key: p.strOp(key), target: next });
    cur = next;
  }
  k(cur);
}

export function hasVisibleRules(p: Planner, node: RuleNode): boolean {
  if (p.ctx.hides(node.path)) return false;
  if (p.visibleRuleSet(node)) return true;
  for (const c of node.children.values()) if (hasVisibleRules(p, c) || c.isPackage) return true;
  return node.isPackage;
}

/**
 * The full document at a node: virtual documents of the subtree (rules; packages give `{}`),
 * merged with base data at the same path if any.
 */
export function planExtent(p: Planner, node: RuleNode, base: BasePtr | undefined, k: (l: ir.Local) => void): void {
  const vtarget = p.newLocal();
  p.emit({ type: "MakeObjectStmt", target: vtarget });
  for (const key of [...node.children.keys()].sort()) {
    const child = node.children.get(key)!;
    const set = p.visibleRuleSet(child);
    if (set) {
      if (set.kind === "function") continue;
      const fname = p.ruleSetFunction(set, child);
      const block = p.fb.inBlock(() => {
        const value = p.callRule(fname);
        p.emit({ type: "ObjectInsertStmt", key: p.strOp(key), value: ir.local(value), object: vtarget });
      });
      p.emit({ type: "BlockStmt", blocks: [asBlock(block)] });
      continue;
    }
    if (!hasVisibleRules(p, child)) continue;
    planExtent(p, child, undefined, (sub) => {
      p.emit({ type: "ObjectInsertStmt", key: p.strOp(key), value: ir.local(sub), object: vtarget });
    });
  }
  if (!base) {
    k(vtarget);
    return;
  }
  // Merge with the base document when there is one; otherwise the virtual document alone.
  const target = p.newLocal();
  const inner = p.fb.inBlock(() => {
    planBasePath(p, base, (b) => {
      p.emit({ type: "ObjectMergeStmt", a: b, b: vtarget, target });
      p.emit({ type: "BreakStmt", index: 1 });
    });
  });
  const outer = p.fb.inBlock(() => {
    p.emit({ type: "BlockStmt", blocks: [asBlock(inner)] });
    p.emit({ type: "AssignVarStmt", source: ir.local(vtarget), target });
  });
  p.emit({ type: "BlockStmt", blocks: [asBlock(outer)] });
  k(target);
}
