/**
 * What tollgate commits for a policy answer: for each answer in each situation the action, and which
 * reasons of its own (`tollgate.*`) it adds. `interpret` words the decision from this table; the
 * audit checks committed decisions against it:
 *
 * | policy answer | situation                          | committed | reasons                              |
 * | any, or error | pending, the live digest set back  | rollback  | tollgate.reverted only               |
 * | any, or error | the live digest not in the release | block     | tollgate.live_unknown only           |
 * | error         | any                                | hold      | tollgate.policy_error only           |
 * | advance       | first release                      | promote   | tollgate.first_release + the policy's|
 * | advance       | rolling out, at the last step      | hold      | tollgate.policy_inconsistent only    |
 * | advance       | pending, superseding a rollout     | advance   | tollgate.superseded + the policy's   |
 * | promote       | not rolling out                    | hold      | tollgate.policy_inconsistent only    |
 * | rollback      | not rolling out                    | block     | the policy's                         |
 * | advance, promote | rolling out, gitops not synced  | hold      | tollgate.awaiting_sync only          |
 * | hold          | rolling out, gitops synced now     | hold      | tollgate.synced + the policy's       |
 * | advance, promote | rolling out, gitops synced now  | hold      | tollgate.synced only                 |
 * | anything else | any                                | the same  | the policy's                         |
 *
 * "gitops (not) synced": the step's clock waits for the gitops clusters (`status.awaitingSync`); a
 * `tollgate.synced` hold starts it (see transitions.ts).
 */
import {
  type DecisionAction,
  type DecisionReason,
  type Environment,
  type Release,
  formatDuration,
  type Status,
  shortDigest,
} from "../model/index.ts";
import type { PolicyDecision, PolicySync } from "../policy/index.ts";
import { type Decision, type Situation, unknownLiveDigest } from "./transitions.ts";

export interface Interpretation {
  action: DecisionAction;
  /** Rules tollgate puts before the policy's reasons. */
  added: string[];
  /** Whether the policy's reasons follow (false: tollgate's reason replaces them). */
  keepsPolicyReasons: boolean;
}

export function interpretation(
  situation: Situation["kind"],
  step: number | undefined,
  stepCount: number,
  supersedes: boolean,
  result: PolicyDecision | null,
  reverts = false,
  liveUnknown = false,
  sync: "waiting" | "synced" | undefined = undefined,
): Interpretation {
  if (situation === "pending" && reverts)
    return { action: "rollback", added: ["tollgate.reverted"], keepsPolicyReasons: false };
  if (liveUnknown) return { action: "block", added: ["tollgate.live_unknown"], keepsPolicyReasons: false };
  if (!result) return { action: "hold", added: ["tollgate.policy_error"], keepsPolicyReasons: false };
  const rollingOut = situation === "rolling-out";
  if (rollingOut && sync !== undefined && result.action !== "rollback" && result.action !== "block") {
    if (sync === "synced")
      return { action: "hold", added: ["tollgate.synced"], keepsPolicyReasons: result.action === "hold" };
    if (result.action !== "hold")
      return { action: "hold", added: ["tollgate.awaiting_sync"], keepsPolicyReasons: false };
  }
  switch (result.action) {
    case "advance":
      if (situation === "first-release")
        return { action: "promote", added: ["tollgate.first_release"], keepsPolicyReasons: true };
      if (rollingOut && (step ?? 0) + 1 >= stepCount)
        return { action: "hold", added: ["tollgate.policy_inconsistent"], keepsPolicyReasons: false };
      if (situation === "pending" && supersedes)
        return { action: "advance", added: ["tollgate.superseded"], keepsPolicyReasons: true };
      return { action: "advance", added: [], keepsPolicyReasons: true };
    case "promote":
      return rollingOut
        ? { action: "promote", added: [], keepsPolicyReasons: true }
        : { action: "hold", added: ["tollgate.policy_inconsistent"], keepsPolicyReasons: false };
    case "rollback":
      return rollingOut
        ? { action: "rollback", added: [], keepsPolicyReasons: true }
        : { action: "block", added: [], keepsPolicyReasons: true };
    default:
      return { action: result.action, added: [], keepsPolicyReasons: true };
  }
}

/**
 * The policy's decision, made safe (the table above): an error or an action that makes no sense here
 * becomes a hold; tollgate's own reasons are worded for this service, step and digests.
 */
