/**
 * `tollgate promote SERVICE --to ENV [--from ENV] [--branch NAME] [--push REMOTE] [--base REF]
 * [--repo PATH] [--json]`: writes the target environment's release to the artifact verified in the
 * source environment, as one commit on a new branch `promote/<service>/<env>/<short-digest>`.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { shortDigest } from "../model/index.ts";
import { type PromoteResult, PromotionRefused, promote } from "../promote/index.ts";
import { branchOption, jsonOption, nowOption, repoOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";
import { resolveNow } from "./now.ts";

interface PromoteCliOptions {
  to: string;
  from?: string;
  branch?: string;
  push?: string;
  base?: string;
  repo: string;
  now?: string;
  json?: boolean;
}

export function promoteCommand(ctx: CommandContext): Command {
  return new Command("promote")
    .description(
      "propose the artifact verified upstream for an environment: a commit on a new branch promote/<service>/<env>/<digest> (your checkout is not touched)",
    )
    .argument("<service>", "service name")
    .requiredOption("--to <env>", "target environment")
    .option("--from <env>", "source environment (default: the target's promotesFrom)")
    .addOption(branchOption("branch to create (default: promote/<service>/<env>/<short-digest>)"))
    .option("--push <remote>", "publish the branch to this remote; never overwrites a branch that exists there")
    .option("--base <ref>", "commit to build on and read the state from", "HEAD")
    .addOption(repoOption("repository root"))
    .addOption(nowOption("commit time (default: now, or TOLLGATE_NOW)"))
    .addOption(jsonOption())
    .action(async (service: string, options: PromoteCliOptions) => {
      try {
        const result = await promote({
          repoDir: resolve(ctx.cwd, options.repo),
          service,
          to: options.to,
          ...(options.from ? { from: options.from } : {}),
          ...(options.branch ? { branch: options.branch } : {}),
          ...(options.push ? { push: options.push } : {}),
          base: options.base ?? "HEAD",
          env: ctx.env,
          now: resolveNow(options.now, ctx.env),
        });
        if (options.json) ctx.out(JSON.stringify(resultJson(result), null, 2));
        else for (const line of resultLines(result)) ctx.out(line);
        ctx.exitCode = EXIT_OK;
      } catch (error) {
        if (!(error instanceof PromotionRefused)) throw error;
        if (options.json)
          ctx.out(JSON.stringify({ promoted: false, refused: error.reason, message: error.message }, null, 2));
        ctx.err(`refused: ${error.message}`);
        ctx.exitCode = EXIT_FAILED;
      }
    });
}

function resultLines(r: PromoteResult): string[] {
  const p = r.promotion;
  const lines = [
    `promoted ${p.service} to ${p.target} on branch ${r.written.branch} (commit ${r.written.commit.slice(0, 12)} on ${r.base.slice(0, 12)})`,
    `  ${shortDigest(p.running?.digest)} → ${shortDigest(p.artifact.digest)}, verified in ${p.source} at ${p.verifiedAt}: ${p.diff.summary}`,
  ];
  for (const note of p.notes) lines.push(`  note: ${note}`);
  if (r.pushed) {
    lines.push(
      r.pushed.outcome === "pushed"
        ? `pushed ${r.written.branch} to ${r.pushed.remote}`
        : `${r.pushed.remote} already has ${r.written.branch} at this commit`,
    );
  } else {
    lines.push(`your checkout is unchanged; publish with: git push <remote> ${r.written.branch}`);
  }
  return lines;
}

function resultJson(r: PromoteResult): object {
  const p = r.promotion;
  return {
    promoted: true,
    service: p.service,
    from: p.source,
    to: p.target,
    artifact: p.artifact.digest,
    verifiedAt: p.verifiedAt,
    replaces: p.running?.digest ?? null,
    changed: p.diff.changed,
    summary: p.diff.summary,
    carriedAttestations: p.carried,
    notes: p.notes,
    branch: r.written.branch,
    commit: r.written.commit,
    base: r.base,
    ...(r.pushed ? { pushed: r.pushed } : {}),
  };
}
