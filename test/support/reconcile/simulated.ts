/**
 * A Reconciler over a local repository with the simulated world (cluster and telemetry) and an
 * injected clock: what the end-to-end reconciler, status, prune and audit tests start from.
 */
import pino, { type Logger } from "pino";
import type { ClusterApplier, EngineStatusSource } from "../../../src/cluster/index.ts";
import type { DecisionCore } from "../../../src/decision/decide.ts";
import { type CommitSigner, GitRepo, type GitopsHooks } from "../../../src/gitops/index.ts";
import { PolicyLoader } from "../../../src/policy/loader.ts";
import { PolicyAtHead } from "../../../src/policy/cache.ts";
import type { ServiceObservation } from "../../../src/reconcile/decide-service.ts";
import { Reconciler } from "../../../src/reconcile/reconciler.ts";
import { SimulatedWorld } from "../../../src/reconcile/simulation.ts";

export const SIMULATION_START = new Date("2026-11-24T10:00:00Z");

const sharedPolicies = new PolicyAtHead(new PolicyLoader());

export interface SimulatedReconciler {
  gitRepo: GitRepo;
  world: SimulatedWorld;
  reconciler: Reconciler;
  now(): Date;
  /** Moves the clock on. */
  advance(seconds: number): void;
}

export async function simulatedReconciler(
  dir: string,
  options: {
    environment?: string;
    service?: string;
    logger?: Logger;
    loader?: PolicyLoader;
    start?: Date;
    maxEvidenceBytes?: number;
    hooks?: GitopsHooks;
    durable?: boolean;
    /** Signs the decision commits. */
    sign?: CommitSigner;
    onObservation?: (observation: ServiceObservation) => void;
    core?: DecisionCore;
    /** Reads the gitops clusters' Argo CD / Flux objects. */
    engines?: EngineStatusSource;
    /** What the reconciler applies to (default the world's cluster). */
    clusters?: (world: SimulatedWorld) => ClusterApplier;
  } = {},
): Promise<SimulatedReconciler> {
  let now = options.start ?? SIMULATION_START;
  const world = new SimulatedWorld({ seed: 11 });
  const gitRepo = await GitRepo.open(dir, {
    clock: () => now,
    identity: { name: "tollgate", email: "tollgate@example.com" },
    ...(options.maxEvidenceBytes ? { maxEvidenceBytes: options.maxEvidenceBytes } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.durable ? { durable: true } : {}),
    ...(options.sign ? { sign: options.sign } : {}),
  });
  const reconciler = new Reconciler({
    repo: gitRepo,
    policies: options.loader ? new PolicyAtHead(options.loader) : sharedPolicies,
    telemetry: async (e) => world.telemetry(e),
    clusters: options.clusters
      ? (() => {
          const c = options.clusters!(world);
          return () => c;
        })()
      : () => world.cluster,
    clock: () => now,
    logger: options.logger ?? pino({ level: "silent" }),
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.service ? { service: options.service } : {}),
    ...(options.onObservation ? { onObservation: options.onObservation } : {}),
    ...(options.core ? { core: options.core } : {}),
    ...(options.engines ? { engines: options.engines } : {}),
  });
  return {
    gitRepo,
    world,
    reconciler,
    now: () => now,
    advance: (seconds) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}
