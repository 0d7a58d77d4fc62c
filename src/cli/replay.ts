/**
 * `tollgate replay --policy DIR [--repo PATH] [--branch NAME] [--env ENV] [--service SVC] [--since REF|DATE]
 * [--json] [--fail-on-change]`: re-decides every recorded decision's stored policy input with the
 * policies in DIR and lists each decision that would have gone differently.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { formatReplay, parseSince, replayDecisions } from "../audit/index.ts";
import { GitRepo } from "../gitops/index.ts";
import { DECISION_ENTRYPOINT, displayPrefix, PolicyLoader } from "../policy/index.ts";
import { branchOption, envOption, jsonOption, repoOption, serviceOption, sinceOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";

interface ReplayCliOptions {
  policy: string;
  repo: string;
  branch: string;
  env?: string;
  service?: string;
  since?: string;
  json?: boolean;
  failOnChange?: boolean;
}

export function replayCommand(ctx: CommandContext): Command {
  return new Command("replay")
    .description(
      "re-decide every recorded decision with another policy folder and list the decisions that would have gone differently",
    )
    .requiredOption("--policy <dir>", "folder of Rego policies to replay with (test files are left out)")
    .addOption(repoOption())
    .addOption(branchOption("the branch whose decisions are replayed", "main"))
    .addOption(envOption())
    .addOption(serviceOption())
    .addOption(sinceOption("only decisions after this ref, or after this date (YYYY-MM-DD or ISO time)"))
    .addOption(jsonOption("print every replayed decision as JSON"))
    .option("--fail-on-change", "exit 1 when any decision's action would differ")
    .action(async (options: ReplayCliOptions) => {
      const dir = resolve(ctx.cwd, options.policy);
      const policy = await new PolicyLoader().loadDirectory(dir, [DECISION_ENTRYPOINT], displayPrefix(ctx.cwd, dir));
      const repo = await GitRepo.open(resolve(ctx.cwd, options.repo), { branch: options.branch });
      const since = parseSince(options.since);
      const report = await replayDecisions(repo, policy, {
        ...(options.env ? { environment: options.env } : {}),
        ...(options.service ? { service: options.service } : {}),
        ...(since !== undefined ? { since } : {}),
      });
      if (options.json) ctx.out(JSON.stringify(report, null, 2));
      else for (const line of formatReplay(report, `the policy in ${options.policy}`)) ctx.out(line);
      const changed = report.decisions.some((d) => d.difference === "action");
      ctx.exitCode = report.unreadable.length > 0 || (options.failOnChange && changed) ? EXIT_FAILED : EXIT_OK;
    });
}
