import { shortDigest } from "../../model/index.ts";
import type { PolicyDecision, PolicyInput, PolicyViolation } from "../../policy/index.ts";
import type { GateGroup, GateResult } from "./types.ts";

/**
 * The gates a pull request is judged by, in the order a reviewer reads them. The policy decides
 * every ✓/✗ (a gate fails exactly when its rule fired); this table only names the gates and says,
 * for the ones that passed, what was checked, and for the ones that failed, what would clear them.
 */
interface GateSpec {
  rule: string;
  title: string;
  group: GateGroup;
  /** Set when the gate does not apply here. */
  notApplicable?(input: PolicyInput): string | undefined;
  passed(input: PolicyInput): string;
  hint(input: PolicyInput): string;
}

/** Rule of the gate tollgate check adds itself: the service is being rolled out in the environment now. */
export const ROLLOUT_IN_PROGRESS = "check.rollout_in_progress";

const digestOf = (input: PolicyInput) => shortDigest(input.release.artifact.digest);

const GATES: GateSpec[] = [
  {
    rule: "gates.not_verified_upstream",
    title: "verified upstream",
    group: "admissibility",
    notApplicable: (input) =>
      input.environment.promotesFrom === null
        ? `${input.environment.name} is a first environment: nothing upstream to verify in`
        : undefined,
    passed: (input) => {
      const at = input.upstream?.verified.filter((v) => v.digest === input.release.artifact.digest).at(-1)?.at;
      return `${digestOf(input)} was verified in ${input.environment.promotesFrom}${at ? ` at ${at}` : ""}`;
    },
    hint: (input) =>
      `roll ${digestOf(input)} out in ${input.environment.promotesFrom} first; once it is promoted there, \`tollgate promote ${input.service} --to ${input.environment.name}\` proposes it here`,
  },
  {
    rule: "gates.rejected_digest",
    title: "not rolled back here before",
    group: "admissibility",
    passed: (input) => `${digestOf(input)} was never rolled back in ${input.environment.name}`,
    hint: () => "a rolled-back digest stays rejected: build, evaluate and verify a new artifact",
  },
  {
    rule: "governance.eval_required",
    title: "eval attestation",
    group: "admissibility",
    passed: (input) => {
      const gov = input.environment.governance;
      const parts = input.diff.changed.filter((p) => gov.requireEvalFor.includes(p));
      if (parts.length === 0) {
        return gov.requireEvalFor.length === 0
          ? `${input.environment.name} requires no evals`
          : `not needed: no change to ${gov.requireEvalFor.join(", ")}`;
      }
      const passing = input.release.attestations.filter(
        (a) =>
          a.kind === "eval" &&
          a.digest === input.release.artifact.digest &&
          a.pass &&
          a.score >= gov.minEvalScore &&
          (!gov.requireSignedEvals || a.verification.verified),
      );
      const evals = passing
        .map(
          (a) =>
            `${a.suite} score ${a.score} ≥ ${gov.minEvalScore}${a.verification.verified ? ` (signed by ${a.verification.signer})` : ""}`,
        )
        .join(", ");
      return `${parts.join(", ")} changed; ${evals || "a passing eval"} for ${digestOf(input)}`;
    },
    hint: (input) =>
      input.environment.governance.requireSignedEvals
        ? `have an eval runner of signers.yaml attest ${digestOf(input)} (\`tollgate attest\`, pass: true, score ≥ ${input.environment.governance.minEvalScore})`
        : `add a passing eval (pass: true, score ≥ ${input.environment.governance.minEvalScore}) for ${digestOf(input)} to the release's attestations`,
  },
  {
    rule: "governance.approvals_required",
    title: "approvals",
    group: "admissibility",
    passed: (input) => {
      const by = [
        ...new Set(input.approvals.filter((a) => a.digest === input.release.artifact.digest).map((a) => a.by)),
      ].sort();
      const need = approvalNeeded(input);
      if (!need)
        return by.length > 0 ? `not needed here; approved by ${by.join(", ")}` : "not needed for this change here";
      return `approved by ${by.join(", ")}`;
    },
    hint: (input) => {
      const who = input.environment.approvals.approvers;
      return `approve the pull request${who.length > 0 ? ` (eligible: ${who.join(", ")})` : ""}, or record approvals of ${digestOf(input)} in the release file`;
    },
  },
  {
    rule: ROLLOUT_IN_PROGRESS,
    title: "no rollout under way",
    group: "rollout",
    passed: (input) =>
      input.status.phase === "progressing" && input.status.canaryDigest === input.release.artifact.digest
        ? `the rollout under way in ${input.environment.name} is this artifact`
        : `nothing of ${input.service} is rolling out in ${input.environment.name}`,
    hint: () => "wait until the rollout under way is promoted or rolled back, then re-run the check",
  },
  {
    rule: "gates.freeze",
    title: "change freeze",
    group: "timing",
    passed: (input) => {
      const freezes = input.environment.windows?.freezes ?? [];
      const next = freezes.filter((f) => f.from > input.now.time).sort((a, b) => (a.from < b.from ? -1 : 1))[0];
      if (freezes.length === 0) return `${input.environment.name} has no change freezes`;
      return `no freeze at ${input.now.time}${next ? `; next from ${next.from} (${next.reason})` : ""}`;
    },
    hint: (input) => {
      const until = input.environment.windows?.freezes.find(
        (f) => f.from <= input.now.time && input.now.time < f.until,
      )?.until;
      return `merge after the freeze${until ? ` ends at ${until}` : ""} and re-run the check then`;
    },
  },
  {
    rule: "gates.outside_window",
    title: "deployment window",
    group: "timing",
    passed: (input) => {
      const allow = input.environment.windows?.allow ?? [];
      const { weekday, localTime, timeZone } = input.now;
      if (allow.length === 0) return `${input.environment.name} has no deployment windows: any time`;
      const open = allow.find((w) => w.days.includes(weekday) && w.start <= localTime && localTime < w.end);
      return `${weekday} ${localTime} ${timeZone} is inside ${open ? `${open.days.join(",")} ${open.start}-${open.end}` : "a window"}`;
    },
    hint: () => "merge inside a deployment window and re-run the check then",
  },
  {
    rule: "gates.frozen_after_rollback",
    title: "freeze after a rollback",
    group: "timing",
    passed: (input) => {
      const until = input.status.frozenUntil;
      return until
        ? `the freeze after the last rollback ended at ${until}`
        : `${input.service} has no freeze after a rollback in ${input.environment.name}`;
    },
    hint: (input) => `wait until ${input.status.frozenUntil ?? "the freeze ends"} and re-run the check`,
  },
];

