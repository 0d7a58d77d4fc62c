/**
 * The guardrails of policies/ written by hand in TypeScript: the same rules, messages and values.
 * It is the baseline `bench/policy-eval.ts` measures the compiled policy against, and
 * test/policy/reference.test.ts checks that both give the same decisions, so that the comparison
 * is between two implementations of the same thing.
 */
import type { DecisionReason } from "../src/model/types.ts";
import type {
  MetricJudgement,
  PolicyApproval,
  PolicyDecision,
  PolicyInput,
  PolicyPartChange,
  PolicyViolation,
  ViolationEffect,
} from "../src/policy/types.ts";

// --- formatting, as lib.rego (Go's sprintf verbs) ---

/** lib.fixed: round to `digits` decimals (half away from zero, as Rego's round), then print. */
function fixed(x: number, digits: number): string {
  const scale = 10 ** digits;
  const scaled = Math.round(x * scale);
  if (digits === 0) return String(scaled);
  const part = scaled % scale;
  return `${(scaled - part) / scale}.${String(part + scale).slice(1)}`;
}
const short = (d: string) => d.slice(0, 19);
const percent = (x: number) => `${fixed(x * 100, 1).replace(/\.0$/, "")}%`;
const usd = (x: number) => (x < 1 ? `$${fixed(x, 3)}` : `$${fixed(x, 2)}`);
const listing = (items: readonly string[]) => (items.length > 0 ? items.join(", ") : "none");
const countOf = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
function duration(s: number): string {
  if (s === 0) return "0s";
  const parts: [number, string][] = [
    [Math.floor(s / 3600), "h"],
    [Math.floor((s % 3600) / 60), "m"],
    [s % 60, "s"],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join("");
}

function violation(
  rule: string,
  effect: ViolationEffect,
  message: string,
  values: Record<string, unknown>,
): PolicyViolation {
  return { rule, effect, message, values };
}

// --- situation ---

const progressing = (i: PolicyInput) => i.mode === "live" && i.status.phase === "progressing";
const starting = (i: PolicyInput) => i.mode === "live" && i.status.phase !== "progressing";

function reported(i: PolicyInput): [string, MetricJudgement][] {
  const out: [string, MetricJudgement][] = [];
  for (const [name, settings] of Object.entries(i.environment.analysis.metrics)) {
    const verdict = i.analysis?.metrics[name as keyof typeof i.analysis.metrics];
    if (settings?.enabled && verdict) out.push([name, verdict]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

function judged(i: PolicyInput): [string, MetricJudgement][] {
  return reported(i).filter(([, v]) => v.reason !== "no-baseline");
}

// --- rollback.rego ---

function evidence(v: MetricJudgement): string {
  const measure = (x: number) =>
    v.unit === "fraction"
      ? percent(x)
      : v.unit === "ms"
        ? `${fixed(x, 0)} ms`
        : v.unit === "usd"
          ? usd(x)
          : v.unit === "ratio"
            ? fixed(x, 2)
            : String(x);
  const compared =
    v.canary !== undefined && v.baseline !== undefined
      ? `canary ${measure(v.canary)} vs baseline ${measure(v.baseline)}`
      : "no canary and baseline values";
  const ratio = !v.effect
    ? "no effect estimate"
    : v.effect.upper >= 1_000_000
      ? `ratio ${fixed(v.effect.estimate, 2)} (at least ${fixed(v.effect.lower, 3)})`
      : `ratio ${fixed(v.effect.estimate, 2)} (bounds ${fixed(v.effect.lower, 3)} to ${fixed(v.effect.upper, 3)})`;
  const strength = v.finalLook
    ? `at the step's cap, exact test of the split of events p ${percent(v.finalLook.pValue)} <= ${percent(v.finalLook.level)}`
    : v.eValue === undefined
      ? "no e-value"
      : v.eValueThreshold === undefined
        ? `e-value ${fixed(v.eValue, 1)}`
        : v.eValue >= 1_000_000
          ? `e-value over a million (${fixed(v.eValueThreshold, 1)} needed)`
          : `e-value ${fixed(v.eValue, 1)} of ${fixed(v.eValueThreshold, 1)} needed`;
  return `${compared}, ${ratio}, ${strength}`;
}

function rollbackViolations(i: PolicyInput): PolicyViolation[] {
  if (!progressing(i)) return [];
  const out: PolicyViolation[] = [];
  const env = i.environment;
  const { missingGraceSeconds: grace, missingLimitSeconds: limit } = env.telemetry;
  // Freshness counts for every reported metric; a metric at full weight (no baseline) cannot fail
  // or be inconclusive for lack of data, so the other checks only ever fire on judged ones.
  for (const [name, v] of reported(i)) {
    const tolerance = env.analysis.metrics[name as keyof typeof env.analysis.metrics]!.tolerance;
    if (v.verdict === "fail") {
      out.push(
        violation(
          "rollback.metric_failed",
          "rollback",
          `${name} failed the canary analysis (${v.reason}): ${evidence(v)}; tolerance ${percent(tolerance)}`,
          { metric: name, analysis: v, tolerance },
        ),
      );
    }
    if (v.dataAgeSeconds > limit) {
      out.push(
        violation(
          "rollback.telemetry_missing_limit",
          "rollback",
          `${name} telemetry has been missing for ${duration(v.dataAgeSeconds)}, beyond the limit of ${duration(limit)}`,
          { metric: name, dataAgeSeconds: v.dataAgeSeconds, missingLimitSeconds: limit },
        ),
      );
    } else if (v.dataAgeSeconds > grace) {
      out.push(
        violation(
          "rollback.telemetry_missing_grace",
          "hold",
          `${name} telemetry has been missing for ${duration(v.dataAgeSeconds)}, beyond the grace period of ${duration(grace)}; holding until it returns`,
          { metric: name, dataAgeSeconds: v.dataAgeSeconds, missingGraceSeconds: grace },
        ),
      );
    }
    if (v.verdict === "inconclusive" && v.reason === "insufficient-data") {
      out.push(
        violation(
          "rollback.insufficient_data",
          "hold",
          `${name} is inconclusive for lack of data (${v.samples.canary} canary and ${v.samples.baseline} baseline samples); a missing signal never promotes`,
          { metric: name, samples: v.samples },
        ),
      );
      const step = env.rollout.steps[i.status.step ?? 0];
      const stepSeconds = i.status.stepSeconds ?? 0;
      if (step && stepSeconds >= step.maxSeconds + limit) {
        out.push(
          violation(
            "rollback.unjudgeable",
            "rollback",
            `${name} could not be judged after ${duration(stepSeconds)} of step ${(i.status.step ?? 0) + 1} (${v.samples.canary} canary and ${v.samples.baseline} baseline samples): past the step cap of ${duration(step.maxSeconds)} by more than the missing-data limit of ${duration(limit)}`,
            { metric: name, samples: v.samples, stepSeconds, maxSeconds: step.maxSeconds, missingLimitSeconds: limit },
          ),
        );
      }
    }
  }
  const absolute = i.analysis?.absolute;
  const ceilings = env.analysis.ceilings;
  const bothArmsAbove = (o: { baseline?: number }, ceiling: number) => o.baseline !== undefined && o.baseline > ceiling;
  if (
    absolute?.errorRate &&
    absolute.errorRate.value > ceilings.errorRate &&
    !bothArmsAbove(absolute.errorRate, ceilings.errorRate)
  ) {
    const o = absolute.errorRate;
    out.push(
      violation(
        "rollback.error_rate_ceiling",
        "rollback",
        `canary error rate ${percent(o.value)} over the last ${duration(o.windowSeconds)} is above the ceiling ${percent(ceilings.errorRate)}`,
        { errorRate: o.value, windowSeconds: o.windowSeconds, ceiling: ceilings.errorRate },
      ),
    );
  }
  if (
    absolute?.p99LatencyMs &&
    absolute.p99LatencyMs.value > ceilings.p99LatencyMs &&
    !bothArmsAbove(absolute.p99LatencyMs, ceilings.p99LatencyMs)
  ) {
    const o = absolute.p99LatencyMs;
    out.push(
      violation(
        "rollback.p99_latency_ceiling",
        "rollback",
        `canary p99 latency ${fixed(o.value, 0)} ms over the last ${duration(o.windowSeconds)} is above the ceiling ${fixed(ceilings.p99LatencyMs, 0)} ms`,
        { p99LatencyMs: o.value, windowSeconds: o.windowSeconds, ceiling: ceilings.p99LatencyMs },
      ),
    );
  }
  const incident: ["errorRate" | "p99LatencyMs", string, number, (x: number) => string][] = [
    ["errorRate", "error rate", ceilings.errorRate, percent],
    ["p99LatencyMs", "p99 latency", ceilings.p99LatencyMs, (x: number) => `${fixed(x, 0)} ms`],
  ];
  for (const [signal, name, ceiling, text] of incident) {
    const o = absolute?.[signal];
    if (o && o.value > ceiling && bothArmsAbove(o, ceiling)) {
      out.push(
        violation(
          "rollback.incident_on_both_arms",
          "hold",
          `${name} is above the ceiling ${text(ceiling)} on the canary (${text(o.value)}) and on the baseline (${text(o.baseline!)}) over the last ${duration(o.windowSeconds)}: an incident on both versions, not the canary's; holding until it passes`,
          { signal, canary: o.value, baseline: o.baseline, ceiling, windowSeconds: o.windowSeconds },
        ),
      );
    }
  }
  if (absolute?.podRestarts && absolute.podRestarts.value >= ceilings.podRestarts) {
    const o = absolute.podRestarts;
    out.push(
      violation(
        "rollback.pod_restarts_ceiling",
        "rollback",
        `canary pods restarted ${o.value} times in the last ${duration(o.windowSeconds)}, reaching the ceiling of ${ceilings.podRestarts} restarts`,
        { podRestarts: o.value, windowSeconds: o.windowSeconds, ceiling: ceilings.podRestarts },
      ),
    );
  }
  const ratio = i.analysis?.sampleRatio;
  if (ratio?.mismatch) {
    out.push(
      violation(
        "rollback.sample_ratio_mismatch",
        "hold",
        `${ratio.reason}; holding rather than judging the metrics on a broken split`,
        { expectedShare: ratio.expectedShare, observedShare: ratio.observedShare ?? null },
      ),
    );
  }
  if (i.analysis) {
    for (const [name, settings] of Object.entries(env.analysis.metrics)) {
      if (settings?.enabled && !i.analysis.metrics[name as keyof typeof i.analysis.metrics]) {
        out.push(
          violation(
            "rollback.metric_unreported",
            "hold",
            `${name} is judged in ${env.name} but the analysis reported no verdict for it`,
            { metric: name },
          ),
        );
      }
    }
  } else {
    out.push(
      violation(
        "rollback.no_analysis",
        "hold",
        `no canary analysis yet for step ${i.status.step! + 1} (${i.status.weight}% of traffic)`,
        { step: i.status.step, weight: i.status.weight },
      ),
    );
  }
  return out;
}

// --- budgets.rego ---

function budgetViolations(i: PolicyInput): PolicyViolation[] {
  if (!progressing(i)) return [];
  const b = i.environment.budgets;
  const s = i.spend;
  if (!s) {
    return [
      violation(
        "budgets.spend_unknown",
        "hold",
        `no spend data yet for this deploy, so the budget of ${usd(b.spendPerDeployUsd)} cannot be checked`,
        { spendPerDeployUsd: b.spendPerDeployUsd },
      ),
    ];
  }
  const out: PolicyViolation[] = [];
  if (s.deployUsd > b.spendPerDeployUsd) {
    out.push(
      violation(
        "budgets.deploy_spend",
        "rollback",
        `deploy spend ${usd(s.deployUsd)} is over the budget of ${usd(b.spendPerDeployUsd)} per deploy`,
        { deployUsd: s.deployUsd, spendPerDeployUsd: b.spendPerDeployUsd },
      ),
    );
  }
  const cost = s.canaryCostPerTaskUsd;
  if (cost !== undefined && cost > b.maxCostPerTaskUsd) {
    out.push(
      violation(
        "budgets.cost_per_task_ceiling",
        "rollback",
        `cost per task ${usd(cost)} is above the ceiling ${usd(b.maxCostPerTaskUsd)}`,
        { canaryCostPerTaskUsd: cost, maxCostPerTaskUsd: b.maxCostPerTaskUsd },
      ),
    );
  }
  const base = s.baselineCostPerTaskUsd;
  if (cost !== undefined && base !== undefined && base > 0 && cost > base * (1 + b.costToleranceVsBaseline)) {
    out.push(
      violation(
        "budgets.cost_per_task_vs_baseline",
        "rollback",
        `cost per task ${usd(cost)} is ${fixed((cost / base - 1) * 100, 0)}% above baseline ${usd(base)}; budget tolerance ${percent(b.costToleranceVsBaseline)}`,
        {
          canaryCostPerTaskUsd: cost,
          baselineCostPerTaskUsd: base,
          costToleranceVsBaseline: b.costToleranceVsBaseline,
        },
      ),
    );
  }
  if (s.canaryTaskRatePerMinute > b.maxTaskRatePerMinute) {
    out.push(
      violation(
        "budgets.task_rate",
        "rollback",
        `task rate ${s.canaryTaskRatePerMinute} per minute is above the ceiling of ${b.maxTaskRatePerMinute} per minute: the canary looks like a runaway loop`,
        { canaryTaskRatePerMinute: s.canaryTaskRatePerMinute, maxTaskRatePerMinute: b.maxTaskRatePerMinute },
      ),
    );
  }
  return out;
}

// --- governance.rego ---

function describeChange(c: PolicyPartChange): string {
  switch (c.part) {
    case "model":
      return `model ${c.from.provider}/${c.from.name}@${c.from.snapshot} -> ${c.to.provider}/${c.to.name}@${c.to.snapshot}`;
    case "prompts":
      return `prompts ${short(c.from)} -> ${short(c.to)}`;
    case "code":
      return `code ${c.from.sourceCommit.slice(0, 7)} -> ${c.to.sourceCommit.slice(0, 7)}`;
    case "index":
      return `index ${c.from.buildId} -> ${c.to.buildId}`;
    case "tools": {
      const edits = [...c.added.map((t) => `+${t}`), ...c.removed.map((t) => `-${t}`)];
      if (c.manifestFrom !== c.manifestTo) edits.push(`manifest ${short(c.manifestFrom)} -> ${short(c.manifestTo)}`);
      return `tools ${listing(edits)}`;
    }
  }
}

function changeText(i: PolicyInput, part: string): string {
  const change = i.diff.changes.find((c) => c.part === part);
  return change ? describeChange(change) : `${part} (first release of ${i.service} here)`;
}

function governanceViolations(i: PolicyInput): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const env = i.environment;
  const digest = i.release.artifact.digest;
  const evalParts = [...new Set(i.diff.changed.filter((p) => env.governance.requireEvalFor.includes(p)))].sort();
  const evals = i.release.attestations.filter((a) => a.kind === "eval" && a.digest === digest);
  const passing = evals.filter((a) => a.pass === true && a.score >= env.governance.minEvalScore);
  if (evalParts.length > 0 && passing.length === 0) {
    const found =
      evals.length === 0
        ? "none for this digest"
        : listing(evals.map((a) => `${a.suite} score ${fixed(a.score, 2)} pass=${a.pass}`).sort());
    out.push(
      violation(
        "governance.eval_required",
        "block",
        `${evalParts.map((p) => changeText(i, p)).join("; ")} needs an eval attestation for ${short(digest)} with pass=true and score >= ${fixed(env.governance.minEvalScore, 2)}; found ${found}`,
        { parts: evalParts, digest, minEvalScore: env.governance.minEvalScore, attestations: regoSorted(evals) },
      ),
    );
  }
  const toolsAdded =
    i.diff.changes.some((c) => c.part === "tools" && c.added.length > 0) ||
    (i.previous === null && i.release.artifact.tools.allowed.length > 0);
  const listed = (part: string) => env.approvals.for.includes(part as never) || env.approvals.for.includes("release");
  const eligible = (a: PolicyApproval) =>
    env.approvals.approvers.length === 0 ||
    env.approvals.approvers.includes(a.by) ||
    (a.teams ?? []).some((t) => env.approvals.approvers.includes(`team:${t}`));
  const covers = (a: PolicyApproval, part: string) =>
    !a.for || a.for.includes("release") || a.for.includes(part as never);
  for (const part of new Set(i.diff.changed)) {
    let required: number | undefined;
    if (env.protected && env.approvals.required > 0 && listed(part)) required = env.approvals.required;
    else if (part === "tools" && toolsAdded) required = 1;
    if (required === undefined) continue;
    const have = [
      ...new Set(i.approvals.filter((a) => a.digest === digest && eligible(a) && covers(a, part)).map((a) => a.by)),
    ].sort();
    if (have.length >= required) continue;
    const who = env.approvals.approvers.length > 0 ? listing(env.approvals.approvers) : "anyone";
    out.push(
      violation(
        "governance.approvals_required",
        "block",
        `${changeText(i, part)} needs ${countOf(required, "approval")} for ${short(digest)} from ${who}; has ${have.length} (${listing(have)})`,
        { part, required, approvedBy: have, approvers: env.approvals.approvers },
      ),
    );
  }
  return out;
}

// --- gates.rego ---

function gateViolations(i: PolicyInput): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const env = i.environment;
  const digest = i.release.artifact.digest;
  if (env.promotesFrom !== null) {
    const verified =
      i.upstream?.environment === env.promotesFrom && i.upstream.verified.some((e) => e.digest === digest);
    if (!verified) {
      out.push(
        violation(
          "gates.not_verified_upstream",
          "block",
          `${short(digest)} has not been verified in ${env.promotesFrom}, the environment ${env.name} promotes from`,
          { digest, promotesFrom: env.promotesFrom },
        ),
      );
    }
  }
  for (const r of i.status.rejected) {
    if (r.digest === digest) {
      out.push(
        violation(
          "gates.rejected_digest",
          "block",
          `${short(digest)} was rolled back in ${env.name} at ${r.at} (${r.reason}); a rejected digest is never promoted again`,
          { digest, rejected: r },
        ),
      );
    }
  }
  if (i.mode !== "live") return out;
  const timing: ViolationEffect = progressing(i) ? "hold" : "block";
  const w = env.windows;
  const now = i.now;
  const open =
    !w ||
    w.allow.length === 0 ||
    w.allow.some((a) => a.days.includes(now.weekday) && a.start <= now.localTime && now.localTime < a.end);
  if (!open && w) {
    const text = w.allow.map((a) => `${a.days.join(",")} ${a.start}-${a.end}`).join("; ");
    out.push(
      violation(
        "gates.outside_window",
        timing,
        `${now.weekday} ${now.localTime} ${now.timeZone} is outside the deployment windows of ${env.name} (${text})`,
        { weekday: now.weekday, localTime: now.localTime, timeZone: now.timeZone, allow: w.allow },
      ),
    );
  }
  for (const f of w?.freezes ?? []) {
    if (f.from <= now.time && now.time < f.until) {
      out.push(
        violation(
          "gates.freeze",
          timing,
          `${env.name} is in a change freeze from ${f.from} until ${f.until} (${f.reason})`,
          { now: now.time, freeze: f },
        ),
      );
    }
  }
  const until = i.status.frozenUntil;
  if (starting(i) && until !== undefined && now.time < until) {
    out.push(
      violation(
        "gates.frozen_after_rollback",
        "block",
        `${i.service} is frozen after a rollback until ${until} (now ${now.time})`,
        { frozenUntil: until, now: now.time },
      ),
    );
  }
  const dependencies = new Set(i.dependencies.map((d) => d.service));
  for (const d of i.deployments) {
    if (dependencies.has(d.service) && d.phase === "progressing") {
      const position = d.weight !== undefined ? ` (${d.weight}% of its traffic on its canary)` : "";
      out.push(
        violation(
          "gates.dependency_deploying",
          "hold",
          `dependency ${d.service} has a rollout in progress${position}; waiting for it to finish`,
          { deployment: d },
        ),
      );
    }
  }
  for (const d of i.dependencies) {
    if (d.healthy === false) {
      out.push(
        violation(
          "gates.dependency_unhealthy",
          "hold",
          `dependency ${d.service} is unhealthy: ${d.detail ?? "no detail reported"}`,
          { dependency: d },
        ),
      );
    }
  }
  return out;
}

// --- progress.rego ---

interface Outcome {
  action: "advance" | "promote";
  next?: { step: number; weight: number };
  reason: DecisionReason;
}

function progress(i: PolicyInput): { waits: DecisionReason[]; outcome?: Outcome } {
  const env = i.environment;
  const steps = env.rollout.steps;
  const last = steps.length - 1;
  const digest = i.release.artifact.digest;
  const waits: DecisionReason[] = [];
  if (i.mode === "check") {
    return {
      waits,
      outcome: {
        action: "advance",
        reason: {
          rule: "progress.admissible",
          message: `${short(digest)} of ${i.service} may be released to ${env.name}: every governance and promotion gate passed`,
          values: { digest, environment: env.name },
        },
      },
    };
  }
  if (starting(i)) {
    if (i.status.liveDigest === digest) {
      waits.push({
        rule: "progress.already_live",
        message: `${short(digest)} is already live in ${env.name}; nothing to roll out`,
        values: { digest },
      });
      return { waits };
    }
    const first = steps[0]!;
    return {
      waits,
      outcome: {
        action: "advance",
        next: { step: 0, weight: first.weight },
        reason: {
          rule: "progress.start",
          message: `start rolling out ${short(digest)} to ${env.name}: step 1 of ${steps.length} at ${first.weight}% of traffic`,
          values: { digest, step: 0, weight: first.weight },
        },
      },
    };
  }
  const index = i.status.step!;
  const step = steps[index];
  const stepSeconds = i.status.stepSeconds!;
  const rolloutSeconds = i.status.rolloutSeconds!;
  if (!step) {
    waits.push({
      rule: "progress.unknown_step",
      message: `the rollout is at step ${index + 1} but ${env.name} has ${steps.length} steps`,
      values: { step: index, steps: steps.length },
    });
    return { waits };
  }
  const verdicts = judged(i);
  if (stepSeconds < step.minSeconds) {
    waits.push({
      rule: "progress.step_minimum",
      message: `step ${index + 1} of ${steps.length} (${step.weight}% of traffic) has been observed for ${duration(stepSeconds)} of its minimum ${duration(step.minSeconds)}`,
      values: { step: index, stepSeconds, minSeconds: step.minSeconds },
    });
  }
  if (index === last && rolloutSeconds < env.analysis.minSeconds) {
    waits.push({
      rule: "progress.rollout_minimum",
      message: `the rollout has been observed for ${duration(rolloutSeconds)} of the minimum ${duration(env.analysis.minSeconds)} before promotion`,
      values: { rolloutSeconds, minSeconds: env.analysis.minSeconds },
    });
  }
  const pending = verdicts.filter(([, v]) => v.verdict !== "pass").map(([name]) => name);
  if (stepSeconds >= step.minSeconds && stepSeconds < step.maxSeconds && pending.length > 0) {
    waits.push({
      rule: "progress.awaiting_evidence",
      message: `${listing(pending)} not yet shown to be no worse after ${duration(stepSeconds)} of step ${index + 1} (${step.weight}% of traffic); the step is decided at its cap of ${duration(step.maxSeconds)}`,
      values: { pending, stepSeconds, maxSeconds: step.maxSeconds },
    });
  }
  const open = verdicts.filter(([, v]) => v.verdict === "inconclusive").sort(([a], [b]) => (a < b ? -1 : 1));
  if (
    env.analysis.lowTraffic === "hold" &&
    stepSeconds >= step.maxSeconds &&
    open.length > 0 &&
    (i.status.confirmedBy ?? []).length === 0
  ) {
    const names = open.map(([n]) => n).sort();
    const needs = open
      .filter(([, v]) => v.neededSeconds)
      .map(([n, v]) => `${n} needs about ${duration(v.neededSeconds!)} more`);
    const needed = needs.length > 0 ? ` (${needs.join(", ")} at current traffic)` : "";
    waits.push({
      rule: "progress.low_traffic",
      message: `step ${index + 1} of ${steps.length} (${step.weight}% of traffic) reached its cap of ${duration(step.maxSeconds)} with ${listing(names)} not shown to be no worse: traffic is too low${needed}; holding for a person (analysis.lowTraffic: hold): record a confirmation in the release's confirmations for ${short(digest)}, step ${index + 1}, to advance`,
      values: {
        pending: names,
        stepSeconds,
        maxSeconds: step.maxSeconds,
        neededSeconds: Object.fromEntries(
          open.filter(([, v]) => v.neededSeconds).map(([n, v]) => [n, v.neededSeconds]),
        ),
      },
    });
  }
  const completion =
    verdicts.length === 0 && reported(i).length > 0
      ? "the canary served all traffic with no baseline to compare against, and every backstop held"
      : pending.length === 0
        ? `every judged metric passed (${listing(verdicts.map(([n]) => n))})`
        : `the step cap of ${duration(step.maxSeconds)} was reached with no metric failed`;
  const confirmedBy = i.status.confirmedBy ?? [];
  const complete =
    stepSeconds >= step.minSeconds &&
    (pending.length === 0 || stepSeconds >= step.maxSeconds) &&
    !(index === last && rolloutSeconds < env.analysis.minSeconds);
  if (step.confirm && confirmedBy.length === 0 && complete) {
    waits.push({
      rule: "progress.awaiting_confirmation",
      message: `step ${index + 1} of ${steps.length} (${step.weight}% of traffic) is complete (${completion}) and waits for a person's confirmation: record one in the release's confirmations for ${short(digest)}, step ${index + 1}`,
      values: { step: index, digest },
    });
  }
  const confirmation = step.confirm && confirmedBy.length > 0 ? `; confirmed by ${confirmedBy.join(", ")}` : "";
  const verdictMap = Object.fromEntries(verdicts.map(([n, v]) => [n, v.verdict]));
  if (index < last) {
    const next = steps[index + 1]!;
    return {
      waits,
      outcome: {
        action: "advance",
        next: { step: index + 1, weight: next.weight },
        reason: {
          rule: "progress.step_complete",
          message: `step ${index + 1} of ${steps.length} (${step.weight}% of traffic) is complete after ${duration(stepSeconds)}: ${completion}${confirmation}; moving to ${next.weight}%`,
          values: { step: index, stepSeconds, verdicts: verdictMap },
        },
      },
    };
  }
  if (index === last) {
    return {
      waits,
      outcome: {
        action: "promote",
        reason: {
          rule: "progress.promote",
          message: `the last step (${step.weight}% of traffic) is complete after ${duration(stepSeconds)}, ${duration(rolloutSeconds)} of rollout in all: ${completion}${confirmation}`,
          values: { step: index, stepSeconds, rolloutSeconds, verdicts: verdictMap },
        },
      },
    };
  }
  return { waits };
}

// --- decision.rego ---

/** Rego's total order over JSON values (null < boolean < number < string < array < object). */
function regoCompare(a: unknown, b: unknown): number {
  const rank = (v: unknown) =>
    v === null
      ? 0
      : typeof v === "boolean"
        ? 1
        : typeof v === "number"
          ? 2
          : typeof v === "string"
            ? 3
            : Array.isArray(v)
              ? 4
              : 5;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra <= 3) return (a as number | string | boolean) < (b as number | string | boolean) ? -1 : a === b ? 0 : 1;
  const [xs, ys] = ra === 4 ? [a as unknown[], b as unknown[]] : [null, null];
  if (xs && ys) {
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
      const c = regoCompare(xs[i], ys[i]);
      if (c !== 0) return c;
    }
    return xs.length - ys.length;
  }
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  const ka = Object.keys(oa)
    .filter((k) => oa[k] !== undefined)
    .sort();
  const kb = Object.keys(ob)
    .filter((k) => ob[k] !== undefined)
    .sort();
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const c = regoCompare(ka[i], kb[i]) || regoCompare(oa[ka[i]!], ob[kb[i]!]);
    if (c !== 0) return c;
  }
  return ka.length - kb.length;
}

