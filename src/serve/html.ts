/** The page frame and the small pieces every page uses. All text goes through `esc`. */
import { esc } from "../audit/index.ts";
import { type DecisionAction, type Digest, formatDuration, shortDigest } from "../model/index.ts";
import type { OverviewState } from "../reconcile/index.ts";

export { esc };

/** A page's own part; the frame around it is the same everywhere. */
export interface PageBody {
  title: string;
  /** The content, swapped in place when the page updates live. */
  main: string;
  /** Rendered above the content and never swapped (the overview's filters keep focus while typing). */
  before?: string;
  /** `env/service` whose reconciler ticks refresh this page. */
  live?: string;
}

export interface FrameContext {
  branch: string;
  head: string | null;
}

/** The dashboard's pages load only these, from their own origin. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function frame(body: PageBody, ctx: FrameContext): string {
  const head = ctx.head ?? "";
  return [
    "<!doctype html>",
    `<html lang="en" data-head="${esc(head)}"${body.live ? ` data-live="${esc(body.live)}"` : ""}><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(body.title)}</title>`,
    `<link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/dashboard.css"><script src="/assets/dashboard.js" defer></script></head>`,
    `<body><a class="skip" href="#content">Skip to content</a>`,
    `<header class="top"><nav aria-label="Dashboard"><a class="brand" href="/">tollgate</a><a href="/">Overview</a></nav>`,
    `<p class="where">${esc(ctx.branch)} at <code id="head-commit">${esc(head.slice(0, 12) || "no commits")}</code> · <span id="live-status" role="status" aria-live="polite">as loaded</span></p></header>`,
    `<main>${body.before ?? ""}<div id="content" tabindex="-1">${body.main}</div></main>`,
    `<footer>Read-only, from the git history of ${esc(ctx.branch)}: every value comes from the repository's files and the evidence of its decision commits; <code>tollgate audit</code> re-verifies them.</footer>`,
    "</body></html>",
    "",
  ].join("\n");
}

export function stateBadge(state: OverviewState): string {
  return `<span class="badge s-${state}">${STATE_WORDS[state]}</span>`;
}

const STATE_WORDS: Record<OverviewState, string> = {
  steady: "steady",
  "rolling-out": "rolling out",
  pending: "pending",
  stopping: "stopping",
  superseding: "superseding",
  "first-release": "first release",
  frozen: "frozen",
  blocked: "blocked",
};

export function stateWord(state: OverviewState): string {
  return STATE_WORDS[state];
}

export function actionBadge(action: DecisionAction): string {
  return `<span class="badge a-${action}">${action}</span>`;
}

/** A short digest, the whole one in its title (`brief`: without, where a page shows thousands). */
export function digest(d: Digest | null | undefined, brief = false): string {
  if (!d) return `<span class="empty">none</span>`;
  return brief ? `<code>${esc(shortDigest(d))}</code>` : `<code title="${esc(d)}">${esc(shortDigest(d))}</code>`;
}

/** `2026-11-24 10:04:10 UTC`, machine-readable in a <time>. */
export function time(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return esc(iso);
  return `<time datetime="${esc(d.toISOString())}">${d.toISOString().slice(0, 19).replace("T", " ")} UTC</time>`;
}

export function ago(seconds: number): string {
  return seconds < 1 ? "just now" : `${formatDuration(seconds * 1000)} ago`;
}

export function secondsBetween(fromIso: string, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 1000));
}

/** `/rollouts/env/service[/n]` and friends: names are DNS labels, so no escaping is needed past esc. */
export const paths = {
  overview: (query = "") => `/${query}`,
  service: (service: string) => `/services/${encodeURIComponent(service)}`,
  rollout: (environment: string, service: string, number?: number) =>
    `/rollouts/${encodeURIComponent(environment)}/${encodeURIComponent(service)}${number !== undefined ? `/${number}` : ""}`,
  decision: (commit: string) => `/decisions/${commit}`,
  decisionByEvidence: (evidence: Digest) => `/decisions/by-evidence/${encodeURIComponent(evidence)}`,
};
