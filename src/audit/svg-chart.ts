/**
 * One inline SVG chart: baseline and canary of one metric over the rollout, the steps as shaded
 * bands and every decision as a marker. Plain SVG, no script; `data-*` attributes name what each
 * element is, for tests and for anyone scraping the report.
 */
import type { DecisionAction } from "../model/index.ts";
import type { RolloutDecision, RolloutStep } from "./rollout.ts";
import type { ChartSeries, SeriesPoint } from "./series.ts";

export const ARM_COLOURS = { baseline: "#4e79a7", canary: "#e15759" } as const;
export const ACTION_COLOURS: Record<DecisionAction, string> = {
  advance: "#6b7280",
  promote: "#2e7d32",
  hold: "#b7791f",
  rollback: "#c62828",
  block: "#6a1b9a",
};

const WIDTH = 760;
const HEIGHT = 240;
const M = { left: 70, right: 36, top: 30, bottom: 40 };

export interface ChartContext {
  /** Seconds since the rollout began at the right edge. */
  end: number;
  interval: number;
  steps: readonly RolloutStep[];
  decisions: readonly RolloutDecision[];
}

export function renderChart(series: ChartSeries, ctx: ChartContext): string {
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const end = Math.max(ctx.end, ctx.interval);
  const all = [...series.arms.canary, ...series.arms.baseline].map((p) => p.value);
  const yMax = niceCeiling(Math.max(...all, 0) * 1.1 || 1);
  const x = (t: number) => M.left + (Math.min(Math.max(t, 0), end) / end) * plotW;
  const y = (v: number) => M.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" data-metric="${series.id}" aria-labelledby="t-${series.id}">`,
  );
  out.push(`<title id="t-${series.id}">${esc(series.title)}: baseline against canary over the rollout</title>`);

  ctx.steps.forEach((s, i) => {
    const x0 = x(s.from);
    const x1 = x(s.to);
    out.push(
      `<rect data-step="${s.index}" x="${f(x0)}" y="${M.top}" width="${f(Math.max(0, x1 - x0))}" height="${plotH}" fill="${i % 2 === 0 ? "#eef2f8" : "#f7f9fc"}"/>`,
    );
    out.push(
      `<line data-marker="step" x1="${f(x0)}" x2="${f(x0)}" y1="${M.top}" y2="${M.top + plotH}" stroke="#9aa5b1" stroke-dasharray="4 3"/>`,
    );
    out.push(
      `<text x="${f(x0 + 4)}" y="${M.top + 12}" font-size="11" fill="#52606d">step ${s.index + 1} · ${s.weight}%</text>`,
    );
  });

  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    out.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#d9dee5" stroke-width="${i === 0 ? 1 : 0.5}"/>`,
    );
    out.push(
      `<text x="${M.left - 6}" y="${f(y(v) + 4)}" font-size="11" text-anchor="end" fill="#52606d">${esc(formatValue(series.unit, v))}</text>`,
    );
  }
  for (const t of timeTicks(end)) {
    out.push(
      `<text x="${f(x(t))}" y="${M.top + plotH + 16}" font-size="11" text-anchor="middle" fill="#52606d">${clock(t)}</text>`,
    );
  }
  out.push(
    `<text x="${M.left + plotW}" y="${HEIGHT - 6}" font-size="11" text-anchor="end" fill="#52606d">time since the rollout began (m:ss)</text>`,
  );

  for (const arm of ["baseline", "canary"] as const) {
    for (const segment of segments(series.arms[arm], ctx.interval)) {
      const points = segment.map((p) => `${f(x(p.t))},${f(y(p.value))}`).join(" ");
      out.push(
        `<polyline data-arm="${arm}" data-points="${segment.length}" points="${points}" fill="none" stroke="${ARM_COLOURS[arm]}" stroke-width="1.8" stroke-linejoin="round"/>`,
      );
    }
  }

  for (const d of ctx.decisions) {
    const xd = f(x(d.t));
    out.push(`<g data-marker="decision" data-action="${d.action}" data-commit="${d.commit.slice(0, 12)}">`);
    out.push(`<title>${esc(`${d.action} at ${clock(d.t)}: ${d.reasons[0]?.rule ?? "no reason recorded"}`)}</title>`);
    out.push(
      `<line x1="${xd}" x2="${xd}" y1="${M.top - 4}" y2="${M.top + plotH}" stroke="${ACTION_COLOURS[d.action]}" stroke-width="1.5"/>`,
    );
    out.push(`<circle cx="${xd}" cy="${M.top - 8}" r="4" fill="${ACTION_COLOURS[d.action]}"/>`);
    out.push(
      `<text x="${xd}" y="${M.top - 15}" font-size="10" text-anchor="middle" fill="${ACTION_COLOURS[d.action]}">${d.action}</text>`,
    );
    out.push("</g>");
  }

  // The key sits on the axis-title row, clear of the step labels and decision markers.
  const ly = HEIGHT - 10;
  out.push(`<g data-legend="arms">`);
  out.push(
    `<line x1="${M.left}" x2="${M.left + 18}" y1="${ly}" y2="${ly}" stroke="${ARM_COLOURS.baseline}" stroke-width="2"/><text x="${M.left + 22}" y="${ly + 4}" font-size="11">baseline</text>`,
  );
  out.push(
    `<line x1="${M.left + 80}" x2="${M.left + 98}" y1="${ly}" y2="${ly}" stroke="${ARM_COLOURS.canary}" stroke-width="2"/><text x="${M.left + 102}" y="${ly + 4}" font-size="11">canary</text></g>`,
  );
  out.push("</svg>");
  return out.join("\n");
}

/** Consecutive points no further apart than 1.5 intervals; a gap in the data is a gap in the line. */
function segments(points: readonly SeriesPoint[], interval: number): SeriesPoint[][] {
  const out: SeriesPoint[][] = [];
  for (const p of points) {
    const current = out.at(-1);
    if (current && p.t - current.at(-1)!.t <= interval * 1.5) current.push(p);
    else out.push([p]);
  }
  return out;
}

function timeTicks(end: number): number[] {
  const steps = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
  const step = steps.find((s) => end / s <= 8) ?? Math.ceil(end / 8 / 3600) * 3600;
  const ticks: number[] = [];
  for (let t = 0; t <= end + 1e-9; t += step) ticks.push(t);
  return ticks;
}

export function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function niceCeiling(x: number): number {
  const exponent = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * exponent >= x) return m * exponent;
  return 10 * exponent;
}

export function formatValue(unit: ChartSeries["unit"], v: number): string {
  switch (unit) {
    case "ratio":
      return `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`;
    case "ms":
      return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;
    case "usd":
      return `$${v.toFixed(v < 1 ? 4 : 2)}`;
    case "per-second":
      return `${v.toFixed(1)}/s`;
  }
}

function f(n: number): string {
  return n.toFixed(1);
}

export function esc(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
