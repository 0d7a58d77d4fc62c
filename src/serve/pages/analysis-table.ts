/** The per-metric analysis as a table: estimate with anytime-valid bounds, e-value against its threshold, verdict. */
import { level, type RolloutDecision } from "../../audit/index.ts";
import { MAX_RECORDED_E_VALUE, type MetricName, UNBOUNDED_RATIO } from "../../model/index.ts";
import { esc } from "../html.ts";

export function analysisTable(metrics: RolloutDecision["metrics"], caption: string): string {
  const rows = Object.entries(metrics).flatMap(([metric, j]) => {
    if (!j) return [];
    const effect = j.effect
      ? `×${j.effect.estimate.toFixed(3)} <span class="sub">[${j.effect.lower.toFixed(3)}, ${bound(j.effect.upper)}]</span>`
      : "–";
    const e =
      j.eValue !== undefined
        ? `${compact(j.eValue)}${j.eValueThreshold !== undefined ? ` of ${compact(j.eValueThreshold)}` : ""}`
        : "–";
    return [
      `<tr data-metric="${esc(metric)}" data-verdict="${esc(j.verdict)}"><th scope="row">${esc(metric)}</th><td>${esc(level(metric as MetricName, j.baseline))}</td><td>${esc(level(metric as MetricName, j.canary))}</td><td>${effect}</td><td>${esc(e)}</td><td>${esc(`${j.samples.baseline} / ${j.samples.canary}`)}</td><td><strong>${esc(j.verdict)}</strong> (${esc(j.reason)})${j.detail ? `<div class="sub">${esc(j.detail)}</div>` : ""}</td></tr>`,
    ];
  });
  if (rows.length === 0) return `<p class="empty">No metric was analysed.</p>`;
  return [
    `<table data-table="analysis"><caption>${esc(caption)}</caption>`,
    `<thead><tr><th scope="col">metric</th><th scope="col">baseline</th><th scope="col">canary</th><th scope="col">canary / baseline [anytime-valid bounds]</th><th scope="col">e-value of threshold</th><th scope="col">samples baseline / canary</th><th scope="col">verdict</th></tr></thead>`,
    `<tbody>${rows.join("")}</tbody></table>`,
  ].join("");
}

/** An upper bound at the recorded cap means "no bound yet"; an e-value at its cap, "at least this". */
function bound(x: number): string {
  return x >= UNBOUNDED_RATIO ? "∞" : x.toFixed(3);
}

function compact(x: number): string {
  if (x >= MAX_RECORDED_E_VALUE) return `≥${MAX_RECORDED_E_VALUE.toExponential(0)}`;
  return x >= 1000 ? x.toExponential(1) : x.toPrecision(3);
}
