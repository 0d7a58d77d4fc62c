/** Whether a committed decision is what tollgate commits for the policy's answer (decision/interpretation.ts). */
import type { Interpretation } from "../decision/index.ts";
import type { DecisionAction, DecisionReason } from "../model/index.ts";
import type { PolicyDecision } from "../policy/index.ts";
import { differences } from "./compare.ts";

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
