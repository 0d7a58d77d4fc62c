/**
 * async: the small concurrency helpers every layer uses — one abortable sleep, one retry policy
 * (bounded tries, exponential backoff, abortable waits) and one bounded map. Imports nothing else of
 * tollgate.
 */
export { mapBounded } from "./map-bounded.ts";
export { backoffMs, type Retried, type RetryPolicy, type RetryRun, retry } from "./retry.ts";
export { sleep } from "./sleep.ts";
