import { resolve } from "node:path";
import { Command } from "commander";
import { defaultSequentialConfig, type JudgeConfig, judgeScenarioFile, loadJudgeConfig } from "../analysis/index.ts";
import { UserError } from "../model/index.ts";
import { listScenarioFiles } from "../telemetry/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.ts";

/**
 * `tollgate analyze [--config FILE] PATH...`: judges recorded scenario files as if live and prints
 * one JSON line per scenario: {"scenario", "action", "at", "trigger", "evidence"}, the action
 * `rollback`, `promote` or `hold` (a judge never promotes without data; `evidence.hold` says why). A
 * damaged file is reported on stderr (file, line, field) and the others are still judged; the exit
 * code is then 1. Scenario files do not record the traffic split, so the split is not tested here.
 */
export function analyzeCommand(ctx: CommandContext): Command {
  return new Command("analyze")
    .description(
      "judge recorded telemetry (NDJSON scenario files or folders of them) interval by interval, one JSON line per scenario",
    )
    .argument("<paths...>", "scenario files (.ndjson/.jsonl) or folders of them")
    .option(
      "--config <file>",
      "judge configuration: an environment.yaml or an analysis config (default: tollgate's sequential judge)",
    )
    .action(async (paths: string[], options: { config?: string }) => {
      let judge: JudgeConfig;
      let files: string[];
      try {
        judge = options.config ? await loadJudgeConfig(resolve(ctx.cwd, options.config)) : defaultSequentialConfig();
        files = await listScenarioFiles(paths.map((p) => resolve(ctx.cwd, p)));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        ctx.err(`error: ${error.message}`);
        ctx.exitCode = error.problems.length > 0 ? EXIT_FAILED : EXIT_USAGE;
        return;
      }
      if (files.length === 0) {
        ctx.err(`error: no scenario files (${paths.join(", ")})`);
        ctx.exitCode = EXIT_USAGE;
        return;
      }
      let failed = 0;
      for (const file of files) {
        try {
          const { header, decisions } = await judgeScenarioFile(file, [judge]);
          const d = decisions[0]!;
          ctx.out(
            JSON.stringify({
              scenario: header.scenario,
              action: d.action,
              at: d.at,
              trigger: d.trigger,
              evidence: d.evidence,
            }),
          );
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          ctx.err(`error: ${error.message}`);
          failed++;
        }
      }
      ctx.exitCode = failed > 0 ? EXIT_FAILED : EXIT_OK;
    });
}
