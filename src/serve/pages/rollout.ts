/**
 * `/rollouts/ENV/SERVICE[/N]`: one rollout's charts (the report's, with step bands and decision
 * markers), where it stands now, the current analysis per metric and the timeline of its decisions.
 */
import { type ChartSeries, clock, formatValue, type Rollout, renderChart } from "../../audit/index.ts";
import type { ServiceOverview } from "../../reconcile/index.ts";
import { actionBadge, digest, esc, type PageBody, paths, time } from "../html.ts";
import { type LiveObservation, liveKey } from "../live.ts";
import { analysisTable } from "./analysis-table.ts";

export interface RolloutView {
  rollout: Rollout;
  /** The service here at the head, when it still has a release. */
  now?: ServiceOverview;
  /** The reconciler's latest look at the service, when this process runs it. */
  live?: LiveObservation;
}

const MAX_TABLE_ROWS = 60;

export function rolloutPage({ rollout: r, now, live }: RolloutView): PageBody {
  const title = `${r.service} in ${r.environment}: rollout ${r.number}`;
  const end = Math.max(...r.decisions.map((d) => d.t), ...r.steps.map((s) => s.to), r.interval);
  const ongoing = now?.rollout?.canary === r.artifact.digest;
  const out: string[] = [];
  out.push(`<h1>${esc(title)} ${actionBadge(r.outcome)}</h1>`);
  out.push(
    `<p class="sub">${digest(r.previous?.digest)} → ${digest(r.artifact.digest)} · began ${time(r.stageStart)} · ${r.decisions.length} decision(s) · <a href="${paths.service(r.service)}">history of ${esc(r.service)}</a>${others(r)}</p>`,
  );

  out.push(`<section id="now" aria-labelledby="now-h"><h2 id="now-h">Now</h2>`);
  out.push(
    ongoing && now
      ? `<p data-now="rolling-out">${esc(now.summary)}</p>`
      : `<p data-now="ended">This rollout ended with ${actionBadge(r.outcome)} at ${time(r.decisions.at(-1)!.decidedAt)}${now ? `; now: ${esc(now.summary)}` : ""}.</p>`,
  );
  const lastDecision = r.decisions.at(-1)!;
  const liveIsNewer = ongoing && live && live.now.getTime() > Date.parse(lastDecision.decidedAt);
  if (liveIsNewer && live) {
    out.push(
      `<p class="live-note" data-live-tick="${esc(live.now.toISOString())}">The reconciler's latest tick, ${time(live.now.toISOString())}, decided ${actionBadge(live.decision.action)} (not committed: ${esc(live.decision.reasons[0]?.message ?? "no reason given")}).</p>`,
    );
  }
  out.push("</section>");

  out.push(`<section id="charts" aria-labelledby="charts-h"><h2 id="charts-h">Baseline against canary</h2>`);
  out.push(
    `<p class="sub">Each chart pools a trailing one-minute window at every ${r.interval}-second interval: blue is the baseline, red the canary. Shaded bands are rollout steps (the canary's share of traffic); markers are decisions. Every chart has its values as a table below it.</p>`,
  );
  if (r.charts.length === 0) out.push(`<p class="empty">No telemetry was recorded in this rollout's evidence.</p>`);
  for (const chart of r.charts) {
    const svg = renderChart(chart, { end, interval: r.interval, steps: r.steps, decisions: r.decisions });
    out.push(
      `<figure data-chart="${chart.id}" aria-describedby="cap-${chart.id}"><h3>${esc(chart.title)}</h3>${svg}<figcaption id="cap-${chart.id}">${esc(describeChart(chart, r))}</figcaption>${valuesTable(chart)}</figure>`,
    );
  }
  out.push("</section>");

  out.push(`<section id="analysis" aria-labelledby="analysis-h"><h2 id="analysis-h">Current analysis</h2>`);
  const lastWithMetrics = [...r.decisions].reverse().find((d) => Object.keys(d.metrics).length > 0);
  if (liveIsNewer && live?.analysis && Object.keys(live.analysis.metrics).length > 0) {
    out.push(analysisTable(live.analysis.metrics, `At the reconciler's latest tick, ${live.now.toISOString()}`));
  } else if (lastWithMetrics) {
    out.push(
      analysisTable(
        lastWithMetrics.metrics,
        `At the ${lastWithMetrics.action} of ${clock(lastWithMetrics.t)} after the rollout began (${lastWithMetrics.decidedAt})`,
      ),
    );
  } else out.push(`<p class="empty">No decision of this rollout carries an analysis yet.</p>`);
  out.push("</section>");

  out.push(`<section id="decisions" aria-labelledby="decisions-h"><h2 id="decisions-h">Decisions</h2>`);
  out.push(`<ol class="timeline" data-timeline="decisions" reversed>`);
  for (const d of [...r.decisions].reverse()) {
    const step = d.step !== undefined ? ` at step ${d.step + 1} (${d.weight ?? 0}%)` : "";
    const reasons =
      d.reasons.map((x) => `<div class="reason"><code>${esc(x.rule)}</code> ${esc(x.message)}</div>`).join("") ||
      `<div class="reason">(no reason recorded)</div>`;
    const answered =
      d.policyAnswer && d.policyAnswer !== d.action
        ? `<div class="reason">the policy answered ${esc(d.policyAnswer)}</div>`
        : "";
    out.push(
      `<li data-action="${d.action}" data-commit="${d.commit}">${time(d.decidedAt)} (+${clock(d.t)}) ${actionBadge(d.action)}${esc(step)} · <a href="${paths.decision(d.commit)}">decision ${esc(d.commit.slice(0, 12))}</a>${reasons}${answered}</li>`,
    );
  }
  out.push("</ol></section>");

  out.push(
    `<section id="artifact" aria-labelledby="artifact-h"><h2 id="artifact-h">Artifact diff</h2><pre data-diff="artifact">${esc(r.diff.join("\n"))}</pre></section>`,
  );
  if (r.unreadable.length > 0) {
    out.push(
      `<section id="unreadable"><h2>Left out</h2><ul>${r.unreadable.map((u) => `<li><code>${esc(u.commit.slice(0, 12))}</code> ${esc(u.message)}</li>`).join("")}</ul></section>`,
    );
  }
  return { title, main: out.join("\n"), live: liveKey(r.environment, r.service) };
}

