import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Command, Option } from "commander";
import {
  buildBundle,
  DECISION_ENTRYPOINT,
  displayPrefix,
  readPolicySources,
  writeBundle,
  writeOpaBundle,
} from "../policy/index.ts";
import { jsonOption } from "./common-options.ts";
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
    .addOption(
      new Option(
        "-f, --format <format>",
        "tollgate: a folder with policy.wasm and manifest.json; opa: OPA's bundle.tar.gz (in --out unless it ends with .tar.gz), which opa inspect and opa eval --bundle read",
      )
        .choices(["tollgate", "opa"])
        .default("tollgate"),
    )
    .addOption(jsonOption("print the manifest as JSON"))
    .option("--strict-builtin-errors", "a failing builtin call aborts evaluation instead of being undefined")
    .option("--v0-compatible", "read the policies as Rego v0 (OPA 0.x syntax) unless their .manifest says otherwise")
    .action(
      async (
        dir: string,
        options: {
          out: string;
          format: "tollgate" | "opa";
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
        const m = bundle.manifest;
        if (options.format === "opa") {
          const file = options.out.endsWith(".tar.gz") ? options.out : join(options.out, "bundle.tar.gz");
          await mkdir(dirname(resolve(ctx.cwd, file)), { recursive: true });
          await writeOpaBundle(bundle, sources, resolve(ctx.cwd, file));
          ctx.out(`built ${file} (OPA bundle): entrypoints ${Object.keys(m.entrypoints).join(", ")}, revision`);
          ctx.out(m.digest);
          ctx.exitCode = EXIT_OK;
          return;
        }
        const out = resolve(ctx.cwd, options.out);
        await writeBundle(bundle, out);
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
