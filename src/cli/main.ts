import { Command, CommanderError } from "commander";
import { UserError } from "../model/errors.ts";
import { COMMANDS } from "./commands.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.ts";

/** Runs the CLI with the given arguments (without `node` and script) and returns the exit code. */
export async function main(argv: string[], io: Partial<CommandContext> = {}): Promise<number> {
  const ctx: CommandContext = {
    out: io.out ?? ((s) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`)),
    err: io.err ?? ((s) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`)),
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    exitCode: EXIT_OK,
  };
  const program = new Command("tollgate")
    .description("Policy-as-code release engine for AI-agent services")
    .showHelpAfterError("(run with --help for usage)");
  for (const make of COMMANDS) program.addCommand(make(ctx));
  for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UserError) {
      ctx.err(`error: ${error.message}`);
      return EXIT_FAILED;
    }
    throw error;
  }
  return ctx.exitCode;
}
