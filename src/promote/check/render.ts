import { formatProblem, shortDigest } from "../../model/index.ts";
import { describeSetting } from "./settings-diff.ts";
import type { CheckReport, GateGroup, GateOutcome, GateResult, ReleaseCheck } from "./types.ts";

/** First line of the Markdown report: lets a CI job find and update its earlier comment. */
export const MARKDOWN_MARKER = "<!-- tollgate-check -->";

const GROUP_TITLES: Record<GateGroup, string> = {
  admissibility: "may this artifact be here",
  rollout: "does it collide with a rollout",
  timing: "may a rollout start now",
};

const TEXT_MARK: Record<GateOutcome, string> = { pass: "✓", block: "✗", wait: "…", "n/a": "–" };
const MD_MARK: Record<GateOutcome, string> = { pass: "✅", block: "❌", wait: "⏳", "n/a": "➖" };

function verdict(r: CheckReport): string {
  const blocked = r.releases.filter((x) => x.blocked).length;
  const judged = r.releases.filter((x) => x.gates.length > 0).length;
  const parts: string[] = [];
  if (judged > 0)
    parts.push(
      blocked > 0
        ? `${blocked} of ${judged} release change${judged === 1 ? "" : "s"} blocked`
        : `${judged} release change${judged === 1 ? "" : "s"}, every gate passes`,
    );
  if (r.problems.length > 0) parts.push(`${r.problems.length} invalid input${r.problems.length === 1 ? "" : "s"}`);
  if (r.statusEdits.length > 0)
    parts.push(`${r.statusEdits.length} status file${r.statusEdits.length === 1 ? "" : "s"} edited by hand`);
  if (r.environments.length > 0)
    parts.push(`${r.environments.length} environment setting file${r.environments.length === 1 ? "" : "s"} changed`);
  if (parts.length === 0) parts.push("no release or environment changes");
  return parts.join(", ");
}

function title(r: ReleaseCheck): string {
  return `${r.environment}/${r.service}`;
}

function arrow(r: ReleaseCheck): string {
  return `${shortDigest(r.from ?? undefined)} → ${r.to ? shortDigest(r.to) : "removed"}`;
}

/** For a terminal or a CI log. */
export function renderText(r: CheckReport): string {
  const out: string[] = [];
  out.push(`tollgate check: ${r.blocked ? "BLOCKED" : "ok"} (${verdict(r)})`);
  out.push(
    `${r.head.ref} (${r.head.commit.slice(0, 12)}) into ${r.base.ref} (${r.base.commit.slice(0, 12)}), branched at ${r.mergeBase.slice(0, 12)}`,
  );
  if (r.policy)
    out.push(`gates judged at ${r.now} by policy bundle ${shortDigest(r.policy.digest)} (${r.policy.from})`);
  if (r.platformApprovers.length > 0) out.push(`pull-request approvers: ${r.platformApprovers.join(", ")}`);
  if (r.problems.length > 0) {
    out.push("", "invalid input:");
    for (const p of r.problems) out.push(`  ✗ ${formatProblem(p)}`);
  }
  for (const s of r.statusEdits)
    out.push(
      "",
      `✗ ${s.path} ${s.change}: status files are written by tollgate only; drop this change from the pull request`,
    );
  for (const rel of r.releases) {
    out.push("", `${title(rel)}  ${arrow(rel)}  ${rel.notEvaluated ? "not judged" : rel.blocked ? "BLOCKED" : "ok"}`);
    if (rel.notEvaluated) out.push(`  ${rel.notEvaluated}`);
    if (rel.diff && rel.parts) {
      out.push(
        `  artifact: ${rel.diff.fromDigest === null ? "first release here" : `${rel.diff.changed.length} of 5 parts change`}`,
      );
      for (const p of rel.parts) out.push(`    ${p.changed ? "*" : " "} ${p.part.padEnd(8)}${p.text}`);
    }
    for (const line of rel.otherChanges) out.push(`  also: ${line}`);
    let group: GateGroup | undefined;
    for (const g of rel.gates) {
      if (g.group !== group) out.push(`  ${GROUP_TITLES[g.group]}:`);
      group = g.group;
      out.push(`    ${TEXT_MARK[g.outcome]} ${g.title}: ${g.messages.join("; ")}`);
      if (g.outcome === "block" && g.hint) out.push(`        to clear: ${g.hint}`);
    }
    for (const note of rel.notes) out.push(`  note: ${note}`);
  }
  for (const env of r.environments) {
    out.push("", `${env.path} ${env.change}:`);
    if (env.settings.length === 0) out.push("  (no setting changes that parse)");
    for (const s of env.settings) out.push(`  ${describeSetting(s)}`);
  }
  if (r.policyChanges.length > 0) {
    out.push(
      "",
      `policies changed (${r.policyChanges.map((p) => p.path).join(", ")}): this check judged by the base's policies; run \`tollgate policy test\``,
    );
  }
  if (r.baseProblems > 0)
    out.push(
      "",
      `(${r.baseProblems} problem${r.baseProblems === 1 ? "" : "s"} already on ${r.base.ref} in files this pull request does not touch; \`tollgate validate\` lists them)`,
    );
  return `${out.join("\n")}\n`;
}

