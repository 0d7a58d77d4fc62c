import { resolve } from "node:path";
import { Command } from "commander";
import { displayPrefix, runPolicyTests } from "../policy/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";

export function policyTestCommand(ctx: CommandContext): Command {
  return new Command("test")
    .description("run every test_* rule of the *_test.rego files in DIR, compiled to WebAssembly (like `opa test`)")
    .argument("[dir]", "folder of .rego files", "policies")
    .option("--json", "print the results as JSON")
    .option("--strict-builtin-errors", "a failing builtin call is an error, not undefined (as opa test)")
    .option("--v0-compatible", "read the policies as Rego v0 (OPA 0.x syntax) unless their .manifest says otherwise")
    .action(async (dir: string, options: { json?: boolean; strictBuiltinErrors?: boolean; v0Compatible?: boolean }) => {
      const report = await runPolicyTests(resolve(ctx.cwd, dir), displayPrefix(ctx.cwd, dir), {
        strictBuiltinErrors: options.strictBuiltinErrors === true,
        v0Compatible: options.v0Compatible === true,
      });
      if (options.json) {
        ctx.out(JSON.stringify(report, null, 2));
      } else {
        for (const r of report.results) {
          const label = r.outcome === "pass" ? "PASS " : r.outcome === "fail" ? "FAIL " : "ERROR";
          ctx.out(`${label} ${r.name}${r.detail ? ` (${r.file}:${r.line}: ${r.detail})` : ""}`);
        }
        if (report.results.length === 0) ctx.out(`no test_* rules in the *_test.rego files of ${dir}`);
        ctx.out(`${report.passed} passed, ${report.failed} failed`);
      }
      ctx.exitCode = report.failed === 0 && report.results.length > 0 ? EXIT_OK : EXIT_FAILED;
    });
}
