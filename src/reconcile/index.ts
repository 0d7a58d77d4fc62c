/**
 * reconcile: the loop that decides every rollout from git and telemetry, records each decision as a
 * commit and applies the result. It owns the transaction (transaction.ts): read the head, decide,
 * commit with compare-and-swap, and decide again on the new head when it moved. `overview` says
 * where every service stands at a commit, as the reconciler reads it (`tollgate status`, the
 * dashboard).
 */

export { formatTick } from "./format-tick.ts";
export { runLoop, startStatusServer } from "./loop.ts";
export { ReconcilerMetrics } from "./metrics.ts";
export { WebhookNotifier } from "./notify.ts";
export { formatOverview, type OverviewFilter, type OverviewState, overview, type ServiceOverview } from "./overview.ts";
export { type EngineAppliedCluster, engineOwnsDrift, Reconciler, type TickResult } from "./reconciler.ts";
export { SimulatedWorld } from "./simulation.ts";
export type { ServiceDecision, ServiceObservation } from "./decide-service.ts";
export {
  type CommitOutcome,
  commitDecisionWithRetry,
  type Decide,
  type HeadState,
  type RetryOptions,
} from "./transaction.ts";
