/**
 * `/services/SERVICE`: one service across environments: where it stands in each, which digest went
 * where (and how it ended there), what was rolled back, rejected or frozen, and every decision.
 */
import type { DecisionAction, Digest, RepositoryState } from "../../model/index.ts";
import type { ServiceOverview } from "../../reconcile/index.ts";
import { actionBadge, ago, digest, esc, type PageBody, paths, stateBadge, time } from "../html.ts";
import type { IndexedDecision } from "../snapshots.ts";

export interface ServiceView {
  service: string;
  team?: string;
  /** Environments in promotion order. */
  environments: string[];
  /** Where it stands, by environment. */
  cells: Map<string, ServiceOverview>;
  state: RepositoryState;
  /** This service's decisions, newest first. */
  decisions: IndexedDecision[];
}

const MAX_TIMELINE = 300;

const OUTCOME_WORDS: Record<DecisionAction, string> = {
  advance: "rolling out",
  promote: "promoted",
  hold: "held",
  rollback: "rolled back",
  block: "blocked",
};

export function servicePage(v: ServiceView): PageBody {
  const out: string[] = [];
  const envs = v.environments.filter((e) => v.cells.has(e) || v.decisions.some((d) => d.environment === e));
  out.push(`<h1>${esc(v.service)}${v.team ? ` <span class="team">owned by ${esc(v.team)}</span>` : ""}</h1>`);
  out.push(`<p class="sub">${v.decisions.length} decision(s) in ${envs.length} environment(s).</p>`);

  out.push(`<section id="where" aria-labelledby="where-h"><h2 id="where-h">Where it stands</h2>`);
  out.push(
    `<table data-table="where"><thead><tr><th scope="col">environment</th><th scope="col">state</th><th scope="col">live</th><th scope="col">what happens</th><th scope="col">last decision</th></tr></thead><tbody>`,
  );
  for (const env of envs) {
    const c = v.cells.get(env);
    if (!c) {
      out.push(
        `<tr data-env="${esc(env)}"><th scope="row">${esc(env)}</th><td colspan="4" class="empty">no release here now</td></tr>`,
      );
      continue;
    }
    out.push(
      `<tr data-env="${esc(env)}" data-state="${c.state}"><th scope="row">${esc(env)}</th><td>${stateBadge(c.state)}</td><td>${digest(c.live)}</td><td>${esc(c.summary)}</td><td>${c.lastDecision ? `<a href="${paths.rollout(env, v.service)}">${actionBadge(c.lastDecision.action)} ${esc(ago(c.lastDecision.ageSeconds))}</a>` : "–"}</td></tr>`,
    );
  }
  out.push("</tbody></table></section>");

  out.push(`<section id="digests" aria-labelledby="digests-h"><h2 id="digests-h">Which digest went where</h2>`);
  out.push(digestMatrix(v, envs));
  out.push("</section>");

  out.push(
    `<section id="setbacks" aria-labelledby="setbacks-h"><h2 id="setbacks-h">Rolled back, rejected, frozen</h2>`,
  );
  const setbacks: string[] = [];
  for (const env of envs) {
    const status = v.state.environments.get(env)?.statuses.get(v.service);
    for (const r of status?.rejected ?? [])
      setbacks.push(
        `<li data-rejected="${esc(r.digest)}" data-env="${esc(env)}">${esc(env)}: ${digest(r.digest)} rejected at ${time(r.at)}: ${esc(r.reason)}</li>`,
      );
    if (status?.frozenUntil)
      setbacks.push(`<li data-frozen="${esc(env)}">${esc(env)}: frozen until ${time(status.frozenUntil)}</li>`);
  }
  out.push(
    setbacks.length > 0 ? `<ul>${setbacks.join("")}</ul>` : `<p class="empty">Nothing was rejected or frozen.</p>`,
  );
  out.push("</section>");

  out.push(`<section id="timeline" aria-labelledby="timeline-h"><h2 id="timeline-h">Decisions</h2>`);
  if (v.decisions.length === 0) out.push(`<p class="empty">No decision about ${esc(v.service)} yet.</p>`);
  out.push(`<ol class="timeline" data-timeline="service" reversed>`);
  for (const d of v.decisions.slice(0, MAX_TIMELINE)) {
    out.push(
      `<li data-action="${d.action}" data-env="${esc(d.environment)}">${time(d.time)} ${esc(d.environment)} ${actionBadge(d.action)} ${digest(d.artifact)}${d.rollout !== undefined ? ` · <a href="${paths.rollout(d.environment, d.service, d.rollout)}">rollout ${d.rollout}</a>` : ""} · <a href="${paths.decision(d.commit)}">decision ${esc(d.commit.slice(0, 12))}</a><div class="reason">${esc(d.why)}</div></li>`,
    );
  }
  out.push("</ol>");
  if (v.decisions.length > MAX_TIMELINE)
    out.push(
      `<p class="sub">The ${MAX_TIMELINE} newest of ${v.decisions.length}; <code>git log</code> has them all.</p>`,
    );
  out.push("</section>");
  return { title: `tollgate: ${v.service}`, main: out.join("\n") };
}

/** Digests (newest first) × environments: how each digest's time there ended, linked to the decision. */
function digestMatrix(v: ServiceView, envs: string[]): string {
  const digests: Digest[] = [];
  const add = (d: Digest | null | undefined) => {
    if (d && !digests.includes(d)) digests.push(d);
  };
  for (const env of envs) add(v.cells.get(env)?.rollout?.canary ?? v.cells.get(env)?.desired);
  for (const d of v.decisions) add(d.artifact);
  for (const env of envs) add(v.cells.get(env)?.live);
  if (digests.length === 0) return `<p class="empty">No artifact yet.</p>`;
  const rows = digests.map((d) => {
    const cells = envs.map((env) => {
      const last = v.decisions.find((x) => x.artifact === d && x.environment === env);
      const cell = v.cells.get(env);
      const live = cell?.live === d ? ` <strong>live</strong>` : "";
      const rejected = v.state.environments
        .get(env)
        ?.statuses.get(v.service)
        ?.rejected?.some((r) => r.digest === d);
      const outcome = last
        ? `<a href="${paths.decision(last.commit)}">${esc(OUTCOME_WORDS[last.action])}</a> ${time(last.time)}`
        : cell?.desired === d && cell.live !== d
          ? "wanted"
          : "";
      const text = [outcome, rejected ? "<strong>rejected</strong>" : "", live].filter(Boolean).join(" · ");
      return `<td data-env="${esc(env)}"${last ? ` data-outcome="${last.action}"` : ""}>${text || `<span class="empty">–</span>`}</td>`;
    });
    return `<tr id="artifact-${esc(d.slice(7, 19))}" data-digest="${esc(d)}"><th scope="row">${digest(d)}</th>${cells.join("")}</tr>`;
  });
  return `<table data-table="digests"><caption>Each artifact's last decision in each environment, newest artifact first.</caption><thead><tr><th scope="col">artifact</th>${envs.map((e) => `<th scope="col">${esc(e)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
