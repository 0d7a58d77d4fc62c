/**
 * One rollout of one service, gathered from its decision commits: the decisions with their evidence,
 * the telemetry records of the whole rollout, the steps and the artifact change. What `tollgate
 * report` draws.
 */
import { formatArtifactDiff, type GitRepo, listDecisionCommits } from "../gitops/index.ts";
import {
  type Artifact,
  type DecisionAction,
  type DecisionReason,
  type MetricName,
  shortDigest,
  UserError,
} from "../model/index.ts";
import type { MetricJudgement } from "../policy/index.ts";
import type { IntervalRecord } from "../telemetry/index.ts";
import { EvidenceProblem, readEvidenceDocument } from "./evidence-document.ts";
import { type ChartSeries, chartSeries } from "./series.ts";

export interface RolloutDecision {
  commit: string;
  decidedAt: string;
  /** Seconds since the rollout began. */
  t: number;
  action: DecisionAction;
  /** Step index the decision was taken at (undefined before the rollout started). */
  step?: number;
  weight?: number;
  reasons: DecisionReason[];
  policyAnswer: DecisionAction | null;
  metrics: Partial<Record<MetricName, MetricJudgement>>;
}

export interface RolloutStep {
  index: number;
  weight: number;
  /** Seconds since the rollout began. */
  from: number;
  to: number;
}

export interface Rollout {
  environment: string;
  service: string;
  number: number;
  /** Rollout numbers found for this service, oldest first. */
  available: number[];
  artifact: Artifact;
  previous: Artifact | null;
  diff: string[];
  stageStart: string;
  interval: number;
  decisions: RolloutDecision[];
  steps: RolloutStep[];
  charts: ChartSeries[];
  /** The last decision's action: how the rollout ended, or where it stands. */
  outcome: DecisionAction;
  /** Decision commits left out because their evidence could not be read. */
  unreadable: { commit: string; message: string }[];
  head: string | null;
}

const ROLLOUT_OF_KEY = /\/r(\d+)\.(?:\d+|pre)\//;

export async function collectRollout(
  repo: GitRepo,
  environment: string,
  service: string,
  number?: number,
): Promise<Rollout> {
  const entries = (await listDecisionCommits(repo, { environment, service }))
    .filter((e) => e.decision !== null)
    .reverse();
  const byRollout = new Map<number, typeof entries>();
  for (const e of entries) {
    const n = Number(ROLLOUT_OF_KEY.exec(e.decision!.trailers.idempotencyKey)?.[1] ?? Number.NaN);
    if (!Number.isInteger(n)) continue;
    byRollout.set(n, [...(byRollout.get(n) ?? []), e]);
  }
  const available = [...byRollout.keys()].sort((a, b) => a - b);
  if (available.length === 0) throw new UserError(`no decisions about ${environment}/${service} in this history`);
  const chosen = number ?? available.at(-1)!;
  const chosenEntries = byRollout.get(chosen);
  if (!chosenEntries)
    throw new UserError(
      `${environment}/${service} has no rollout ${chosen}; rollouts in this history: ${available.join(", ")}`,
    );

  const loaded: {
    entry: (typeof entries)[number];
    evidence: Awaited<ReturnType<typeof readEvidenceDocument>>["document"];
  }[] = [];
  const unreadable: Rollout["unreadable"] = [];
  for (const entry of chosenEntries) {
    try {
      loaded.push({
        entry,
        evidence: (await readEvidenceDocument(repo, entry.oid, entry.decision!.trailers.evidence)).document,
      });
    } catch (error) {
      if (!(error instanceof EvidenceProblem)) throw error;
      unreadable.push({ commit: entry.oid, message: error.message });
    }
  }
  if (loaded.length === 0)
    throw new UserError(
      `rollout ${chosen} of ${environment}/${service}: no decision has readable evidence (run \`tollgate audit\`)`,
    );

  const withTelemetry = loaded.filter((l) => l.evidence.telemetry);
  const stageStart = withTelemetry.at(-1)?.evidence.telemetry?.stageStart ?? loaded[0]!.evidence.decidedAt;
  const interval = withTelemetry.at(-1)?.evidence.telemetry?.interval ?? 10;
  const startMs = Date.parse(stageStart);
  const records = new Map<string, IntervalRecord>();
  for (const l of withTelemetry) for (const r of l.evidence.telemetry!.records) records.set(`${r.arm}@${r.t}`, r);

  const decisions: RolloutDecision[] = loaded.map(({ entry, evidence }) => {
    const input = evidence.policy.input;
    const progressing = evidence.situation === "rolling-out";
    return {
      commit: entry.oid,
      decidedAt: evidence.decidedAt,
      t: Math.max(0, (Date.parse(evidence.decidedAt) - startMs) / 1000),
      action: evidence.decision.action,
      ...(progressing && input.status.step !== undefined
        ? { step: input.status.step, weight: input.status.weight ?? 0 }
        : {}),
      reasons: evidence.decision.reasons,
      policyAnswer: evidence.policy.result?.action ?? null,
      metrics: input.analysis?.metrics ?? {},
    };
  });
  const first = loaded[0]!.evidence.policy.input;
  const last = decisions.at(-1)!;
  const end = Math.max(last.t, ...[...records.values()].map((r) => r.t));
  return {
    environment,
    service,
    number: chosen,
    available,
    artifact: first.release.artifact,
    previous: first.previous,
    diff: formatArtifactDiff(first.previous ?? undefined, first.release.artifact),
    stageStart,
    interval,
    decisions,
    steps: stepsOf(
      decisions,
      first.environment.rollout.steps.map((s) => s.weight),
      end,
    ),
    charts: chartSeries([...records.values()], interval),
    outcome: last.action,
    unreadable,
    head: await repo.head(),
  };
}

/** Each step runs from the advance that started it to the next advance or the end of the rollout. */
function stepsOf(decisions: readonly RolloutDecision[], weights: number[], end: number): RolloutStep[] {
  const steps: RolloutStep[] = [];
  let index = -1;
  for (const d of decisions) {
    if (d.action !== "advance") continue;
    const next = d.step === undefined ? 0 : d.step + 1;
    if (steps.length > 0) steps[steps.length - 1]!.to = d.t;
    index = next;
    steps.push({ index, weight: weights[index] ?? 0, from: d.t, to: end });
  }
  const finished = [...decisions].reverse().find((d) => d.action === "promote" || d.action === "rollback");
  if (finished && steps.length > 0) steps[steps.length - 1]!.to = finished.t;
  return steps;
}

export function describeArtifact(a: Artifact | null): string {
  return a ? shortDigest(a.digest) : "none";
}
