/**
 * Recursive-descent parser for Rego v1 (the grammar of OPA 1.x: `if`, `contains`, `every`,
 * `some ... in`, with `rego.v1` implied). Operator precedence, lowest first: `=`/`:=`
 * (expressions only), `in`, relations (`==` `!=` `<` `<=` `>` `>=`), `|`, `&`, `+` `-`,
 * `*` `/` `%`; all binary operators associate to the left. References and calls are written
 * without whitespace before `.`, `[` and `(`; a newline or `;` separates body literals.
 */
import { ProblemList, type SourcePos } from "../errors.ts";
import type {
  Body,
  CallTerm,
  Expr,
  ExprKind,
  Head,
  Import,
  Module,
  Package,
  RefTerm,
  Rule,
  Term,
  VarTerm,
  With,
} from "./ast.ts";
import { decodeStringLiteral, type Token, tokenize } from "./lexer.ts";

/**
 * Thrown inside the parser; alternatives catch it to backtrack. Not an `Error`: backtracking
 * throws often, and capturing a stack trace each time is the parser's main cost.
 */
class SyntaxFail {
  constructor(
    readonly pos: SourcePos,
    readonly message: string,
    /** The input looks like Rego v0 syntax read as v1. */
    readonly regoV0 = false,
  ) {}
}

/** Which Rego a module is written in: v1 (OPA 1.x, the default) or v0 (OPA 0.x). */
export type RegoVersion = "v0" | "v1";

export interface ParseOptions {
  /** The version a module is read as unless it says otherwise (`import rego.v1`). Default v1. */
  readonly regoVersion?: RegoVersion;
}

/** A replacement of `text[start, end)`: what turns a v0 module into its v1 equivalent. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Keywords Rego v0 has only when imported (`import future.keywords.in`, `future.keywords`, `rego.v1`). */
const V0_FUTURE_KEYWORDS = ["contains", "every", "if", "in"];

type Attempt<T> = { ok: true; value: T } | { ok: false; error: SyntaxFail };

const RELATION_OPS: Record<string, string> = {
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  "<=": "lte",
  ">": "gt",
  ">=": "gte",
};
const ARITH_OPS: Record<string, string> = { "+": "plus", "-": "minus" };
const FACTOR_OPS: Record<string, string> = { "*": "mul", "/": "div", "%": "rem" };

export const MEMBER = "internal.member_2";
export const MEMBER_WITH_KEY = "internal.member_3";
export const TEMPLATE_STRING = "internal.template_string";

/** Parses a module; throws `RegoCompileError` (`rego_parse_error`) on bad syntax. */
export function parseModule(file: string, text: string, options: ParseOptions = {}): Module {
  return run(file, text, (p) => p.module(), options.regoVersion);
}

/**
 * Parses a Rego v0 module and returns, with it, the edits that make it v1 (`if` before bodies,
 * `contains` for partial sets). A module that imports `rego.v1` needs none after that import.
 */
export function parseModuleV0(file: string, text: string): { module: Module; edits: readonly TextEdit[] } {
  return run(file, text, (p) => ({ module: p.module(), edits: p.edits }), "v0");
}

/** Parses a query (a body written on its own, e.g. `data.x.p = v`). */
export function parseQuery(file: string, text: string): Body {
  return run(file, text, (p) => {
    const body = p.query();
    p.expectEnd();
    return body;
  });
}

/** Parses a single term (e.g. an input written in Rego syntax). */
export function parseTerm(file: string, text: string): Term {
  return run(file, text, (p) => {
    const term = p.termInfix(false);
    p.expectEnd();
    return term;
  });
}

function run<T>(file: string, text: string, f: (p: Parser) => T, version?: RegoVersion): T {
  const parser = new Parser(file, text, tokenize(file, text), version);
  try {
    return f(parser);
  } catch (error) {
    if (error instanceof SyntaxFail) {
      const problems = new ProblemList();
      problems.add(error.pos, "rego_parse_error", error.message, error.regoV0 ? { regoV0: true } : undefined);
      problems.throwIfAny();
    }
    throw error;
  }
}

class Parser {
  private i = 0;
  private wildcards = 0;
  /** `and`/`or` are operators (imported: `future.keywords.and`/`.or`, `future.keywords`, `rego.v2`). */
  private logicalKeywords = false;
  /** `not { ... }` and `not ( ... )` (imported: `future.keywords.not`, `future.keywords`, `rego.v2`). */
  private notBodies = false;
  private readonly termCache = new Map<
    string,
    { term: Term; end: number; wildcards: number } | { error: SyntaxFail }
  >();

  /** Reading Rego v0 (until an `import rego.v1`). */
  v0: boolean;
  /** Rego v0 → v1 rewrites of what was parsed as v0. */
  readonly edits: TextEdit[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
    readonly tokens: Token[],
    version: RegoVersion = "v1",
  ) {
    this.v0 = version === "v0";
    if (this.v0) this.setKeywords(V0_FUTURE_KEYWORDS, false);
  }

  /** Makes words keywords (or plain names) from the current token on. */
  private setKeywords(words: readonly string[], on: boolean): void {
    for (let j = this.i; j < this.tokens.length; j++) {
      const t = this.tokens[j]!;
      if (words.includes(t.text) && (t.kind === "ident" || t.kind === "keyword")) {
        this.tokens[j] = { ...t, kind: on ? "keyword" : "ident" };
      }
    }
  }

  // ---- token helpers ----

