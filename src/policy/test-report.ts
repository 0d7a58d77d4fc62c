/**
 * `policy test` reports in `opa test`'s two formats: the pretty text (failures only, or every
 * test with `verbose`) and the JSON array of `--format json`.
 */
import type { FailedExpression, PolicyTestReport, PolicyTestResult } from "./test-runner.ts";

const RULE = "-".repeat(80);

const LABEL: Record<PolicyTestResult["outcome"], string> = {
  pass: "PASS",
  fail: "FAIL",
  error: "ERROR",
  skip: "SKIPPED",
};

/** A duration as Go prints one (`312.304µs`, `1.5ms`, `2.000000001s`), as `opa test` shows them. */
export function goDuration(ns: number): string {
  const n = Math.round(ns);
  if (n < 1000) return `${n}ns`;
  const [unit, scale, digits] = n < 1e6 ? ["µs", 1e3, 3] : n < 1e9 ? ["ms", 1e6, 6] : ["s", 1e9, 9];
  const whole = Math.floor(n / scale);
  const fraction = String(n - whole * scale)
    .padStart(digits, "0")
    .replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""}${unit}`;
}

/** The pretty report, as `opa test` (with `-v`: every test and all print output). */
export function prettyReport(report: PolicyTestReport, verbose: boolean): string[] {
  const lines: string[] = [];
  for (const r of report.results) {
    if (!verbose && r.outcome === "pass") continue;
    lines.push(`${r.file}:${r.line}:`);
    const duration = r.outcome === "skip" ? "" : ` (${goDuration(r.durationNs)})`;
    lines.push(`${r.name}: ${LABEL[r.outcome]}${duration}`);
    if (r.outcome === "error") lines.push(`  ${r.detail ?? ""}`);
    for (const sub of r.subResults ?? []) {
      if (verbose || sub.outcome !== "pass") lines.push(`  ${sub.name}: ${LABEL[sub.outcome]}`);
    }
    if (r.failure) lines.push(...failureLines(r.failure));
    else if (r.outcome === "fail" && r.detail && r.detail !== "undefined") lines.push(`  ${r.detail}`);
    if (r.output.length > 0 && (verbose || r.outcome !== "pass")) {
      lines.push("", ...r.output.map((l) => `  ${l}`), "");
    }
  }
  if (report.results.length > 0) lines.push(RULE);
  const total = report.passed + report.failed + report.skipped + report.errors;
  const counts: [string, number][] = [
    ["PASS", report.passed],
    ["FAIL", report.failed],
    ["SKIPPED", report.skipped],
    ["ERROR", report.errors],
  ];
  for (const [label, n] of counts) if (n > 0) lines.push(`${label}: ${n}/${total}`);
  return lines;
}

/** The failing expression and what its operands were: `x == 5` / `x: 4`. */
function failureLines(failure: FailedExpression): string[] {
  const lines = [`  ${failure.file}:${failure.line}: ${failure.text}`];
  for (const op of failure.operands) {
    lines.push(`    ${op.term}: ${op.value === undefined ? "undefined" : JSON.stringify(op.value)}`);
  }
  return lines;
}

/** One entry of `opa test --format json`. */
export interface OpaTestJson {
  location: { file: string; row: number; col: number };
  package: string;
  name: string;
  fail?: true;
  skip?: true;
  error?: { code: string; message: string };
  duration: number;
  /** What the test printed, base64 (as OPA: each line ends with a newline). */
  output?: string;
  /** A parameterized test's sub-tests by name. */
  sub_results?: Record<string, { name: string; fail?: true }>;
}

/** The report as `opa test --format json` writes it. */
export function jsonReport(report: PolicyTestReport): OpaTestJson[] {
  return report.results.map((r) => ({
    location: { file: r.file, row: r.line, col: r.col },
    package: r.package,
    name: r.rule,
    ...(r.outcome === "fail" ? { fail: true as const } : {}),
    ...(r.outcome === "skip" ? { skip: true as const } : {}),
    ...(r.outcome === "error"
      ? { error: { code: r.errorCode ?? "eval_internal_error", message: withoutLocation(r.detail ?? "") } }
      : {}),
    duration: r.durationNs,
    ...(r.subResults && r.subResults.length > 0
      ? {
          sub_results: Object.fromEntries(
            r.subResults.map((sub) => [
              sub.name,
              { name: sub.name, ...(sub.outcome === "fail" ? { fail: true as const } : {}) },
            ]),
          ),
        }
      : {}),
    ...(r.output.length > 0
      ? { output: Buffer.from(r.output.map((l) => `${l}\n`).join(""), "utf8").toString("base64") }
      : {}),
  }));
}

/** `file:row: code: text` → `text` (OPA's JSON keeps location and code in fields of their own). */
function withoutLocation(message: string): string {
  return message.replace(/^(?:[^\s:]+:\d+: )?[a-z_]+_error: /, "");
}
