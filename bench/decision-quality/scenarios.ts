/**
 * The benchmark's scenario set: healthy canaries and one group per bad kind, each simulated with the
 * seeded generator, judged by every judge through `StageJudging` (the code path of `tollgate analyze`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { JudgeConfig } from "../../src/analysis/config.ts";
import type { Decision } from "../../src/analysis/decision.ts";
import { StageJudging } from "../../src/analysis/run.ts";
import type { IntervalRecord, ScenarioHeader } from "../../src/telemetry/records.ts";
import { ScenarioFileWriter } from "../../src/telemetry/scenario-file.ts";
import { DEFAULT_WORLD, TelemetrySimulation } from "../../src/telemetry/simulated/generator.ts";
import { type BehaviourProfile, PROFILES, type ProfileName } from "../../src/telemetry/simulated/profiles.ts";
import { Random } from "../../src/telemetry/simulated/random.ts";
import { FAMILIES, type Family } from "./families.ts";

export const INTERVAL = 10;
export const ANALYSIS_START = 60;
export const HORIZON = 1800;
export const CANARY_PERCENT = 10;
/** A missed bad canary is promoted and then serves 100% of traffic for 30 minutes. */
export function missPenaltyRequests(family: Family): number {
  return (family.world.serviceRatePerSecond ?? DEFAULT_WORLD.serviceRatePerSecond) * 1800;
}

export interface ScenarioSpec {
  id: string;
  kind: ProfileName;
  family: Family;
  /** Seconds after stage start at which the regression begins (0 for healthy canaries). */
  onset: number;
  /** The multiple of its step's share the canary really gets (1 unless the family breaks the split). */
  canaryTraffic: number;
}

export interface ScenarioOutcome {
  spec: ScenarioSpec;
  decisions: Decision[];
  /** Requests the canary really served by each judge's decision time... */
  canaryServed: number[];
  /** ...and by the regression's onset (delayed-onset kinds). */
  servedAtOnset?: number;
}

/**
 * The scenarios of one family. The standard family keeps the ids (and so the random draws) it has
 * always had; the others prefix theirs with the family's name. Onsets are drawn per scenario from
 * the seed and the id.
 */
export function scenarioSet(
  seed: number,
  healthy: number,
  perBad: number,
  badKinds: readonly ProfileName[],
  family: Family = FAMILIES[0]!,
): ScenarioSpec[] {
  const pad = (i: number) => String(i + 1).padStart(4, "0");
  const prefix = family.name === "standard" ? "" : `${family.name}.`;
  const specs: ScenarioSpec[] = [];
  const canaryTraffic = (id: string) =>
    family.canaryTraffic ? new Random(seed, `${id}/split`).logUniform(...family.canaryTraffic) : 1;
  for (let i = 0; i < healthy; i++) {
    const id = `${prefix}healthy-${pad(i)}`;
    specs.push({ id, kind: "healthy", family, onset: 0, canaryTraffic: canaryTraffic(id) });
  }
  for (const kind of badKinds) {
    for (let i = 0; i < perBad; i++) {
      const id = `${prefix}${kind.replace(/[^a-z0-9.+]+/gi, "-")}-${pad(i)}`;
      const onset = family.onset ? Math.round(new Random(seed, `${id}/onset`).between(...family.onset)) : 0;
      specs.push({ id, kind, family, onset, canaryTraffic: canaryTraffic(id) });
    }
  }
  return specs;
}

/** The canary's behaviour in a scenario: its kind's profile, beginning at the scenario's onset. */
export function canaryProfile(spec: ScenarioSpec): BehaviourProfile {
  const profile: BehaviourProfile = PROFILES[spec.kind];
  return spec.onset > 0 ? { ...profile, onset: spec.onset } : profile;
}

/**
 * Simulates one scenario and judges it. Generation stops as soon as every judge has decided, unless
 * the scenario is written to `writeDir` (then the whole stage is simulated and streamed to the file).
 */
export async function runScenario(
  seed: number,
  spec: ScenarioSpec,
  judges: readonly JudgeConfig[],
  writeDir?: string,
): Promise<ScenarioOutcome> {
  const sim = new TelemetrySimulation({
    seed,
    scenario: spec.id,
    canary: canaryProfile(spec),
    world:
      spec.canaryTraffic === 1 ? spec.family.world : { ...spec.family.world, canaryTrafficFactor: spec.canaryTraffic },
  });
  const header: ScenarioHeader = sim.header(spec.id, HORIZON, ANALYSIS_START);
  // A matched baseline: each arm gets the same share, so the canary should get half of their requests.
  const timing = { interval: INTERVAL, analysisStart: ANALYSIS_START, horizon: HORIZON, canaryShare: 0.5 };
  const stage = new StageJudging(timing, judges);
  const writer = writeDir ? await ScenarioFileWriter.create(join(writeDir, `${spec.id}.ndjson`), header) : undefined;
  const servedBy: number[] = [];
  let served = 0;
  try {
    while (sim.t + INTERVAL <= HORIZON && (writer || !stage.settled)) {
      const step = sim.next(CANARY_PERCENT);
      served += step.served.canary;
      servedBy.push(served);
      for (const r of step.records) {
        stage.push(r);
        if (writer) await writer.write(r as IntervalRecord);
      }
    }
    await writer?.close();
  } catch (error) {
    await writer?.abort();
    throw error;
  }
  const decisions = stage.end();
  const servedAt = (t: number) => servedBy[Math.min(servedBy.length, Math.round(t / INTERVAL)) - 1] ?? 0;
  const onset = canaryProfile(spec).onset ?? 0;
  return { spec, decisions, canaryServed: decisions.map((d) => servedAt(d.at)), servedAtOnset: servedAt(onset) };
}

/** Writes the ground truth next to written scenario files (never inside them). */
export async function writeLabels(dir: string, specs: readonly ScenarioSpec[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const labels = Object.fromEntries(specs.map((s) => [s.id, s.onset > 0 ? `${s.kind}@${s.onset}s` : s.kind]));
  await writeFile(join(dir, "labels.json"), `${JSON.stringify(labels, null, 1)}\n`);
}
