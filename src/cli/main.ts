import { Command, CommanderError } from "commander";
import { UserError } from "../model/index.ts";
import { COMMANDS } from "./commands.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.ts";
import { UsageError } from "./options.ts";

/** Runs the CLI with the given arguments (without `node` and script) and returns the exit code. */
export async function main(argv: string[], io: Partial<CommandContext> = {}): Promise<number> {
  const ctx: CommandContext = {
    out: io.out ?? ((s) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`)),
    err: io.err ?? ((s) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`)),
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    exitCode: EXIT_OK,
  };
  if (argv[0] === "--version" || argv[0] === "-V") return (await import("./version.ts")).printVersion(ctx);
  const program = new Command("tollgate")
    .description("Policy-as-code release engine for AI-agent services")
    .option("-V, --version", "print tollgate's version and its Rego runtime's digest")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ subcommandTerm: (cmd) => cmd.name() });
  // Only the command that runs is imported; the others are listed by name and summary.
  const invoked = invokedCommand(argv);
  for (const entry of COMMANDS) {
    const cmd = entry.name === invoked ? (await entry.load())(ctx) : new Command(entry.name);
    program.addCommand(cmd.summary(entry.summary));
  }
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
    if (error instanceof UsageError) {
      ctx.err(`error: ${error.message}`);
      ctx.err("(run with --help for usage)");
      return EXIT_USAGE;
    }
    if (error instanceof UserError) {
      ctx.err(`error: ${error.message}`);
      return EXIT_FAILED;
    }
    throw error;
  }
  return ctx.exitCode;
}

/** The command the arguments name, as commander reads them: the first operand (or `help <command>`'s). */
function invokedCommand(argv: readonly string[]): string | undefined {
  const operands = argv.filter((a) => !a.startsWith("-"));
  return operands[0] === "help" ? operands[1] : operands[0];
}
