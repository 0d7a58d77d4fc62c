import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { Command } from "commander";
import { renderedFileProblems } from "../cluster/index.ts";
import { DirectoryTree, formatProblem, loadRepository } from "../model/index.ts";
import { jsonOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.ts";

export function validateCommand(ctx: CommandContext): Command {
  return new Command("validate")
    .description(
      "check every file of the GitOps layout against its schema and the rules that span files (writes nothing)",
    )
    .argument("[repo]", "repository root", ".")
    .addOption(jsonOption())
    .action(async (repo: string, options: { json?: boolean }) => {
      const root = resolve(ctx.cwd, repo);
      const isDir = await stat(root).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDir) {
        ctx.err(`error: ${repo} is not a folder`);
        ctx.exitCode = EXIT_USAGE;
        return;
      }
      const tree = new DirectoryTree(root);
      const { state, problems, filesRead } = await loadRepository(tree);
      // The rendered manifests of gitops clusters, against the Kubernetes and Gateway API schemas.
      for (const e of state.environments.values()) problems.push(...(await renderedFileProblems(tree, e.environment)));
      const environments = [...state.environments.values()].map((e) => ({
        name: e.environment.name,
        promotesFrom: e.environment.promotesFrom,
        releases: [...e.releases.keys()],
      }));
      if (options.json) {
        ctx.out(JSON.stringify({ valid: problems.length === 0, filesRead, environments, problems }, null, 2));
      } else if (problems.length === 0) {
        const releases = environments.reduce((n, e) => n + e.releases.length, 0);
        ctx.out(
          `valid: ${filesRead} files, ${environments.length} environments (${environments.map((e) => e.name).join(", ")}), ${releases} releases`,
        );
      } else {
        for (const problem of problems) ctx.out(formatProblem(problem));
        const files = new Set(problems.map((p) => p.file)).size;
        ctx.out(
          `invalid: ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}`,
        );
      }
      ctx.exitCode = problems.length === 0 ? EXIT_OK : EXIT_FAILED;
    });
}