/** A Rego set of values as `sort()` returns it: distinct, in Rego's order. */
function regoSorted<T>(items: readonly T[]): T[] {
  const sorted = [...items].sort(regoCompare);
  return sorted.filter((x, i) => i === 0 || regoCompare(sorted[i - 1], x) !== 0);
}

/** The routine holds each guardrail file names (`routine_holds`), as decision.rego combines them. */
const ROUTINE_HOLDS = new Set([
  "progress.already_live",
  "progress.unknown_step",
  "progress.step_minimum",
  "progress.rollout_minimum",
  "progress.awaiting_evidence",
  "progress.low_traffic",
  "rollback.metric_unreported",
  "rollback.no_analysis",
  "budgets.spend_unknown",
]);

/** rollback.rego: too little data is routine only until the step's cap. */
function routineHold(i: PolicyInput, rule: string): boolean {
  if (rule !== "rollback.insufficient_data") return ROUTINE_HOLDS.has(rule);
  const step = progressing(i) ? i.environment.rollout.steps[i.status.step ?? 0] : undefined;
  return !(step && (i.status.stepSeconds ?? 0) >= step.maxSeconds);
}

export function referenceDecision(input: PolicyInput): PolicyDecision {
  const violations = [
    ...rollbackViolations(input),
    ...budgetViolations(input),
    ...governanceViolations(input),
    ...gateViolations(input),
  ];
  const withEffect = (effect: ViolationEffect): DecisionReason[] =>
    regoSorted(
      violations.filter((v) => v.effect === effect).map(({ rule, message, values }) => ({ rule, message, values })),
    );
  const { waits, outcome } = progress(input);
  const rollbacks = withEffect("rollback");
  const blocks = withEffect("block");
  const holds = regoSorted([...withEffect("hold"), ...waits]);
  const sortedViolations = regoSorted(violations);
  const base = { mode: input.mode, violations: sortedViolations };
  if (rollbacks.length > 0) return { action: "rollback", reasons: rollbacks, ...base };
  if (blocks.length > 0) return { action: "block", reasons: blocks, ...base };
  if (holds.length > 0) {
    const routine = holds.every((r) => routineHold(input, r.rule));
    return { action: "hold", reasons: holds, ...base, ...(routine ? { routine: true } : {}) };
  }
  if (!outcome) {
    return {
      action: "hold",
      reasons: [
        {
          rule: "decision.undecided",
          message: `no rule decided what ${input.service} should do in ${input.environment.name}; holding`,
          values: { phase: input.status.phase },
        },
      ],
      ...base,
    };
  }
  return {
    action: outcome.action,
    reasons: [outcome.reason],
    ...base,
    ...(outcome.action === "advance" && outcome.next ? { next: outcome.next } : {}),
  };
}