  private get tok(): Token {
    return this.tokens[this.i]!;
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.tok;
    if (t.kind !== "eof") this.i++;
    return t;
  }
  private isOp(text: string, t: Token = this.tok): boolean {
    return t.kind === "op" && t.text === text;
  }
  private isKw(text: string, t: Token = this.tok): boolean {
    return t.kind === "keyword" && t.text === text;
  }
  /** The current token continues a reference or call (no whitespace before it). */
  private continuesRef(): boolean {
    const t = this.tok;
    return !t.spaceBefore && t.kind === "op" && (t.text === "." || t.text === "[" || t.text === "(");
  }
  private fail(message: string, t: Token = this.tok, regoV0 = false): never {
    if (t.kind === "illegal") throw new SyntaxFail(t.pos, t.error ?? "illegal token");
    throw new SyntaxFail(t.pos, message, regoV0);
  }
  private unexpected(note?: string, t: Token = this.tok): never {
    const what = t.kind === "eof" ? "eof token" : `${t.text} ${t.kind === "keyword" ? "keyword" : "token"}`;
    this.fail(note ? `unexpected ${what}: ${note}` : `unexpected ${what}`, t);
  }
  private expectOp(text: string, note?: string): Token {
    if (!this.isOp(text)) this.unexpected(note ?? `expected ${text}`);
    return this.next();
  }
  expectEnd(): void {
    if (this.tok.kind !== "eof") this.unexpected();
  }
  /** Runs `f`; on a syntax failure restores the position and returns undefined. */
  private attempt<T>(f: () => T): Attempt<T> {
    const save = this.i;
    const saveWild = this.wildcards;
    try {
      return { ok: true, value: f() };
    } catch (error) {
      if (!(error instanceof SyntaxFail)) throw error;
      this.i = save;
      this.wildcards = saveWild;
      return { ok: false, error };
    }
  }

  private wildcard(loc: SourcePos): VarTerm {
    return { type: "var", name: `$${this.wildcards++}`, loc };
  }

  // ---- modules ----

  module(): Module {
    if (!this.isKw("package")) this.fail("package expected");
    const pkg = this.packageDecl();
    const imports: Import[] = [];
    const rules: Rule[] = [];
    while (this.tok.kind !== "eof") {
      if (this.isKw("import") && !this.continuesRefAfter()) {
        const imp = this.importDecl();
        imports.push(imp);
        this.applyFutureKeywords(imp);
        continue;
      }
      if (this.isKw("package") && !this.continuesRefAfter())
        this.fail("unexpected package keyword: multiple packages in one file");
      rules.push(...this.rules());
    }
    return { file: this.file, package: pkg, imports, rules };
  }

  /**
   * Turns on the keywords an import asks for, from the next token on. In v0, `rego.v1` switches
   * to v1 and `future.keywords` brings v0's future keywords (`in`, `if`, ...); in v1 these bring
   * v1's future keywords (`and`, `or`, `not { ... }`), as does `rego.v2`.
   */
  private applyFutureKeywords(imp: Import): void {
    const path = imp.path.terms.map((t) => (t.type === "var" ? t.name : t.type === "string" ? t.value : "?"));
    const name = path.join(".");
    const known = this.v0 ? V0_FUTURE_KEYWORDS : ["and", "not", "or"];
    const wanted = new Set<string>();
    if (this.v0 && (name === "rego.v1" || name === "rego.v2")) {
      this.v0 = false;
      this.setKeywords(V0_FUTURE_KEYWORDS, true);
      if (name === "rego.v1") return;
    }
    if (name === "rego.v2" || name === "future.keywords") for (const k of known) wanted.add(k);
    else if (path[0] === "future" && path[1] === "keywords" && path.length === 3) {
      const keyword = path[2]!;
      if (!known.includes(keyword) && !V0_FUTURE_KEYWORDS.includes(keyword)) {
        this.fail(`unknown future keyword: ${keyword}`, this.tokenAt(imp.loc));
      }
      wanted.add(keyword);
    }
    if (this.v0) {
      this.setKeywords([...wanted], true);
      return;
    }
    if (wanted.has("not")) this.notBodies = true;
    const operators = ["and", "or"].filter((k) => wanted.has(k));
    if (operators.length === 0) return;
    this.logicalKeywords = true;
    this.setKeywords(operators, true);
  }

  /** A keyword followed directly by `.` or `[` is the start of a reference, not a statement. */
  private continuesRefAfter(): boolean {
    const n = this.peek();
    return !n.spaceBefore && n.kind === "op" && (n.text === "." || n.text === "[");
  }

  private packageDecl(): Package {
    const kw = this.next();
    const t = this.tok;
    if (t.kind !== "ident") this.unexpected("expected package path");
    const term = this.term();
    const path: string[] = [];
    if (term.type === "var") path.push(term.name);
    else if (term.type === "ref" && term.terms[0]!.type === "var") {
      path.push(term.terms[0]!.name);
      for (const op of term.terms.slice(1)) {
        if (op.type !== "string") this.fail(`unexpected ${op.type} token: expecting string`);
        path.push(op.value);
      }
    } else this.fail("unexpected term: expected package path", t);
    if (path[0] === "data" || path[0] === "input") {
      // `package data.x` is not how OPA spells packages; keep the path below data.
      if (path[0] === "input") this.fail("unexpected input path: package must be below data", t);
      path.shift();
      if (path.length === 0) this.fail("package path must not be empty", t);
    }
    return { path, loc: kw.pos };
  }

  private importDecl(): Import {
    const kw = this.next();
    const t = this.tok;
    if (t.kind !== "ident") this.unexpected("expected import path");
    const term = this.term();
    let path: RefTerm;
    if (term.type === "var") path = { type: "ref", terms: [term], loc: term.loc };
    else if (term.type === "ref" && term.terms[0]!.type === "var") {
      for (const op of term.terms.slice(1)) {
        if (op.type !== "string") this.fail(`unexpected ${op.type} token: expecting string`, t);
      }
      path = term;
    } else this.fail("unexpected term: expected import path", t);
    const root = (path.terms[0] as VarTerm).name;
    if (!["data", "input", "future", "rego"].includes(root)) {
      this.fail(`unexpected import path, must begin with one of: {data, future, input, rego}, got: ${root}`, t);
    }
    let alias: string | undefined;
    if (this.isKw("as")) {
      this.next();
      if (this.tok.kind !== "ident") this.unexpected("expected var");
      alias = this.next().text;
    }
    return { path, loc: kw.pos, ...(alias !== undefined ? { alias } : {}) };
  }

