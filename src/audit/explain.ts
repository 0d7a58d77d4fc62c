/**
 * `tollgate explain COMMIT`: one decision, gathered from its commit, evidence and the states around
 * it, as data (the text is in format-explain.ts): what was deployed, what was observed per metric,
 * which rules fired, what changed in git and what the clusters were told before and after.
 */
import { planService, type ServicePlan } from "../cluster/index.ts";
import { changedFiles, formatArtifactDiff, type GitRepo, type PathChange } from "../gitops/index.ts";
import {
  type Artifact,
  type DecisionAction,
  type DecisionReason,
  type MetricName,
  type Release,
  type Status,
  servingArtifact,
} from "../model/index.ts";
import type { MetricJudgement, PolicyAnalysis, PolicySpend, PolicyViolation } from "../policy/index.ts";
import type { SignalProblem } from "../telemetry/index.ts";
import { auditContext } from "./audit.ts";
import { entryOf, loadDecisionFacts } from "./decision-facts.ts";
import type { CommitAudit } from "./types.ts";
import { verifyDecision } from "./verify-decision.ts";

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

export interface ClusterTold {
  /** Cluster targets of the environment, `name (namespace)`. */
  targets: string[];
  before: ServicePlan | { error: string };
  after: ServicePlan | { error: string };
}

export interface Explanation {
  commit: string;
  subject: string;
  environment: string;
  service: string;
  action: DecisionAction;
  decidedAt: string;
  decidedOn: string;
  policyBundle: string;
  evidence: string;
  deployed: {
    artifact: Artifact;
    live?: Artifact;
    lastGood?: Artifact;
    /** The five-part diff from what was live (or the last good) to the artifact decided on. */
    diff: string[];
    /** The rollout step the decision was taken at. */
    step?: { index: number; count: number; weight: number };
    rollout?: number;
  };
  observed?: {
    /** Seconds since the rollout began: the step's window that was analysed. */
    window: { from: number; to: number; stageStart: string; intervals: number };
    metrics: Array<{ metric: MetricName } & MetricJudgement>;
    absolute: PolicyAnalysis["absolute"];
    ceilings: { errorRate: number; p99LatencyMs: number };
    spend?: PolicySpend;
    budgets: { spendPerDeployUsd: number; maxCostPerTaskUsd: number; maxTaskRatePerMinute: number };
    problems: string[];
  };
  policy: {
    /** The policy's own answer, or null when it could not be evaluated. */
    answer: DecisionAction | null;
    error?: string;
    violations: PolicyViolation[];
    /** What was committed and why (tollgate's reasons first). */
    reasons: DecisionReason[];
    note?: string;
  };
  git: {
    files: PathChange[];
    status: FieldChange[];
    release: FieldChange[];
  };
  clusters: ClusterTold;
  /** The audit of this commit (every check), so an explanation of a tampered decision says so. */
  audit: CommitAudit;
}

