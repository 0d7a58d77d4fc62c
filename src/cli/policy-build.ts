import { resolve } from "node:path";
import { Command } from "commander";
import { buildBundle, DECISION_ENTRYPOINT, displayPrefix, readPolicySources, writeBundle } from "../policy/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_OK } from "./exit-codes.ts";

export function policyBuildCommand(ctx: CommandContext): Command {
  return new Command("build")
    .description(
      "compile the policies of DIR (test files left out) to a bundle: policy.wasm and manifest.json; prints the bundle digest",
    )
    .argument("[dir]", "folder of .rego files", "policies")
    .option("-o, --out <dir>", "bundle folder (replaced atomically)", "build/policy")
    .option("-e, --entrypoint <path...>", "entrypoints to export", [DECISION_ENTRYPOINT])
    .option("--json", "print the manifest as JSON")
    .option("--strict-builtin-errors", "a failing builtin call aborts evaluation instead of being undefined")
    .option("--v0-compatible", "read the policies as Rego v0 (OPA 0.x syntax) unless their .manifest says otherwise")
    .action(
      async (
        dir: string,
        options: {
          out: string;
          entrypoint: string[];
          json?: boolean;
          strictBuiltinErrors?: boolean;
          v0Compatible?: boolean;
        },
      ) => {
        const sources = await readPolicySources(resolve(ctx.cwd, dir), {
          tests: false,
          v0Compatible: options.v0Compatible === true,
        });
        const bundle = buildBundle(sources, options.entrypoint, displayPrefix(ctx.cwd, dir), {
          strictBuiltinErrors: options.strictBuiltinErrors === true,
        });
        const out = resolve(ctx.cwd, options.out);
        await writeBundle(bundle, out);
        const m = bundle.manifest;
        if (options.json) {
          ctx.out(JSON.stringify(m, null, 2));
        } else {
          ctx.out(
            `built ${options.out}: ${m.sources.length} sources, entrypoints ${Object.keys(m.entrypoints).join(", ")}, ${m.wasm.bytes} bytes of Wasm`,
          );
          ctx.out(m.digest);
        }
        ctx.exitCode = EXIT_OK;
      },
    );
}
