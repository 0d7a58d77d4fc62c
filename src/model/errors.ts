/** Where in an input file a problem was found. Line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** JSON-pointer-like path of the field, e.g. `/rollout/steps/2/weight`. */
  field?: string;
}

/** One problem with user input, always naming where it is. */
export interface InputProblem extends SourceLocation {
  message: string;
}

export function formatProblem(p: InputProblem): string {
  let where = p.file;
  if (p.line !== undefined) where += `:${p.line}`;
  if (p.line !== undefined && p.column !== undefined) where += `:${p.column}`;
  const field = p.field ? ` (field ${p.field})` : "";
  return `${where}: ${p.message}${field}`;
}

/**
 * An error caused by the user's input or environment rather than a bug in tollgate.
 * The CLI prints its message without a stack trace and exits 1.
 */
export class UserError extends Error {
  readonly problems: InputProblem[];
  constructor(message: string, problems: InputProblem[] = []) {
    super(message);
    this.name = "UserError";
    this.problems = problems;
  }
}

/** One or more problems in files read from disk or the network. */
export class InvalidInputError extends UserError {
  constructor(problems: InputProblem[]) {
    super(problems.map(formatProblem).join("\n"), problems);
    this.name = "InvalidInputError";
  }
}
