/**
 * `/decisions/COMMIT`: one decision: what, why, the evidence in words, the five-part artifact diff,
 * the policy bundle, the commit (linked to the git host when configured), what changed in git and
 * what the clusters were told, and its audit verdict, re-derived for this page.
 */
import type { CommitAudit, Explanation } from "../../audit/index.ts";
import type { ParsedDecisionMessage } from "../../gitops/index.ts";
import { shortDigest } from "../../model/index.ts";
import { actionBadge, esc, type PageBody, paths, time } from "../html.ts";
import { analysisTable } from "./analysis-table.ts";
import { artifactDiffTable } from "./artifact-diff.ts";

export interface DecisionView {
  explanation: Explanation;
  message: ParsedDecisionMessage;
  /** The whole commit message, as `git log` shows it. */
  rawMessage: string;
  /** The rollout the decision belongs to, when known. */
  rollout?: number;
  /** Link to the commit on the git host, when configured. */
  commitUrl?: string;
  auditMs: number;
}

export function decisionPage(v: DecisionView): PageBody {
  const x = v.explanation;
  const m = v.message;
  const title = `${x.action} ${x.environment}/${x.service} at ${x.decidedAt}`;
  const from = x.deployed.live ?? x.deployed.lastGood;
  const out: string[] = [];
  out.push(`<h1>${actionBadge(x.action)} ${esc(`${x.environment}/${x.service}`)}</h1>`);
  out.push(`<p class="sub">${esc(m.subject)} · ${time(x.decidedAt)}</p>`);

  out.push(`<section id="what" aria-labelledby="what-h"><h2 id="what-h">What and why</h2><dl class="facts">`);
  const step = x.deployed.step
    ? ` at step ${x.deployed.step.index + 1} of ${x.deployed.step.count} (${x.deployed.step.weight}% of traffic)`
    : "";
  fact(
    out,
    "what",
    `${actionBadge(x.action)} of <code>${esc(shortDigest(x.deployed.artifact.digest))}</code>${esc(step)} in ${esc(x.environment)} · <a href="#artifact-diff" data-follow="artifact-diff">the artifact diff</a>${v.rollout !== undefined ? ` · <a href="${paths.rollout(x.environment, x.service, v.rollout)}">rollout ${v.rollout}</a>` : ""}`,
  );
  fact(out, "why", `<span data-why>${esc(m.why)}</span>`);
  fact(
    out,
    "reasons",
    `<ul data-reasons>${x.policy.reasons.map((r) => `<li><code>${esc(r.rule)}</code> ${esc(r.message)}</li>`).join("") || "<li>none recorded</li>"}</ul>`,
  );
  fact(
    out,
    "policy",
    x.policy.answer
      ? `answered ${esc(x.policy.answer)}${x.policy.answer !== x.action ? `; committed as ${esc(x.action)}${x.policy.note ? `: ${esc(x.policy.note)}` : ""}` : ""}`
      : `could not be evaluated: ${esc(x.policy.error ?? "no error recorded")}`,
  );
  fact(out, "policy bundle", `<code data-policy>${esc(x.policyBundle)}</code>`);
  fact(
    out,
    "commit",
    `<code data-commit>${esc(x.commit)}</code>${v.commitUrl ? ` · <a href="${esc(v.commitUrl)}" rel="noreferrer" data-commit-link>on the git host</a>` : ""}`,
  );
  fact(
    out,
    "decided on",
    `<code>${esc(x.decidedOn)}</code>${x.decidedOn !== x.commit ? " (the state the decision read)" : ""}`,
  );
  fact(out, "evidence", `<code>${esc(x.evidence)}</code>`);
  out.push("</dl></section>");

  out.push(`<section id="evidence" aria-labelledby="evidence-h"><h2 id="evidence-h">The evidence in words</h2>`);
  if (m.evidence.length > 0) {
    out.push(
      `<ul data-evidence-lines>${m.evidence
        .map(
          (e) =>
            `<li><strong>${esc(e.metric)}</strong>: baseline ${esc(e.baseline)}, canary ${esc(e.canary)}, effect ${esc(e.effect)}, statistic ${esc(e.statistic)}${e.verdict ? ` → <strong>${esc(e.verdict)}</strong>` : ""}</li>`,
        )
        .join("")}</ul>`,
    );
  }
  const o = x.observed;
  if (!o) out.push(`<p>No canary was running yet, so no telemetry was read.</p>`);
  else {
    out.push(
      `<p>The step's window ${esc(minutes(o.window.from))}–${esc(minutes(o.window.to))} after the rollout began (${time(o.window.stageStart)}), ${o.window.intervals} interval(s) per arm.</p>`,
    );
    out.push(
      analysisTable(
        Object.fromEntries(o.metrics.map(({ metric, ...j }) => [metric, j])),
        "The analysis the decision read",
      ),
    );
    if (o.spend)
      out.push(`<p>Spend: $${o.spend.deployUsd.toFixed(2)} this deploy (budget $${o.budgets.spendPerDeployUsd}).</p>`);
    for (const p of o.problems) out.push(`<p class="notice">Telemetry problem: ${esc(p)}</p>`);
  }
  out.push("</section>");

  out.push(
    `<section id="artifact-diff" aria-labelledby="artifact-diff-h" tabindex="-1"><h2 id="artifact-diff-h">Artifact diff</h2>${artifactDiffTable(from, x.deployed.artifact, x.service)}</section>`,
  );

  out.push(`<section id="git" aria-labelledby="git-h"><h2 id="git-h">What changed in git</h2><ul>`);
  for (const f of x.git.files) out.push(`<li><code>${esc(f.path)}</code> ${esc(f.kind)}</li>`);
  out.push("</ul>");
  const fields = [
    ...x.git.status.map((c) => ({ ...c, file: "status" })),
    ...x.git.release.map((c) => ({ ...c, file: "release" })),
  ];
  if (fields.length > 0) {
    out.push(
      `<table data-table="fields"><caption>Fields changed by the commit</caption><thead><tr><th scope="col">file</th><th scope="col">field</th><th scope="col">before</th><th scope="col">after</th></tr></thead><tbody>${fields
        .map(
          (f) =>
            `<tr><td>${f.file}</td><th scope="row">${esc(f.field)}</th><td class="value">${esc(f.before ?? "–")}</td><td class="value">${esc(f.after ?? "–")}</td></tr>`,
        )
        .join("")}</tbody></table>`,
    );
  }
  out.push(
    `<p>The clusters${x.clusters.targets.length > 0 ? ` (${esc(x.clusters.targets.join(", "))})` : ""} were told: before, ${esc(plan(x.clusters.before))}; after, ${esc(plan(x.clusters.after))}.</p>`,
  );
  out.push(`<details><summary>The whole commit message</summary><pre>${esc(v.rawMessage.trimEnd())}</pre></details>`);
  out.push("</section>");

  out.push(auditSection(x.audit, v.auditMs));
  return { title, main: out.join("\n") };
}