export async function explainDecision(repo: GitRepo, ref: string): Promise<Explanation> {
  const ctx = auditContext(repo);
  const entry = await entryOf(repo, ref);
  const facts = await loadDecisionFacts(repo, ctx.states, entry);
  const audit = await verifyDecision(ctx, entry);
  const { evidence, message } = facts;
  const t = message.trailers;
  const before = facts.atParent ?? facts.before;
  const after = (await ctx.states.at(entry.oid)).state.environments.get(t.environment);
  const releaseAfter = after?.releases.get(t.service);
  const statusAfter = after?.statuses.get(t.service);
  const input = evidence.policy.input;
  const env = before?.environment;

  const deployedArtifact = before?.release.artifact ?? input.release.artifact;
  const live = before ? (servingArtifact(before.release, before.status) ?? before.release.lastGood) : undefined;
  const stepIndex = facts.situation?.kind === "rolling-out" ? facts.situation.step : undefined;
  const explanation: Explanation = {
    commit: entry.oid,
    subject: message.subject,
    environment: t.environment,
    service: t.service,
    action: t.decision,
    decidedAt: evidence.decidedAt,
    decidedOn: facts.decidedOn,
    policyBundle: t.policy,
    evidence: t.evidence,
    deployed: {
      artifact: deployedArtifact,
      ...(live ? { live } : {}),
      ...(before?.release.lastGood ? { lastGood: before.release.lastGood } : {}),
      diff: formatArtifactDiff(live ?? before?.release.lastGood, deployedArtifact),
      ...(stepIndex !== undefined && env
        ? {
            step: {
              index: stepIndex,
              count: env.rollout.steps.length,
              weight: before?.status?.weight ?? env.rollout.steps[stepIndex]?.weight ?? 0,
            },
          }
        : {}),
      ...(before?.status?.rollouts !== undefined ? { rollout: before.status.rollouts } : {}),
    },
    policy: {
      answer: evidence.policy.result?.action ?? null,
      ...(evidence.policy.error ? { error: evidence.policy.error } : {}),
      violations: evidence.policy.result?.violations ?? [],
      reasons: evidence.decision.reasons,
      ...(evidence.decision.note ? { note: evidence.decision.note } : {}),
    },
    git: {
      files: await changedFiles(repo, facts.parent, entry.oid),
      status: statusChanges(before?.status, statusAfter),
      release: releaseChanges(before?.release, releaseAfter),
    },
    clusters: {
      targets: (env?.clusters ?? []).map((c) => `${c.name} (${c.namespace})`),
      before: plan(t.environment, before?.release, before?.status),
      after: plan(t.environment, releaseAfter, statusAfter),
    },
    audit,
  };
  if (evidence.telemetry && env) {
    const tel = evidence.telemetry;
    explanation.observed = {
      window: {
        from: tel.stepStart,
        to: tel.now,
        stageStart: tel.stageStart,
        intervals: Math.round((tel.now - tel.stepStart) / tel.interval),
      },
      metrics: Object.entries(input.analysis?.metrics ?? {}).map(([metric, j]) => ({
        metric: metric as MetricName,
        ...j,
      })),
      absolute: input.analysis?.absolute ?? {},
      ceilings: {
        errorRate: input.environment.analysis.ceilings.errorRate,
        p99LatencyMs: input.environment.analysis.ceilings.p99LatencyMs,
      },
      ...(input.spend ? { spend: input.spend } : {}),
      budgets: input.environment.budgets,
      problems: groupProblems(tel.problems),
    };
  }
  return explanation;
}

/** One line per problem shared by several signals: "requests, errors (canary): no scrape ... — 1 interval(s)". */
function groupProblems(problems: readonly SignalProblem[]): string[] {
  const groups = new Map<string, { signals: string[]; text: string }>();
  for (const p of problems) {
    const key = JSON.stringify([p.arm, p.reason, p.intervals]);
    const tail = `(${p.arm}): ${p.reason}${p.intervals.length > 0 ? ` — ${p.intervals.length} interval(s), t=${p.intervals.join(", ")} s` : ""}`;
    const group = groups.get(key) ?? { signals: [], text: tail };
    group.signals.push(p.signal);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => `${g.signals.join(", ")} ${g.text}`);
}

function plan(
  environment: string,
  release: Release | undefined,
  status: Status | undefined,
): ServicePlan | { error: string } {
  if (!release) return { error: "no valid release at this commit" };
  try {
    return planService(environment, release, status);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const STATUS_FIELDS = [
  "phase",
  "liveDigest",
  "canaryDigest",
  "rollouts",
  "step",
  "weight",
  "rolloutStartedAt",
  "stepStartedAt",
  "frozenUntil",
] as const;

function statusChanges(before: Status | undefined, after: Status | undefined): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of STATUS_FIELDS) {
    const a = show(before?.[field]);
    const b = show(after?.[field]);
    if (a !== b) out.push({ field, before: a, after: b });
  }
  const rejected = (s: Status | undefined) => (s?.rejected ?? []).map((r) => r.digest).join(",");
  if (rejected(before) !== rejected(after))
    out.push({
      field: "rejected",
      before: show(before?.rejected?.at(-1)?.digest),
      after: show(after?.rejected?.at(-1)?.digest),
    });
  const verified = (s: Status | undefined) => (s?.verified ?? []).map((r) => r.digest).join(",");
  if (verified(before) !== verified(after))
    out.push({
      field: "verified",
      before: show(before?.verified?.at(-1)?.digest),
      after: show(after?.verified?.at(-1)?.digest),
    });
  return out;
}

function releaseChanges(before: Release | undefined, after: Release | undefined): FieldChange[] {
  const out: FieldChange[] = [];
  const pairs: [string, string | undefined, string | undefined][] = [
    ["artifact", before?.artifact.digest, after?.artifact.digest],
    ["lastGood", before?.lastGood?.digest, after?.lastGood?.digest],
  ];
  for (const [field, a, b] of pairs) if (a !== b) out.push({ field, before: a ?? null, after: b ?? null });
  return out;
}

function show(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}
