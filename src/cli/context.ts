/** What a command needs from its surroundings; tests pass their own to capture output. */
export interface CommandContext {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Set by the command's action; returned by `main`. */
  exitCode: number;
}