function others(r: Rollout): string {
  const links = r.available
    .filter((n) => n !== r.number)
    .map((n) => `<a href="${paths.rollout(r.environment, r.service, n)}">${n}</a>`);
  return links.length > 0 ? ` · other rollouts: ${links.join(", ")}` : "";
}

/** The chart in one sentence: where each arm ended, and the decisions. */
function describeChart(chart: ChartSeries, r: Rollout): string {
  const last = (arm: "baseline" | "canary") => {
    const points = chart.arms[arm];
    const p = points.at(-1);
    return p
      ? `${arm} ${formatValue(chart.unit, p.value)} at ${clock(p.t)} (${points.length} points)`
      : `no ${arm} data`;
  };
  const decisions = r.decisions.map((d) => `${d.action} at ${clock(d.t)}`).join(", ");
  return `${chart.title}: ${last("canary")}; ${last("baseline")}. Decisions: ${decisions || "none"}.`;
}

/** The chart's values, at most MAX_TABLE_ROWS rows (evenly thinned). */
function valuesTable(chart: ChartSeries): string {
  const times = [...new Set([...chart.arms.baseline, ...chart.arms.canary].map((p) => p.t))].sort((a, b) => a - b);
  const every = Math.max(1, Math.ceil(times.length / MAX_TABLE_ROWS));
  const shown = times.filter((_, i) => i % every === 0 || i === times.length - 1);
  const at = (arm: "baseline" | "canary", t: number) => {
    const p = chart.arms[arm].find((x) => x.t === t);
    return p ? formatValue(chart.unit, p.value) : "–";
  };
  const rows = shown.map(
    (t) =>
      `<tr><th scope="row">${clock(t)}</th><td>${esc(at("baseline", t))}</td><td>${esc(at("canary", t))}</td></tr>`,
  );
  return `<details><summary>${esc(chart.title)} as a table${every > 1 ? ` (every ${every}th point)` : ""}</summary><table data-values="${chart.id}"><thead><tr><th scope="col">since start</th><th scope="col">baseline</th><th scope="col">canary</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}
