import { Command } from "commander";
import type { CommandContext } from "./context.ts";

export function demoCommand(ctx: CommandContext): Command {
  return new Command("demo")
    .description(
      "tell tollgate's story on a temporary GitOps repository, in accelerated time (about 10 s): a model swap blocked for lacking an eval, a regression rolled back in prod, a healthy release promoted step by step, a cost runaway stopped; then git log, audit and an HTML report. Only the cluster and the telemetry are simulated.",
    )
    .action(async () => {
      const [{ runDemo }, { main }] = await Promise.all([import("../demo/index.ts"), import("./main.ts")]);
      ctx.exitCode = await runDemo(main, ctx.out);
    });
}
