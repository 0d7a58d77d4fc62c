/**
 * A reconciler process for the crash test: builds a Reconciler (the library, as the CLI does) over
 * its own clone of the remote, in a simulated world with a clock that moves only when a tick
 * completes, ticks until the wave it is given has settled, and SIGKILLs itself at one chosen moment.
 *
 *   node --import tsx test/support/reconcile/crash-child.ts CONFIG.json
 *
 * The clock's position lives in `stateFile` (written atomically after each completed tick), so a
 * restarted process runs the interrupted tick again at the same time, as a restarted reconciler
 * would. The simulated cluster does not survive a kill (a real one would): on start it is rebuilt
 * from the remote head, before any kill point is armed.
 *
 * Exit 0 with a JSON summary on stdout when the wave settled; exit 3 when `maxTicks` ran out.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { ClusterApplier } from "../../../src/cluster/types.ts";
import { GitRepo, type GitopsPoint } from "../../../src/gitops/index.ts";
import { Reconciler } from "../../../src/reconcile/reconciler.ts";
import { SimulatedWorld } from "../../../src/reconcile/simulation.ts";
import type { TelemetrySource } from "../../../src/telemetry/source.ts";
import { rebuildCluster } from "./cluster-from-git.ts";
import { quietLogger, sharedPolicies } from "./remote-fleet.ts";

/** Moments of a tick outside gitops that a kill can hit. */
export type StagePoint =
  /** A telemetry read while deciding. */
  | "telemetry"
  /** A decision was pushed; the clusters are not applied yet. */
  | "published"
  /** One service was applied to the cluster (the next one not yet). */
  | "applied"
  /** The tick completed; its progress is not recorded yet, so it runs again. */
  | "tick-done";

export type KillPoint = GitopsPoint | StagePoint;

export interface CrashRunConfig {
  url: string;
  /** This reconciler's clone; it survives restarts. */
  workdir: string;
  stateFile: string;
  /** Time of tick 0 (ISO). */
  start: string;
  tickSeconds: number;
  environment: string;
  /** The wave being rolled out: service → the digest whose rollout must end. */
  wave: Record<string, string>;
  /** Digests that misbehave in the simulation. */
  broken: string[];
  seed: number;
  /** Die at the `occurrence`-th time this point is reached (counted from this process's start). */
  killAt?: { point: KillPoint; occurrence: number };
  maxTicks: number;
}

export interface CrashRunSummary {
  settled: boolean;
  ticks: number;
  head: string | null;
  decisions: string[];
  /** What the simulated cluster runs per service when the run ends. */
  deployed: Record<string, { stableDigest: string; canaryDigest?: string; canaryWeight: number } | null>;
}

const BROKEN = { errorRateAdd: 0.25 };

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as CrashRunConfig;
  const counts = new Map<KillPoint, number>();
  let armed = false;
  const reach = (point: KillPoint): void => {
    if (!armed || config.killAt?.point !== point) return;
    const n = (counts.get(point) ?? 0) + 1;
    counts.set(point, n);
    if (n === config.killAt.occurrence) process.kill(process.pid, "SIGKILL");
  };

  let tick = readTick(config.stateFile);
  const now = () => new Date(Date.parse(config.start) + tick * config.tickSeconds * 1000);
  const repo = await GitRepo.openOrClone(config.workdir, {
    clock: now,
    identity: { name: "tollgate", email: "tollgate@example.com" },
    remote: { url: config.url },
    hooks: { at: (point) => reach(point) },
  });
  const world = new SimulatedWorld({ seed: config.seed });
  for (const digest of config.broken) world.behaviour.set(digest, BROKEN);
  await rebuildCluster(repo, world);

  const watched = new Map<string, TelemetrySource>();
  const telemetry = async (environment: Parameters<SimulatedWorld["telemetry"]>[0]): Promise<TelemetrySource> => {
    let source = watched.get(environment.name);
    if (!source) {
      const inner = world.telemetry(environment);
      source = {
        kind: inner.kind,
        interval: inner.interval,
        fetch: (request, options) => {
          reach("telemetry");
          return inner.fetch(request, options);
        },
      };
      watched.set(environment.name, source);
    }
    return source;
  };
  const applier: ClusterApplier = {
    apply: async (request) => {
      const result = await world.cluster.apply(request);
      reach("applied");
      return result;
    },
  };
  const reconciler = new Reconciler({
    repo,
    policies: sharedPolicies,
    telemetry,
    clusters: () => applier,
    clock: now,
    logger: quietLogger,
    environment: config.environment,
    concurrency: 2,
    retry: { backoffMs: 10, maxBackoffMs: 100 },
    onDecision: () => reach("published"),
  });

  armed = true;
  const decisions: string[] = [];
  let settled = false;
  let ran = 0;
  for (; ran < config.maxTicks && !settled; ran++) {
    const result = await reconciler.tick();
    if (result.errors.length > 0 || result.problems.length > 0)
      throw new Error(`tick ${tick}: ${JSON.stringify([...result.errors, ...result.problems])}`);
    decisions.push(...result.decisions.map((d) => `${d.change.service}:${d.change.action}`));
    reach("tick-done");
    settled = result.head !== null && (await waveSettled(repo, result.head, config));
    tick++;
    writeTick(config.stateFile, tick);
  }
  const deployed: CrashRunSummary["deployed"] = {};
  for (const service of Object.keys(config.wave))
    deployed[service] = world.cluster.deployedVersions(config.environment, service) ?? null;
  const summary: CrashRunSummary = { settled, ticks: ran, head: await repo.head(), decisions, deployed };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = settled ? 0 : 3;
}

async function waveSettled(repo: GitRepo, head: string, config: CrashRunConfig): Promise<boolean> {
  const { state } = await repo.stateAt(head);
  const env = state.environments.get(config.environment);
  if (!env) return false;
  return Object.entries(config.wave).every(([service, digest]) => {
    const status = env.statuses.get(service);
    const ended = status?.liveDigest === digest || (status?.rejected ?? []).some((r) => r.digest === digest);
    return (
      ended && status?.phase !== "progressing" && status?.liveDigest === env.releases.get(service)?.artifact.digest
    );
  });
}

function readTick(file: string): number {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { tick: number }).tick;
  } catch {
    return 0;
  }
}

function writeTick(file: string, tick: number): void {
  writeFileSync(`${file}.tmp`, JSON.stringify({ tick }));
  renameSync(`${file}.tmp`, file);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
