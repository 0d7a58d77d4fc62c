/** Scoring of the decision-quality benchmark (design page, "Scoring"). */
import { PROFILES, type ProfileName } from "../../src/telemetry/simulated/profiles.ts";
import { MISS_PENALTY_REQUESTS, type ScenarioOutcome } from "./scenarios.ts";

export interface JudgeScore {
  judge: string;
  healthy: number;
  bad: number;
  falseRollbackPct: number;
  detectionPct: number;
  ttdMedian: number | null;
  ttdP90: number | null;
  /** Mean requests served by bad versions, a miss charged the full-traffic penalty. */
  exposureMean: number;
  /** Median over detected bad canaries, no penalty. */
  canaryExposureMedian: number | null;
  healthyPromoteMedian: number | null;
  byKind: Record<string, { n: number; detectionPct: number; ttdMedian: number | null }>;
}

export function scoreJudge(judgeIndex: number, name: string, outcomes: readonly ScenarioOutcome[]): JudgeScore {
  const healthy = outcomes.filter((o) => o.spec.kind === "healthy");
  const bad = outcomes.filter((o) => o.spec.kind !== "healthy");
  const decision = (o: ScenarioOutcome) => o.decisions[judgeIndex]!;
  const rolledBack = (o: ScenarioOutcome) => decision(o).action === "rollback";
  // Time and requests count from the regression's onset (deploy for the standard kinds).
  const onset = (o: ScenarioOutcome) => (PROFILES[o.spec.kind] as { onset?: number }).onset ?? 0;
  const timeToDecide = (o: ScenarioOutcome) => Math.max(0, decision(o).at - onset(o));
  const served = (o: ScenarioOutcome) => o.canaryServed[judgeIndex]! - (o.servedAtOnset ?? 0);
  // A rollback before the onset caught nothing: it counts as a false alarm, not a detection.
  const detected = bad.filter((o) => rolledBack(o) && decision(o).at >= onset(o));
  const ttd = detected.map(timeToDecide);
  const exposure = bad.map((o) => Math.max(0, served(o)) + (detected.includes(o) ? 0 : MISS_PENALTY_REQUESTS));
  const byKind: JudgeScore["byKind"] = {};
  const kinds = [...new Set(bad.map((o) => o.spec.kind))] as ProfileName[];
  for (const kind of kinds) {
    const group = bad.filter((o) => o.spec.kind === kind);
    const hits = group.filter((o) => detected.includes(o));
    byKind[kind] = {
      n: group.length,
      detectionPct: pct(hits.length, group.length),
      ttdMedian: quantile(hits.map(timeToDecide), 0.5),
    };
  }
  return {
    judge: name,
    healthy: healthy.length,
    bad: bad.length,
    falseRollbackPct: pct(healthy.filter(rolledBack).length, healthy.length),
    detectionPct: pct(detected.length, bad.length),
    ttdMedian: quantile(ttd, 0.5),
    ttdP90: quantile(ttd, 0.9),
    exposureMean: exposure.length ? exposure.reduce((a, b) => a + b, 0) / exposure.length : 0,
    canaryExposureMedian: quantile(detected.map(served), 0.5),
    healthyPromoteMedian: quantile(
      healthy.filter((o) => !rolledBack(o)).map((o) => decision(o).at),
      0.5,
    ),
    byKind,
  };
}

function pct(part: number, whole: number): number {
  return whole === 0 ? Number.NaN : (100 * part) / whole;
}

/** Quantile with linear interpolation between order statistics (type 7); null when empty. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
