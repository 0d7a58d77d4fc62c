/**
 * serve: the live dashboard. Read-only pages over the history of one branch of a tollgate repository
 * (git is the source of truth; nothing else is stored): the overview of every service in every
 * environment, a rollout's charts and analysis, a decision with its evidence and audit verdict, a
 * service's history across environments. Pages follow the branch live over server-sent events.
 *
 * - `Dashboard`: the request handler (`tollgate serve` mounts it on its own server with
 *   `startDashboardServer`; `tollgate reconcile --interval` beside /metrics and /healthz).
 * - `LiveFeed`: the reconciler's latest look at each service, for the process that runs it.
 */
export { LiveFeed, type LiveObservation } from "./live.ts";
export { Dashboard, type DashboardOptions, parseListen, startDashboardServer } from "./server.ts";
