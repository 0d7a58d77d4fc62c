/**
 * The output of the compile passes: rules grouped by the data path they define, with bodies
 * resolved (imports and rule names replaced by `data` references, locals renamed to unique
 * names, `:=` turned into `=`), and ordered so that every variable is bound before it is used.
 */
import type { SourcePos } from "../errors.ts";
import type { Body, Term } from "../syntax/ast.ts";

/** One rule definition (or one link of an `else` chain) after checking. */
export interface CheckedRule {
  /** The ground part of the rule's path below `data` (all strings), e.g. `["test", "p"]`. */
  readonly path: readonly string[];
  /**
   * What follows the ground path in the rule head: `p[x].r := 1` at `test.p` has suffix
   * `[x, "r"]`. Non-empty only for rules that insert into an object.
   */
  readonly suffix: readonly Term[];
  /** Function arguments (functions only). */
  readonly args?: readonly Term[];
  /** `value` rules define a value at their path; `contains` rules add `element` to a set there. */
  readonly kind: "value" | "contains";
  readonly value?: Term;
  readonly element?: Term;
  readonly body: Body;
  readonly isDefault: boolean;
  readonly else?: CheckedRule;
  readonly loc: SourcePos;
}

/**
 * What a rule set at a path computes:
 * - `complete`: one value (rules with empty suffix, no arguments; may have default and else);
 * - `function`: a user function of `arity` arguments;
 * - `set`: a partial set (`contains` rules with empty suffix);
 * - `object`: an object built from rules with a non-empty suffix (partial objects and general
 *   ref heads; leaves are values or sets).
 */
export type RuleSetKind = "complete" | "function" | "set" | "object";

export interface RuleSet {
  readonly path: readonly string[];
  readonly kind: RuleSetKind;
  readonly arity: number;
  /** Non-default rules in source order (modules sorted by file name). */
  readonly rules: readonly CheckedRule[];
  readonly defaultRule?: CheckedRule;
}

/** A node of the data tree below `data` that rules define something in. */
export interface RuleNode {
  readonly path: readonly string[];
  ruleSet?: RuleSet;
  readonly children: Map<string, RuleNode>;
  /** A package is declared exactly here (so the node exists even without rules). */
  isPackage: boolean;
}

export interface CheckedQuery {
  readonly name: string;
  readonly body: Body;
  /** Variables whose bindings form the result rows, as (local name in body, name in the row). */
  readonly resultVars: readonly (readonly [string, string])[];
  readonly loc: SourcePos;
}

export interface Program {
  readonly root: RuleNode;
  /** Every rule set, by its path joined with "." (for lookups by the planner). */
  readonly ruleSets: ReadonlyMap<string, RuleSet>;
  readonly queries: readonly CheckedQuery[];
}

export function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}