  // ---- rules ----

  private rules(): Rule[] {
    const start = this.tok;
    let isDefault = false;
    if (this.isKw("default") && !this.continuesRefAfter()) {
      this.next();
      isDefault = true;
    }
    // Keywords may start a rule's reference (`as.foo := 1`, `default if.f(_) := 0`).
    if (this.tok.kind !== "ident" && !(this.tok.kind === "keyword" && this.continuesRefAfter())) {
      this.unexpected(isDefault ? "expected rule head" : undefined);
    }
    const headStart = this.i;
    const parsed = this.head(isDefault);
    const headEnd = this.lastTokenLine();
    let head: Head = headEnd > parsed.head.loc.line ? { ...parsed.head, endLine: headEnd } : parsed.head;
    if (isDefault) {
      this.checkDefault(head, start);
      return [{ default: true, head, body: [trueExpr(start.pos)], loc: start.pos }];
    }

    const hasIf = this.isKw("if") && !this.continuesRefAfter();
    if (!parsed.contains && !head.args && head.ref.length === 2) {
      if (this.v0 && head.value === undefined) {
        // Rego v0: `p[x] { ... }` is a partial set, in v1 `p contains x if { ... }`.
        const open = this.tokens[headStart + 1]!;
        const close = this.tokens[this.i - 1]!;
        this.edit(open.offset, close.end, ` contains ${this.source(open.end, close.offset).trim()}`);
        head = { ref: [head.ref[0]!], contains: head.ref[1]!, assign: false, loc: head.loc };
        parsed.contains = true;
      } else {
        if (!hasIf && head.value === undefined && !this.isOp("{")) {
          this.fail("`contains` keyword is required for partial set rules", start, true);
        }
        if (head.value === undefined) head = { ...head, value: { type: "boolean", value: true, loc: head.loc } };
      }
    }
    if (!hasIf && this.isOp("{")) {
      if (!this.v0) this.fail("`if` keyword is required before rule body", this.tok, true);
      this.insertIf();
    } else if (this.v0 && !hasIf && !parsed.contains && !parsed.valueWritten) {
      this.fail("var cannot be used for rule name", start);
    }

    let body: Body;
    if (hasIf) {
      this.next();
      body = this.ifBody();
    } else if (this.v0 && this.isOp("{")) {
      body = this.bracedBody();
    } else if (parsed.contains || head.value !== undefined) {
      body = [trueExpr(head.loc)];
    } else {
      this.unexpected("expected rule value term or body");
    }

    let rule: Rule = { default: false, head, body, loc: start.pos };
    if (this.isKw("else") && !this.continuesRefAfter()) {
      const elseTok = this.tok;
      if (parsed.contains) this.fail("else keyword cannot be used on multi-value rules", elseTok);
      if (head.ref.length > 1 && !head.ref.slice(1).every((t) => t.type === "string") && !head.args) {
        this.fail("else keyword cannot be used on rules with variables in head", elseTok);
      }
      rule = { ...rule, else: this.elseChain(head) };
    }
    const result = [rule];
    // Chained bodies `p if { a } { b }` define the same head twice.
    while (this.isOp("{")) {
      if (rule.else) this.fail("expected else keyword");
      const loc = this.tok.pos;
      this.next();
      const more = this.body("}");
      this.expectOp("}");
      result.push({ default: false, head: { ...head, loc }, body: more, loc });
    }
    return result;
  }

  /** `{ body }` */
  private bracedBody(): Body {
    this.expectOp("{");
    const body = this.body("}");
    this.expectOp("}");
    return body;
  }

  /** Rego v0 → v1: ` if` before the rule body starting at the current `{`. */
  private insertIf(): void {
    const brace = this.tok;
    this.edit(brace.offset, brace.offset, brace.spaceBefore ? "if " : " if ");
  }

