/**
 * The repository bench:reconcile measures: one environment of N services, file telemetry (one
 * recorded scenario replayed for every service), every service live at version 1 with version 2
 * proposed. Built with the git CLI (the bench may use it; src/ never does).
 */
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeScenarioFile } from "../../src/telemetry/scenario-file.ts";
import { simulateStage } from "../../src/telemetry/simulated/generator.ts";
import { serviceNames, writeFleet, writeReleases } from "../../test/support/reconcile/fleet.ts";

export const SCENARIO = "telemetry/canary.ndjson";
export const INTERVAL = 10;

export interface PreparedFleet {
  /** The work tree the repository was made in (it also holds the telemetry scenario). */
  dir: string;
  /** Files in the commit the ticks start from. */
  files: number;
}

/** Writes the fleet repository in `dir` (a checkout on branch `main`) and returns it. */
/** `apply`: how the fleet's one cluster is made to run what git says (gitops: rendered into clusters/). */
export async function prepareFleet(
  dir: string,
  size: number,
  apply: "direct" | "gitops" = "direct",
): Promise<PreparedFleet> {
  const services = serviceNames(size);
  await writeFleet(dir, {
    services,
    clusters: [{ name: "sim-1", namespace: "agents", apply: { mode: apply } }],
    telemetry: {
      source: "file",
      interval: `${INTERVAL}s`,
      missingGrace: "1m",
      missingLimit: "5m",
      file: { path: SCENARIO },
    },
    steps: [
      { weight: 20, minDuration: "20s", maxDuration: "30s" },
      { weight: 100, minDuration: "20s", maxDuration: "30s" },
    ],
  });
  await mkdir(join(dir, "telemetry"), { recursive: true });
  const stage = simulateStage({
    seed: 3,
    scenario: "bench",
    interval: INTERVAL,
    horizon: 600,
    canaryPercent: 20,
    baselineTraffic: "remainder",
    world: { serviceRatePerSecond: 100 },
  });
  await writeScenarioFile(
    join(dir, SCENARIO),
    { scenario: "bench", interval: INTERVAL, analysisStart: INTERVAL, horizon: 600 },
    (function* () {
      for (const interval of stage) yield* interval.records;
    })(),
  );
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      maxBuffer: 1 << 28,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Bench",
        GIT_AUTHOR_EMAIL: "bench@example.com",
        GIT_COMMITTER_NAME: "Bench",
        GIT_COMMITTER_EMAIL: "bench@example.com",
      },
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "Seed");
  await writeReleases(dir, services, 2);
  git("commit", "-q", "-a", "-m", "Release version 2 of every service");
  return { dir, files: git("ls-files").split("\n").length - 1 };
}
