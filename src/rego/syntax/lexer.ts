import type { SourcePos } from "../errors.ts";

/**
 * Token kinds. Keywords are identifiers with `kind: "keyword"`; whitespace and comments are not
 * tokens, but every token records whether whitespace or a newline preceded it, because Rego's
 * grammar depends on that (`a.b` and `f(x)` must be written without spaces; a newline ends a
 * body literal).
 */
export type TokenKind = "ident" | "keyword" | "number" | "string" | "rawstring" | "template" | "op" | "eof" | "illegal";

/**
 * A piece of literal text of a template string (`$"a {x} b"`, `` $`...` ``): the first piece
 * starts at `$"`, the others at the `}` closing an expression. Each ends at `{` (an expression
 * follows) or at the closing quote.
 */
export interface TemplatePart {
  /** The text with escapes decoded (`\{` is a literal `{`). */
  readonly value: string;
  readonly first: boolean;
  readonly last: boolean;
  readonly raw: boolean;
}

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for strings: including the quotes). */
  readonly text: string;
  readonly pos: SourcePos;
  readonly offset: number;
  readonly end: number;
  /** Whitespace or a comment came directly before this token. */
  readonly spaceBefore: boolean;
  /** A newline came between the previous token and this one. */
  readonly newlineBefore: boolean;
  /** For `illegal` tokens: what is wrong. */
  readonly error?: string;
  /** For `template` tokens. */
  readonly template?: TemplatePart;
}

/** Rego v1 keywords (`rego.v1` and all former future keywords are always on). */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "as",
  "contains",
  "default",
  "else",
  "every",
  "false",
  "if",
  "import",
  "in",
  "not",
  "null",
  "package",
  "some",
  "true",
  "with",
]);

const OPERATORS = [
  ":=",
  "==",
  "!=",
  "<=",
  ">=",
  "=",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "&",
  "|",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ".",
  ",",
  ";",
  ":",
];

function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || (c > "\x7f" && /\p{L}/u.test(c));
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= "0" && c <= "9");
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

/** Splits Rego source into tokens. Never throws: bad input becomes an `illegal` token. */
export function tokenize(file: string, text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let space = false;
  let newline = false;
  const n = text.length;

  /** Open template-string expressions, innermost last: raw or not, and `{` nesting inside. */
  const templates: { raw: boolean; depth: number }[] = [];

  const posAt = (offset: number): SourcePos => ({ file, line, col: offset - lineStart + 1 });
  const push = (kind: TokenKind, start: number, startPos: SourcePos, error?: string, template?: TemplatePart): void => {
    tokens.push({
      kind,
      text: text.slice(start, i),
      pos: startPos,
      offset: start,
      end: i,
      spaceBefore: space,
      newlineBefore: newline,
      ...(error ? { error } : {}),
      ...(template ? { template } : {}),
    });
    space = false;
    newline = false;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      space = true;
      newline = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v" || c === "\ufeff") {
      i++;
      space = true;
      continue;
    }
    if (c === "#") {
      while (i < n && text[i] !== "\n") i++;
      space = true;
      continue;
    }
    const start = i;
    const startPos = posAt(i);
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text[i]!)) i++;
      const word = text.slice(start, i);
      push(KEYWORDS.has(word) ? "keyword" : "ident", start, startPos);
      continue;
    }
    if (isDigit(c)) {
      const error = scanNumber();
      push(error ? "illegal" : "number", start, startPos, error);
      continue;
    }
    if (c === '"') {
      const error = scanString();
      push(error ? "illegal" : "string", start, startPos, error);
      continue;
    }
    if (c === "`") {
      i++;
      while (i < n && text[i] !== "`") {
        if (text[i] === "\n") {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= n) {
        push("illegal", start, startPos, "non-terminated raw string");
        continue;
      }
      i++;
      push("rawstring", start, startPos);
      continue;
    }
    if (c === "$" && (text[i + 1] === '"' || text[i + 1] === "`")) {
      const raw = text[i + 1] === "`";
      i += 2;
      templatePart(start, startPos, raw, true);
      continue;
    }
    const open = templates.at(-1);
    if (open && c === "{") open.depth++;
    if (open && c === "}") {
      if (open.depth === 0) {
        templates.pop();
        i++;
        templatePart(start, startPos, open.raw, false);
        continue;
      }
      open.depth--;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      i += op.length;
      push("op", start, startPos);
      continue;
    }
    i++;
    push("illegal", start, startPos, `illegal token`);
  }
  tokens.push({
    kind: "eof",
    text: "",
    pos: posAt(i),
    offset: i,
    end: i,
    spaceBefore: space,
    newlineBefore: newline,
  });
  return tokens;

  function scanNumber(): string | undefined {
    while (i < n && isDigit(text[i]!)) i++;
    if (text[i] === "." && isDigit(text[i + 1] ?? "")) {
      i++;
      while (i < n && isDigit(text[i]!)) i++;
    }
    if (text[i] === "e" || text[i] === "E") {
      let j = i + 1;
      if (text[j] === "+" || text[j] === "-") j++;
      if (!isDigit(text[j] ?? "")) return "illegal number format";
      i = j;
      while (i < n && isDigit(text[i]!)) i++;
    }
    if (i < n && (isIdentStart(text[i]!) || text[i] === ".")) {
      if (text[i] === "." && !isDigit(text[i + 1] ?? "")) return undefined;
      while (i < n && (isIdentPart(text[i]!) || text[i] === ".")) i++;
      return "illegal number format";
    }
    return undefined;
  }

  /** Scans template text up to `{` (an expression follows) or the closing quote, and pushes it. */
  function templatePart(start: number, startPos: SourcePos, raw: boolean, first: boolean): void {
    const close = raw ? "`" : '"';
    let value = "";
    for (;;) {
      if (i >= n || (!raw && text[i] === "\n")) {
        push("illegal", start, startPos, "non-terminated string");
        return;
      }
      const ch = text[i]!;
      if (ch === close || ch === "{") {
        i++;
        const last = ch === close;
        if (!last) templates.push({ raw, depth: 0 });
        push("template", start, startPos, undefined, { value, first, last, raw });
        return;
      }
      // `\{` is a literal brace; `\}` too (older OPA releases required it).
      if (ch === "\\" && (text[i + 1] === "{" || (!raw && text[i + 1] === "}"))) {
        value += text[i + 1];
        i += 2;
        continue;
      }
      if (!raw && ch === "\\") {
        const seq = /^\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(text.slice(i, i + 6));
        if (!seq) {
          i++;
          push("illegal", start, startPos, "illegal escape sequence");
          return;
        }
        value += JSON.parse(`"${seq[0]}"`) as string;
        i += seq[0].length;
        continue;
      }
      if (ch === "\n") {
        line++;
        lineStart = i + 1;
      }
      value += ch;
      i++;
    }
  }

  function scanString(): string | undefined {
    i++;
    while (i < n) {
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return undefined;
      }
      if (ch === "\n") return "non-terminated string";
      if (ch === "\\") {
        i += 2;
        continue;
      }
      i++;
    }
    return "non-terminated string";
  }
}

/** Decodes a double-quoted string literal (JSON escapes); undefined if an escape is invalid. */
export function decodeStringLiteral(quoted: string): string | undefined {
  try {
    const value: unknown = JSON.parse(quoted);
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