/** Whether any changed part needs an approval here (mirrors what governance.rego asks, for the ✓ text only). */
function approvalNeeded(input: PolicyInput): boolean {
  const env = input.environment;
  const scopes: readonly string[] = env.approvals.for;
  const scoped = (part: string) => scopes.includes("release") || scopes.includes(part);
  if (env.protected && env.approvals.required > 0 && input.diff.changed.some(scoped)) return true;
  return (
    input.diff.changes.some((c) => c.part === "tools" && c.added.length > 0) ||
    (input.previous === null && input.release.artifact.tools.allowed.length > 0)
  );
}

/**
 * Every gate's result for one release: admissibility from the `check`-mode decision, timing from the
 * `live`-mode decision (only its `gates.*` rules; undefined when merging starts no rollout, which
 * makes the timing gates not apply), and the rollout gate from `rollout`. A rule the
 * table does not know (a policy author's own) still shows, under its rule name.
 */
export function gateResults(
  input: PolicyInput,
  check: PolicyDecision,
  live: PolicyDecision | undefined,
  rollout: PolicyViolation | undefined,
): GateResult[] {
  const fired = new Map<string, PolicyViolation[]>();
  const add = (v: PolicyViolation) => fired.set(v.rule, [...(fired.get(v.rule) ?? []), v]);
  for (const v of check.violations) add(v);
  for (const v of live?.violations ?? []) {
    if (v.rule.startsWith("gates.") && !fired.has(v.rule)) add(v);
  }
  if (rollout) add(rollout);

  const results: GateResult[] = [];
  for (const spec of GATES) {
    const violations = fired.get(spec.rule);
    fired.delete(spec.rule);
    if (violations) {
      results.push({
        rule: spec.rule,
        title: spec.title,
        group: spec.group,
        outcome: outcomeOf(violations),
        messages: violations.map((v) => v.message),
        hint: spec.hint(input),
      });
      continue;
    }
    const na =
      spec.group === "timing" && !live
        ? `${input.environment.name}'s desired artifact stays ${digestOf(input)}: merging starts no rollout`
        : spec.notApplicable?.(input);
    results.push({
      rule: spec.rule,
      title: spec.title,
      group: spec.group,
      outcome: na ? "n/a" : "pass",
      messages: [na ?? spec.passed(input)],
    });
  }
  for (const [rule, violations] of fired) {
    const group: GateGroup = check.violations.some((v) => v.rule === rule) ? "admissibility" : "timing";
    results.push({
      rule,
      title: rule,
      group,
      outcome: outcomeOf(violations),
      messages: violations.map((v) => v.message),
    });
  }
  return results;
}

function outcomeOf(violations: PolicyViolation[]): GateResult["outcome"] {
  return violations.some((v) => v.effect !== "hold") ? "block" : "wait";
}
