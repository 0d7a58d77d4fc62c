/**
 * audit: reading decisions back from the history. `tollgate audit`, `explain`, `replay` and `report`
 * are built from these; the dashboard (src/serve) shows the same rollouts, charts and explanations.
 */
export { type Explanation, explainDecision } from "./explain.ts";
export { level } from "./format-explain.ts";
export { collectRollout, type Rollout, type RolloutDecision, type RolloutStep } from "./rollout.ts";
export type { ChartSeries, SeriesPoint } from "./series.ts";
export { ACTION_COLOURS, ARM_COLOURS, type ChartContext, clock, esc, formatValue, renderChart } from "./svg-chart.ts";
export { percent, utcMinute } from "./text.ts";
export type { CheckName, CheckOutcome, CommitAudit } from "./types.ts";
export { auditHistory } from "./audit.ts";
export { formatAuditReport } from "./format-audit.ts";
export { formatExplanation } from "./format-explain.ts";
export { formatReplay } from "./format-replay.ts";
export { replayDecisions } from "./replay.ts";
export { renderReportHtml } from "./report-html.ts";
export { parseSince } from "./since.ts";
