/**
 * A GitOps repository for reconciler reliability tests and benchmarks: one environment with any
 * number of services, each with a deterministic artifact per version, every service live and
 * promoted at version 1. Its rollout has the examples' shape, a canary step then the full weight,
 * in short steps (small worlds) so rollouts finish in a few simulated minutes.
 */
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { sealArtifact } from "../../../src/model/artifact-digest.ts";
import type {
  ClusterTarget,
  AnalysisSettings,
  Artifact,
  Budgets,
  Environment,
  Release,
  RolloutStep,
  Status,
} from "../../../src/model/types.ts";
import { PROJECT_ROOT } from "../tmp-repo.ts";

export const FLEET_ENV = "canary";

export interface FleetEnvironmentOptions {
  name?: string;
  steps?: RolloutStep[];
  /** Telemetry source; default simulated. */
  telemetry?: Environment["telemetry"];
  /** Least observation time of a whole rollout before it promotes; default 40s. */
  analysisMinDuration?: string;
  freezeAfterRollback?: string;
  /** Absolute backstops on the canary (e.g. an error-rate ceiling every canary breaks). */
  ceilings?: AnalysisSettings["ceilings"];
  /** The analysis's false-alarm rate per metric and rollout; default 0.1. */
  alpha?: number;
  /** Overrides of the (generous) default budgets, e.g. a deploy budget every canary overspends. */
  budgets?: Partial<Budgets>;
  /** The clusters; default one simulated cluster applied directly. */
  clusters?: ClusterTarget[];
}

/** A canary step, then full weight: a rollout is start → step 2 → promote (or a rollback on the way). */
export const SHORT_STEPS: RolloutStep[] = [
  { weight: 20, minDuration: "20s", maxDuration: "1m" },
  { weight: 100, minDuration: "20s", maxDuration: "1m" },
];

export function fleetEnvironment(options: FleetEnvironmentOptions = {}): Environment {
  return {
    apiVersion: "tollgate.dev/v1",
    kind: "Environment",
    name: options.name ?? FLEET_ENV,
    promotesFrom: null,
    protected: false,
    clusters: options.clusters ?? [{ name: "sim-1", namespace: "agents" }],
    telemetry: options.telemetry ?? {
      source: "simulated",
      interval: "10s",
      missingGrace: "1m",
      missingLimit: "5m",
      simulated: { seed: 7, requestsPerSecond: 100 },
    },
    rollout: { steps: options.steps ?? SHORT_STEPS, freezeAfterRollback: options.freezeAfterRollback ?? "10m" },
    analysis: {
      judge: "sequential",
      alpha: options.alpha ?? 0.1,
      minDuration: options.analysisMinDuration ?? "40s",
      metrics: { error_rate: { tolerance: 0.1 } },
      ...(options.ceilings ? { ceilings: options.ceilings } : {}),
    },
    budgets: {
      spendPerDeployUsd: 100000,
      maxCostPerTaskUsd: 0.2,
      costToleranceVsBaseline: 0.5,
      maxTaskRatePerMinute: 100000,
      ...options.budgets,
    },
    approvals: { required: 0, for: [] },
    governance: { minEvalScore: 0.8, requireEvalFor: [] },
  };
}

/** `svc-000`, `svc-001`, ... */
export function serviceNames(count: number, prefix = "svc"): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
}

/** The artifact of `service` at `version`: only the code part changes between versions. */
export function artifactOf(service: string, version: number): Artifact {
  const hex = (seed: string) =>
    sealArtifact({
      code: { image: seed, sourceCommit: "0".repeat(40) },
      model: { provider: "p", name: "m", snapshot: "1" },
      prompts: { digest: `sha256:${"0".repeat(64)}` },
      tools: { manifestDigest: `sha256:${"0".repeat(64)}`, allowed: [] },
      index: { buildId: "b", digest: `sha256:${"0".repeat(64)}` },
    }).digest.slice(7);
  return sealArtifact({
    code: {
      image: `registry.example/${service}@sha256:${hex(`${service}@${version}`)}`,
      sourceCommit: hex(`commit ${service}@${version}`).slice(0, 40),
    },
    model: { provider: "anthropic", name: "claude-sonnet-4-5", snapshot: "20250929" },
    prompts: { digest: `sha256:${"a".repeat(64)}` },
    tools: { manifestDigest: `sha256:${"b".repeat(64)}`, allowed: ["search_kb"] },
    index: { buildId: "kb-2026-11-01.1", digest: `sha256:${"c".repeat(64)}` },
  });
}

export function releaseOf(service: string, version: number, lastGood?: Artifact): Release {
  return {
    apiVersion: "tollgate.dev/v1",
    kind: "Release",
    service,
    artifact: artifactOf(service, version),
    ...(lastGood ? { lastGood } : {}),
  };
}

function promotedStatus(service: string, artifact: Artifact): Status {
  return {
    apiVersion: "tollgate.dev/v1",
    kind: "Status",
    service,
    phase: "promoted",
    liveDigest: artifact.digest,
    weight: 0,
    verified: [{ digest: artifact.digest, at: "2026-11-01T00:00:00Z" }],
  };
}

export function yamlText(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/**
 * A fast rollout for the race and crash tests: two short steps, a strict α, and a 10% error-rate
 * ceiling (the default 5% has no minimum sample: a healthy canary's first ~200 requests at 5.5%
 * trip it), so only the broken releases hit it; a rolled-back service takes the next wave after a
 * short freeze.
 */
export const FAST_ROLLOUT: FleetEnvironmentOptions = {
  steps: [
    { weight: 20, minDuration: "10s", maxDuration: "30s" },
    { weight: 100, minDuration: "10s", maxDuration: "30s" },
  ],
  analysisMinDuration: "20s",
  alpha: 0.01,
  ceilings: { errorRate: 0.1 },
  freezeAfterRollback: "30s",
};

export interface FleetOptions extends FleetEnvironmentOptions {
  services: readonly string[];
  /** Policies folder to copy; default this project's policies/. */
  policies?: string;
}

/**
 * Writes environments/<env>/{environment.yaml, releases/, status/} and policies/ into `dir`: every
 * service live and promoted at version 1.
 */
export async function writeFleet(dir: string, options: FleetOptions): Promise<void> {
  const env = fleetEnvironment(options);
  const base = join(dir, "environments", env.name);
  await mkdir(join(base, "releases"), { recursive: true });
  await mkdir(join(base, "status"), { recursive: true });
  await writeFile(join(base, "environment.yaml"), yamlText(env));
  await Promise.all(
    options.services.map(async (service) => {
      const release = releaseOf(service, 1);
      await writeFile(join(base, "releases", `${service}.yaml`), yamlText(release));
      await writeFile(
        join(base, "status", `${service}.yaml`),
        `# Written by tollgate. Do not edit by hand.\n${yamlText(promotedStatus(service, release.artifact))}`,
      );
    }),
  );
  await cp(options.policies ?? join(PROJECT_ROOT, "policies"), join(dir, "policies"), { recursive: true });
}

/**
 * Proposes version `version` of each service in a work tree the way a person does: the release
 * file's current artifact (what runs once the previous rollout settled) becomes lastGood.
 */
export async function writeReleases(
  dir: string,
  services: readonly string[],
  version: number,
  env = FLEET_ENV,
): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      const path = join(dir, "environments", env, "releases", `${service}.yaml`);
      const current = parse(await readFile(path, "utf8")) as Release;
      await writeFile(path, yamlText(releaseOf(service, version, current.artifact)));
    }),
  );
}
