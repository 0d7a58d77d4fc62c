/**
 * `tollgate reconcile --interval`: ticks forever, serves /metrics and /healthz, and (with leader
 * election) acts only while it holds the Lease.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { sleep } from "../async/index.ts";
import type { ReconcilerMetrics } from "./metrics.ts";
import { NothingToReconcileError, type Reconciler } from "./reconciler.ts";

export interface LoopOptions {
  reconciler: Reconciler;
  intervalMs: number;
  metrics: ReconcilerMetrics;
  /** Other registries to serve on /metrics (the cluster layer's). */
  registries?: Registry[];
  logger: Logger;
  signal: AbortSignal;
  /** When set, a tick runs only while this says we lead. */
  isLeader?: () => boolean;
}

/** Runs ticks until the signal aborts. A failed tick is logged; the next one tries again. */
export async function runLoop(options: LoopOptions): Promise<void> {
  const { reconciler, metrics, logger, signal } = options;
  while (!signal.aborted) {
    if (!options.isLeader || options.isLeader()) {
      try {
        metrics.record(await reconciler.tick());
      } catch (error) {
        metrics.errors.inc({ stage: "tick" });
        if (error instanceof NothingToReconcileError) metrics.nothingToReconcile = error.message;
        logger.error({ event: "tick-failed", err: error }, "reconcile tick failed; retrying at the next interval");
      }
    } else {
      logger.debug({ event: "standby" }, "not the leader; standing by");
    }
    await sleep(options.intervalMs, signal);
  }
}

/** Default time a policy may keep failing before /healthz reports it. */
export const DEFAULT_POLICY_FAILURE_GRACE_MS = 5 * 60_000;

/**
 * /metrics (Prometheus text format) and /healthz: ok while ticks keep coming, the last one found
 * something it could reconcile (not a wrong --env, --service or --branch) and the policy has not
 * been failing (no decision for some service) for longer than `policyFailureGraceMs`. Every
 * other request goes to `pages` when given (the dashboard), else gets a 404.
 */
export function startStatusServer(options: {
  port: number;
  host?: string;
  registries: Registry[];
  metrics: ReconcilerMetrics;
  intervalMs: number;
  policyFailureGraceMs?: number;
  pages?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}): Promise<Server> {
  const started = Date.now();
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url === "/metrics") {
        const merged = Registry.merge(options.registries);
        res.writeHead(200, { "content-type": merged.contentType });
        res.end(await merged.metrics());
      } else if (req.url === "/healthz") {
        const last = (await options.metrics.lastTick.get()).values[0]?.value ?? 0;
        const reference = last > 0 ? last * 1000 : started;
        const ticking = Date.now() - reference < options.intervalMs * 3 + 60_000;
        const since = options.metrics.policyFailingSince;
        const grace = options.policyFailureGraceMs ?? DEFAULT_POLICY_FAILURE_GRACE_MS;
        const policyFailing = since !== undefined && Date.now() - since >= grace;
        const nothing = options.metrics.nothingToReconcile;
        res.writeHead(ticking && !policyFailing && nothing === undefined ? 200 : 503, {
          "content-type": "text/plain",
        });
        res.end(
          nothing !== undefined
            ? `${nothing}\n`
            : !ticking
              ? "no reconcile tick for too long\n"
              : policyFailing
                ? `the policy has failed (no decision) for ${Math.round((Date.now() - since!) / 1000)}s\n`
                : "ok\n",
        );
      } else if (options.pages) {
        await options.pages(req, res);
      } else {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found\n");
      }
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve(server));
  });
}
