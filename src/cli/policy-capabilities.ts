/**
 * `tollgate policy capabilities`: prints what tollgate runs as an OPA capabilities JSON document
 * (for `opa check --capabilities FILE` and Regal's capabilities setting).
 */
import { Command } from "commander";
import { capabilities } from "../rego/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_OK } from "./exit-codes.ts";

export function policyCapabilitiesCommand(ctx: CommandContext): Command {
  return new Command("capabilities")
    .description("print the builtins and features tollgate runs, as an OPA capabilities JSON document")
    .action(() => {
      ctx.out(JSON.stringify(capabilities(), null, 2));
      ctx.exitCode = EXIT_OK;
    });
}
