/** The dashboard's one stylesheet, served as /assets/dashboard.css. Text colours meet WCAG AA (4.5:1). */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #1f2933; --muted: #4b5563; --line: #d9dee5; --soft: #f5f7fa; --link: #1a4480; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0; background: #fff; }
a { color: var(--link); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid #1a4480; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 6px 10px; }
.skip:focus { left: 8px; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; gap: 4px 24px; align-items: baseline; padding: 10px 24px; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top nav a { margin-right: 16px; font-weight: 600; text-decoration: none; }
header.top nav a.brand { font-size: 16px; color: var(--ink); }
header.top .where { margin: 0; color: var(--muted); font-size: 13px; }
main { padding: 16px 24px 32px; max-width: 1400px; }
#content:focus { outline: none; }
h1 { font-size: 22px; margin: 4px 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
.sub { color: var(--muted); margin: 0 0 12px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
pre { background: var(--soft); padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; position: sticky; top: 0; background: #fff; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-weight: 600; font-size: 12px; white-space: nowrap; border: 1px solid currentColor; }
.s-steady, .a-promote, .c-pass { background: #e6f4ea; color: #1e5631; }
.s-rolling-out { background: #e3ecfa; color: #1a4480; }
.s-pending, .s-first-release, .a-advance, .c-skipped { background: #eef0f3; color: #374151; }
.s-stopping, .s-superseding, .a-hold { background: #fff4e0; color: #774600; }
.s-frozen { background: #e0f4f8; color: #0b5566; }
.s-blocked, .a-rollback, .c-fail { background: #fbe9e9; color: #8a1c1c; }
.a-block { background: #f3e8fa; color: #5b1f7a; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; margin: 8px 0 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); font-weight: 600; }
form.filters select, form.filters input, form.filters button { font: inherit; padding: 4px 6px; border: 1px solid #9aa5b1; border-radius: 4px; background: #fff; color: var(--ink); }
form.filters button { cursor: pointer; }
.counts { display: flex; flex-wrap: wrap; gap: 6px 12px; list-style: none; padding: 0; margin: 0 0 12px; }
.counts a { text-decoration: none; }
/* Fixed layout: the browser sizes columns from the header row instead of measuring 3,000 cells. */
table.fleet { table-layout: fixed; min-width: 720px; }
table.fleet thead th:first-child { width: 190px; }
table.fleet td, table.fleet th { overflow-wrap: anywhere; }
table.fleet td.match { box-shadow: inset 4px 0 #1a4480; }
table.fleet .line { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
table.fleet th[scope=row] a { font-weight: 600; }
table.fleet th .team { display: block; }
.team { color: var(--muted); font-size: 12px; font-weight: 400; }
.empty { color: var(--muted); }
figure { margin: 8px 0 20px; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; }
details { margin: 4px 0; }
summary { cursor: pointer; color: var(--link); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ol.timeline { list-style: none; padding: 0; margin: 0; }
ol.timeline li { padding: 6px 0; border-bottom: 1px solid #e4e7eb; }
ol.timeline .reason { color: var(--muted); }
tr.changed td { background: #fffbea; }
tr.changed th { background: #fffbea; }
td.value { overflow-wrap: anywhere; }
.notice { background: #fff4e0; color: #774600; padding: 8px 10px; border-left: 4px solid #b7791f; }
.live-note { background: #e3ecfa; color: #1a4480; padding: 6px 10px; border-left: 4px solid #1a4480; }
footer { padding: 0 24px 24px; color: var(--muted); font-size: 12px; }
`;
