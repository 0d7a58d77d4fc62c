/** One decision in plain words (see explain.ts for what is gathered). */
import type { ServicePlan } from "../cluster/index.ts";
import { MAX_RECORDED_E_VALUE, type MetricName, shortDigest, UNBOUNDED_RATIO } from "../model/index.ts";
import { table } from "../text/index.ts";
import type { Explanation } from "./explain.ts";
import { percent, short, utcMinute } from "./text.ts";

export function formatExplanation(x: Explanation): string[] {
  const lines: string[] = [];
  lines.push(`${x.action} ${x.environment}/${x.service} at ${utcMinute(x.decidedAt)} (commit ${short(x.commit)})`);
  lines.push(`  ${x.subject}`);
  lines.push(
    `  decided on ${short(x.decidedOn)} by policy bundle ${shortDigest(x.policyBundle)}; evidence ${shortDigest(x.evidence)}`,
  );

  lines.push("", "What was deployed");
  const d = x.deployed;
  const where = d.step ? ` at step ${d.step.index + 1} of ${d.step.count} (${d.step.weight}% of traffic)` : "";
  lines.push(
    `  canary  ${shortDigest(d.artifact.digest)}${where}${d.rollout !== undefined ? `, rollout ${d.rollout}` : ""}`,
  );
  if (d.live)
    lines.push(
      `  live    ${shortDigest(d.live.digest)}${d.lastGood?.digest === d.live.digest ? " (the last good)" : ""}`,
    );
  else lines.push("  live    nothing (first release here)");
  lines.push(...d.diff.map((l) => `  ${l}`));

  lines.push("", "What was observed");
  const o = x.observed;
  if (!o) {
    lines.push("  nothing: no canary was running yet, so no telemetry was read");
  } else {
    const minutes = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
    lines.push(
      `  the step's window ${minutes(o.window.from)}–${minutes(o.window.to)} after the rollout began (${utcMinute(o.window.stageStart)}), ${o.window.intervals} interval(s) per arm`,
    );
    if (o.metrics.length > 0) {
      const rows = o.metrics.map((m) => [
        m.metric,
        level(m.metric, m.baseline),
        level(m.metric, m.canary),
        m.effect ? `×${fixed(m.effect.estimate)} [${fixed(m.effect.lower)}, ${upper(m.effect.upper)}]` : "–",
        m.eValue !== undefined
          ? `${compact(m.eValue)}${m.eValueThreshold !== undefined ? ` of ${compact(m.eValueThreshold)}` : ""}`
          : "–",
        `${m.samples.baseline}/${m.samples.canary}`,
        `${m.verdict} (${m.reason})`,
      ]);
      lines.push(
        ...table(
          ["METRIC", "BASELINE", "CANARY", "EFFECT canary/baseline [bounds]", "E-VALUE", "SAMPLES b/c", "VERDICT"],
          rows,
        ).map((l) => `  ${l}`),
      );
    }
    const backstops: string[] = [];
    if (o.absolute.errorRate)
      backstops.push(
        `canary error rate ${percent(o.absolute.errorRate.value)} over ${o.absolute.errorRate.windowSeconds / 60}m (ceiling ${percent(o.ceilings.errorRate)})`,
      );
    if (o.absolute.p99LatencyMs)
      backstops.push(
        `canary p99 ${Math.round(o.absolute.p99LatencyMs.value)} ms over ${o.absolute.p99LatencyMs.windowSeconds / 60}m (ceiling ${o.ceilings.p99LatencyMs} ms)`,
      );
    if (backstops.length > 0) lines.push(`  backstops: ${backstops.join("; ")}`);
    if (o.spend) {
      const s = o.spend;
      const perTask =
        s.canaryCostPerTaskUsd !== undefined
          ? `, $${s.canaryCostPerTaskUsd.toFixed(4)}/task canary${s.baselineCostPerTaskUsd !== undefined ? ` vs $${s.baselineCostPerTaskUsd.toFixed(4)} baseline` : ""} (ceiling $${o.budgets.maxCostPerTaskUsd})`
          : "";
      lines.push(
        `  spend: $${s.deployUsd.toFixed(2)} this deploy (budget $${o.budgets.spendPerDeployUsd})${perTask}, ${Math.round(s.canaryTaskRatePerMinute)} tasks/min at full traffic (limit ${o.budgets.maxTaskRatePerMinute})`,
      );
    }
    for (const p of o.problems) lines.push(`  telemetry problem: ${p}`);
  }

  lines.push("", "Which rule fired");
  const p = x.policy;
  lines.push(
    p.answer
      ? `  the policy answered ${p.answer}`
      : `  the policy could not be evaluated: ${p.error ?? "no error recorded"}`,
  );
  for (const r of p.reasons) lines.push(`  - ${r.rule}: ${r.message}`);
  if (p.violations.length > 0)
    lines.push(`  violations: ${p.violations.map((v) => `${v.rule} (${v.effect})`).join(", ")}`);
  if (p.answer !== x.action) lines.push(`  committed as ${x.action}${p.note ? `: ${p.note}` : ""}`);

  lines.push("", "What changed in git");
  for (const f of x.git.files) {
    if (f.path.startsWith("evidence/")) lines.push(`  ${f.path} ${f.kind} (the evidence document)`);
    else if (f.path.includes("/status/")) lines.push(`  ${f.path}: ${changes(x.git.status) || f.kind}`);
    else if (f.path.includes("/releases/"))
      lines.push(
        `  ${f.path}: ${changes(x.git.release) || f.kind}${x.action === "rollback" ? " (the pointer flip back to the last good artifact)" : ""}`,
      );
    else lines.push(`  ${f.path} ${f.kind}`);
  }

  lines.push(
    "",
    `What the clusters were told${x.clusters.targets.length > 0 ? ` (${x.clusters.targets.join(", ")})` : ""}`,
  );
  lines.push(`  before: ${describePlan(x.clusters.before)}`);
  lines.push(`  after:  ${describePlan(x.clusters.after)}`);

  const failed = Object.entries(x.audit.checks).filter(([, c]) => c.state === "fail");
  lines.push(
    "",
    failed.length === 0
      ? "Audit: every check of this decision passed."
      : `Audit: ${failed.map(([name]) => name).join(", ")} FAILED`,
  );
  for (const [name, c] of failed) for (const problem of c.problems) lines.push(`  [${name}] ${problem}`);
  return lines;
}

