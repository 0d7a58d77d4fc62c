/**
 * One measurement of bench:reconcile, in a process of its own (so its peak memory is the ticks'
 * alone): a reconciler on the prepared fleet repository runs
 *  - start:   one tick that starts N rollouts (N decision commits, no telemetry needed);
 *  - step:    one tick, 30 s later, that reads telemetry, analyses and advances all N (N commits);
 *  - observe: one tick, 10 s later, that reads and analyses all N and decides nothing (no commit).
 * Each tick is split into phases by the gitops write points, in wall and CPU time. Prints one JSON
 * line (TickRun) on stdout.
 *
 *   node --import tsx bench/support/reconcile-ticks.ts '<TickRequest as JSON>'
 */
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import pino from "pino";
import { SimulatedCluster } from "../../src/cluster/simulated/cluster.ts";
import { GitRepo, type GitRepoOptions } from "../../src/gitops/index.ts";
import type { Environment } from "../../src/model/types.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { PolicyAtHead } from "../../src/policy/cache.ts";
import { Reconciler, type TickResult } from "../../src/reconcile/reconciler.ts";
import { createTelemetrySource } from "../../src/telemetry/factory.ts";
import type { TelemetrySource } from "../../src/telemetry/source.ts";
import { INTERVAL } from "./reconcile-fleet.ts";

export interface TickRequest {
  /** How many services the fleet has (each tick but observe decides for all of them). */
  services: number;
  /** The fleet's work tree: telemetry files are read from here. */
  fleet: string;
  /** The repository the reconciler opens (bare, or the work tree itself with a checkout)... */
  repository?: string;
  /** ...or the remote URL it clones into `clone`. */
  remote?: { url: string; clone: string };
  durable: boolean;
  concurrency: number;
  /** Write a CPU profile of this tick into `profileDir`. */
  profile?: { tick: TickName; dir: string };
}

export type TickName = "start" | "step" | "observe";

export interface Phase {
  ms: number;
  /** CPU time of the process (user + system) during the tick. */
  cpuMs: number;
  decisions: number;
  /** Up to the first decision commit being written: loading the state, telemetry, analysis, policy. */
  decideMs: number;
  decideCpuMs: number;
  /** Writing the decision commits (evidence, status, trees, commit, pack) and moving the branch. */
  commitMs: number;
  commitCpuMs: number;
  /** With a remote: publishing the commits (push with lease); else 0. */
  pushMs: number;
  pushCpuMs: number;
  /** After the branch moved (or, without a commit, from the first service applied): applying every service. */
  applyMs: number;
  applyCpuMs: number;
}

export interface TickRun {
  start: Phase;
  step: Phase;
  observe: Phase;
  /** Peak resident set of this process (KiB), warm-up included. */
  maxRssKiB: number;
  /** Resident set before the first tick (KiB): the process, the compiled policy, nothing of the fleet yet. */
  baseRssKiB: number;
}

const request = JSON.parse(process.argv[2]!) as TickRequest;

interface Mark {
  wall: number;
  cpu: number;
}
const mark = (): Mark => {
  const cpu = process.cpuUsage();
  return { wall: performance.now(), cpu: (cpu.user + cpu.system) / 1000 };
};
const marks: { firstWrite?: Mark; refUpdated?: Mark; pushed?: Mark; firstApply?: Mark } = {};

let now = new Date("2026-11-24T10:00:00Z");
const clock = () => now;
const options: GitRepoOptions = {
  clock,
  durable: request.durable,
  identity: { name: "tollgate", email: "tollgate@example.com" },
  hooks: {
    at: (point) => {
      if (point === "evidence-written") marks.firstWrite ??= mark();
      if (point === "ref-updated") marks.refUpdated = mark();
      if (point === "pushed") marks.pushed = mark();
    },
  },
};
const repo = request.remote
  ? await GitRepo.clone(request.remote.clone, { ...options, remote: { url: request.remote.url } })
  : await GitRepo.open(request.repository!, options);
const cluster = new SimulatedCluster();
const sources = new Map<string, Promise<TelemetrySource>>();
const policies = new PolicyAtHead(new PolicyLoader());
const reconciler = new Reconciler({
  repo,
  policies,
  telemetry: (environment: Environment) => {
    let source = sources.get(environment.name);
    if (!source) {
      source = createTelemetrySource(environment, { root: request.fleet, env: process.env });
      sources.set(environment.name, source);
    }
    return source;
  },
  clusters: () => ({
    apply: (applied) => {
      marks.firstApply ??= mark();
      return cluster.apply(applied);
    },
  }),
  clock,
  logger: pino({ level: "silent" }),
  concurrency: request.concurrency,
});
// Warm-up outside the measurement: the policy compile (once per process).
await policies.load(repo.treeAt((await repo.head())!));
const baseRssKiB = Math.round(process.memoryUsage.rss() / 1024);

async function tick(name: TickName, expected: number): Promise<Phase> {
  delete marks.firstWrite;
  delete marks.refUpdated;
  delete marks.pushed;
  delete marks.firstApply;
  const session = request.profile?.tick === name ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const started = mark();
  const result = check(await reconciler.tick(), expected, name);
  const ended = mark();
  if (session) {
    const { profile } = await session.post("Profiler.stop");
    await writeFile(join(request.profile!.dir, `reconcile-${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  // Apply begins with loading the new head, just before the first service is applied.
  const committed = marks.refUpdated ?? marks.firstApply ?? ended;
  const applying = marks.pushed ?? committed;
  const decided = marks.firstWrite ?? committed;
  return {
    ms: ended.wall - started.wall,
    cpuMs: ended.cpu - started.cpu,
    decisions: result.decisions.length,
    decideMs: decided.wall - started.wall,
    decideCpuMs: decided.cpu - started.cpu,
    commitMs: committed.wall - decided.wall,
    commitCpuMs: committed.cpu - decided.cpu,
    pushMs: applying.wall - committed.wall,
    pushCpuMs: applying.cpu - committed.cpu,
    applyMs: ended.wall - applying.wall,
    applyCpuMs: ended.cpu - applying.cpu,
  };
}

function check(result: TickResult, expected: number, what: string): TickResult {
  if (result.errors.length > 0 || result.conflict)
    throw new Error(`${what}: ${JSON.stringify(result.errors[0] ?? "conflict")}`);
  if (result.problems.length > 0) throw new Error(`${what}: ${JSON.stringify(result.problems[0])}`);
  if (result.decisions.length !== expected)
    throw new Error(`${what}: expected ${expected} decisions, got ${result.decisions.length}`);
  return result;
}

const start = await tick("start", request.services);
now = new Date(now.getTime() + 30_000);
const step = await tick("step", request.services);
now = new Date(now.getTime() + INTERVAL * 1000);
const observe = await tick("observe", 0);
const run: TickRun = { start, step, observe, maxRssKiB: process.resourceUsage().maxRSS, baseRssKiB };
process.stdout.write(`${JSON.stringify(run)}\n`);
