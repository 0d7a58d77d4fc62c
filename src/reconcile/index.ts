/**
 * reconcile: the loop that decides every rollout from git and telemetry, records each decision as a
 * commit and applies the result. `overview` says where every service stands at a commit, as the
 * reconciler reads it (`tollgate status`, the dashboard).
 */
export { formatOverview, type OverviewFilter, type OverviewState, overview, type ServiceOverview } from "./overview.ts";
