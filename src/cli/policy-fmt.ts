import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { Command } from "commander";
import { UserError } from "../model/index.ts";
import { collectRegoFiles, rewriteFileV0ToV1 } from "../policy/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";

export function policyFmtCommand(ctx: CommandContext): Command {
  return new Command("fmt")
    .description(
      "rewrite Rego v0 files as v1 (`if` before bodies, `contains` for partial sets), keeping comments and layout",
    )
    .argument("[paths...]", ".rego files or folders of them", ["policies"])
    .option("--v0-to-v1", "rewrite v0 syntax as v1 (the only rewrite there is)")
    .option("--check", "write nothing; exit 1 if a file would change")
    .action(async (paths: string[], options: { v0ToV1?: boolean; check?: boolean }) => {
      if (!options.v0ToV1) {
        throw new UserError("policy fmt only rewrites Rego v0 as v1: pass --v0-to-v1");
      }
      const files = await collectRegoFiles(paths.map((p) => resolve(ctx.cwd, p)));
      let changed = 0;
      for (const file of files) {
        const name = relative(ctx.cwd, file) || file;
        const before = await readFile(file, "utf8");
        const after = await rewriteFileV0ToV1(file, name, before, { write: !options.check });
        if (after === before) continue;
        changed++;
        ctx.out(options.check ? `would rewrite ${name}` : `rewrote ${name}`);
      }
      ctx.out(`${changed} of ${files.length} files ${options.check ? "need rewriting" : "rewritten"}`);
      ctx.exitCode = options.check && changed > 0 ? EXIT_FAILED : EXIT_OK;
    });
}