/** Escapes text for Markdown (and its HTML): values such as suite names come from the pull request. */
export function md(text: string): string {
  return text.replace(/[\\`*_[\]|<>&]/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`,
  );
}

/** Like md, but `backticked` spans stay code (for tollgate's own hints). */
function mdWithCode(text: string): string {
  return text
    .split("`")
    .map((segment, i) => (i % 2 === 1 ? code(segment) : md(segment)))
    .join("");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** For a pull-request comment. */
export function renderMarkdown(r: CheckReport): string {
  const out: string[] = [MARKDOWN_MARKER];
  out.push(`## ${r.blocked ? "❌" : "✅"} tollgate check: ${r.blocked ? "blocked" : "all gates pass"}`, "");
  out.push(`**${md(verdict(r))}**`, "");
  const meta = [`${code(r.head.ref)} into ${code(r.base.ref)} at ${code(r.base.commit.slice(0, 12))}`];
  if (r.policy)
    meta.push(`judged at ${r.now} by policy ${code(shortDigest(r.policy.digest))} from ${md(r.policy.from)}`);
  if (r.platformApprovers.length > 0)
    meta.push(`approved on the pull request by ${md(r.platformApprovers.join(", "))}`);
  out.push(meta.join(" · "), "");

  if (r.problems.length > 0 || r.statusEdits.length > 0) {
    out.push("### ❌ Invalid input", "");
    for (const p of r.problems)
      out.push(
        `- ${code(`${p.file}${p.line !== undefined ? `:${p.line}` : ""}`)}${p.field ? ` ${code(p.field)}` : ""}: ${md(p.message)}`,
      );
    for (const s of r.statusEdits)
      out.push(
        `- ${code(s.path)} ${s.change}: status files are written by tollgate only; drop this change from the pull request`,
      );
    out.push("");
  }
  if (r.releases.length > 1) out.push(...summaryTable(r.releases), "");
  for (const rel of r.releases) out.push(...releaseMarkdown(rel), "");
  if (r.environments.length > 0) {
    out.push("### Environment settings", "");
    for (const env of r.environments) {
      out.push(`**${md(env.environment)}** (${code(env.path)}, ${env.change})`, "");
      if (env.settings.length === 0) out.push("- no setting changes that parse", "");
      else out.push(...env.settings.map((s) => `- ${md(describeSetting(s))}`), "");
    }
  }
  if (r.policyChanges.length > 0) {
    out.push(
      `> **Policies change** in this pull request (${r.policyChanges.map((p) => code(p.path)).join(", ")}): the gates above are judged by the base's policies; the new ones apply once merged. CI runs \`tollgate policy test\` on them.`,
      "",
    );
  }
  if (r.baseProblems > 0)
    out.push(
      `<sub>${r.baseProblems} problem${r.baseProblems === 1 ? "" : "s"} already on ${code(r.base.ref)} in files this pull request does not touch (not counted here).</sub>`,
      "",
    );
  while (out.at(-1) === "") out.pop();
  return `${out.join("\n")}\n`;
}

/** One row per release, for a pull request that changes several. */
function summaryTable(releases: ReleaseCheck[]): string[] {
  const rows = ["| | release | artifact | parts changed | blocked by |", "| --- | --- | --- | --- | --- |"];
  for (const rel of releases) {
    const mark = rel.notEvaluated ? "➖" : rel.blocked ? "❌" : "✅";
    const to = rel.to ? code(shortDigest(rel.to)) : "removed";
    const parts = rel.diff
      ? rel.diff.fromDigest === null
        ? "all (first release)"
        : rel.diff.changed.join(", ") || "none"
      : "–";
    const blockers =
      rel.gates
        .filter((g) => g.outcome === "block")
        .map((g) => md(g.title))
        .join(", ") || (rel.notEvaluated ? "not judged" : "–");
    rows.push(
      `| ${mark} | ${md(title(rel))} | ${code(shortDigest(rel.from ?? undefined))} → ${to} | ${parts} | ${blockers} |`,
    );
  }
  return rows;
}

function releaseMarkdown(rel: ReleaseCheck): string[] {
  const mark = rel.notEvaluated ? "➖" : rel.blocked ? "❌" : "✅";
  const out = [
    `### ${mark} ${md(title(rel))}: ${code(shortDigest(rel.from ?? undefined))} → ${rel.to ? code(shortDigest(rel.to)) : "removed"}`,
    "",
  ];
  if (rel.notEvaluated) out.push(md(rel.notEvaluated), "");
  if (rel.diff && rel.parts) {
    const lead =
      rel.diff.fromDigest === null
        ? "First release here; its five parts:"
        : rel.diff.changed.length === 0
          ? "The artifact does not change."
          : `**${rel.diff.changed.length} of 5 parts change:** ${rel.diff.changed.join(", ")}`;
    out.push(lead, "");
    if (rel.diff.fromDigest === null || rel.diff.changed.length > 0) {
      out.push("| part | change |", "| --- | --- |");
      for (const p of rel.parts)
        out.push(p.changed ? `| **${p.part}** | ${md(p.text)} |` : `| ${p.part} | ${md(p.text)} |`);
      out.push("");
    }
  }
  if (rel.otherChanges.length > 0) out.push(...rel.otherChanges.map((c) => `- ${md(c)}`), "");
  if (rel.gates.length > 0) {
    out.push("| | gate | result |", "| --- | --- | --- |");
    for (const g of rel.gates) out.push(gateRow(g));
    out.push("");
  }
  for (const note of rel.notes) out.push(`> **Note:** ${md(note)}`);
  while (out.at(-1) === "") out.pop();
  return out;
}

function gateRow(g: GateResult): string {
  const why = g.messages.map(md).join("<br>");
  const fix = g.outcome === "block" && g.hint ? `<br>**to clear:** ${mdWithCode(g.hint)}` : "";
  return `| ${MD_MARK[g.outcome]} | ${md(g.title)} | ${why}${fix} |`;
}

/** For machines: the report as it is. */
export function renderJson(r: CheckReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
