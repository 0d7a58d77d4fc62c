/**
 * `tollgate audit [--repo PATH] [--branch NAME] [--env ENV] [--service SVC] [--since REF|DATE]
 * [--require-signatures [REF]] [--json]`: re-verifies every decision commit in the history (evidence,
 * policy, decision, transition, message, signature) and flags release changes in protected
 * environments made without approvals, outside tollgate, or not signed by an allowed person.
 * Exit 1 when any check fails.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { auditHistory, formatAuditReport, parseSince } from "../audit/index.ts";
import { GitRepo } from "../gitops/index.ts";
import { branchOption, envOption, jsonOption, repoOption, serviceOption, sinceOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";

interface AuditCliOptions {
  repo: string;
  branch: string;
  env?: string;
  service?: string;
  since?: string;
  requireSignatures?: string | true;
  json?: boolean;
}

export function auditCommand(ctx: CommandContext): Command {
  return new Command("audit")
    .description(
      "re-verify every decision in the git history: evidence digest, policy bundle, re-derived decision, committed transition; flag unapproved release changes in protected environments",
    )
    .addOption(repoOption())
    .addOption(branchOption("the branch whose history is audited", "main"))
    .addOption(envOption())
    .addOption(serviceOption())
    .addOption(sinceOption("only commits after this ref, or after this date (YYYY-MM-DD or ISO time)"))
    .option(
      "--require-signatures [ref]",
      "a missing signature fails from this commit on (without a ref: everywhere); bad or not-allowed signatures always fail",
    )
    .addOption(jsonOption("print the full report as JSON"))
    .action(async (options: AuditCliOptions) => {
      const repo = await GitRepo.open(resolve(ctx.cwd, options.repo), { branch: options.branch });
      const since = parseSince(options.since);
      const report = await auditHistory(repo, {
        ...(options.env ? { environment: options.env } : {}),
        ...(options.service ? { service: options.service } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(options.requireSignatures !== undefined ? { requireSignatures: options.requireSignatures } : {}),
      });
      if (options.json) ctx.out(JSON.stringify(report, null, 2));
      else for (const line of formatAuditReport(report)) ctx.out(line);
      ctx.exitCode = report.failures.length > 0 ? EXIT_FAILED : EXIT_OK;
    });
}
