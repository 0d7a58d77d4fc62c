/**
 * The reconciler's documented interpretation of a policy answer (src/reconcile/decide-service.ts,
 * `interpret`): what action it commits for each answer in each situation, and which reasons of its
 * own (`tollgate.*`) it adds. The audit checks committed decisions against this table:
 *
 * | policy answer | situation                          | committed | reasons                              |
 * | any, or error | pending, the live digest set back  | rollback  | tollgate.reverted only               |
 * | error         | any                                | hold      | tollgate.policy_error only           |
 * | advance       | first release                      | promote   | tollgate.first_release + the policy's|
 * | advance       | rolling out, at the last step      | hold      | tollgate.policy_inconsistent only    |
 * | advance       | pending, superseding a rollout     | advance   | tollgate.superseded + the policy's   |
 * | promote       | not rolling out                    | hold      | tollgate.policy_inconsistent only    |
 * | rollback      | not rolling out                    | block     | the policy's                         |
 * | anything else | any                                | the same  | the policy's                         |
 */
import type { DecisionAction, DecisionReason } from "../model/types.ts";
import type { PolicyDecision } from "../policy/types.ts";
import type { Situation } from "../reconcile/transitions.ts";
import { differences } from "./compare.ts";

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
): Interpretation {
  if (situation === "pending" && reverts)
    return { action: "rollback", added: ["tollgate.reverted"], keepsPolicyReasons: false };
  if (!result) return { action: "hold", added: ["tollgate.policy_error"], keepsPolicyReasons: false };
  const rollingOut = situation === "rolling-out";
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

/** Problems with a committed decision given the interpretation of the policy's answer; [] when it follows. */
export function interpretationProblems(
  expected: Interpretation,
  result: PolicyDecision | null,
  committed: { action: DecisionAction; reasons: DecisionReason[] },
): string[] {
  const problems: string[] = [];
  if (committed.action !== expected.action) {
    const answer = result ? `the policy answered ${result.action}` : "the policy could not be evaluated";
    problems.push(
      `${answer}, which the reconciler commits as ${expected.action}, but the commit records ${committed.action}`,
    );
    return problems;
  }
  const policyReasons =
    expected.keepsPolicyReasons && result
      ? result.reasons.map((r) => ({ rule: r.rule, message: r.message, ...(r.values ? { values: r.values } : {}) }))
      : [];
  const rules = committed.reasons.map((r) => r.rule);
  const expectedRules = [...expected.added, ...policyReasons.map((r) => r.rule)];
  if (rules.join(",") !== expectedRules.join(",")) {
    problems.push(`the committed reasons are [${rules.join(", ")}], expected [${expectedRules.join(", ")}]`);
    return problems;
  }
  const diffs = differences(policyReasons, committed.reasons.slice(expected.added.length), "reasons", 3);
  if (diffs.length > 0) problems.push(`the committed reasons are not the policy's: ${diffs.join("; ")}`);
  return problems;
}