  private edit(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text });
  }

  private source(start: number, end: number): string {
    return this.text.slice(start, end);
  }

  /** After `if`: a single literal, or a braced body. */
  private ifBody(): Body {
    if (this.isOp("{")) {
      const literal = this.attempt(() => {
        const expr = this.literal();
        if (expr.kind.type === "term" && expr.kind.term.type === "set") this.fail("set literal");
        if (!this.atLiteralEnd()) this.fail("more");
        return expr;
      });
      if (literal.ok) return [this.spanned(literal.value)];
      this.next();
      const body = this.body("}");
      this.expectOp("}");
      return body;
    }
    return [this.spanned(this.literal())];
  }

  /** The expression with the line of its last token (for coverage), when that is a later line. */
  private spanned(e: Expr): Expr {
    const endLine = this.lastTokenLine();
    return endLine > e.loc.line ? { ...e, endLine } : e;
  }

  /** The line the last token read ends on. */
  private lastTokenLine(): number {
    const last = this.tokens[this.i - 1];
    return last ? last.pos.line + (last.text.match(/\n/g)?.length ?? 0) : 0;
  }

  /** The next token cannot continue the current statement. */
  private atLiteralEnd(): boolean {
    const t = this.tok;
    return t.kind === "eof" || t.newlineBefore || this.isOp(";") || this.isKw("else") || this.isOp("}");
  }

  private elseChain(head: Head): Rule {
    const elseTok = this.next();
    let value: Term;
    let assign = head.assign;
    if (this.isOp(":=") || this.isOp("=")) {
      assign = this.next().text === ":=";
      value = this.termInfix(true);
    } else if (this.isKw("if") || this.isOp("{")) {
      value = { type: "boolean", value: true, loc: elseTok.pos };
    } else {
      this.unexpected("expected else value term or rule body");
    }
    const args = head.args?.map((a) => this.freshWildcards(a));
    const elseHead: Head = { ...head, value, assign, loc: elseTok.pos, ...(args ? { args } : {}) };
    let body: Body;
    if (this.isKw("if")) {
      this.next();
      body = this.ifBody();
    } else if (this.isOp("{")) {
      if (!this.v0) this.fail("`if` keyword is required before rule body", this.tok, true);
      this.insertIf();
      body = this.bracedBody();
    } else {
      body = [trueExpr(elseTok.pos)];
    }
    const rule: Rule = { default: false, head: elseHead, body, loc: elseTok.pos };
    if (this.isKw("else") && !this.continuesRefAfter()) return { ...rule, else: this.elseChain(head) };
    return rule;
  }

  private freshWildcards(t: Term): Term {
    if (t.type === "var" && t.name.startsWith("$")) return this.wildcard(t.loc);
    return t;
  }

  private head(isDefault: boolean): { head: Head; contains: boolean; valueWritten?: boolean } {
    const start = this.tok;
    const headTerm = this.termNoInfix();
    let ref: Term[];
    let args: Term[] | undefined;
    if (headTerm.type === "var") ref = [headTerm];
    else if (headTerm.type === "ref" && headTerm.terms[0]!.type === "var") ref = [...headTerm.terms];
    else if (headTerm.type === "call") {
      ref = headTerm.name
        .split(".")
        .map((part, k) =>
          k === 0
            ? ({ type: "var", name: part, loc: headTerm.nameLoc } as const)
            : ({ type: "string", value: part, loc: headTerm.nameLoc } as const),
        );
      args = [...headTerm.args];
    } else this.fail("unexpected term: expected rule head name", start);
    const first = ref[0] as VarTerm;
    if (first.name === "data" || first.name === "input") {
      this.fail(`rule name conflicts with built-in document ${first.name}`, start);
    }
    const base = { ref, loc: start.pos, ...(args ? { args } : {}) };
    if (this.isKw("contains")) {
      if (args) this.unexpected("the contains keyword can only be used with multi-value rule definitions");
      this.next();
      const element = this.termInfix(true);
      return { head: { ...base, contains: element, assign: false }, contains: true };
    }
    if (this.isOp("=") || this.isOp(":=")) {
      const assign = this.next().text === ":=";
      const value = this.termInfix(true);
      return { head: { ...base, value, assign }, contains: false, valueWritten: true };
    }
    if (isDefault) this.fail("illegal default rule (must have a value)", start);
    // `p if ...`, `p.q.r if ...`, `f(x) if ...`: the value is `true`; `p[x] if` is decided by the caller.
    if (ref.length !== 2 || args) {
      return {
        head: { ...base, value: { type: "boolean", value: true, loc: start.pos }, assign: false },
        contains: false,
      };
    }
    return { head: { ...base, assign: false }, contains: false };
  }

  private checkDefault(head: Head, start: Token): void {
    if (head.value === undefined) this.fail("illegal default rule (must have a value)", start);
    const bad = findNonConstant(head.value);
    if (bad) this.fail(`illegal default rule (value cannot contain ${bad})`, start);
    if (head.args) {
      const seen = new Set<string>();
      for (const a of head.args) {
        if (a.type !== "var") this.fail(`illegal default rule (arguments cannot contain ${a.type})`, start);
        if (seen.has(a.name)) this.fail(`illegal default rule (arguments cannot be repeated ${a.name})`, start);
        seen.add(a.name);
      }
    }
  }

  // ---- bodies and literals ----

  /** A query at the top level of a file (ends at EOF). */
  query(): Body {
    if (this.tok.kind === "eof") this.fail("found empty body");
    return this.literals((t) => t.kind === "eof");
  }

  private body(end: string): Body {
    if (this.isOp(end)) this.fail("found empty body");
    return this.literals((t) => t.kind === "op" && t.text === end);
  }

  private literals(atEnd: (t: Token) => boolean): Body {
    const body: Expr[] = [];
    for (;;) {
      body.push(this.spanned(this.literal()));
      if (this.isOp(";")) {
        this.next();
        continue;
      }
      if (atEnd(this.tok)) return body;
      if (!this.tok.newlineBefore) this.unexpected("expected \\n or ; or }");
    }
  }

  private literal(): Expr {
    if (!this.logicalKeywords && !this.notBodies) return this.simpleLiteral(true);
    const start = this.tok;
    const first = this.logicalOperand(true);
    if (!this.isLogicalOp()) {
      if (first.kind === "literal") return first.expr;
      const expr: Expr = {
        kind: { type: "logical", op: "and", operands: [first.body] },
        negated: false,
        with: [],
        loc: start.pos,
      };
      return this.withOn(expr);
    }
    const chain = this.logicalChain(first);
    return this.withOn({ kind: chain, negated: false, with: [], loc: start.pos });
  }

  private isLogicalOp(): boolean {
    return (this.isKw("and") || this.isKw("or")) && !this.continuesRefAfter();
  }

  private withOn(e: Expr): Expr {
    if (!this.isKw("with") || this.continuesRefAfter()) return e;
    return { ...e, with: [...e.with, ...this.withModifiers()] };
  }

  /**
   * One operand of `and`/`or`: a braced body, a parenthesised chain, `not` of either, or a
   * literal. A literal stays a literal (with its own `with`s) unless an operator follows.
   */
  private logicalOperand(
    statementStart: boolean,
    first = true,
  ): { kind: "body"; body: Body } | { kind: "literal"; expr: Expr } {
    const start = this.tok;
    if (this.isOp("{")) {
      const braced = this.attempt(() => {
        this.next();
        const body = this.body("}");
        this.expectOp("}");
        if (statementStart && !this.isLogicalOp()) this.fail("not an operand");
        return body;
      });
      if (braced.ok) return { kind: "body", body: braced.value };
    }
    if (this.isOp("(")) {
      const group = this.attempt(() => this.logicalGroup());
      if (group.ok) return { kind: "body", body: [{ ...group.value, loc: start.pos }] };
    }
    if (this.isKw("not") && !this.continuesRefAfter() && this.notBodies) {
      const save = this.i;
      this.next();
      const notStart = this.tok;
      if (this.isOp("{")) {
        this.next();
        const body = this.body("}");
        this.expectOp("}");
        const e: Expr = {
          kind: { type: "logical", op: "and", operands: [body] },
          negated: true,
          with: [],
          loc: start.pos,
        };
        return { kind: "body", body: [e] };
      }
      if (this.isOp("(")) {
        const group = this.attempt(() => this.logicalGroup());
        if (group.ok) {
          const inner: Expr = { ...group.value, loc: notStart.pos };
          const e: Expr = {
            kind: { type: "logical", op: "and", operands: [[inner]] },
            negated: true,
            with: [],
            loc: start.pos,
          };
          return { kind: "body", body: [e] };
        }
      }
      this.i = save;
    }
    // A `with` after the last operand applies to the whole chain (the caller attaches it).
    const expr = this.simpleLiteral(first);
    if (this.isLogicalOp() && expr.with.length > 0) {
      this.fail(
        `unexpected with keyword: \`with\` modifiers on an operand of \`${this.tok.text}\` must be written inside braces`,
        this.tokenAt(expr.with[0]!.loc),
      );
    }
    return { kind: "literal", expr };
  }

  /** `( chain )`: only when it holds an operator or one follows (else it is a parenthesised term). */
  private logicalGroup(): Expr {
    const open = this.next();
    const first = this.logicalOperand(false);
    let group: Expr;
    if (this.isLogicalOp())
      group = this.withOn({ kind: this.logicalChain(first), negated: false, with: [], loc: open.pos });
    else {
      // `(x == 1)` on its own is a parenthesised term, unless an operator follows.
      if (first.kind === "literal" && !this.isOpAfterParen()) this.fail("not a group");
      group = {
        kind: { type: "logical", op: "and", operands: [first.kind === "body" ? first.body : [first.expr]] },
        negated: false,
        with: [],
        loc: open.pos,
      };
    }
    this.expectOp(")");
    return group;
  }

  /** After `( literal`: true if `)` is followed by `and`/`or`. */
  private isOpAfterParen(): boolean {
    if (!this.isOp(")")) return false;
    const n = this.peek();
    return n.kind === "keyword" && (n.text === "and" || n.text === "or");
  }

  /** `x and y or z`: `and` binds tighter than `or`; both associate to the left. */
  private logicalChain(first: { kind: "body"; body: Body } | { kind: "literal"; expr: Expr }): ExprKind {
    const asBody = (o: typeof first): Body => (o.kind === "body" ? o.body : [o.expr]);
    const ors: Body[] = [];
    let ands: Body[] = [asBody(first)];
    const flush = (): void => {
      if (ands.length === 1) ors.push(ands[0]!);
      else
        ors.push([
          { kind: { type: "logical", op: "and", operands: ands }, negated: false, with: [], loc: ands[0]![0]!.loc },
        ]);
    };
    while (this.isLogicalOp()) {
      const op = this.next().text;
      const operand = asBody(this.logicalOperand(false, false));
      if (op === "and") ands.push(operand);
      else {
        flush();
        ands = [operand];
      }
    }
    flush();
    if (ors.length === 1) {
      const only = ors[0]!;
      const e = only[0]!;
      if (only.length === 1 && e.kind.type === "logical" && !e.negated && e.with.length === 0) return e.kind;
      return { type: "logical", op: "and", operands: [only] };
    }
    return { type: "logical", op: "or", operands: ors };
  }

  private simpleLiteral(withs: boolean): Expr {
    const start = this.tok;
    let negated = false;
    if (this.isKw("not") && !this.continuesRefAfter()) {
      this.next();
      negated = true;
    }
    let kind: ExprKind;
    if (this.isKw("some") && !this.continuesRefAfter()) {
      if (negated) this.unexpected("illegal negation of 'some'");
      kind = this.someDecl();
    } else if (this.isKw("every") && !this.continuesRefAfter()) {
      if (negated) this.unexpected("illegal negation of 'every'");
      kind = this.everyExpr();
    } else {
      kind = this.exprKind();
    }
    const withList = withs && this.isKw("with") && !this.continuesRefAfter() ? this.withModifiers() : [];
    return { kind, negated, with: withList, loc: start.pos };
  }

  private exprKind(): ExprKind {
    const lhs = this.termInfix(true);
    if (this.isOp("=") || this.isOp(":=")) {
      const op = this.next().text as "=" | ":=";
      const rhs = this.termInfix(true);
      return { type: "unify", op, lhs, rhs };
    }
    return { type: "term", term: lhs };
  }

  private someDecl(): ExprKind {
    const kw = this.next();
    const asIn = this.attempt(() => {
      const term = this.termInfix(true);
      if (term.type !== "call" || (term.name !== MEMBER && term.name !== MEMBER_WITH_KEY)) this.fail("not in");
      return term;
    });
    if (asIn.ok) {
      const call = asIn.value;
      if (call.name === MEMBER) return { type: "somein", value: call.args[0]!, domain: call.args[1]! };
      return { type: "somein", key: call.args[0]!, value: call.args[1]!, domain: call.args[2]! };
    }
    const vars: VarTerm[] = [];
    for (;;) {
      if (this.tok.kind !== "ident") this.unexpected("expected var");
      const t = this.next();
      vars.push(t.text === "_" ? this.wildcard(t.pos) : { type: "var", name: t.text, loc: t.pos });
      if (!this.isOp(",")) break;
      this.next();
    }
    if (vars.length === 0) this.fail("expected var", kw);
    return { type: "some", vars };
  }

  private everyExpr(): ExprKind {
    this.next();
    const t = this.tok;
    const term = this.termInfix(true);
    if (term.type !== "call" || (term.name !== MEMBER && term.name !== MEMBER_WITH_KEY)) {
      this.unexpected("expected `x[, y] in xs { ... }` expression", t);
    }
    let key: Term | undefined;
    let value: Term;
    let domain: Term;
    if (term.name === MEMBER) [value, domain] = term.args as [Term, Term];
    else [key, value, domain] = term.args as [Term, Term, Term];
    if (key && key.type !== "var") this.fail("unexpected term: expected key to be a variable", t);
    if (value.type !== "var") this.fail("unexpected term: expected value to be a variable", t);
    if (!this.isOp("{")) this.unexpected("missing body");
    this.next();
    const body = this.body("}");
    this.expectOp("}");
    return { type: "every", value, domain, body, ...(key ? { key: key as VarTerm } : {}) };
  }

  private withModifiers(): With[] {
    const withs: With[] = [];
    while (this.isKw("with") && !this.continuesRefAfter()) {
      const kw = this.next();
      if (this.tok.kind !== "ident") this.unexpected("expected ident");
      const target = this.term();
      if (target.type !== "ref" && target.type !== "var") this.fail("unexpected term: expected with target path", kw);
      if (!this.isKw("as")) this.unexpected("expected as keyword");
      this.next();
      const value = this.termInfix(true);
      withs.push({ target, value, loc: kw.pos });
    }
    return withs;
  }

  // ---- terms with operators ----

  /** A term with infix operators; `keyVal` allows `k, v in xs` at this level. */
  termInfix(keyVal: boolean): Term {
    let lhs = this.termRelation();
    if (keyVal && this.isOp(",")) {
      const kv = this.attempt(() => {
        this.next();
        const mhs = this.termRelation();
        if (!this.isKw("in") || this.continuesRefAfter()) this.fail("not key-value membership");
        const inTok = this.next();
        const rhs = this.termRelation();
        return call(MEMBER_WITH_KEY, inTok.pos, [lhs, mhs, rhs], lhs.loc);
      });
      if (kv.ok) lhs = kv.value;
    }
    while (this.isKw("in") && !this.continuesRefAfter()) {
      const inTok = this.next();
      const rhs = this.termRelation();
      lhs = call(MEMBER, inTok.pos, [lhs, rhs], lhs.loc);
    }
    return lhs;
  }

  private binaryLevel(ops: Record<string, string>, operand: () => Term): Term {
    let lhs = operand();
    for (;;) {
      const t = this.tok;
      const name = t.kind === "op" ? ops[t.text] : undefined;
      if (name === undefined) return lhs;
      this.next();
      const rhs = operand();
      lhs = call(name, t.pos, [lhs, rhs], lhs.loc);
    }
  }

  private termRelation(): Term {
    return this.binaryLevel(RELATION_OPS, () => this.termOr());
  }
  private termOr(): Term {
    return this.binaryLevel({ "|": "or" }, () => this.termAnd());
  }
  private termAnd(): Term {
    return this.binaryLevel({ "&": "and" }, () => this.termArith());
  }
  private termArith(): Term {
    return this.binaryLevel(ARITH_OPS, () => this.termFactor());
  }
  private termFactor(): Term {
    return this.binaryLevel(FACTOR_OPS, () => this.term());
  }

  /** A rule head: a var followed by a reference or call, no operators. */
  private termNoInfix(): Term {
    const t = this.next();
    const v: VarTerm = { type: "var", name: t.text, loc: t.pos };
    return this.continuesRef() ? this.refRest(v) : v;
  }

  // ---- primary terms ----

  /**
   * A primary term and its reference/call continuation. Memoised by position: the parser tries a
   * plain term first and re-parses with operators when that fails (`{a | b}`, `[x | ...]`), which
   * would otherwise cost time exponential in the nesting depth of literals.
   */
  term(): Term {
    const key = `${this.i}:${this.wildcards}`;
    const hit = this.termCache.get(key);
    if (hit) {
      if ("error" in hit) throw hit.error;
      this.i = hit.end;
      this.wildcards = hit.wildcards;
      return hit.term;
    }
    try {
      const term = this.termUncached();
      this.termCache.set(key, { term, end: this.i, wildcards: this.wildcards });
      return term;
    } catch (error) {
      if (error instanceof SyntaxFail) this.termCache.set(key, { error });
      throw error;
    }
  }

  private termUncached(): Term {
    const t = this.tok;
    let head: Term;
    switch (t.kind) {
      case "keyword":
        if (this.continuesRefAfter() || t.text === "contains") {
          // Keywords may start a reference (`data.foo.not` is fine, and so are `false.x`, `contains.x`).
          this.next();
          head = { type: "var", name: t.text, loc: t.pos };
        } else if (t.text === "null") {
          this.next();
          head = { type: "null", loc: t.pos };
        } else if (t.text === "true" || t.text === "false") {
          this.next();
          head = { type: "boolean", value: t.text === "true", loc: t.pos };
        } else {
          this.unexpected();
        }
        break;
      case "number":
        head = this.number("");
        break;
      case "string": {
        this.next();
        const value = decodeStringLiteral(t.text);
        if (value === undefined) this.fail(`illegal string literal: ${t.text}`, t);
        head = { type: "string", value, loc: t.pos };
        break;
      }
      case "rawstring":
        this.next();
        head = { type: "string", value: t.text.slice(1, -1), loc: t.pos };
        break;
      case "template":
        head = this.templateString();
        break;
      case "ident":
        this.next();
        if (t.text === "_") head = this.wildcard(t.pos);
        else head = { type: "var", name: t.text, loc: t.pos };
        break;
      case "op":
        if (t.text === "-") {
          this.next();
          if (this.tok.spaceBefore || (this.tok.kind !== "number" && !this.isOp(".")))
            this.unexpected("expected number");
          head = this.number("-", t.pos);
        } else if (t.text === ".") {
          head = this.number("");
        } else if (t.text === "[") {
          head = this.arrayTerm();
        } else if (t.text === "{") {
          head = this.setOrObject();
        } else if (t.text === "(") {
          this.next();
          const inner = this.termInfix(true);
          if (!this.isOp(")")) this.fail("non-terminated expression");
          this.next();
          head = inner;
        } else {
          this.unexpected();
        }
        break;
      default:
        this.unexpected();
    }
    if (this.continuesRef()) return this.refRest(head);
    if (head.type === "var" && (head.name === "data" || head.name === "input")) {
      return { type: "ref", terms: [head], loc: head.loc };
    }
    return head;
  }

  /**
   * `$"a {x} b"` as OPA compiles it: `internal.template_string(["a ", {$1 | $1 = x}, " b"])`,
   * each expression captured in a set comprehension (empty when undefined, printed
   * `<undefined>`); scalar literals are kept as they are.
   */
  private templateString(): Term {
    const start = this.tok;
    const parts: Term[] = [];
    for (;;) {
      const t = this.next();
      const part = t.template;
      if (t.kind !== "template" || !part || part.first !== (t === start)) this.unexpected(undefined, t);
      if (part.value !== "") parts.push({ type: "string", value: part.value, loc: t.pos });
      if (part.last) break;
      parts.push(this.templateExpression());
      if (this.tok.kind !== "template" || this.tok.template?.first)
        this.unexpected("expected } closing the template expression");
    }
    if (parts.length === 0) parts.push({ type: "string", value: "", loc: start.pos });
    return call(TEMPLATE_STRING, start.pos, [{ type: "array", items: parts, loc: start.pos }], start.pos);
  }

  private templateExpression(): Term {
    const expr = this.literal();
    const k = expr.kind;
    if (expr.negated) this.fail("unexpected negation ('not') in template-string expression", this.tokenAt(expr.loc));
    if (k.type === "unify") {
      this.fail(
        k.op === "="
          ? "unexpected unification ('=') in template-string expression"
          : "unexpected assignment (':=') in template-string expression",
        this.tokenAt(expr.loc),
      );
    }
    if (k.type !== "term")
      this.fail(
        `unexpected '${k.type === "every" ? "every" : "some"}' in template-string expression`,
        this.tokenAt(expr.loc),
      );
    const term = k.term;
    const scalar = term.type === "string" || term.type === "number" || term.type === "boolean" || term.type === "null";
    if (scalar && expr.with.length === 0) return term;
    const x = this.wildcard(term.loc);
    const capture: Expr = {
      kind: { type: "unify", op: "=", lhs: x, rhs: term },
      negated: false,
      with: expr.with,
      loc: term.loc,
    };
    return { type: "setcompr", term: x, body: [capture], loc: term.loc };
  }

  /** The token at a position already parsed (for errors at the start of an expression). */
  private tokenAt(pos: SourcePos): Token {
    return this.tokens.find((t) => t.pos.line === pos.line && t.pos.col === pos.col) ?? this.tok;
  }

  private number(sign: string, loc?: SourcePos): Term {
    const start = this.tok;
    let text = sign;
    if (this.isOp(".")) {
      this.next();
      if (this.tok.kind !== "number" || this.tok.spaceBefore) this.unexpected("expected number");
      text += "0.";
    }
    const t = this.next();
    if (t.kind !== "number") this.fail(t.error ?? "expected number", t);
    if (text.endsWith(".")) {
      if (t.text.includes(".")) this.fail("invalid float", t);
    } else if (t.text.length > 1 && t.text[0] === "0" && t.text[1] !== "." && t.text[1] !== "e" && t.text[1] !== "E") {
      this.fail("unexpected number token: expected number without leading zero", t);
    }
    text += t.text;
    if (binaryExponentTooBig(text)) this.fail("number too big", t);
    return { type: "number", text, loc: loc ?? start.pos };
  }

  /** Continues a reference or call after its head term. */
  private refRest(head: Term): Term {
    switch (head.type) {
      case "var":
      case "array":
      case "object":
      case "set":
      case "arraycompr":
      case "setcompr":
      case "objectcompr":
      case "call":
        break;
      default:
        this.fail(`illegal ref (head cannot be ${head.type})`, this.tok);
    }
    const terms: Term[] = [head];
    while (this.continuesRef()) {
      const t = this.next();
      if (t.text === ".") {
        const name = this.tok;
        if (name.spaceBefore || (name.kind !== "ident" && name.kind !== "keyword")) this.unexpected("expected ident");
        this.next();
        terms.push({ type: "string", value: name.text, loc: name.pos });
      } else if (t.text === "[") {
        const operand = this.termInfix(true);
        if (!this.isOp("]")) this.unexpected("expected ]");
        this.next();
        terms.push(operand);
      } else {
        // A call: the operator is the reference so far.
        const name = operatorName(terms);
        if (name === undefined) this.fail("illegal call: operator must be a name", t);
        const args: Term[] = [];
        if (!this.isOp(")")) args.push(...this.termList(")"));
        this.expectOp(")");
        let result: Term;
        if (name === "set" && args.length === 0) result = { type: "set", items: [], loc: head.loc };
        else result = { type: "call", name, nameLoc: head.loc, args, loc: head.loc };
        if (this.continuesRef() && !this.isOp("(")) return this.refRest(result);
        return result;
      }
    }
    return { type: "ref", terms, loc: head.loc };
  }

  private termList(end: string): Term[] {
    const items: Term[] = [];
    for (;;) {
      items.push(this.termInfix(false));
      if (this.isOp(end)) return items;
      if (!this.isOp(",")) this.unexpected(`expected "," or "${end}"`);
      this.next();
      if (this.isOp(end)) return items;
    }
  }

  /** After a comprehension's head, at `|`: the body up to `end`, if it parses as one. */
  private comprehensionBody(end: string): Attempt<Body> {
    return this.attempt(() => {
      this.next();
      const body = this.body(end);
      this.expectOp(end);
      return body;
    });
  }

  private arrayTerm(): Term {
    const open = this.next();
    if (this.isOp("]")) {
      this.next();
      return { type: "array", items: [], loc: open.pos };
    }
    let potentialComprehension = true;
    if (this.isOp(",")) {
      potentialComprehension = false;
      this.next();
    }
    const start = this.i;
    const startWild = this.wildcards;
    const first = this.attempt(() => this.term());
    if (first.ok) {
      if (this.isOp("]")) {
        this.next();
        return { type: "array", items: [first.value], loc: open.pos };
      }
      if (this.isOp("|") && potentialComprehension) {
        const compr = this.comprehensionBody("]");
        if (compr.ok) return { type: "arraycompr", term: first.value, body: compr.value, loc: open.pos };
      }
    }
    this.i = start;
    this.wildcards = startWild;
    const items = this.termList("]");
    this.expectOp("]");
    return { type: "array", items, loc: open.pos };
  }

  private setOrObject(): Term {
    const open = this.next();
    if (this.isOp("}")) {
      this.next();
      return { type: "object", entries: [], loc: open.pos };
    }
    let potentialComprehension = true;
    if (this.isOp(",")) {
      potentialComprehension = false;
      this.next();
    }
    const start = this.i;
    const startWild = this.wildcards;
    const first = this.attempt(() => this.term());
    if (first.ok) {
      if (this.isOp("|") && potentialComprehension) {
        const compr = this.comprehensionBody("}");
        if (compr.ok) return { type: "setcompr", term: first.value, body: compr.value, loc: open.pos };
      } else if (this.isOp("}") || this.isOp(",")) {
        return this.setRest(first.value, open.pos);
      } else if (this.isOp(":")) {
        return this.objectRest(first.value, open.pos, potentialComprehension);
      }
    }
    this.i = start;
    this.wildcards = startWild;
    const head = this.termInfix(false);
    if (this.isOp("}") || this.isOp(",")) return this.setRest(head, open.pos);
    if (this.isOp(":")) return this.objectRest(head, open.pos, potentialComprehension);
    this.unexpected("non-terminated set");
  }

  private setRest(first: Term, loc: SourcePos): Term {
    const items = [first];
    if (this.isOp(",")) {
      this.next();
      if (!this.isOp("}")) items.push(...this.termList("}"));
    }
    this.expectOp("}");
    return { type: "set", items, loc };
  }

  private objectRest(key: Term, loc: SourcePos, potentialComprehension: boolean): Term {
    this.next(); // ':'
    const start = this.i;
    const startWild = this.wildcards;
    if (potentialComprehension) {
      const value = this.attempt(() => this.term());
      if (value.ok && this.isOp("|")) {
        const compr = this.comprehensionBody("}");
        if (compr.ok) return { type: "objectcompr", key, value: value.value, body: compr.value, loc };
      }
      this.i = start;
      this.wildcards = startWild;
    }
    const value = this.termInfix(false);
    const entries: (readonly [Term, Term])[] = [[key, value]];
    while (this.isOp(",")) {
      this.next();
      if (this.isOp("}")) break;
      const k = this.termInfix(false);
      this.expectOp(":", 'expected ":"');
      const v = this.termInfix(false);
      entries.push([k, v]);
    }
    if (!this.isOp("}")) this.unexpected(`expected "," or "}"`);
    this.next();
    return { type: "object", entries, loc };
  }
}

