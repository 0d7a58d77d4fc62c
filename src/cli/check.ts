/**
 * `tollgate check [--base REF] [--head REF] [--format text|markdown|json] [--approver NAME]...
 * [--policies DIR] [--repo PATH] [--now TIME]`: judges a pull request's release and environment
 * changes by the promotion gates, as if it were merged now. Exit 1 when a gate blocks or an input
 * is invalid.
 */
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { displayPrefix } from "../policy/index.ts";
import { APPROVERS_ENV, parseApprovers, renderJson, renderMarkdown, renderText, runCheck } from "../promote/index.ts";
import { jsonOption, nowOption, repoOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";
import { NOW_ENV, resolveNow } from "./now.ts";

interface CheckCliOptions {
  base: string;
  head: string;
  format: "text" | "markdown" | "json";
  json?: boolean;
  approver: string[];
  policies?: string;
  repo: string;
  now?: string;
}

const RENDER = { text: renderText, markdown: renderMarkdown, json: renderJson } as const;

export function checkCommand(ctx: CommandContext): Command {
  return new Command("check")
    .description(
      "judge a pull request's release and environment changes by the promotion gates, as if merged now (exit 1 when a gate blocks)",
    )
    .option("--base <ref>", "branch the pull request goes into", "main")
    .option("--head <ref>", "the pull request's head", "HEAD")
    .addOption(new Option("--format <format>", "report format").choices(["text", "markdown", "json"]).default("text"))
    .addOption(jsonOption("the same as --format json"))
    .addOption(
      new Option(
        "--approver <name>",
        `someone who approved the pull request: NAME or NAME:TEAM+TEAM (repeatable; also ${APPROVERS_ENV}, comma-separated)`,
      )
        .argParser(collect)
        .default([], "none"),
    )
    .option("--policies <dir>", "judge by the policies in this folder instead of policies/ at the base")
    .addOption(repoOption("repository root"))
    .addOption(nowOption(`the moment to judge time gates at (default: now, or ${NOW_ENV})`))
    .action(async (options: CheckCliOptions) => {
      const repoDir = resolve(ctx.cwd, options.repo);
      const report = await runCheck({
        repoDir,
        base: options.base,
        head: options.head,
        now: resolveNow(options.now, ctx.env),
        approvers: parseApprovers(options.approver, ctx.env),
        ...(options.policies
          ? {
              policiesDir: resolve(ctx.cwd, options.policies),
              policiesLabel: options.policies,
              policiesPrefix: displayPrefix(ctx.cwd, options.policies),
            }
          : {}),
      });
      ctx.out(RENDER[options.json ? "json" : options.format](report).trimEnd());
      ctx.exitCode = report.blocked ? EXIT_FAILED : EXIT_OK;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
