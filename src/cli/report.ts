/**
 * `tollgate report --env ENV --service SVC [--rollout N] [--out FILE.html] [--repo PATH] [--branch NAME]`:
 * a self-contained HTML page for one rollout (the latest by default): baseline against canary for
 * every metric over time with step and decision markers, the decision table and the artifact diff.
 * Without --out the page goes to stdout.
 */
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { collectRollout, renderReportHtml } from "../audit/index.ts";
import { GitRepo } from "../gitops/index.ts";
import { branchOption, envOption, repoOption, serviceOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_OK } from "./exit-codes.ts";
import { checkOutputPath, writeNamedFile } from "./files.ts";

interface ReportCliOptions {
  env: string;
  service: string;
  rollout?: number;
  out?: string;
  repo: string;
  branch: string;
}

export function reportCommand(ctx: CommandContext): Command {
  return new Command("report")
    .description(
      "write a self-contained HTML report of one rollout: baseline vs canary charts per metric with step and decision markers, the decisions, the artifact diff",
    )
    .addOption(envOption("environment", { required: true }))
    .addOption(serviceOption("service", { required: true }))
    .option("--rollout <n>", "rollout number (default: the latest)", toRollout)
    .option("--out <file>", "write the page to FILE (default: stdout)")
    .addOption(repoOption())
    .addOption(branchOption("the branch whose history is read", "main"))
    .action(async (options: ReportCliOptions) => {
      if (options.out) await checkOutputPath(ctx.cwd, options.out);
      const repo = await GitRepo.open(resolve(ctx.cwd, options.repo), { branch: options.branch });
      const rollout = await collectRollout(repo, options.env, options.service, options.rollout);
      const html = renderReportHtml(rollout);
      if (!options.out) {
        ctx.out(html);
      } else {
        await writeNamedFile(ctx.cwd, options.out, html);
        ctx.out(
          `wrote ${options.out}: rollout ${rollout.number} of ${rollout.environment}/${rollout.service}, ${rollout.decisions.length} decision(s), ${rollout.charts.length} chart(s), outcome ${rollout.outcome}`,
        );
      }
      ctx.exitCode = EXIT_OK;
    });
}

function toRollout(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a rollout number (1, 2, ...)");
  return n;
}
