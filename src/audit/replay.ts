/**
 * `tollgate replay --policy DIR`: re-decides every recorded decision's stored policy input with
 * another policy and lists those that would have gone differently. The policy answer goes through
 * the reconciler's interpretation (interpretation.ts), so "would have promoted" means what the
 * reconciler would have committed.
 *
 * Only recorded decisions can be replayed: the reconciler does not commit the routine holds between
 * them (waiting for data or for the step's minimum time), so a new policy that would have acted at
 * one of those ticks shows at the next recorded decision, not earlier.
 */

import { interpretation, syncState } from "../decision/index.ts";
import { type GitRepo, type HistoryEntry, listDecisionCommits } from "../gitops/index.ts";
import type { DecisionAction, DecisionReason } from "../model/index.ts";
import type { LoadedBundle, PolicyDecision } from "../policy/index.ts";
import { EvidenceProblem, readEvidenceDocument } from "./evidence-document.ts";
import type { AuditFilter } from "./types.ts";

export interface ReplayedDecision {
  commit: string;
  decidedAt: string;
  environment: string;
  service: string;
  recorded: { action: DecisionAction; rules: string[] };
  /** What the other policy's answer would have been committed as (a hold when it failed: see `error`). */
  replayed: { action: DecisionAction; reasons: DecisionReason[] };
  error?: string;
  /** `action`: another action; `reasons`: the same action for other reasons. */
  difference: "action" | "reasons" | null;
}

export interface ReplayReport {
  policy: string;
  decisions: ReplayedDecision[];
  /** Decision commits whose evidence could not be read (run `tollgate audit`). */
  unreadable: { commit: string; message: string }[];
  durationMs: number;
}

export async function replayDecisions(
  repo: GitRepo,
  policy: LoadedBundle,
  filter: AuditFilter = {},
): Promise<ReplayReport> {
  const started = performance.now();
  const entries = (await listDecisionCommits(repo, filter)).filter((e) => e.decision !== null).reverse();
  const decisions: ReplayedDecision[] = [];
  const unreadable: ReplayReport["unreadable"] = [];
  for (const entry of entries) {
    try {
      decisions.push(await replayOne(repo, policy, entry));
    } catch (error) {
      if (!(error instanceof EvidenceProblem)) throw error;
      unreadable.push({ commit: entry.oid, message: error.message });
    }
  }
  return { policy: policy.digest, decisions, unreadable, durationMs: performance.now() - started };
}

async function replayOne(repo: GitRepo, policy: LoadedBundle, entry: HistoryEntry): Promise<ReplayedDecision> {
  const t = entry.decision!.trailers;
  const { document: evidence } = await readEvidenceDocument(repo, entry.oid, t.evidence);
  const input = evidence.policy.input;
  let result: PolicyDecision | null = null;
  let error: string | undefined;
  try {
    result = policy.decide(input, evidence.policy.nondeterministic);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const recorded = { action: evidence.decision.action, rules: evidence.decision.reasons.map((r) => r.rule) };
  const supersedes = recorded.rules.includes("tollgate.superseded");
  const reverts = recorded.rules.includes("tollgate.reverted");
  const meant = interpretation(
    evidence.situation,
    input.status.step,
    input.environment.rollout.steps.length,
    supersedes,
    result,
    reverts,
    recorded.rules.includes("tollgate.live_unknown"),
    syncState(input.sync),
  );
  const reasons: DecisionReason[] = [
    ...meant.added.map((rule) => ({ rule, message: tollgateReason(rule, error) })),
    ...(meant.keepsPolicyReasons && result ? result.reasons : []),
  ];
  const rules = reasons.map((r) => r.rule);
  const difference =
    meant.action !== recorded.action ? "action" : rules.join(",") !== recorded.rules.join(",") ? "reasons" : null;
  return {
    commit: entry.oid,
    decidedAt: evidence.decidedAt,
    environment: t.environment,
    service: t.service,
    recorded,
    replayed: { action: meant.action, reasons },
    ...(error ? { error } : {}),
    difference,
  };
}

function tollgateReason(rule: string, error: string | undefined): string {
  switch (rule) {
    case "tollgate.policy_error":
      return `the policy could not be evaluated, so nothing moves: ${error ?? ""}`;
    case "tollgate.first_release":
      return "first release here: deployed directly";
    case "tollgate.superseded":
      return "the desired release changed during the rollout";
    case "tollgate.reverted":
      return "the desired release was set back to the live artifact during the rollout; the canary is withdrawn";
    case "tollgate.live_unknown":
      return "the release names neither what serves as its artifact nor as its lastGood: nothing moves";
    case "tollgate.synced":
      return "the gitops clusters serve the step: its observation starts";
    case "tollgate.awaiting_sync":
      return "the gitops clusters do not serve the step yet; holding";
    default:
      return "the policy's answer makes no sense here; holding";
  }
}
