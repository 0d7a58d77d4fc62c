/**
 * One decision for one service in one environment, on the state read at one head commit:
 * situation → (telemetry → analysis) → policy → decision → the files and evidence to commit.
 * Returns null when there is nothing to record (steady state, routine observation, or the same
 * decision as last time).
 */
import type { Logger } from "pino";
import type { DecisionChange } from "../gitops/index.ts";
import { shortDigest } from "../model/artifact-digest.ts";
import { parseDuration } from "../model/duration.ts";
import type { DecisionReason, Digest, Environment, Release, RepositoryState, Status } from "../model/types.ts";
import type { LoadedBundle, NondeterministicRecord } from "../policy/loader.ts";
import { DECISION_ENTRYPOINT, type PolicyDecision, type PolicyInput } from "../policy/types.ts";
import type { TelemetrySource } from "../telemetry/source.ts";
import { evidenceLines } from "./analysis-view.ts";
import { EVIDENCE_FORMAT, type EvidenceDocument, type TelemetryEvidence } from "./evidence.ts";
import { earlierTelemetryAt, type Observed, observeRecords, stageWindow } from "./observe.ts";
import { buildPolicyInput } from "./policy-input.ts";
import { PRODUCER } from "./producer.ts";
import { type Decision, type Situation, situationOf, transition } from "./transitions.ts";

export interface ServiceDecisionContext {
  state: RepositoryState;
  /** The commit the state was read at. */
  head: string | null;
  environment: Environment;
  release: Release;
  status: Status | undefined;
  policy: LoadedBundle;
  /** The sources the policy bundle was compiled from, recorded in the evidence. */
  policySources?: { path: string; digest: string }[];
  telemetry: TelemetrySource;
  now: Date;
  logger: Logger;
  /** Told what was seen and decided for the service at every tick, committed or not (live progress). */
  onObservation?: (observation: ServiceObservation) => void;
}

export interface ServiceObservation {
  environment: string;
  service: string;
  situation: Situation;
  status: Status | undefined;
  analysis?: PolicyInput["analysis"];
  spend?: PolicyInput["spend"];
  decision: Decision;
  now: Date;
}

/** The policy failed at run time for one service: no decision, so nothing is committed for it. */
export class PolicyFailure extends Error {
  constructor(
    readonly environment: string,
    readonly service: string,
    readonly detail: string,
  ) {
    super(`the policy failed for ${environment}/${service}, so nothing is decided or committed: ${detail}`);
    this.name = "PolicyFailure";
  }
}

/**
 * Holds whose every reason is one of these are the routine wait of a step (too little data yet, the
 * minimum time not reached): not committed. Exceptional holds (telemetry missing past its grace,
 * a freeze, a dependency, a policy error) are.
 */
// Waiting for a person's confirmation is news (committed once), unlike the other waits of a step.
const ROUTINE_HOLD_RULES =
  /^((?!progress\.awaiting_confirmation$)progress\..*|rollback\.insufficient_data|rollback\.metric_unreported|rollback\.no_analysis|budgets\.spend_unknown)$/;

