/** A position in a Rego source file. Line and column are 1-based; column counts characters. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One compile problem: where, what, and OPA's error category. */
export interface RegoProblem {
  readonly pos: SourcePos;
  /** OPA's category: `rego_parse_error`, `rego_compile_error`, `rego_unsafe_var_error`, ... */
  readonly code: string;
  readonly message: string;
  /** Set when the problem is Rego v0 syntax in a module read as v1. */
  readonly regoV0?: boolean;
}

export function formatRegoProblem(p: RegoProblem): string {
  return `${p.pos.file}:${p.pos.line}:${p.pos.col}: ${p.code}: ${p.message}`;
}

/**
 * Bad Rego input: syntax errors, unsafe variables, recursion, unknown functions, conflicting
 * rules. The message lists every problem as `file:line:col: code: message`, one per line.
 */
export class RegoCompileError extends Error {
  readonly problems: readonly RegoProblem[];
  constructor(problems: readonly RegoProblem[]) {
    super(problems.map(formatRegoProblem).join("\n"));
    this.name = "RegoCompileError";
    this.problems = problems;
  }
}

/** Collects problems during one compile stage; stages stop the pipeline when any were found. */
export class ProblemList {
  readonly items: RegoProblem[] = [];
  add(pos: SourcePos, code: string, message: string, extra?: { regoV0?: boolean }): void {
    this.items.push({ pos, code, message, ...extra });
  }
  get empty(): boolean {
    return this.items.length === 0;
  }
  /** Throws a `RegoCompileError` if any problem was recorded (sorted by position, deduplicated). */
  throwIfAny(): void {
    if (this.items.length === 0) return;
    const seen = new Set<string>();
    const unique = this.items.filter((p) => {
      const key = formatRegoProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    unique.sort(
      (a, b) =>
        cmp(a.pos.file, b.pos.file) || a.pos.line - b.pos.line || a.pos.col - b.pos.col || cmp(a.message, b.message),
    );
    throw new RegoCompileError(unique);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
