import { Command } from "commander";
import type { CommandContext } from "./context.ts";
import { policyBuildCommand } from "./policy-build.ts";
import { policyCapabilitiesCommand } from "./policy-capabilities.ts";
import { policyConformanceCommand } from "./policy-conformance.ts";
import { policyEvalCommand } from "./policy-eval.ts";
import { policyFmtCommand } from "./policy-fmt.ts";
import { policyTestCommand } from "./policy-test.ts";

/** The `policy` subcommands, one module each. Add new ones here. */
const SUBCOMMANDS: Array<(ctx: CommandContext) => Command> = [
  policyBuildCommand,
  policyEvalCommand,
  policyTestCommand,
  policyConformanceCommand,
  policyCapabilitiesCommand,
  policyFmtCommand,
];

/** `tollgate policy ...`: build, evaluate and test the Rego guardrails. */
export function policyCommand(ctx: CommandContext): Command {
  const group = new Command("policy").description("build, evaluate and test Rego policies compiled to WebAssembly");
  for (const make of SUBCOMMANDS) group.addCommand(make(ctx));
  return group;
}
