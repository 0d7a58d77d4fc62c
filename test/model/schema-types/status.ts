// Generated from schemas/status.schema.json by test/support/schema-types.ts: do not edit.

/**
 * environments/<env>/status/<service>.yaml: the rollout state of one service in one environment. Written only by tollgate.
 */
export interface Status {
/**
 * File format version.
 */
apiVersion: "tollgate.dev/v1"
/**
 * File kind.
 */
kind: "Status"
/**
 * Service name; must equal the file name without `.yaml`.
 */
service: string
/**
 * Rollout phase.
 */
phase: ("idle" | "progressing" | "promoted" | "rolled-back" | "blocked")
/**
 * Digest serving stable traffic.
 */
liveDigest?: string
/**
 * Digest being rolled out.
 */
canaryDigest?: string
/**
 * How many rollouts have started for this service here; it numbers the rollout in idempotency keys, so a digest rolled out again gets fresh keys.
 */
rollouts?: number
/**
 * Index of the current rollout step.
 */
step?: number
/**
 * Percent of traffic on the canary.
 */
weight?: number
/**
 * When the current rollout began.
 */
rolloutStartedAt?: string
/**
 * When the current step began.
 */
stepStartedAt?: string
/**
 * Set by a step change in an environment with `gitops` clusters: the step's rendered files were committed at `since`, and the step's clock starts (stepStartedAt is set again) once every gitops cluster serves them.
 */
awaitingSync?: {
/**
 * When the step change was committed.
 */
since: string
}
/**
 * What the rollout's telemetry before `through` contributes to later decisions (only the canary's spend). Set at each step change: a decision reads, and its evidence stores, only the telemetry since.
 */
earlierTelemetry?: {
/**
 * Seconds after the rollout began.
 */
through: number
/**
 * The canary's spend up to `through`, USD; absent when no cost telemetry was seen.
 */
canarySpendUsd?: number
}
/**
 * The newest decision tollgate committed for this service.
 */
lastDecision?: {
/**
 * What was decided.
 */
action: ("advance" | "promote" | "hold" | "rollback" | "block")
/**
 * When.
 */
at: string
/**
 * Why.
 */
reasons: DecisionReason[]
/**
 * environment/service/digest/step/action: the same key is never committed twice.
 */
idempotencyKey: string
/**
 * Digest of the evidence document the decision used.
 */
evidence?: string
}
/**
 * No rollout starts before this time (set after a rollback).
 */
frozenUntil?: string
/**
 * Digests rolled back here; they are never promoted again.
 * 
 * Items: One rejected digest.
 */
rejected?: {
/**
 * The rejected artifact digest.
 */
digest: string
/**
 * When it was rejected.
 */
at: string
/**
 * Why.
 */
reason: string
}[]
/**
 * Digests promoted in this environment, oldest first; downstream environments accept only these.
 * 
 * Items: One verified digest.
 */
verified?: {
/**
 * The promoted artifact digest.
 */
digest: string
/**
 * When it was promoted.
 */
at: string
}[]
}
/**
 * Why a decision was taken: the rule that fired and a message naming the values involved.
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