function changes(fields: Explanation["git"]["status"]): string {
  const show = (v: string | null) => (v === null ? "–" : /^sha256:/.test(v) ? shortDigest(v) : v);
  return fields.map((f) => `${f.field} ${show(f.before)} → ${show(f.after)}`).join("; ");
}

function describePlan(plan: ServicePlan | { error: string }): string {
  if ("error" in plan) return `(no plan: ${plan.error})`;
  const stable = `stable ${shortDigest(plan.stable.digest)}`;
  if (!plan.canary) return `${stable} serves all traffic; no canary runs`;
  return `${stable} at ${100 - plan.canary.weight}%, canary ${shortDigest(plan.canary.artifact.digest)} at ${plan.canary.weight}%`;
}

export function level(metric: MetricName, value: number | undefined): string {
  if (value === undefined) return "–";
  switch (metric) {
    case "error_rate":
    case "intervention_rate":
    case "slow_request_rate":
      return percent(value);
    case "latency":
      return `${value.toFixed(0)} ms`;
    case "cost_per_task":
      return `$${value.toFixed(4)}`;
  }
}

function fixed(x: number): string {
  return x.toFixed(3);
}

/** An upper bound at the recorded cap means "no bound yet"; an e-value at its cap, "at least this". */
function upper(x: number): string {
  return x >= UNBOUNDED_RATIO ? "∞" : fixed(x);
}

function compact(x: number): string {
  if (x >= MAX_RECORDED_E_VALUE) return `≥${MAX_RECORDED_E_VALUE.toExponential(0)}`;
  return x >= 1000 ? x.toExponential(1) : x.toPrecision(3);
}
