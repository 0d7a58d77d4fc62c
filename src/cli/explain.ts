/**
 * `tollgate explain COMMIT [--repo PATH] [--json]`: one decision in plain words: what was deployed,
 * what was observed per metric, which rule fired, what changed in git and what the clusters were told.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { explainDecision, formatExplanation } from "../audit/index.ts";
import { GitRepo } from "../gitops/index.ts";
import { jsonOption, repoOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";

interface ExplainCliOptions {
  repo: string;
  json?: boolean;
}

export function explainCommand(ctx: CommandContext): Command {
  return new Command("explain")
    .description(
      "explain one decision commit in plain words: deployed artifact, observed metrics, the rule that fired, the git change and what the clusters were told",
    )
    .argument("<commit>", "a decision commit (id, short id or ref)")
    .addOption(repoOption())
    .addOption(jsonOption("print the explanation as JSON"))
    .action(async (commit: string, options: ExplainCliOptions) => {
      const repo = await GitRepo.open(resolve(ctx.cwd, options.repo));
      const explanation = await explainDecision(repo, commit);
      if (options.json) ctx.out(JSON.stringify(explanation, null, 2));
      else for (const line of formatExplanation(explanation)) ctx.out(line);
      const failed = Object.values(explanation.audit.checks).some((c) => c.state === "fail");
      ctx.exitCode = failed ? EXIT_FAILED : EXIT_OK;
    });
}
