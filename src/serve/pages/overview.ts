/** `/`: every service in every environment, filtered by environment, team, state and name. */
import { formatProblem } from "../../model/index.ts";
import type { OverviewState, ServiceOverview } from "../../reconcile/index.ts";
import { type Fleet, type FleetFilter, OVERVIEW_STATES } from "../fleet.ts";
import { ago, digest, esc, type PageBody, paths, stateBadge, stateWord } from "../html.ts";

export function overviewPage(view: Fleet, filter: FleetFilter, branch: string): PageBody {
  const main: string[] = [];
  const shownCells = view.rows.reduce((n, r) => n + view.shown.filter((e) => r.cells.has(e)).length, 0);
  main.push(
    `<h1>Overview</h1><p class="sub">${view.services} service(s) in ${view.environments.length} environment(s) on ${esc(branch)}${filtered(filter) ? `; ${view.rows.length} shown` : ""}.</p>`,
  );
  main.push(counts(view, filter));
  if (view.problems.length > 0) {
    main.push(
      `<div class="notice" data-problems="${view.problems.length}"><p>${view.problems.length} problem(s) in the repository's files; the reconciler leaves those services alone:</p><ul>${view.problems
        .slice(0, 50)
        .map((p) => `<li><code>${esc(formatProblem(p))}</code></li>`)
        .join("")}</ul></div>`,
    );
  }
  if (view.rows.length === 0) {
    main.push(`<p class="empty" data-empty="services">No service matches these filters.</p>`);
    return { title: "tollgate: overview", main: main.join("\n"), before: filters(view, filter) };
  }
  main.push(
    `<table class="fleet" data-table="fleet"><caption>Services by environment (${view.rows.length} service(s), ${shownCells} cell(s)); environments left to right in promotion order.</caption>`,
  );
  main.push(
    `<thead><tr><th scope="col">service</th>${view.shown.map((e) => `<th scope="col" data-env="${esc(e)}">${esc(e)}</th>`).join("")}</tr></thead><tbody>`,
  );
  for (const row of view.rows) {
    const cells = view.shown.map((env) => {
      const cell = row.cells.get(env);
      if (!cell) return `<td data-env="${esc(env)}" class="empty">not here</td>`;
      return renderCell(cell, filter.state);
    });
    main.push(
      `<tr data-service="${esc(row.service)}"${row.team ? ` data-team="${esc(row.team)}"` : ""}><th scope="row"><a href="${paths.service(row.service)}">${esc(row.service)}</a>${row.team ? ` <span class="team">${esc(row.team)}</span>` : ""}</th>${cells.join("")}</tr>`,
    );
  }
  main.push("</tbody></table>");
  return { title: "tollgate: overview", main: main.join("\n"), before: filters(view, filter) };
}

/** One cell, lean: a page of 1,000 services holds 3,000 of them. */
function renderCell(cell: ServiceOverview, wanted: OverviewState | undefined): string {
  let html = stateBadge(cell.state);
  if (cell.state !== "steady") html += `<span class="line">${esc(cell.summary)}</span>`;
  const target = cell.rollout?.canary ?? (cell.desired !== cell.live ? cell.desired : undefined);
  html += `<span class="line">live ${digest(cell.live, true)}${target ? ` → ${cell.rollout ? "canary" : "wanted"} ${digest(target, true)}` : ""}</span>`;
  const last = cell.lastDecision;
  if (last)
    html += `<span class="line">last <a href="${paths.rollout(cell.environment, cell.service)}" data-last-decision>${esc(last.action)} ${esc(ago(last.ageSeconds))}</a></span>`;
  const match = wanted && cell.state === wanted ? ` class="match"` : "";
  return `<td data-env="${esc(cell.environment)}" data-state="${cell.state}"${match}>${html}</td>`;
}

function counts(view: Fleet, filter: FleetFilter): string {
  const items = OVERVIEW_STATES.filter((s) => view.counts[s]).map((s) => {
    const query = queryOf({ ...filter, state: s });
    const current = filter.state === s ? ` aria-current="true"` : "";
    return `<li><a href="${paths.overview(query)}"${current} data-count="${s}">${stateBadge(s)} ${view.counts[s]}</a></li>`;
  });
  if (filter.state)
    items.push(`<li><a href="${paths.overview(queryOf({ ...filter, state: undefined }))}">any state</a></li>`);
  return `<ul class="counts" aria-label="Cells by state">${items.join("")}</ul>`;
}

function filters(view: Fleet, filter: FleetFilter): string {
  const options = (values: readonly string[], selected: string | undefined, words = (v: string) => v) =>
    [`<option value="">all</option>`]
      .concat(
        values.map((v) => `<option value="${esc(v)}"${v === selected ? " selected" : ""}>${esc(words(v))}</option>`),
      )
      .join("");
  return [
    `<form id="filters" class="filters" method="get" action="/" role="search" aria-label="Filter services">`,
    `<label>Environment <select name="env">${options(view.environments, filter.environment)}</select></label>`,
    `<label>Team <select name="team">${options(view.teams, filter.team)}</select></label>`,
    `<label>State <select name="state">${options(OVERVIEW_STATES, filter.state, (s) => stateWord(s as OverviewState))}</select></label>`,
    `<label>Service <input type="search" name="service" value="${esc(filter.service ?? "")}" placeholder="part of a name" autocomplete="off"></label>`,
    `<button type="submit">Filter</button></form>`,
  ].join("");
}

function filtered(f: FleetFilter): boolean {
  return Boolean(f.environment || f.team || f.state || f.service);
}

export function queryOf(f: FleetFilter): string {
  const params = new URLSearchParams();
  if (f.environment) params.set("env", f.environment);
  if (f.team) params.set("team", f.team);
  if (f.state) params.set("state", f.state);
  if (f.service) params.set("service", f.service);
  const q = params.toString();
  return q ? `?${q}` : "";
}
