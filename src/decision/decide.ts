/**
 * The decision core: from the facts at a commit, the rollout's telemetry records and the policy to
 * everything one decision is — the situation, the analysis, the policy input and answer, what
 * tollgate makes of that answer, the next status and release, the evidence. Pure: no clock, no I/O.
 *
 * `decide` runs the stages of `decisionCore` in order. The reconciler does the I/O around it (reads
 * the state, fetches the telemetry `window` names, commits); audit re-derives a stored decision
 * with the same stages, so a decision and its re-derivation cannot drift apart. Both take the core
 * as an option, which is how a test shows that a change to it changes both.
 */
import type { Digest, Environment, Release, RepositoryState, Status, SyncReading } from "../model/index.ts";
import {
  buildPolicyInput,
  DECISION_ENTRYPOINT,
  type NondeterministicRecord,
  type PolicyDecision,
  type PolicyInput,
  type PolicySync,
} from "../policy/index.ts";
import type { IntervalRecord, SignalProblem, TelemetrySource } from "../telemetry/index.ts";
import { EVIDENCE_FORMAT, type EvidenceDocument, type TelemetryEvidence } from "./evidence.ts";
import { interpret } from "./interpretation.ts";
import { earlierTelemetryAt, type Observed, observeRecords, stageWindow } from "./observe.ts";
import { PRODUCER } from "./producer.ts";
import { syncOf } from "./sync.ts";
import { type Decision, type Situation, situationOf, type Transition, transition } from "./transitions.ts";

/** One service in one environment, as the state at one commit holds it, at the decision time. */
export interface DecisionFacts {
  state: RepositoryState;
  /** The commit the state was read at (null before the first commit). */
  decidedOn: string | null;
  environment: Environment;
  release: Release;
  status: Status | undefined;
  now: Date;
  /** The `gitops` clusters' engines as read while the step's clock waits for them (see sync.ts). */
  sync?: readonly SyncReading[];
}

/** The policy as a decision uses it: its digest, the sources it was built from, its evaluation. */
export interface DecisionPolicy {
  digest: Digest;
  /** The sources the bundle was compiled from, recorded in the evidence. */
  sources?: readonly { path: string; digest: string }[];
  decide(input: PolicyInput): PolicyDecision;
  /** The rand/uuid results of the last evaluation, stored so that audit replays them. */
  nondeterministic?(): NondeterministicRecord;
}

/** The rollout's telemetry as fetched for `decisionCore.window`, or as stored in evidence. */
export interface FetchedTelemetry {
  source: TelemetrySource["kind"];
  /** Interval, seconds. */
  interval: number;
  records: IntervalRecord[];
  problems: SignalProblem[];
}

/** What a decision observed of its rollout: the telemetry as evidence holds it, and the analysis of it. */
export interface Observation extends Observed {
  telemetry: TelemetryEvidence;
}

export interface Evaluated {
  /** The policy's answer, or null when evaluating it failed (see `error`). */
  result: PolicyDecision | null;
  error?: string;
  /** rand.intn / uuid.rfc4122 results of the evaluation, replayed when it is re-derived. */
  nondeterministic?: NondeterministicRecord;
}

export interface DecisionOutcome {
  situation: Situation;
  observation?: Observation;
  /** Whether the gitops clusters serve the step, while its clock waits for them. */
  sync?: PolicySync;
  input: PolicyInput;
  evaluated: Evaluated;
  /** What tollgate commits (the policy's answer made safe; `note` when it changed it). */
  decision: Decision & { note?: string };
  /** The routine wait of a step (too little data yet, the minimum time not reached): not recorded. */
  routine: boolean;
  /** The release and status after the decision. */
  next: Transition;
  evidence: EvidenceDocument;
}

/** The stages of a decision, in the order `decide` runs them. */
export const decisionCore = {
  situationOf,
  /** Where the rollout stands on the record clock: the telemetry a decision reads. */
  window: stageWindow,
  observe,
  /** Whether the gitops clusters serve the step, while its clock waits for them. */
  sync: syncOf,
  policyInput,
  evaluate,
  interpret,
  isRoutineHold,
  transition: nextState,
  evidence: evidenceOf,
};
export type DecisionCore = typeof decisionCore;

/**
 * The decision for one service, or null when it is steady (nothing to decide). `telemetry` is the
 * rollout's (required while rolling out; see `decisionCore.window` for the records to fetch).
 */
export function decide(
  facts: DecisionFacts,
  policy: DecisionPolicy,
  telemetry: FetchedTelemetry | undefined,
  core: DecisionCore = decisionCore,
): DecisionOutcome | null {
  const situation = core.situationOf(facts.release, facts.status);
  if (situation.kind === "steady") return null;
  if (situation.kind === "rolling-out" && !telemetry)
    throw new Error(`${facts.environment.name}/${facts.release.service} is rolling out: its telemetry is needed`);
  const observation = situation.kind === "rolling-out" ? core.observe(facts, telemetry!) : undefined;
  const sync = core.sync(facts, situation, observation?.telemetry);
  const input = core.policyInput(facts, situation, { ...observation, ...(sync ? { sync } : {}) });
  const evaluated = core.evaluate(policy, input);
  const decision = core.interpret(situation, evaluated, facts, sync);
  const routine = core.isRoutineHold(decision, evaluated);
  const next = core.transition(facts, decision, observation);
  const evidence = core.evidence(facts, { situation, observation, policy, input, evaluated, decision });
  return {
    situation,
    ...(observation ? { observation } : {}),
    ...(sync ? { sync } : {}),
    input,
    evaluated,
    decision,
    routine,
    next,
    evidence,
  };
}