export async function decideService(ctx: ServiceDecisionContext): Promise<DecisionChange | null> {
  const situation = situationOf(ctx.release, ctx.status);
  if (situation.kind === "steady") return null;
  const observed = situation.kind === "rolling-out" ? await observeRollout(ctx) : undefined;
  const input = buildPolicyInput({
    mode: "live",
    state: ctx.state,
    environment: ctx.environment.name,
    service: ctx.release.service,
    release: ctx.release,
    status: policyFacingStatus(situation, ctx.status),
    now: ctx.now,
    ...(observed?.analysis ? { analysis: observed.analysis } : {}),
    ...(observed?.spend ? { spend: observed.spend } : {}),
  });
  const evaluated = evaluate(ctx.policy, input);
  // A policy that failed gave no decision: nothing is committed (reverting to what is live needs no policy).
  if (evaluated.error !== undefined && !(situation.kind === "pending" && situation.reverts)) {
    throw new PolicyFailure(ctx.environment.name, ctx.release.service, evaluated.error);
  }
  const decision = interpret(situation, evaluated.result, evaluated.error, ctx);
  ctx.onObservation?.({
    environment: ctx.environment.name,
    service: ctx.release.service,
    situation,
    status: ctx.status,
    ...(input.analysis ? { analysis: input.analysis } : {}),
    ...(input.spend ? { spend: input.spend } : {}),
    decision,
    now: ctx.now,
  });
  if (isRoutineHold(decision, situation, ctx)) return null;

  const evidence: EvidenceDocument = {
    format: EVIDENCE_FORMAT,
    producer: PRODUCER,
    environment: ctx.environment.name,
    service: ctx.release.service,
    decidedAt: ctx.now.toISOString(),
    decidedOn: ctx.head,
    situation: situation.kind,
    ...(observed
      ? { telemetry: observed.telemetry, ...(observed.analysisEvidence ? { analysis: observed.analysisEvidence } : {}) }
      : {}),
    policy: {
      bundle: ctx.policy.digest,
      ...(ctx.policySources ? { sources: ctx.policySources } : {}),
      entrypoint: DECISION_ENTRYPOINT,
      input,
      result: evaluated.result,
      ...(evaluated.error ? { error: evaluated.error } : {}),
      ...(evaluated.nondeterministic ? { nondeterministic: evaluated.nondeterministic } : {}),
    },
    decision,
  };
  const earlierTelemetry =
    observed && ctx.status
      ? earlierTelemetryAt(ctx.status, observed.telemetry.records, observed.telemetry.now)
      : undefined;
  const next = transition({
    environment: ctx.environment,
    release: ctx.release,
    status: ctx.status,
    decision,
    now: ctx.now,
    ...(earlierTelemetry ? { earlierTelemetry } : {}),
  });
  const key = next.status.lastDecision!.idempotencyKey;
  if (ctx.status?.lastDecision?.idempotencyKey === key) return null;

  const live = liveArtifact(ctx.release, ctx.status);
  return {
    action: decision.action,
    environment: ctx.environment.name,
    service: ctx.release.service,
    artifact: ctx.release.artifact.digest,
    ...(situation.kind === "rolling-out" ? { step: situation.step } : {}),
    // The subject reads as the change at stake: live → proposed, and for a rollback canary → what serves after it.
    from: decision.action === "rollback" ? ctx.release.artifact : live,
    to: decision.action === "rollback" ? next.release.artifact : ctx.release.artifact,
    why: decision.reasons[0]?.message ?? describeAdvance(ctx, situation),
    evidenceLines: observed?.report ? evidenceLines(observed.report) : [],
    reasons: decision.reasons,
    policy: ctx.policy.digest,
    // Stored as JSON by encodeEvidence (non-finite numbers become null there, without a copy here).
    evidence,
    ...(decision.action === "rollback" && evidence.telemetry
      ? { compactEvidence: () => withoutRecords(evidence) }
      : {}),
    status: next.status,
    ...(next.releaseChanged ? { release: next.release } : {}),
    idempotencyKey: key,
  };
}

/**
 * A routine hold is not committed. Too little data is routine only until the step's cap: after it,
 * the wait itself is news (and the policy rolls back once it lasts past the missing-data limit).
 */
function isRoutineHold(decision: Decision, situation: Situation, ctx: ServiceDecisionContext): boolean {
  if (decision.action !== "hold") return false;
  const step = situation.kind === "rolling-out" ? ctx.environment.rollout.steps[situation.step] : undefined;
  const stepSeconds = ctx.status?.stepStartedAt ? (ctx.now.getTime() - Date.parse(ctx.status.stepStartedAt)) / 1000 : 0;
  const pastCap = step !== undefined && stepSeconds >= parseDuration(step.maxDuration) / 1000;
  return decision.reasons.every(
    (r) => ROUTINE_HOLD_RULES.test(r.rule) && !(pastCap && r.rule === "rollback.insufficient_data"),
  );
}

/** What the policy is told about the status: a rollout being superseded is not "progressing" for the new digest. */
export function policyFacingStatus(situation: Situation, status: Status | undefined): Status | undefined {
  if (situation.kind === "pending" && situation.supersedes && status) {
    return { ...status, phase: "idle", canaryDigest: undefined, step: undefined, weight: undefined };
  }
  return status;
}

