import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { UserError } from "../model/index.ts";
import { DEFAULT_TEST_TIMEOUT_MS, displayPrefix, jsonReport, prettyReport, runPolicyTests } from "../policy/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_OK, EXIT_TESTS_FAILED } from "./exit-codes.ts";

interface PolicyTestFlags {
  format: "pretty" | "json";
  verbose?: boolean;
  run?: string;
  timeout?: number;
  exitZeroOnSkipped?: boolean;
  coverage?: boolean;
  threshold?: number;
  strictBuiltinErrors?: boolean;
  v0Compatible?: boolean;
}

/** `5s`, `500ms`, `1m`, or a plain number of seconds, as `opa test --timeout`. */
export function parseTimeout(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`expected a duration such as 5s, 500ms or 1m, got ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const ms = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000;
  if (ms <= 0) throw new InvalidArgumentError("the timeout must be positive");
  return ms;
}

function parsePercent(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new InvalidArgumentError(`expected a percentage from 0 to 100, got ${JSON.stringify(text)}`);
  }
  return n;
}

function parseRegex(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new UserError(`--run ${JSON.stringify(text)} is not a regular expression: ${(error as Error).message}`);
  }
}

export function policyTestCommand(ctx: CommandContext): Command {
  return new Command("test")
    .description(
      "run every test_* rule of the *_test.rego files in DIR, compiled to WebAssembly (like `opa test`; exit 2 when a test fails)",
    )
    .argument("[dir]", "folder of .rego files", "policies")
    .addOption(
      new Option("-f, --format <format>", "report format (as opa test)").choices(["pretty", "json"]).default("pretty"),
    )
    .option("-v, --verbose", "list every test and its print output, not only failures")
    .option("-r, --run <regex>", "run only the tests whose full name (data.pkg.test_x) matches")
    .option(
      "--timeout <duration>",
      `stop a test that runs longer (default ${DEFAULT_TEST_TIMEOUT_MS / 1000}s)`,
      parseTimeout,
    )
    .option(
      "-c, --coverage",
      "print which lines the tests evaluated (JSON, as opa test --coverage) instead of the results",
    )
    .option(
      "--threshold <percent>",
      "with --coverage: exit 2 when less than this percentage of lines is covered",
      parsePercent,
    )
    .option("-z, --exit-zero-on-skipped", "skipped (todo_test_*) tests do not make the exit code non-zero")
    .option("--strict-builtin-errors", "a failing builtin call is an error, not undefined (as opa test)")
    .option("--v0-compatible", "read the policies as Rego v0 (OPA 0.x syntax) unless their .manifest says otherwise")
    .action(async (dir: string, options: PolicyTestFlags) => {
      const report = await runPolicyTests(resolve(ctx.cwd, dir), displayPrefix(ctx.cwd, dir), {
        strictBuiltinErrors: options.strictBuiltinErrors === true,
        v0Compatible: options.v0Compatible === true,
        ...(options.run === undefined ? {} : { run: parseRegex(options.run) }),
        ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
        ...(options.coverage ? { coverage: true } : {}),
      });
      if (report.results.length === 0) {
        // As `opa test --fail-on-empty`: a test run that ran nothing did not show anything passes.
        const what = options.run === undefined ? "no test_* rules" : `no test matches --run ${options.run}`;
        throw new UserError(`${what} in the *_test.rego files of ${dir}`);
      }
      const failed = report.failed + report.errors > 0;
      if (report.coverage && !failed) {
        // As opa test --coverage: the coverage report replaces the results while every test passes.
        ctx.out(JSON.stringify(report.coverage, null, 2));
        const threshold = options.threshold ?? 0;
        if (report.coverage.coverage < threshold) {
          ctx.err(
            `Code coverage threshold not met: got ${report.coverage.coverage.toFixed(2)} instead of ${threshold.toFixed(2)}`,
          );
          ctx.exitCode = EXIT_TESTS_FAILED;
        } else ctx.exitCode = EXIT_OK;
        return;
      }
      if (options.format === "json") ctx.out(JSON.stringify(jsonReport(report), null, 2));
      else for (const line of prettyReport(report, options.verbose === true)) ctx.out(line);
      const skippedFails = report.skipped > 0 && options.exitZeroOnSkipped !== true;
      // As `opa test`: 2 when a test fails, errs or (unless -z) was skipped.
      ctx.exitCode = failed || skippedFails ? EXIT_TESTS_FAILED : EXIT_OK;
    });
}
