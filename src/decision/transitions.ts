import {
  type DecisionAction,
  type DecisionReason,
  type Digest,
  type EarlierTelemetry,
  type Environment,
  gitopsClusters,
  parseDuration,
  type Release,
  type Status,
} from "../model/index.ts";

/** What the policy (and the reconciler around it) decided for one service at one moment. */
export interface Decision {
  action: DecisionAction;
  reasons: DecisionReason[];
}

/** The rollout situation of one service, derived from the release and status at HEAD. */
export type Situation =
  /** The desired digest is live and nothing is rolling out. */
  | { kind: "steady"; digest: Digest }
  /**
   * The desired digest differs from what is live and no rollout of it has started; or it is the live
   * digest again while a rollout of another one is in progress (`reverts`: a person set the release
   * back, and the rollout of `supersedes` is abandoned).
   */
  | { kind: "pending"; digest: Digest; supersedes?: Digest; reverts?: true }
  /** A rollout of the desired digest is in progress. */
  | { kind: "rolling-out"; digest: Digest; step: number }
  /** Nothing was ever deployed here and there is nothing to compare against. */
  | { kind: "first-release"; digest: Digest };

export function situationOf(release: Release, status: Status | undefined): Situation {
  const desired = release.artifact.digest;
  if (status?.phase === "progressing" && status.canaryDigest === desired) {
    return { kind: "rolling-out", digest: desired, step: status.step ?? 0 };
  }
  const live = status?.liveDigest;
  if (live === desired && status?.phase !== "progressing") return { kind: "steady", digest: desired };
  if (live === undefined && release.lastGood === undefined) return { kind: "first-release", digest: desired };
  const supersedes = status?.phase === "progressing" ? status.canaryDigest : undefined;
  if (supersedes && live === desired) return { kind: "pending", digest: desired, supersedes, reverts: true };
  return supersedes ? { kind: "pending", digest: desired, supersedes } : { kind: "pending", digest: desired };
}

/**
 * The digest that serves stable traffic when the release names it neither as its artifact nor as
 * its lastGood (e.g. lastGood set by hand to an in-flight canary): the artifact that serves is then
 * unknown, so nothing can be applied or rolled back to. Undefined when the release is consistent.
 */
export function unknownLiveDigest(release: Release, status: Status | undefined): Digest | undefined {
  const live = status?.liveDigest;
  if (live === undefined || live === release.artifact.digest || live === release.lastGood?.digest) return undefined;
  return live;
}

/**
 * The idempotency key of a decision: `env/service/digest/r<rollout>.<step>/action`, where the step is
 * `pre` before the rollout starts. The same key is never committed twice, so a reconciler that
 * crashed after committing decides the same thing again and finds it already done. The rollout
 * number keeps keys fresh when a digest is rolled out a second time (after being superseded).
 */
export function idempotencyKey(
  env: string,
  service: string,
  digest: Digest,
  rollout: number,
  step: number | undefined,
  decision: Decision,
): string {
  const base = `${env}/${service}/${digest}/r${rollout}.${step ?? "pre"}/${decision.action}`;
  if (decision.action !== "hold" && decision.action !== "block") return base;
  // Different reasons to hold or block in the same step are different decisions.
  const rules = [...new Set(decision.reasons.map((r) => r.rule))].sort().join(",");
  return `${base}/${rules}`;
}

/** The reason of the hold that starts a step's clock once its gitops clusters serve it (see interpretation.ts). */
export const SYNCED_RULE = "tollgate.synced";

export interface TransitionInput {
  environment: Environment;
  release: Release;
  status: Status | undefined;
  decision: Decision;
  now: Date;
  evidence?: Digest;
  /** What the rollout's telemetry up to this decision carries into the next step (see `earlierTelemetryAt`). */
  earlierTelemetry?: EarlierTelemetry;
}

export interface Transition {
  release: Release;
  status: Status;
  /** Whether the release file changes (a pointer flip or a new last-good). */
  releaseChanged: boolean;
}

/**
 * The next release and status for a decision. Pure: the same inputs give the same files, which is
 * what lets `tollgate audit` check that a commit changed exactly what its decision says.
 */