function fact(out: string[], term: string, html: string): void {
  out.push(`<dt>${esc(term)}</dt><dd data-fact="${esc(term)}">${html}</dd>`);
}

function auditSection(audit: CommitAudit, ms: number): string {
  const checks = Object.entries(audit.checks);
  const failed = checks.filter(([, c]) => c?.state === "fail");
  const verdict = failed.length === 0 ? "every check passed" : `${failed.map(([n]) => n).join(", ")} failed`;
  const rows = checks.map(
    ([name, c]) =>
      `<tr data-check="${esc(name)}" data-state="${c?.state}"><th scope="row">${esc(name)}</th><td><span class="badge c-${c?.state}">${c?.state}</span></td><td>${(c?.problems ?? []).map((p) => esc(p)).join("<br>")}</td></tr>`,
  );
  return [
    `<section id="audit" aria-labelledby="audit-h"><h2 id="audit-h">Audit verdict</h2>`,
    `<p data-audit="${failed.length === 0 ? "pass" : "fail"}">Re-derived for this page in ${Math.round(ms)} ms (as <code>tollgate audit</code> does): <strong>${esc(verdict)}</strong>.</p>`,
    `<table data-table="audit"><thead><tr><th scope="col">check</th><th scope="col">outcome</th><th scope="col">problems</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`,
  ].join("");
}

function plan(p: Explanation["clusters"]["before"]): string {
  if ("error" in p) return `no plan (${p.error})`;
  const stable = `stable ${shortDigest(p.stable.digest)}`;
  if (!p.canary) return `${stable} serves all traffic`;
  return `${stable} at ${100 - p.canary.weight}%, canary ${shortDigest(p.canary.artifact.digest)} at ${p.canary.weight}%`;
}

function minutes(s: number): string {
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}
