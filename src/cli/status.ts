/**
 * `tollgate status [--repo PATH] [--branch NAME] [--env ENV] [--service SVC] [--now TIME] [--json]`: where every
 * service stands at the branch head, as the reconciler will read it: what serves, what rolls out
 * and how far, what waits and why, and the last decision.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { GitRepo } from "../gitops/index.ts";
import { formatProblem, loadRepository, UserError } from "../model/index.ts";
import { formatOverview, overview } from "../reconcile/index.ts";
import { branchOption, envOption, jsonOption, nowOption, repoOption, serviceOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";
import { resolveNow } from "./now.ts";

interface StatusCliOptions {
  repo: string;
  branch: string;
  env?: string;
  service?: string;
  now?: string;
  json?: boolean;
}

export function statusCommand(ctx: CommandContext): Command {
  return new Command("status")
    .description(
      "show where every service stands at the branch head: live and canary artifacts, rollout step and weight, what waits and why, the last decision",
    )
    .addOption(repoOption())
    .addOption(branchOption("the branch holding the desired state", "main"))
    .addOption(envOption())
    .addOption(serviceOption())
    .addOption(nowOption("the moment to show ages at (default: now, or TOLLGATE_NOW)"))
    .addOption(jsonOption("print the overview as JSON"))
    .action(async (options: StatusCliOptions) => {
      const repo = await GitRepo.open(resolve(ctx.cwd, options.repo), { branch: options.branch });
      const head = await repo.head();
      if (!head)
        throw new UserError(
          `${options.repo}: there is no branch ${options.branch} with commits (choose one with --branch)`,
        );
      const { state, problems } = await loadRepository(repo.treeAt(head, `${options.branch}@${head.slice(0, 12)}`));
      if (options.env && !state.environments.has(options.env)) {
        throw new UserError(
          `--env ${options.env}: no such environment at ${options.branch} (${[...state.environments.keys()].sort().join(", ")})`,
        );
      }
      const rows = overview(state, resolveNow(options.now, ctx.env), {
        ...(options.env ? { environment: options.env } : {}),
        ...(options.service ? { service: options.service } : {}),
      });
      if (options.json)
        ctx.out(JSON.stringify({ branch: options.branch, commit: head, services: rows, problems }, null, 2));
      else {
        ctx.out(`${options.branch} at ${head.slice(0, 12)}`);
        for (const line of formatOverview(rows)) ctx.out(line);
        if (problems.length > 0) {
          ctx.out("");
          ctx.out(
            `${problems.length} invalid file problem${problems.length === 1 ? "" : "s"} (the reconciler leaves their services alone):`,
          );
          for (const problem of problems) ctx.out(`  ${formatProblem(problem)}`);
        }
      }
      ctx.exitCode = problems.length > 0 ? EXIT_FAILED : EXIT_OK;
    });
}