function call(name: string, nameLoc: SourcePos, args: Term[], loc: SourcePos): CallTerm {
  return { type: "call", name, nameLoc, args, loc };
}

function trueExpr(loc: SourcePos): Expr {
  return { kind: { type: "term", term: { type: "boolean", value: true, loc } }, negated: false, with: [], loc };
}

/** `a.b.c` as "a.b.c" when every operand is a plain name; undefined otherwise. */
function operatorName(terms: readonly Term[]): string | undefined {
  const head = terms[0]!;
  if (head.type !== "var") return undefined;
  const parts = [head.name];
  for (const t of terms.slice(1)) {
    if (t.type !== "string") return undefined;
    parts.push(t.value);
  }
  return parts.join(".");
}

/** The first kind of non-constant term in a default rule value (closures are fine), if any. */
function findNonConstant(t: Term): string | undefined {
  switch (t.type) {
    case "var":
      return "var";
    case "ref":
      return "ref";
    case "call":
      return "call";
    case "array":
    case "set":
      for (const x of t.items) {
        const bad = findNonConstant(x);
        if (bad) return bad;
      }
      return undefined;
    case "object":
      for (const [k, v] of t.entries) {
        const bad = findNonConstant(k) ?? findNonConstant(v);
        if (bad) return bad;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** OPA's limit on number literals: a binary exponent beyond ±100,000 (`1e400` is fine). */
const MAX_BINARY_EXPONENT = 1e5;

function binaryExponentTooBig(text: string): boolean {
  const m = /^-?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return false;
  const digits = `${m[1]}${m[2] ?? ""}`;
  const first = digits.search(/[1-9]/);
  if (first < 0) return false; // zero
  // value ≈ 0.d1d2... × 10^decimalExponent
  const decimalExponent = m[1].length - first + Number(m[3] ?? 0);
  const lead = Number(`0.${digits.slice(first, first + 17)}`);
  const binary = Math.log2(lead) + decimalExponent * Math.log2(10);
  return Math.abs(binary) > MAX_BINARY_EXPONENT;
}