export function interpret(
  situation: Situation,
  evaluated: { result: PolicyDecision | null; error?: string },
  facts: { environment: Environment; release: Release; status: Status | undefined },
  sync?: PolicySync,
): Decision & { note?: string } {
  const { result } = evaluated;
  const steps = facts.environment.rollout.steps.length;
  const step = situation.kind === "rolling-out" ? situation.step : undefined;
  const supersedes = situation.kind === "pending" && situation.supersedes !== undefined;
  const reverts = situation.kind === "pending" && situation.reverts === true;
  const liveUnknown = unknownLiveDigest(facts.release, facts.status) !== undefined;
  const meant = interpretation(situation.kind, step, steps, supersedes, result, reverts, liveUnknown, syncState(sync));
  const { own, note } = worded(meant, situation, evaluated, facts, sync);
  const policyReasons: DecisionReason[] =
    meant.keepsPolicyReasons && result
      ? result.reasons.map((r) => ({ rule: r.rule, message: r.message, ...(r.values ? { values: r.values } : {}) }))
      : [];
  return { action: meant.action, reasons: [...own, ...policyReasons], ...(note ? { note } : {}) };
}

/** The sync state `interpretation` takes, from the sync view of a decision (or its policy input). */
export function syncState(sync: PolicySync | undefined): "waiting" | "synced" | undefined {
  return sync === undefined ? undefined : sync.synced ? "synced" : "waiting";
}

/** tollgate's own reasons for an interpretation, and a note when it changed the policy's answer. */
function worded(
  meant: Interpretation,
  situation: Situation,
  { result, error }: { result: PolicyDecision | null; error?: string },
  { environment, release, status }: { environment: Environment; release: Release; status: Status | undefined },
  sync?: PolicySync,
): { own: DecisionReason[]; note?: string } {
  const rule = meant.added[0];
  switch (rule) {
    case "tollgate.synced": {
      const step = (status?.step ?? 0) + 1;
      const served = sync!.clusters.map((c) => `${c.cluster} (${c.detail})`).join("; ");
      return {
        own: [
          {
            rule,
            message: `step ${step} (${status?.weight ?? 0}% of traffic) is served after ${sync!.waitedSeconds < 1 ? "0s" : formatDuration(sync!.waitedSeconds * 1000)}: ${served || "no gitops cluster is left to wait for"}; its observation starts now`,
            values: { step: status?.step ?? 0, waitedSeconds: sync!.waitedSeconds },
          },
        ],
        ...(result?.action !== "hold"
          ? { note: `the policy's ${result?.action} waits for the step's observation` }
          : {}),
      };
    }
    case "tollgate.awaiting_sync": {
      const waiting = sync!.clusters.filter((c) => c.state !== "synced");
      return {
        own: [
          {
            rule,
            message: `the policy asked to ${result?.action} before the gitops clusters serve the step: ${waiting.map((c) => `${c.cluster}: ${c.detail}`).join("; ")}; holding`,
          },
        ],
        note: `${result?.action} before the step was served`,
      };
    }
    case "tollgate.reverted": {
      const abandoned = situation.kind === "pending" ? situation.supersedes! : situation.digest;
      return {
        own: [
          {
            rule,
            message: `the desired release was set back to the live ${shortDigest(situation.digest)} during the rollout of ${shortDigest(abandoned)}; that rollout is abandoned and its canary withdrawn`,
          },
        ],
        note: "the release was set back to the live artifact",
      };
    }
    case "tollgate.live_unknown": {
      const live = status?.liveDigest ?? "";
      const lastGood = release.lastGood
        ? `its lastGood is ${shortDigest(release.lastGood.digest)}`
        : "it has no lastGood";
      return {
        own: [
          {
            rule,
            message: `${shortDigest(live)} serves stable traffic, but the release names it neither as its artifact nor as its lastGood (${lastGood}): which artifact to keep serving is unknown, so nothing moves; set lastGood to the artifact of ${shortDigest(live)} (the release file's earlier version has it) and merge again`,
          },
        ],
        note: "the live artifact is not in the release",
      };
    }
    case "tollgate.policy_error":
      return {
        own: [{ rule, message: `the policy could not be evaluated, so nothing moves: ${error}` }],
        note: "policy evaluation failed",
      };
    case "tollgate.first_release":
      return {
        own: [
          {
            rule,
            message: `first release of ${release.service} in ${environment.name}: there is no baseline to compare against, so it is deployed directly`,
          },
        ],
        note: "first release",
      };
    case "tollgate.superseded": {
      const abandoned = situation.kind === "pending" ? situation.supersedes! : situation.digest;
      return {
        own: [
          {
            rule,
            message: `the desired release changed during the rollout of ${shortDigest(abandoned)}; that rollout is abandoned and ${shortDigest(situation.digest)} starts`,
          },
        ],
      };
    }
    case "tollgate.policy_inconsistent": {
      if (result?.action === "advance") {
        const steps = environment.rollout.steps.length;
        const step = situation.kind === "rolling-out" ? situation.step : 0;
        return {
          own: [{ rule, message: `the policy asked to advance past the last step (${step + 1} of ${steps}); holding` }],
          note: "advance past the last step",
        };
      }
      return {
        own: [{ rule, message: "the policy asked to promote a release whose rollout has not started; holding" }],
        note: "promote outside a rollout",
      };
    }
    default:
      return meant.action === "block" && result?.action === "rollback"
        ? { own: [], note: "rollback before a rollout started is a block" }
        : { own: [] };
  }
}