function evaluate(
  policy: LoadedBundle,
  input: PolicyInput,
): { result: PolicyDecision | null; error?: string; nondeterministic?: NondeterministicRecord } {
  try {
    const result = policy.decide(input);
    const nondeterministic = policy.nondeterministic();
    return { result, ...(Object.keys(nondeterministic).length > 0 ? { nondeterministic } : {}) };
  } catch (error) {
    return { result: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The policy's decision, made safe: an error or an action that makes no sense here becomes a hold. */
function interpret(
  situation: Situation,
  result: PolicyDecision | null,
  error: string | undefined,
  ctx: ServiceDecisionContext,
): Decision & { note?: string } {
  if (situation.kind === "pending" && situation.reverts) {
    // Going back to what is live is always safe: no gate or policy answer holds it up.
    return {
      action: "rollback",
      reasons: [{ rule: "tollgate.reverted", message: revertedMessage(situation.digest, situation.supersedes!) }],
      note: "the release was set back to the live artifact",
    };
  }
  if (!result) {
    return {
      action: "hold",
      reasons: [
        { rule: "tollgate.policy_error", message: `the policy could not be evaluated, so nothing moves: ${error}` },
      ],
      note: "policy evaluation failed",
    };
  }
  const reasons: DecisionReason[] = result.reasons.map((r) => ({
    rule: r.rule,
    message: r.message,
    ...(r.values ? { values: r.values } : {}),
  }));
  const progressing = situation.kind === "rolling-out";
  switch (result.action) {
    case "advance":
      if (situation.kind === "first-release") {
        return {
          action: "promote",
          reasons: [
            {
              rule: "tollgate.first_release",
              message: `first release of ${ctx.release.service} in ${ctx.environment.name}: there is no baseline to compare against, so it is deployed directly`,
            },
            ...reasons,
          ],
          note: "first release",
        };
      }
      if (progressing && situation.step + 1 >= ctx.environment.rollout.steps.length) {
        return {
          action: "hold",
          reasons: [
            {
              rule: "tollgate.policy_inconsistent",
              message: `the policy asked to advance past the last step (${situation.step + 1} of ${ctx.environment.rollout.steps.length}); holding`,
            },
          ],
          note: "advance past the last step",
        };
      }
      if (situation.kind === "pending" && situation.supersedes) {
        reasons.unshift({
          rule: "tollgate.superseded",
          message: `the desired release changed during the rollout of ${shortDigest(situation.supersedes)}; that rollout is abandoned and ${shortDigest(situation.digest)} starts`,
        });
      }
      return { action: "advance", reasons };
    case "promote":
      if (!progressing)
        return {
          action: "hold",
          reasons: [
            {
              rule: "tollgate.policy_inconsistent",
              message: "the policy asked to promote a release whose rollout has not started; holding",
            },
          ],
          note: "promote outside a rollout",
        };
      return { action: "promote", reasons };
    case "rollback":
      if (!progressing) return { action: "block", reasons, note: "rollback before a rollout started is a block" };
      return { action: "rollback", reasons };
    case "block":
    case "hold":
      return { action: result.action, reasons };
  }
}

interface Observation extends Observed {
  telemetry: TelemetryEvidence;
}

/** Reads the rollout's telemetry and analyses the current step. */
async function observeRollout(ctx: ServiceDecisionContext): Promise<Observation> {
  const status = ctx.status!;
  const interval = ctx.telemetry.interval;
  const window = stageWindow(status, ctx.now, interval);
  const fetched = await ctx.telemetry.fetch({
    service: ctx.release.service,
    namespace: ctx.environment.clusters[0]?.namespace ?? "default",
    stageStart: window.stageStart,
    from: window.from,
    to: window.now,
  });
  const telemetry: TelemetryEvidence = {
    source: ctx.telemetry.kind,
    interval,
    stageStart: window.stageStart.toISOString(),
    stepStart: window.stepStart,
    now: window.now,
    records: fetched.records,
    problems: fetched.problems,
  };
  const observed = observeRecords(ctx.environment, status, fetched.records, {
    interval,
    now: window.now,
    stepStart: window.stepStart,
  });
  if (observed.unanalysed)
    ctx.logger.warn(
      { environment: ctx.environment.name, service: ctx.release.service },
      `metrics are left without verdicts: ${observed.unanalysed}`,
    );
  return { telemetry, ...observed };
}

/** The evidence of a rollback too large to store: everything but the telemetry records. */
function withoutRecords(evidence: EvidenceDocument): EvidenceDocument {
  const telemetry = evidence.telemetry!;
  return { ...evidence, telemetry: { ...telemetry, records: [], recordsOmitted: telemetry.records.length } };
}

function revertedMessage(live: Digest, abandoned: Digest): string {
  return `the desired release was set back to the live ${shortDigest(live)} during the rollout of ${shortDigest(abandoned)}; that rollout is abandoned and its canary withdrawn`;
}

/** What served before the decision: the live artifact, as the release names it. */
export function liveArtifact(release: Release, status: Status | undefined) {
  const live = status?.liveDigest;
  if (live && release.lastGood?.digest === live) return release.lastGood;
  if (live && release.artifact.digest === live) return release.artifact;
  return release.lastGood;
}

function describeAdvance(ctx: ServiceDecisionContext, situation: Situation): string {
  const steps = ctx.environment.rollout.steps;
  if (situation.kind === "rolling-out") {
    const next = steps[situation.step + 1];
    return next
      ? `step ${situation.step + 1} of ${steps.length} complete; canary to ${next.weight}%`
      : "last step complete";
  }
  return `rollout starts: canary at ${steps[0]!.weight}%`;
}
