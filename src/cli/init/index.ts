/** `tollgate init [DIR]`: scaffolds a GitOps repository ready for tollgate. */
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { Command } from "commander";
import { UserError } from "../../model/index.ts";
import type { CommandContext } from "../context.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { packageVersion } from "../version.ts";
import { authorFromEnv, enclosingRepository, initialCommit } from "./git.ts";
import { scaffoldFiles } from "./plan.ts";
import { Undo, writeScaffold } from "./write.ts";

export function initCommand(ctx: CommandContext): Command {
  return new Command("init")
    .description(
      "start a GitOps repository for tollgate in DIR: environments dev, staging and prod with commented settings, the standard guardrails with their tests, teams.yaml, CI workflows, deploy/ manifests and a README; `git init` and a first commit unless DIR is already in a git repository. Refuses to overwrite existing files (naming them) unless --force",
    )
    .argument("[dir]", "the folder (created if missing)", ".")
    .option("--force", "overwrite files that exist")
    .action(async (dirArg: string, options: { force?: boolean }) => {
      const dir = resolve(ctx.cwd, dirArg);
      const files = await scaffoldFiles(packageVersion());
      const enclosing = enclosingRepository(dir);
      const undo = new Undo();
      await writeScaffold(dir, files, { force: options.force === true }, undo);
      if (enclosing) {
        ctx.out(
          `wrote ${files.length} files to ${dir}, inside the git repository ${enclosing}: review and commit them`,
        );
      } else {
        let commit: string;
        try {
          commit = await initialCommit(
            dir,
            files.map((f) => f.path),
            authorFromEnv(ctx.env),
            "Start the GitOps repository with tollgate init",
          );
        } catch (error) {
          await rm(resolve(dir, ".git"), { recursive: true, force: true });
          await undo.rollback();
          throw new UserError(`git init in ${dir} failed (${(error as Error).message}); nothing was written`);
        }
        ctx.out(`initialised ${dir}: ${files.length} files, first commit ${commit.slice(0, 12)} on main`);
      }
      ctx.out(
        [
          "next:",
          ...(dir === resolve(ctx.cwd) ? [] : [`  cd ${dirArg}`]),
          "  fill in environments/*/environment.yaml (clusters, telemetry) and teams.yaml",
          "  add a release: environments/dev/releases/<service>.yaml (README.md shows one)",
          "  tollgate validate && tollgate policy test && tollgate reconcile --once --simulate",
        ].join("\n"),
      );
      ctx.exitCode = EXIT_OK;
    });
}
