/** Plain-text helpers shared by the audit, explain and replay printouts. */

/** `2026-11-24 10:00:50 UTC` */
export function utcMinute(iso: string, withSeconds = true): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = d.toISOString().replace("T", " ");
  return `${withSeconds ? text.slice(0, 19) : text.slice(0, 16)} UTC`;
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function short(commit: string): string {
  return commit.slice(0, 12);
}

export function percent(x: number | undefined, digits = 2): string {
  return x === undefined || !Number.isFinite(x) ? "–" : `${(x * 100).toFixed(digits)}%`;
}