export function transition(input: TransitionInput): Transition {
  const { environment, release, decision, now } = input;
  const at = now.toISOString();
  const desired = release.artifact.digest;
  const previous: Status = input.status ?? {
    apiVersion: "tollgate.dev/v1",
    kind: "Status",
    service: release.service,
    phase: "idle",
  };
  const situation = situationOf(release, input.status);
  const step = situation.kind === "rolling-out" ? situation.step : undefined;
  const rollouts = previous.rollouts ?? 0;
  // Before a rollout starts its decisions belong to the next rollout number.
  const rollout = situation.kind === "rolling-out" ? rollouts : rollouts + 1;
  const lastDecision = {
    action: decision.action,
    at,
    reasons: decision.reasons,
    idempotencyKey: idempotencyKey(environment.name, release.service, desired, rollout, step, decision),
    ...(input.evidence ? { evidence: input.evidence } : {}),
  };
  const base: Status = { ...previous, lastDecision };
  const steps = environment.rollout.steps;

  switch (decision.action) {
    case "advance": {
      const next = situation.kind === "rolling-out" ? situation.step + 1 : 0;
      if (next >= steps.length)
        throw new Error(`cannot advance past the last rollout step (${steps.length}); the policy should promote`);
      const started =
        situation.kind === "rolling-out"
          ? {
              rolloutStartedAt: previous.rolloutStartedAt ?? at,
              earlierTelemetry: input.earlierTelemetry ?? previous.earlierTelemetry,
            }
          : { rolloutStartedAt: at, rollouts: rollout, earlierTelemetry: undefined };
      const status = withoutUndefined({
        ...base,
        phase: "progressing",
        canaryDigest: desired,
        step: next,
        weight: steps[next]!.weight,
        ...started,
        stepStartedAt: at,
        // In gitops clusters the step is only committed: its clock starts once they serve it.
        awaitingSync: gitopsClusters(environment).length > 0 ? { since: at } : undefined,
      });
      return { release, status, releaseChanged: false };
    }
    case "promote": {
      const verified = [...(previous.verified ?? []).filter((v) => v.digest !== desired), { digest: desired, at }];
      const status = withoutUndefined({
        ...base,
        phase: "promoted",
        liveDigest: desired,
        canaryDigest: undefined,
        step: undefined,
        weight: 0,
        rolloutStartedAt: undefined,
        stepStartedAt: undefined,
        awaitingSync: undefined,
        earlierTelemetry: undefined,
        verified,
      });
      const promotedRelease: Release = { ...release, lastGood: release.artifact };
      return { release: promotedRelease, status, releaseChanged: release.lastGood?.digest !== desired };
    }
    case "rollback": {
      if (situation.kind === "pending" && situation.reverts) {
        // Withdrawing the canary of an abandoned rollout: the live artifact simply stays. Nothing was
        // judged bad, so nothing is rejected or frozen and the release is left as the person set it.
        const status = withoutUndefined({
          ...base,
          phase: "promoted",
          canaryDigest: undefined,
          step: undefined,
          weight: 0,
          rolloutStartedAt: undefined,
          stepStartedAt: undefined,
          awaitingSync: undefined,
          earlierTelemetry: undefined,
        });
        return { release, status, releaseChanged: false };
      }
      const reason = decision.reasons[0]?.message ?? "rolled back";
      const rejected = [
        ...(previous.rejected ?? []).filter((r) => r.digest !== desired),
        { digest: desired, at, reason },
      ];
      const frozenUntil = new Date(
        now.getTime() + parseDuration(environment.rollout.freezeAfterRollback),
      ).toISOString();
      const status = withoutUndefined({
        ...base,
        phase: "rolled-back",
        canaryDigest: undefined,
        step: undefined,
        weight: 0,
        rolloutStartedAt: undefined,
        stepStartedAt: undefined,
        awaitingSync: undefined,
        earlierTelemetry: undefined,
        frozenUntil,
        rejected,
      });
      // The pointer flip: the release points back at the last good artifact, which is still warm.
      const flipped: Release = release.lastGood ? { ...release, artifact: release.lastGood } : release;
      return { release: flipped, status, releaseChanged: flipped !== release };
    }
    case "block": {
      // A block before a rollout leaves nothing deployed; during one it pauses at the current weight.
      const phase = situation.kind === "rolling-out" ? "progressing" : "blocked";
      return { release, status: withoutUndefined({ ...base, phase }), releaseChanged: false };
    }
    case "hold": {
      // The gitops clusters serve the step: its clock starts now.
      if (previous.awaitingSync && decision.reasons.some((r) => r.rule === SYNCED_RULE))
        return {
          release,
          status: withoutUndefined({ ...base, stepStartedAt: at, awaitingSync: undefined }),
          releaseChanged: false,
        };
      return { release, status: withoutUndefined(base), releaseChanged: false };
    }
  }
}

function withoutUndefined(status: Status): Status {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) as unknown as Status;
}
