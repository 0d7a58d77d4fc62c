// Generated from schemas/policy-decision.schema.json by test/support/schema-types.ts: do not edit.

/**
 * What the guardrail policy (entrypoint `tollgate/decision`) returns for one policy input. Precedence: rollback beats block beats hold beats advance/promote.
 */
export interface PolicyDecision {
/**
 * `advance`: start the rollout or move to the next step (in `check` mode: the release is admissible); `promote`: the last step is complete, make the canary stable and mark its digest verified; `hold`: stay where you are and look again; `rollback`: send all traffic back to `previous` and reject the digest; `block`: this release may not start (or continue) here.
 */
action: ("advance" | "promote" | "hold" | "rollback" | "block")
/**
 * The input's mode, echoed.
 */
mode: ("check" | "live")
/**
 * Why this action: for rollback, block and hold the guardrails of that effect that fired (at least one); for advance and promote the rule that completed the step. Sorted.
 */
reasons: DecisionReason[]
/**
 * Every guardrail that fired, whatever its effect, so a rollback still shows that, say, a window was also closed. Waiting for a step's minimum time is not a violation. Sorted.
 * 
 * Items: One guardrail that fired.
 */
violations: {
/**
 * Rule identifier, `<concern>.<rule>`, e.g. `budgets.cost_per_task_vs_baseline`.
 */
rule: string
/**
 * What the rule asks for.
 */
effect: ("rollback" | "block" | "hold")
/**
 * A sentence naming the metric, budget or gate and the values involved.
 */
message: string
/**
 * The input values that triggered the rule.
 */
values: {

}
}[]
/**
 * With `hold`: true when the hold is only the routine wait of a step (too little data yet, a minimum time not reached), which the reconciler does not record. Absent or false: the hold is recorded. The guardrails in policies/ name their routine holds (`routine_holds`).
 */
routine?: boolean
/**
 * With `advance` in live mode: the step the rollout moves to.
 */
next?: {
/**
 * Index of the next step (0-based).
 */
step: number
/**
 * Its canary traffic percentage.
 */
weight: number
}
}
/**
 * One reason.
 */
export interface DecisionReason {
/**
 * Identifier of the policy rule, e.g. `budgets.cost_per_task_vs_baseline`.
 */
rule: string
/**
 * A sentence a person understands, naming the metric, budget or gate and the values.
 */
message: string
/**
 * The values that triggered the rule.
 */
values?: {

}
}
