/**
 * The rollout report: one self-contained HTML page. Everything is inline (style, SVG); the page
 * loads nothing, and its Content-Security-Policy forbids it to (no scripts, fonts, images or
 * connections), so it can be mailed, attached to a ticket or opened offline and shows the same.
 * The output depends only on the history: the same rollout always gives the same bytes.
 */
import { MAX_RECORDED_E_VALUE, type MetricName, shortDigest, UNBOUNDED_RATIO } from "../model/index.ts";
import { level } from "./format-explain.ts";
import type { Rollout } from "./rollout.ts";
import { ACTION_COLOURS, ARM_COLOURS, clock, esc, renderChart } from "./svg-chart.ts";
import { utcMinute } from "./text.ts";

export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; margin: 24px auto; max-width: 820px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d9dee5; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
.sub { color: #52606d; margin: 0 0 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
th { color: #52606d; font-weight: 600; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
pre { background: #f5f7fa; padding: 8px 10px; overflow-x: auto; }
figure { margin: 8px 0 16px; }
figcaption { color: #52606d; font-size: 12px; }
.key { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin: 0 4px 0 10px; }
footer { margin-top: 32px; color: #7b8794; font-size: 12px; }
`;

export function renderReportHtml(r: Rollout): string {
  const title = `${r.service} in ${r.environment}: rollout ${r.number}`;
  const end = Math.max(...r.decisions.map((d) => d.t), ...r.steps.map((s) => s.to), r.interval);
  const body: string[] = [];
  body.push(`<header><h1>${esc(title)}</h1>`);
  body.push(
    `<p class="sub">${esc(shortDigest(r.previous?.digest))} → <strong>${esc(shortDigest(r.artifact.digest))}</strong> · began ${esc(utcMinute(r.stageStart))} · ${r.decisions.length} decision(s) · outcome ${badge(r.outcome)}</p></header>`,
  );

  body.push(`<section id="charts"><h2>Baseline against canary</h2>`);
  body.push(
    `<p class="sub">Each chart pools a trailing one-minute window at every ${r.interval}-second interval.<span class="key" style="background:${ARM_COLOURS.baseline}"></span>baseline<span class="key" style="background:${ARM_COLOURS.canary}"></span>canary. Shaded bands are rollout steps (traffic share on the canary); markers are decisions.</p>`,
  );
  if (r.charts.length === 0) body.push(`<p>No telemetry was recorded in this rollout's evidence.</p>`);
  for (const chart of r.charts) {
    body.push(
      `<figure data-chart="${chart.id}"><h3>${esc(chart.title)}</h3>${renderChart(chart, { end, interval: r.interval, steps: r.steps, decisions: r.decisions })}`,
    );
    body.push(
      `<figcaption>${chart.arms.baseline.length} baseline and ${chart.arms.canary.length} canary points</figcaption></figure>`,
    );
  }
  body.push("</section>");

  body.push(
    `<section id="decisions"><h2>Decisions</h2><table data-table="decisions"><thead><tr><th>time (UTC)</th><th>since start</th><th>action</th><th>step</th><th>why</th><th>commit</th></tr></thead><tbody>`,
  );
  for (const d of r.decisions) {
    const why =
      d.reasons.map((x) => `<div><code>${esc(x.rule)}</code> ${esc(x.message)}</div>`).join("") ||
      "<div>(no reason recorded)</div>";
    const answered =
      d.policyAnswer && d.policyAnswer !== d.action ? `<div>the policy answered ${esc(d.policyAnswer)}</div>` : "";
    const step = d.step !== undefined ? `${d.step + 1} · ${d.weight ?? 0}%` : "–";
    body.push(
      `<tr data-action="${d.action}"><td>${esc(utcMinute(d.decidedAt).replace(" UTC", ""))}</td><td>${clock(d.t)}</td><td>${badge(d.action)}</td><td>${step}</td><td>${why}${answered}</td><td><code>${esc(d.commit.slice(0, 12))}</code></td></tr>`,
    );
  }
  body.push("</tbody></table></section>");

  const last = [...r.decisions].reverse().find((d) => Object.keys(d.metrics).length > 0);
  if (last) {
    body.push(
      `<section id="analysis"><h2>Analysis at the ${esc(last.action)} of ${esc(clock(last.t))}</h2><table data-table="analysis"><thead><tr><th>metric</th><th>baseline</th><th>canary</th><th>effect canary/baseline [bounds]</th><th>e-value</th><th>verdict</th></tr></thead><tbody>`,
    );
    for (const [metric, j] of Object.entries(last.metrics)) {
      if (!j) continue;
      const effect = j.effect
        ? `×${j.effect.estimate.toFixed(3)} [${j.effect.lower.toFixed(3)}, ${j.effect.upper >= UNBOUNDED_RATIO ? "∞" : j.effect.upper.toFixed(3)}]`
        : "–";
      const e =
        j.eValue !== undefined
          ? `${j.eValue >= MAX_RECORDED_E_VALUE ? `≥${MAX_RECORDED_E_VALUE.toExponential(0)}` : j.eValue.toPrecision(3)}${j.eValueThreshold !== undefined ? ` of ${j.eValueThreshold.toPrecision(3)}` : ""}`
          : "–";
      body.push(
        `<tr data-metric="${esc(metric)}"><td>${esc(metric)}</td><td>${esc(level(metric as MetricName, j.baseline))}</td><td>${esc(level(metric as MetricName, j.canary))}</td><td>${esc(effect)}</td><td>${esc(e)}</td><td>${esc(`${j.verdict} (${j.reason})`)}</td></tr>`,
      );
    }
    body.push("</tbody></table></section>");
  }

  body.push(
    `<section id="artifact"><h2>Artifact diff</h2><pre data-diff="artifact">${esc(r.diff.join("\n"))}</pre></section>`,
  );
  if (r.unreadable.length > 0) {
    body.push(
      `<section id="unreadable"><h2>Left out</h2><ul>${r.unreadable.map((u) => `<li><code>${esc(u.commit.slice(0, 12))}</code> ${esc(u.message)}</li>`).join("")}</ul></section>`,
    );
  }
  body.push(
    `<footer>Generated by tollgate from ${esc(r.head ? r.head.slice(0, 12) : "an empty history")}. Every value comes from the evidence stored with the decision commits; <code>tollgate audit</code> re-verifies it. Other rollouts of this service: ${esc(r.available.filter((n) => n !== r.number).join(", ") || "none")}.</footer>`,
  );

  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(title)}</title><style>${STYLE}</style></head>`,
    `<body>${body.join("\n")}</body></html>`,
    "",
  ].join("\n");
}

function badge(action: keyof typeof ACTION_COLOURS): string {
  return `<span class="badge" data-badge="${action}" style="background:${ACTION_COLOURS[action]}">${action}</span>`;
}
