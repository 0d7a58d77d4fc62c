/**
 * The Rego abstract syntax tree, as produced by the parser and rewritten by the compile passes.
 *
 * Terms follow OPA's value model: scalars, variables, references (`a.b[c]`: a head term followed
 * by operands; `.b` is the string operand "b"), composites, calls and comprehensions. Infix
 * operators are calls to their builtin (`a + b` is `plus(a, b)`, `x in xs` is
 * `internal.member_2(x, xs)`); unification `=` and assignment `:=` are expression forms.
 */
import type { SourcePos } from "../errors.ts";

export type Term =
  | NullTerm
  | BooleanTerm
  | NumberTerm
  | StringTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | ObjectTerm
  | SetTerm
  | CallTerm
  | ArrayComprehension
  | SetComprehension
  | ObjectComprehension;

export interface NullTerm {
  readonly type: "null";
  readonly loc: SourcePos;
}
export interface BooleanTerm {
  readonly type: "boolean";
  readonly value: boolean;
  readonly loc: SourcePos;
}
/** A number keeps its literal text (e.g. `1.0`, `1e3`, a 30-digit integer) for exact round-trips. */
export interface NumberTerm {
  readonly type: "number";
  readonly text: string;
  readonly loc: SourcePos;
}
export interface StringTerm {
  readonly type: "string";
  readonly value: string;
  readonly loc: SourcePos;
}
/** A variable. Wildcards `_` are given unique names `$0`, `$1`, ... by the parser. */
export interface VarTerm {
  readonly type: "var";
  readonly name: string;
  readonly loc: SourcePos;
}
/** `terms[0]` is the head (a var, a composite, a comprehension or a call); the rest are operands. */
export interface RefTerm {
  readonly type: "ref";
  readonly terms: readonly Term[];
  readonly loc: SourcePos;
}
export interface ArrayTerm {
  readonly type: "array";
  readonly items: readonly Term[];
  readonly loc: SourcePos;
}
export interface ObjectTerm {
  readonly type: "object";
  readonly entries: readonly (readonly [Term, Term])[];
  readonly loc: SourcePos;
}
export interface SetTerm {
  readonly type: "set";
  readonly items: readonly Term[];
  readonly loc: SourcePos;
}
/** A function or builtin call; `name` is the dotted operator (`count`, `object.get`, `data.x.f`). */
export interface CallTerm {
  readonly type: "call";
  readonly name: string;
  readonly nameLoc: SourcePos;
  readonly args: readonly Term[];
  readonly loc: SourcePos;
}
export interface ArrayComprehension {
  readonly type: "arraycompr";
  readonly term: Term;
  readonly body: Body;
  readonly loc: SourcePos;
}
export interface SetComprehension {
  readonly type: "setcompr";
  readonly term: Term;
  readonly body: Body;
  readonly loc: SourcePos;
}
export interface ObjectComprehension {
  readonly type: "objectcompr";
  readonly key: Term;
  readonly value: Term;
  readonly body: Body;
  readonly loc: SourcePos;
}

export type Body = readonly Expr[];

/** `with target as value`; the target is a ref (`input.x`, `data.p`, `count`) or a var. */
export interface With {
  readonly target: Term;
  readonly value: Term;
  /** Set by the compiler when the value names a builtin function (`with count as sum`). */
  readonly builtin?: string;
  readonly loc: SourcePos;
}

export type ExprKind =
  /** A single term; a call term here may use the relational form `f(x, out)`. */
  | { readonly type: "term"; readonly term: Term }
  /** `lhs = rhs` (unification) or `lhs := rhs` (declaring assignment). */
  | { readonly type: "unify"; readonly op: "=" | ":="; readonly lhs: Term; readonly rhs: Term }
  /** `some x, y` */
  | { readonly type: "some"; readonly vars: readonly VarTerm[] }
  /** `some v in domain` or `some k, v in domain` */
  | { readonly type: "somein"; readonly key?: Term; readonly value: Term; readonly domain: Term }
  /**
   * `a and b`, `a or b` (keywords a module imports: `future.keywords.and`/`.or`, `rego.v2`), and
   * `not { body }` (an `and` of one operand, negated). Each operand is a closed body: it holds
   * when it has a solution, and its bindings stay inside it. `or` does not evaluate an operand
   * after one that holds, `and` none after one that does not.
   */
  | { readonly type: "logical"; readonly op: "and" | "or"; readonly operands: readonly Body[] }
  /** `every v in domain { body }` or `every k, v in domain { body }` */
  | {
      readonly type: "every";
      readonly key?: VarTerm;
      readonly value: VarTerm;
      readonly domain: Term;
      readonly body: Body;
    };

export interface Expr {
  readonly kind: ExprKind;
  readonly negated: boolean;
  readonly with: readonly With[];
  readonly loc: SourcePos;
  /** The line the expression ends on, when not `loc.line` (coverage counts every line of it, as OPA). */
  readonly endLine?: number;
}

export interface Head {
  /** The rule's reference relative to its package: `p`, `p.q[x]`, `f`, `a.b.f`. */
  readonly ref: readonly Term[];
  /** Function arguments (present iff the rule is a function). */
  readonly args?: readonly Term[];
  /** For multi-value rules (`p contains x`): the element. */
  readonly contains?: Term;
  /** The value (absent only for multi-value rules); `true` when not written. */
  readonly value?: Term;
  /** `:=` was used (as opposed to `=` or no value). */
  readonly assign: boolean;
  readonly loc: SourcePos;
  /** The line the head ends on, when not `loc.line` (coverage counts every line of it, as OPA). */
  readonly endLine?: number;
}

export interface Rule {
  readonly default: boolean;
  readonly head: Head;
  readonly body: Body;
  /** The next rule of an `else` chain. */
  readonly else?: Rule;
  readonly loc: SourcePos;
}

export interface Import {
  /** `data.x.y`, `input.x` (always a ref with a var head) or `rego.v1` / `future.keywords...`. */
  readonly path: RefTerm;
  readonly alias?: string;
  readonly loc: SourcePos;
}

export interface Package {
  /** Path below `data`, e.g. `["tollgate", "decision"]`. */
  readonly path: readonly string[];
  readonly loc: SourcePos;
}

export interface Module {
  readonly file: string;
  readonly package: Package;
  readonly imports: readonly Import[];
  readonly rules: readonly Rule[];
}

/** Variables named like this are made by the compiler or the parser (wildcards) and never reported. */
export function isGeneratedVar(name: string): boolean {
  return name.startsWith("$") || name.startsWith("__");
}

export function isWildcard(name: string): boolean {
  return name.startsWith("$");
}
