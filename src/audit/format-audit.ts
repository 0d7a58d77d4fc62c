/** The audit report for people: one row per commit, the failures in words, a summary. */
import { table } from "../text/index.ts";
import { seconds, short, utcMinute } from "./text.ts";
import type { AuditReport, CheckName, CheckOutcome } from "./types.ts";

const COLUMNS: [CheckName, string][] = [
  ["evidence", "EVIDENCE"],
  ["policy", "POLICY"],
  ["decision", "DECISION"],
  ["transition", "TRANSITION"],
  ["message", "MESSAGE"],
  ["approvals", "APPROVALS"],
  ["outside-tollgate", "OUTSIDE"],
  ["signature", "SIGNED"],
  ["rendered", "RENDERED"],
];
/** Shown only for histories with cluster folders (`gitops` clusters). */
const OPTIONAL: ReadonlySet<CheckName> = new Set(["rendered"]);

export function formatAuditReport(report: AuditReport): string[] {
  const lines: string[] = [];
  if (report.commits.length > 0) {
    const columns = COLUMNS.filter(([name]) => !OPTIONAL.has(name) || report.commits.some((c) => c.checks[name]));
    const rows = report.commits.map((c) => [
      short(c.commit),
      utcMinute(c.time).replace(" UTC", ""),
      c.environment ? (c.service ? `${c.environment}/${c.service}` : `${c.environment}/*`) : "",
      c.kind === "decision" ? (c.action ?? "malformed") : "(commit)",
      ...columns.map(([name]) => cell(c.checks[name])),
    ]);
    lines.push(...table(["COMMIT", "TIME (UTC)", "SERVICE", "ACTION", ...columns.map(([, h]) => h)], rows));
  }
  if (report.failures.length > 0) {
    lines.push("", "Failures:");
    for (const f of report.failures) {
      const scope = f.environment ? ` ${f.environment}/${f.service ?? "*"}` : "";
      lines.push(`- ${short(f.commit)}${scope} [${f.check}] ${f.message}`);
    }
  }
  const skippedNotes = report.commits.flatMap((c) =>
    Object.entries(c.checks)
      .filter(([, o]) => o.state === "skipped" && !Object.values(c.checks).some((x) => x.state === "fail"))
      .map(([name, o]) => `- ${short(c.commit)} [${name}] skipped: ${o.problems.join("; ")}`),
  );
  if (skippedNotes.length > 0) lines.push("", "Not checked:", ...skippedNotes);
  lines.push("", summary(report));
  return lines;
}

function cell(outcome: CheckOutcome | undefined): string {
  if (!outcome) return "";
  return outcome.state === "pass" ? "ok" : outcome.state === "fail" ? "FAIL" : "skip";
}

export function summary(report: AuditReport): string {
  const from = report.head ? ` up to ${short(report.head)}` : "";
  const scope = `${report.decisions} decision commit(s) and ${report.changes} other commit(s)${from} in ${seconds(report.durationMs)} (${report.policyBuilds} policy version(s) rebuilt from source)`;
  if (report.failures.length === 0) return `Audited ${scope}: every check passed.`;
  const byCheck = new Map<string, number>();
  for (const f of report.failures) byCheck.set(f.check, (byCheck.get(f.check) ?? 0) + 1);
  const commits = new Set(report.failures.map((f) => f.commit)).size;
  const counts = [...byCheck].map(([check, n]) => `${check} ${n}`).join(", ");
  return `Audited ${scope}: ${report.failures.length} failure(s) in ${commits} commit(s) (${counts}).`;
}
