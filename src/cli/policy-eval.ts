import { resolve } from "node:path";
import { Command } from "commander";
import { parseYamlSource, UserError } from "../model/index.ts";
import { displayPrefix, PolicyLoader, readBundle, readOpaBundle } from "../policy/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";
import { readNamedFile } from "./files.ts";

async function readDocument(cwd: string, file: string): Promise<unknown> {
  return parseYamlSource(await readNamedFile(cwd, file, "a JSON or YAML document"), file).value;
}

export function policyEvalCommand(ctx: CommandContext): Command {
  return new Command("eval")
    .description("evaluate one entrypoint (e.g. tollgate/decision) of the policies for an input and print its value")
    .requiredOption("-e, --entrypoint <path>", "rule to evaluate, as a path: tollgate/decision")
    .option("-i, --input <file>", "input document (JSON or YAML)")
    .option("-d, --data <file>", "data document (JSON or YAML)")
    .option("-p, --policies <dir>", "folder of .rego files to compile", "policies")
    .option(
      "-b, --bundle <path>",
      "use a bundle built by `policy build` (a folder, or an OPA bundle.tar.gz with a Wasm module) instead of compiling",
    )
    .option("--strict-builtin-errors", "a failing builtin call is an error, not undefined (as opa eval)")
    .option("--v0-compatible", "read the policies as Rego v0 (OPA 0.x syntax) unless their .manifest says otherwise")
    .action(
      async (options: {
        entrypoint: string;
        input?: string;
        data?: string;
        policies: string;
        bundle?: string;
        strictBuiltinErrors?: boolean;
        v0Compatible?: boolean;
      }) => {
        if (options.bundle && options.strictBuiltinErrors) {
          throw new UserError(
            "--strict-builtin-errors applies when compiling: rebuild the bundle with it instead of --bundle",
          );
        }
        const loader = new PolicyLoader();
        const loaded = options.bundle
          ? await loader.load(
              options.bundle.endsWith(".tar.gz")
                ? await readOpaBundle(resolve(ctx.cwd, options.bundle))
                : await readBundle(resolve(ctx.cwd, options.bundle)),
            )
          : await loader.loadDirectory(
              resolve(ctx.cwd, options.policies),
              [options.entrypoint],
              displayPrefix(ctx.cwd, options.policies),
              {
                strictBuiltinErrors: options.strictBuiltinErrors === true,
                v0Compatible: options.v0Compatible === true,
              },
            );
        if (options.data) loaded.setData((await readDocument(ctx.cwd, options.data)) as object);
        const input = options.input ? await readDocument(ctx.cwd, options.input) : undefined;
        // As `opa eval`: what the policy prints goes to stderr.
        const value = loaded.evaluate(options.entrypoint, input, { print: (line) => ctx.err(line) });
        if (value === undefined) {
          ctx.err(`${options.entrypoint} is undefined for this input`);
          ctx.exitCode = EXIT_FAILED;
          return;
        }
        ctx.out(JSON.stringify(value, null, 2));
        ctx.exitCode = EXIT_OK;
      },
    );
}
