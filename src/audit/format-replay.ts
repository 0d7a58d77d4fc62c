/** Replay results for people: every decision that would have gone differently, in words. */
import type { ReplayedDecision, ReplayReport } from "./replay.ts";
import { seconds, short, utcMinute } from "./text.ts";

const VERB: Record<string, string> = {
  advance: "advanced",
  promote: "promoted",
  hold: "held",
  rollback: "rolled back",
  block: "blocked",
};

export function formatReplay(report: ReplayReport, policyLabel: string): string[] {
  const lines: string[] = [];
  const changed = report.decisions.filter((d) => d.difference === "action");
  const reworded = report.decisions.filter((d) => d.difference === "reasons");
  for (const d of changed) lines.push(describe(d, policyLabel));
  if (reworded.length > 0) {
    if (changed.length > 0) lines.push("");
    lines.push("Same action, other reasons:");
    for (const d of reworded)
      lines.push(
        `- ${utcMinute(d.decidedAt, false)} ${d.environment}/${d.service} ${d.recorded.action} (commit ${short(d.commit)}): [${d.replayed.reasons.map((r) => r.rule).join(", ")}] instead of [${d.recorded.rules.join(", ")}]`,
      );
  }
  for (const u of report.unreadable) lines.push(`could not replay ${short(u.commit)}: ${u.message}`);
  if (lines.length > 0) lines.push("");
  lines.push(
    `Replayed ${report.decisions.length} recorded decision(s) with ${policyLabel} (bundle ${report.policy.slice(7, 19)}) in ${seconds(report.durationMs)}: ${changed.length} would differ in action, ${reworded.length} in reasons only.`,
  );
  lines.push("Only recorded decisions are replayed; routine holds between them were never committed.");
  return lines;
}

function describe(d: ReplayedDecision, policyLabel: string): string {
  const lead = d.replayed.reasons[0];
  const why = d.error ? `: the policy fails on this input (${d.error})` : lead ? `: ${lead.rule}: ${lead.message}` : "";
  return `${policyLabel} would have ${VERB[d.replayed.action]} ${d.environment}/${d.service} at ${utcMinute(d.decidedAt, false)} (recorded: ${d.recorded.action}, commit ${short(d.commit)})${why}`;
}
