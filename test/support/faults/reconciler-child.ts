/**
 * The looping reconciler of the fault suite, as a process the suite can SIGKILL: the library's
 * Reconciler and runLoop (what `tollgate reconcile --interval` runs) over its own durable clone of
 * the git remote, reading a real Prometheus through the environment's telemetry settings, applying
 * to a simulated cluster (rebuilt from git on start, as a real one would have kept running).
 *
 *   node --import tsx test/support/faults/reconciler-child.ts CONFIG.json
 *
 * Faults the suite switches on through files in `control` (read at every use, so they act at once):
 * - `clock-offset`: milliseconds added to this process's clock (a clock that jumped);
 * - `disk`: `EIO` or `ENOSPC`: every file opened for writing under the clone's objects/ fails so;
 * - `evidence-cap`: the evidence cap in bytes (a full evidence cap).
 * Every tick is appended to `log` as one JSON line (TickLine): when it started and ended, the clock
 * offset it ran with, its errors, the decisions it published, the disk faults it met and what its
 * telemetry fetches saw; a tick that threw is a `tick-failed` line, and each process start a `start` line.
 */
import { appendFileSync, promises as fsp, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pino from "pino";
import { GitRepo } from "../../../src/gitops/index.ts";
import type { Environment } from "../../../src/model/index.ts";
import { PolicyAtHead, PolicyLoader } from "../../../src/policy/index.ts";
import {
  Reconciler,
  ReconcilerMetrics,
  runLoop,
  SimulatedWorld,
  type TickResult,
} from "../../../src/reconcile/index.ts";
import { createTelemetrySource, type TelemetrySource } from "../../../src/telemetry/index.ts";
import { rebuildCluster } from "../reconcile/cluster-from-git.ts";

export interface FaultChildConfig {
  url: string;
  workdir: string;
  control: string;
  log: string;
  intervalMs: number;
}

/** A decision a tick reported as published. */
export interface TickDecision {
  service: string;
  action: string;
  step: number | undefined;
  commit: string;
  key: string;
}

/** What one tick's telemetry fetches saw, per service (the last fetch of the tick wins). */
export interface TickTelemetry {
  /** Problem causes reported by the source (unreachable, timeout, http-error, non-finite, gap...). */
  causes: string[];
  /** The window held no interval with requests for one of the arms: the reconciler was blind. */
  blind: boolean;
}

interface TickCommon {
  pid: number;
  /** When the tick started and ended (this process's real clock, ms). */
  started: number;
  at: number;
  /** The clock offset in force when the tick started (ms). */
  offset: number;
  /** Object writes the injected disk fault failed during the tick. */
  diskFaults: number;
  telemetry: Record<string, TickTelemetry>;
}

export type TickLine =
  | ({ event: "tick"; errors: string[]; decisions: TickDecision[] } & TickCommon)
  | ({ event: "tick-failed"; error: string } & TickCommon)
  | { event: "start"; pid: number; at: number };

const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as FaultChildConfig;
const control = (name: string): string => {
  try {
    return readFileSync(join(config.control, name), "utf8").trim();
  } catch {
    return "";
  }
};
const clockOffset = () => Number(control("clock-offset") || 0);
const clock = () => new Date(Date.now() + clockOffset());

/** What the tick under way has met so far; a new one starts with every tick. */
let current: TickCommon = newTick();

function newTick(): TickCommon {
  return { pid: process.pid, started: Date.now(), at: 0, offset: clockOffset(), diskFaults: 0, telemetry: {} };
}

injectDiskFaults(resolve(config.workdir, ".git", "objects"), () => control("disk"));

function append(line: TickLine): void {
  appendFileSync(config.log, `${JSON.stringify(line)}\n`);
}

class LoggedMetrics extends ReconcilerMetrics {
  override record(result: TickResult): void {
    super.record(result);
    append({
      event: "tick",
      ...current,
      at: Date.now(),
      errors: result.errors.map((e) => `${e.environment}/${e.service}: ${e.message}`),
      decisions: result.decisions.map((d) => ({
        service: d.change.service,
        action: d.change.action,
        step: d.change.step,
        commit: d.commit,
        key: d.idempotencyKey,
      })),
    });
  }
}

/** The source, noting for the tick under way what each fetch saw. */
function observed(source: TelemetrySource): TelemetrySource {
  return {
    kind: source.kind,
    interval: source.interval,
    fetch: async (request, options) => {
      const window = await source.fetch(request, options);
      const seen = (arm: string) => window.records.some((r) => r.arm === arm && (r.requests ?? 0) > 0);
      current.telemetry[request.service] = {
        causes: [...new Set(window.problems.map((p) => p.cause))].sort(),
        blind: !seen("canary") || !seen("baseline"),
      };
      return window;
    },
  };
}

async function main(): Promise<void> {
  append({ event: "start", pid: process.pid, at: Date.now() });
  const repo = await GitRepo.openOrClone(config.workdir, {
    clock,
    durable: true,
    identity: { name: "tollgate", email: "tollgate@example.com" },
    remote: { url: config.url },
  });
  // The evidence cap is read where a decision is written: a getter lets the suite fill it up.
  Object.defineProperty(repo, "maxEvidenceBytes", {
    get: () => (control("evidence-cap") ? Number(control("evidence-cap")) : undefined),
  });
  const world = new SimulatedWorld({ seed: 5 });
  await rebuildCluster(repo, world);
  const logger = pino({ level: "error", base: null, timestamp: false }, { write: (text: string) => logFailure(text) });
  const sources = new Map<string, Promise<TelemetrySource>>();
  const reconciler = new Reconciler({
    repo,
    policies: new PolicyAtHead(new PolicyLoader()),
    telemetry: (environment: Environment) => {
      let source = sources.get(environment.name);
      if (!source) {
        source = createTelemetrySource(environment, { root: config.workdir, env: process.env, logger }).then(observed);
        sources.set(environment.name, source);
      }
      return source;
    },
    clusters: () => world.cluster,
    clock,
    logger,
    retry: { backoffMs: 50, maxBackoffMs: 500 },
  });
  const tick = reconciler.tick.bind(reconciler);
  reconciler.tick = () => {
    current = newTick();
    return tick();
  };
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  await runLoop({
    reconciler,
    intervalMs: config.intervalMs,
    metrics: new LoggedMetrics(),
    logger,
    signal: controller.signal,
  });
}

/** runLoop logs a tick that threw as `tick-failed`; that is the line the suite needs. */
function logFailure(text: string): void {
  const entry = JSON.parse(text) as { event?: string; err?: { message?: string }; msg?: string };
  if (entry.event !== "tick-failed") return;
  append({ event: "tick-failed", ...current, at: Date.now(), error: entry.err?.message ?? entry.msg ?? "" });
}

/**
 * Opening a file for writing under `objects` fails with the code `fault()` names (EIO, ENOSPC), as
 * a failing or full disk would make it: every object, pack and index write of git goes through it.
 */
function injectDiskFaults(objects: string, fault: () => string): void {
  const open = fsp.open;
  fsp.open = (async (...args: Parameters<typeof open>) => {
    const [path, flags] = args;
    const code = fault();
    const writing = typeof flags === "string" && /[wa+]/.test(flags);
    if (code && writing && resolve(String(path)).startsWith(objects)) {
      current.diskFaults++;
      const message = code === "ENOSPC" ? "no space left on device" : "i/o error";
      throw Object.assign(new Error(`${code}: ${message}, open '${String(path)}'`), {
        code,
        syscall: "open",
        path: String(path),
      });
    }
    return open(...args);
  }) as typeof open;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
