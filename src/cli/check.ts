import { Command } from "commander";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED } from "./exit-codes.ts";

/** `tollgate check`: work in progress. */
export function checkCommand(ctx: CommandContext): Command {
  return new Command("check").description("check a pull request's release changes against the promotion gates (in progress)").action(() => {
    ctx.err("tollgate check is not finished yet");
    ctx.exitCode = EXIT_FAILED;
  });
}
