/**
 * Rule grouping: every rule is placed at the ground (all-string) prefix of its path below
 * `data`; rules at the same path form a rule set whose kind must agree (complete, function,
 * partial set, object). Also builds the tree of packages and rule paths the planner walks.
 */
import type { ProblemList } from "../errors.ts";
import type { Module, Rule, Term } from "../syntax/ast.ts";
import { type CheckedRule, pathKey, type RuleNode, type RuleSet, type RuleSetKind } from "./program.ts";

export interface PlacedRule {
  readonly module: Module;
  readonly rule: Rule;
}

/** Splits a rule head into its ground path below data and the dynamic suffix. */
export function rulePath(mod: Module, rule: Rule): { path: string[]; suffix: Term[] } {
  const head = rule.head.ref;
  const path = [...mod.package.path, (head[0] as { name: string }).name];
  let i = 1;
  for (; i < head.length; i++) {
    const t = head[i]!;
    if (t.type !== "string") break;
    path.push(t.value);
  }
  return { path, suffix: head.slice(i) };
}

function toChecked(mod: Module, rule: Rule): CheckedRule {
  const { path, suffix } = rulePath(mod, rule);
  const h = rule.head;
  return {
    path,
    suffix,
    kind: h.contains ? "contains" : "value",
    body: rule.body,
    isDefault: rule.default,
    loc: rule.loc,
    ...(h.args ? { args: h.args } : {}),
    ...(h.value ? { value: h.value } : {}),
    ...(h.contains ? { element: h.contains } : {}),
    ...(rule.else ? { else: toChecked(mod, rule.else) } : {}),
  };
}

function kindOf(r: CheckedRule): RuleSetKind {
  if (r.args) return "function";
  if (r.suffix.length > 0) return "object";
  return r.kind === "contains" ? "set" : "complete";
}

export function dataName(path: readonly string[]): string {
  return ["data", ...path].join(".");
}

export interface RuleTable {
  readonly root: RuleNode;
  readonly ruleSets: Map<string, RuleSet>;
}

/** Groups checked rules into rule sets and a tree; reports conflicting kinds. */
export function buildRuleTable(
  modules: readonly Module[],
  rules: readonly CheckedRule[],
  problems: ProblemList,
): RuleTable {
  const root: RuleNode = { path: [], children: new Map(), isPackage: false };
  const node = (path: readonly string[]): RuleNode => {
    let n = root;
    for (let i = 0; i < path.length; i++) {
      let c = n.children.get(path[i]!);
      if (!c) {
        c = { path: path.slice(0, i + 1), children: new Map(), isPackage: false };
        n.children.set(path[i]!, c);
      }
      n = c;
    }
    return n;
  };
  for (const m of modules) node(m.package.path).isPackage = true;

  const groups = new Map<string, CheckedRule[]>();
  const order: string[] = [];
  for (const r of rules) {
    const key = pathKey(r.path);
    let g = groups.get(key);
    if (!g) {
      g = [];
      groups.set(key, g);
      order.push(key);
    }
    g.push(r);
  }

  const ruleSets = new Map<string, RuleSet>();
  for (const key of order) {
    const group = groups.get(key)!;
    const path = group[0]!.path;
    const name = dataName(path);
    const kinds = new Set(group.map(kindOf));
    if (kinds.size > 1) {
      problems.add(group[0]!.loc, "rego_type_error", `conflicting rules ${name} found`);
      continue;
    }
    const kind = [...kinds][0]!;
    const arities = new Set(group.map((r) => r.args?.length ?? 0));
    if (arities.size > 1) {
      problems.add(group[0]!.loc, "rego_type_error", `conflicting rules ${name} found`);
      continue;
    }
    const defaults = group.filter((r) => r.isDefault);
    if (defaults.length > 1) {
      problems.add(defaults[1]!.loc, "rego_type_error", `multiple default rules ${name} found`);
      continue;
    }
    if (defaults.length === 1 && (kind === "object" || kind === "set")) {
      problems.add(
        defaults[0]!.loc,
        "rego_compile_error",
        `illegal default rule ${name}: default rules must define a single value`,
      );
      continue;
    }
    const set: RuleSet = {
      path,
      kind,
      arity: [...arities][0]!,
      rules: group.filter((r) => !r.isDefault),
      ...(defaults[0] ? { defaultRule: defaults[0] } : {}),
    };
    ruleSets.set(key, set);
    node(path).ruleSet = set;
  }

  // A rule set that defines a single value cannot have rules below it.
  for (const set of ruleSets.values()) {
    if (set.kind === "object") continue;
    const n = node(set.path);
    const below: string[] = [];
    collectRuleSetsBelow(n, below, true);
    if (below.length > 0) {
      const loc = (set.rules[0] ?? set.defaultRule)!.loc;
      problems.add(loc, "rego_type_error", `rule ${dataName(set.path)} conflicts with [${below.sort().join(" ")}]`);
    }
  }
  return { root, ruleSets };
}

function collectRuleSetsBelow(n: RuleNode, out: string[], skipSelf: boolean): void {
  if (!skipSelf && n.ruleSet) out.push(dataName(n.path));
  for (const c of n.children.values()) collectRuleSetsBelow(c, out, false);
}

export { toChecked };
