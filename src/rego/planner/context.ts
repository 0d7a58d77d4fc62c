/**
 * The planning context of `with` modifiers that change which code runs, as opposed to which
 * data it sees (that is done at run time with `WithStmt`):
 * - `with data.p as v` where rules define `data.p` (or something below it) hides those rules:
 *   references read the replaced data document instead;
 * - `with count as f` / `with data.lib.f as g` / `with time.now_ns as 12` replaces a builtin or
 *   a user function (a "mock").
 * Rule functions are planned once per context, so a rule evaluated under a mock gets its own
 * copy of the code with the mock applied (as OPA's planner does).
 */
import type { SourcePos } from "../errors.ts";
import type { Local } from "../ir.ts";
import type { Term } from "../syntax/ast.ts";

export type MockTarget =
  /** Call this user function (by data path) instead. */
  | { readonly kind: "function"; readonly path: readonly string[] }
  /** Call this builtin instead. */
  | { readonly kind: "builtin"; readonly name: string }
  /**
   * Return this value instead. `local` holds the value in the function that planned the `with`
   * (`owner`); elsewhere the term is planned again, which needs it to be `portable` (no local
   * variables of the `with` site: constants, references to data and input, closed comprehensions).
   */
  | {
      readonly kind: "value";
      readonly term: Term;
      readonly local: Local;
      readonly owner: number;
      readonly portable: boolean;
      /** Where the `with` is written (for messages). */
      readonly at: SourcePos;
    };

export class PlanContext {
  private constructor(
    /** Data paths (below `data`) whose rules are hidden. */
    readonly shadowed: readonly (readonly string[])[],
    /** Builtin name or `data.x.f` → replacement. */
    readonly mocks: ReadonlyMap<string, MockTarget>,
    /** Canonical text of the context, for function caching. */
    readonly key: string,
  ) {}

  static readonly EMPTY = new PlanContext([], new Map(), "");

  private static make(shadowed: readonly (readonly string[])[], mocks: ReadonlyMap<string, MockTarget>): PlanContext {
    const parts: string[] = [];
    const sortedShadows = [...shadowed].map((p) => JSON.stringify(p)).sort();
    if (sortedShadows.length > 0) parts.push(`shadow:${sortedShadows.join(",")}`);
    const sortedMocks = [...mocks.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [name, target] of sortedMocks) parts.push(`mock:${name}=${describeMock(target)}`);
    return new PlanContext(shadowed, mocks, parts.join(";"));
  }

  withShadows(paths: readonly (readonly string[])[]): PlanContext {
    if (paths.length === 0) return this;
    return PlanContext.make([...this.shadowed, ...paths], this.mocks);
  }

  withMocks(mocks: ReadonlyMap<string, MockTarget>): PlanContext {
    if (mocks.size === 0) return this;
    const merged = new Map(this.mocks);
    for (const [k, v] of mocks) merged.set(k, v);
    return PlanContext.make(this.shadowed, merged);
  }

  /** The context inside a mock function: mocks do not apply there (OPA semantics), hidden rules stay hidden. */
  withoutMocks(): PlanContext {
    if (this.mocks.size === 0) return this;
    return PlanContext.make(this.shadowed, new Map());
  }

  /** True if rules at `path` are hidden by a `with` on one of its prefixes. */
  hides(path: readonly string[]): boolean {
    return this.shadowed.some((s) => s.length <= path.length && s.every((p, i) => path[i] === p));
  }
}

function describeMock(t: MockTarget): string {
  switch (t.kind) {
    case "function":
      return `fn(${t.path.join(".")})`;
    case "builtin":
      return `builtin(${t.name})`;
    case "value":
      return `value(${t.owner}:${t.local}:${termKey(t.term)})`;
  }
}

function termKey(t: Term): string {
  return JSON.stringify(t, (k, v) => (k === "loc" || k === "nameLoc" ? undefined : v));
}
