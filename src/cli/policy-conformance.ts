/**
 * `tollgate policy conformance DIR... [--filter TEXT] [--verbose] [--json]`: runs OPA's
 * conformance cases (YAML) found below each DIR through tollgate's compiler and the unmodified
 * opa-wasm SDK. Prints results per directory and ends with exactly one line
 * `conformance: P passed, F failed, S skipped`; exit 1 if any case failed.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { UserError } from "../model/index.ts";
import { CaseFileError, type CaseResult, type ConformanceCase, loadCases, runCase, summarise } from "../rego/index.ts";
import { jsonOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";

interface ConformanceOptions {
  filter?: string;
  verbose?: boolean;
  json?: boolean;
}

export function policyConformanceCommand(ctx: CommandContext): Command {
  return new Command("conformance")
    .description("run OPA's conformance test cases (YAML) through the compiler and the opa-wasm SDK")
    .argument("<dirs...>", "folders holding case files (searched recursively for *.yaml)")
    .option("-f, --filter <text>", "only run cases whose file or note contains this text")
    .option("-v, --verbose", "print the full reason for every failure")
    .addOption(jsonOption("print every case result as JSON"))
    .action(async (dirs: string[], options: ConformanceOptions) => {
      ctx.exitCode = await runConformance(ctx, dirs, options);
    });
}

async function runConformance(
  ctx: CommandContext,
  dirs: readonly string[],
  options: ConformanceOptions,
): Promise<number> {
  const cases: ConformanceCase[] = [];
  for (const dir of dirs) {
    const root = resolve(ctx.cwd, dir);
    const isDir = await stat(root).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) throw new UserError(`${dir}: no such folder`);
    let loaded: ConformanceCase[];
    try {
      loaded = await loadCases(root);
    } catch (error) {
      if (error instanceof CaseFileError) throw new UserError(`${dir}/${error.message}`);
      throw error;
    }
    for (const c of loaded) {
      const labelled = { ...c, dir: join(dir, c.dir), file: join(dir, c.file) };
      if (options.filter && !labelled.file.includes(options.filter) && !labelled.note.includes(options.filter))
        continue;
      cases.push(labelled);
    }
  }
  if (cases.length === 0)
    throw new UserError(
      options.filter
        ? `no conformance case in ${dirs.join(", ")} matches --filter ${options.filter}`
        : `${dirs.join(", ")}: no conformance cases found (YAML files with a cases: list, as OPA's test/cases)`,
    );
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runCase(c));
  const dirsSummary = summarise(results);
  const total = { passed: 0, failed: 0, skipped: 0, disagreed: 0 };
  for (const s of dirsSummary) {
    total.passed += s.passed;
    total.failed += s.failed;
    total.skipped += s.skipped;
    total.disagreed += s.disagreed;
  }
  const disagreed = (n: number) => (n ? `, ${n} disagreed (OPA 1.22.4 differs from the case file)` : "");
  if (options.json) {
    ctx.out(
      JSON.stringify(
        {
          ...total,
          directories: dirsSummary,
          cases: results.map((r) => ({ file: r.case.file, note: r.case.note, status: r.status, detail: r.detail })),
        },
        null,
        2,
      ),
    );
  } else {
    for (const s of dirsSummary) {
      ctx.out(`${s.dir}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${disagreed(s.disagreed)}`);
      for (const r of results) {
        if (r.case.dir !== s.dir || (r.status !== "failed" && r.status !== "disagreed")) continue;
        const detail = r.detail ?? "";
        const label = r.status === "failed" ? "FAIL" : "DISAGREE";
        ctx.out(`  ${label} ${r.case.note}: ${options.verbose ? detail : firstLine(detail)}`);
      }
    }
    ctx.out(
      `conformance: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped${disagreed(total.disagreed)}`,
    );
  }
  return total.failed > 0 ? EXIT_FAILED : EXIT_OK;
}

function firstLine(s: string): string {
  const line = s.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}
