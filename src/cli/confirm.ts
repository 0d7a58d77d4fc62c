/**
 * `tollgate confirm SERVICE --env ENV [--step N] [--by NAME] [--branch NAME] [--push REMOTE]
 * [--base REF] [--repo PATH] [--now TIME] [--json]`: records a person's confirmation of a rollout
 * step marked `confirm`, as one commit on a new branch `confirm/<service>/<env>/<digest>-step<N>`.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { shortDigest } from "../model/index.ts";
import { ConfirmationRefused, type ConfirmResult, confirmStep } from "../promote/index.ts";
import { branchOption, envOption, jsonOption, nowOption, repoOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";
import { resolveNow } from "./now.ts";
import { positiveIntegerArg } from "./options.ts";

interface ConfirmCliOptions {
  env: string;
  step?: number;
  by?: string;
  branch?: string;
  push?: string;
  base: string;
  repo: string;
  now?: string;
  json?: boolean;
}

export function confirmCommand(ctx: CommandContext): Command {
  return new Command("confirm")
    .description(
      "confirm a rollout step marked confirm: a commit adding your confirmation to the release file, on a new branch confirm/<service>/<env>/<digest>-step<N> (your checkout is not touched)",
    )
    .argument("<service>", "service name")
    .addOption(envOption("the environment of the rollout", { required: true }))
    .option(
      "--step <n>",
      "the step to confirm, counted from 1 (default: the step the rollout is at)",
      positiveIntegerArg("a step number counted from 1"),
    )
    .option("--by <name>", "who confirms (default: your git identity)")
    .addOption(branchOption("branch to create"))
    .option("--push <remote>", "publish the branch to this remote; never overwrites a branch that exists there")
    .option("--base <ref>", "commit to build on and read the state from", "HEAD")
    .addOption(repoOption("repository root"))
    .addOption(nowOption("confirmation time (default: now, or TOLLGATE_NOW)"))
    .addOption(jsonOption())
    .action(async (service: string, options: ConfirmCliOptions) => {
      const step = options.step;
      try {
        const result = await confirmStep({
          repoDir: resolve(ctx.cwd, options.repo),
          service,
          environment: options.env,
          ...(step !== undefined ? { step } : {}),
          ...(options.by ? { by: options.by } : {}),
          ...(options.branch ? { branch: options.branch } : {}),
          ...(options.push ? { push: options.push } : {}),
          base: options.base,
          env: ctx.env,
          now: resolveNow(options.now, ctx.env),
        });
        if (options.json)
          ctx.out(
            JSON.stringify(
              {
                confirmed: true,
                ...result.confirmation,
                environment: result.environment,
                service: result.service,
                branch: result.written.branch,
                commit: result.written.commit,
                base: result.base,
                ...(result.pushed ? { pushed: result.pushed } : {}),
              },
              null,
              2,
            ),
          );
        else for (const line of resultLines(result)) ctx.out(line);
        ctx.exitCode = EXIT_OK;
      } catch (error) {
        if (!(error instanceof ConfirmationRefused)) throw error;
        if (options.json) ctx.out(JSON.stringify({ confirmed: false, message: error.message }, null, 2));
        ctx.err(`refused: ${error.message}`);
        ctx.exitCode = EXIT_FAILED;
      }
    });
}

function resultLines(r: ConfirmResult): string[] {
  const c = r.confirmation;
  const lines = [
    `${c.by} confirms step ${c.step} of ${r.steps} (${r.weight}% of traffic) of ${r.service} in ${r.environment} for ${shortDigest(c.digest)}`,
    `  on branch ${r.written.branch} (commit ${r.written.commit.slice(0, 12)} on ${r.base.slice(0, 12)}); the reconciler goes on once it is merged and the step is complete`,
  ];
  if (r.pushed)
    lines.push(
      r.pushed.outcome === "pushed"
        ? `pushed ${r.written.branch} to ${r.pushed.remote}`
        : `${r.pushed.remote} already has ${r.written.branch} at this commit`,
    );
  else lines.push(`your checkout is unchanged; publish with: git push <remote> ${r.written.branch}`);
  return lines;
}
