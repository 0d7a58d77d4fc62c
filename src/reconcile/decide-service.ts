/**
 * One decision for one service in one environment, on the state read at one head commit: the I/O
 * around the pure core of src/decision (fetch the telemetry it names, log, report the observation)
 * and what the decision changes. Returns null when there is nothing to record (steady state,
 * routine observation, or the same decision as last time).
 */
import type { Logger } from "pino";
import type { AnalysisReport } from "../analysis/index.ts";
import {
  type Decision,
  type DecisionCore,
  type DecisionFacts,
  decide,
  decisionCore,
  type EvidenceDocument,
  type FetchedTelemetry,
  type Situation,
} from "../decision/index.ts";
import type { DecisionSubject } from "../gitops/index.ts";
import {
  type DecisionReason,
  type Digest,
  type Environment,
  type Release,
  type RepositoryState,
  type Status,
  type SyncReading,
  servingArtifact,
} from "../model/index.ts";
import type { LoadedBundle, PolicyInput } from "../policy/index.ts";
import type { TelemetrySource } from "../telemetry/index.ts";

export interface ServiceDecisionContext {
  state: RepositoryState;
  /** The commit the state was read at. */
  head: string | null;
  environment: Environment;
  release: Release;
  status: Status | undefined;
  policy: LoadedBundle;
  /** The sources the policy bundle was compiled from, recorded in the evidence. */
  policySources?: readonly { path: string; digest: string }[];
  telemetry: TelemetrySource;
  now: Date;
  logger: Logger;
  /** Told what was seen and decided for the service at every tick, committed or not (live progress). */
  onObservation?: (observation: ServiceObservation) => void;
  /** The decision's stages (default decisionCore). */
  core?: DecisionCore;
  /** Reads the gitops clusters' engines while the step's clock waits for them (see sync.ts). */
  readSync?: () => Promise<SyncReading[]>;
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

/** One decision to record: what it changes and how its commit names it. */
export interface ServiceDecision extends DecisionSubject {
  reasons: DecisionReason[];
  /** The sequential judge's report of the step, when there was an analysis. */
  report?: AnalysisReport;
  /** Digest of the policy bundle that decided. */
  policy: Digest;
  evidence: EvidenceDocument;
  /** The service's status after the decision. */
  status: Status;
  /** The release after the decision when it changes (a rollback's pointer flip). */
  release?: Release;
  idempotencyKey: string;
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

export async function decideService(ctx: ServiceDecisionContext): Promise<ServiceDecision | null> {
  const core = ctx.core ?? decisionCore;
  const facts: DecisionFacts = {
    state: ctx.state,
    decidedOn: ctx.head,
    environment: ctx.environment,
    release: ctx.release,
    status: ctx.status,
    now: ctx.now,
  };
  const situation = core.situationOf(ctx.release, ctx.status);
  if (situation.kind === "steady") return null;
  const telemetry = situation.kind === "rolling-out" ? await fetchTelemetry(ctx, core) : undefined;
  if (situation.kind === "rolling-out" && ctx.status?.awaitingSync && ctx.readSync) facts.sync = await ctx.readSync();
  // What the guardrails print(...) goes to the debug log, with the service and decision it belongs to.
  const printed: string[] = [];
  const policy = {
    digest: ctx.policy.digest,
    ...(ctx.policySources ? { sources: ctx.policySources } : {}),
    decide: (input: PolicyInput) => ctx.policy.decide(input, undefined, (line) => printed.push(line)),
    nondeterministic: () => ctx.policy.nondeterministic(),
  };
  const outcome = decide(facts, policy, telemetry, core)!;
  const { observation, input, decision, next, evidence } = outcome;
  for (const line of printed) {
    ctx.logger.debug(
      {
        event: "policy_print",
        environment: ctx.environment.name,
        service: ctx.release.service,
        policy: ctx.policy.digest,
        ...(decision ? { action: decision.action } : {}),
        ...(outcome.evaluated.error !== undefined ? { policyError: outcome.evaluated.error } : {}),
      },
      line,
    );
  }
  // A policy that failed gave no decision: nothing is committed (reverting to what is live needs no policy).
  if (outcome.evaluated.error !== undefined && !(situation.kind === "pending" && situation.reverts)) {
    throw new PolicyFailure(ctx.environment.name, ctx.release.service, outcome.evaluated.error);
  }
  if (observation?.unanalysed)
    ctx.logger.warn(
      { environment: ctx.environment.name, service: ctx.release.service },
      `metrics are left without verdicts: ${observation.unanalysed}`,
    );
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
  if (outcome.routine) return null;
  const key = next.status.lastDecision!.idempotencyKey;
  if (ctx.status?.lastDecision?.idempotencyKey === key) return null;

  const live = servingArtifact(ctx.release, ctx.status) ?? ctx.release.lastGood;
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
    reasons: decision.reasons,
    ...(observation?.report ? { report: observation.report } : {}),
    policy: ctx.policy.digest,
    evidence,
    status: next.status,
    ...(next.releaseChanged ? { release: next.release } : {}),
    idempotencyKey: key,
  };
}

/** Reads the rollout's telemetry over the window the core names. */
async function fetchTelemetry(ctx: ServiceDecisionContext, core: DecisionCore): Promise<FetchedTelemetry> {
  const interval = ctx.telemetry.interval;
  const window = core.window(ctx.status!, ctx.now, interval);
  const fetched = await ctx.telemetry.fetch({
    service: ctx.release.service,
    namespace: ctx.environment.clusters[0]?.namespace ?? "default",
    stageStart: window.stageStart,
    from: window.from,
    to: window.now,
  });
  return { source: ctx.telemetry.kind, interval, records: fetched.records, problems: fetched.problems };
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
