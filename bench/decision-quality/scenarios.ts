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
import { TelemetrySimulation } from "../../src/telemetry/simulated/generator.ts";
import { PROFILES, type ProfileName } from "../../src/telemetry/simulated/profiles.ts";

export const INTERVAL = 10;
export const ANALYSIS_START = 60;
export const HORIZON = 1800;
export const CANARY_PERCENT = 10;
/** A missed bad canary is promoted and then serves 100% of traffic for 30 minutes. */
export const MISS_PENALTY_REQUESTS = 200 * 1800;

export interface ScenarioSpec {
  id: string;
  kind: ProfileName;
}

export interface ScenarioOutcome {
  spec: ScenarioSpec;
  decisions: Decision[];
  /** Requests the canary really served by each judge's decision time... */
  canaryServed: number[];
  /** ...and by the regression's onset (delayed-onset kinds). */
  servedAtOnset?: number;
}

export function scenarioSet(healthy: number, perBad: number, badKinds: readonly ProfileName[]): ScenarioSpec[] {
  const pad = (i: number) => String(i + 1).padStart(4, "0");
  const specs: ScenarioSpec[] = [];
  for (let i = 0; i < healthy; i++) specs.push({ id: `healthy-${pad(i)}`, kind: "healthy" });
  for (const kind of badKinds) {
    for (let i = 0; i < perBad; i++) specs.push({ id: `${kind.replace(/[^a-z0-9.+]+/gi, "-")}-${pad(i)}`, kind });
  }
  return specs;
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
  const sim = new TelemetrySimulation({ seed, scenario: spec.id, canary: PROFILES[spec.kind] });
  const header: ScenarioHeader = sim.header(spec.id, HORIZON, ANALYSIS_START);
  const stage = new StageJudging({ interval: INTERVAL, analysisStart: ANALYSIS_START, horizon: HORIZON }, judges);
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
  const onset = (PROFILES[spec.kind] as { onset?: number }).onset ?? 0;
  return { spec, decisions, canaryServed: decisions.map((d) => servedAt(d.at)), servedAtOnset: servedAt(onset) };
}

/** Writes the ground truth next to written scenario files (never inside them). */
export async function writeLabels(dir: string, specs: readonly ScenarioSpec[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const labels = Object.fromEntries(specs.map((s) => [s.id, s.kind]));
  await writeFile(join(dir, "labels.json"), `${JSON.stringify(labels, null, 1)}\n`);
}