/** The rollout's window of telemetry and the analysis and spend of the current step. */
function observe(facts: DecisionFacts, telemetry: FetchedTelemetry): Observation {
  const status = facts.status!;
  const window = stageWindow(status, facts.now, telemetry.interval);
  const observed = observeRecords(facts.environment, status, telemetry.records, {
    interval: telemetry.interval,
    now: window.now,
    stepStart: window.stepStart,
  });
  return {
    telemetry: {
      source: telemetry.source,
      interval: telemetry.interval,
      stageStart: window.stageStart.toISOString(),
      stepStart: window.stepStart,
      now: window.now,
      records: telemetry.records,
      problems: telemetry.problems,
    },
    ...observed,
  };
}

/** The guardrails' input: the state, the service, and what was observed of the rollout. */
function policyInput(
  facts: DecisionFacts,
  situation: Situation,
  observed: (Pick<Observed, "analysis" | "spend"> & { sync?: PolicySync }) | undefined,
): PolicyInput {
  return buildPolicyInput({
    mode: "live",
    state: facts.state,
    environment: facts.environment.name,
    service: facts.release.service,
    release: facts.release,
    status: policyFacingStatus(situation, facts.status),
    now: facts.now,
    ...(observed?.analysis ? { analysis: observed.analysis } : {}),
    ...(observed?.spend ? { spend: observed.spend } : {}),
    ...(observed?.sync ? { sync: observed.sync } : {}),
  });
}

/** What the policy is told about the status: a rollout being superseded is not "progressing" for the new digest. */
export function policyFacingStatus(situation: Situation, status: Status | undefined): Status | undefined {
  if (situation.kind === "pending" && situation.supersedes && status) {
    return { ...status, phase: "idle", canaryDigest: undefined, step: undefined, weight: undefined };
  }
  return status;
}

function evaluate(policy: Pick<DecisionPolicy, "decide" | "nondeterministic">, input: PolicyInput): Evaluated {
  try {
    const result = policy.decide(input);
    const nondeterministic = policy.nondeterministic?.() ?? {};
    return { result, ...(Object.keys(nondeterministic).length > 0 ? { nondeterministic } : {}) };
  } catch (error) {
    return { result: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A routine hold (the wait of a step: too little data yet, the minimum time not reached) is not
 * committed. The policy says which holds are routine (`routine: true`, see policies/decision.rego);
 * a hold tollgate made of another answer (a policy error, an inconsistent answer) never is.
 */
function isRoutineHold(decision: Decision, evaluated: Pick<Evaluated, "result">): boolean {
  return (
    decision.action === "hold" &&
    evaluated.result?.action === "hold" &&
    evaluated.result.routine === true &&
    // tollgate's own reasons (a step's clock starting, tollgate.synced) are news
    decision.reasons.every((r) => !r.rule.startsWith("tollgate."))
  );
}

/** The release and status after `decision`; a step change carries the telemetry accounted so far. */
function nextState(
  facts: Pick<DecisionFacts, "environment" | "release" | "status" | "now">,
  decision: Decision,
  observation: Pick<Observation, "telemetry"> | undefined,
): Transition {
  const earlierTelemetry =
    observation && facts.status
      ? earlierTelemetryAt(facts.status, observation.telemetry.records, observation.telemetry.now)
      : undefined;
  return transition({
    environment: facts.environment,
    release: facts.release,
    status: facts.status,
    decision,
    now: facts.now,
    ...(earlierTelemetry ? { earlierTelemetry } : {}),
  });
}

function evidenceOf(
  facts: DecisionFacts,
  made: {
    situation: Situation;
    observation: Observation | undefined;
    policy: DecisionPolicy;
    input: PolicyInput;
    evaluated: Evaluated;
    decision: Decision & { note?: string };
  },
): EvidenceDocument {
  const { observation, policy, evaluated } = made;
  return {
    format: EVIDENCE_FORMAT,
    producer: PRODUCER,
    environment: facts.environment.name,
    service: facts.release.service,
    decidedAt: facts.now.toISOString(),
    decidedOn: facts.decidedOn,
    situation: made.situation.kind,
    ...(observation
      ? {
          telemetry: observation.telemetry,
          ...(observation.analysisEvidence ? { analysis: observation.analysisEvidence } : {}),
        }
      : {}),
    policy: {
      bundle: policy.digest,
      ...(policy.sources ? { sources: [...policy.sources] } : {}),
      entrypoint: DECISION_ENTRYPOINT,
      input: made.input,
      result: evaluated.result,
      ...(evaluated.error ? { error: evaluated.error } : {}),
      ...(evaluated.nondeterministic ? { nondeterministic: evaluated.nondeterministic } : {}),
    },
    decision: made.decision,
  };
}
