/** Scoring of the decision-quality benchmark (design page, "Scoring"). */
import { MATERIAL_KINDS } from "./families.ts";
import { missPenaltyRequests, type ScenarioOutcome } from "./scenarios.ts";

export interface JudgeScore {
  judge: string;
  healthy: number;
  bad: number;
  falseRollbackPct: number;
  /** Healthy canaries held for a person at the cap (neither promoted nor rolled back). */
  healthyHeldPct: number;
  detectionPct: number;
  /** Detection over the kinds at or above the material effect (families.ts, MATERIAL_KINDS). */
  materialDetectionPct: number;
  /** Bad canaries held for a person at the cap: not caught, not promoted either. */
  badHeldPct: number;
  /** Canaries promoted, healthy and bad alike (on a broken split, none should be). */
  promotedPct: number;
  /** Median decision time of the canaries held for a person, healthy and bad alike. */
  holdMedian: number | null;
  /** Seconds from the regression's onset to the rollback. */
  ttdMedian: number | null;
  ttdP90: number | null;
  /** Mean requests served by bad versions, a promoted miss charged the full-traffic penalty. */
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
  const held = (o: ScenarioOutcome) => decision(o).action === "hold";
  const timeToDecide = (o: ScenarioOutcome) => Math.max(0, decision(o).at - o.spec.onset);
  const served = (o: ScenarioOutcome) => o.canaryServed[judgeIndex]! - (o.servedAtOnset ?? 0);
  // A rollback before the onset caught nothing: it counts as a false alarm, not a detection.
  const detected = new Set(bad.filter((o) => rolledBack(o) && decision(o).at >= o.spec.onset));
  const ttd = [...detected].map(timeToDecide);
  // A held canary serves its step's traffic until a person acts; only a promoted miss is charged more.
  const exposure = bad.map(
    (o) => Math.max(0, served(o)) + (detected.has(o) || held(o) ? 0 : missPenaltyRequests(o.spec.family)),
  );
  const byKind: JudgeScore["byKind"] = {};
  for (const kind of new Set(bad.map((o) => o.spec.kind))) {
    const group = bad.filter((o) => o.spec.kind === kind);
    const hits = group.filter((o) => detected.has(o));
    byKind[kind] = {
      n: group.length,
      detectionPct: pct(hits.length, group.length),
      ttdMedian: quantile(hits.map(timeToDecide), 0.5),
    };
  }
  const material = bad.filter((o) => MATERIAL_KINDS.has(o.spec.kind));
  return {
    judge: name,
    healthy: healthy.length,
    bad: bad.length,
    falseRollbackPct: pct(healthy.filter(rolledBack).length, healthy.length),
    healthyHeldPct: pct(healthy.filter(held).length, healthy.length),
    detectionPct: pct(detected.size, bad.length),
    materialDetectionPct: pct(material.filter((o) => detected.has(o)).length, material.length),
    badHeldPct: pct(bad.filter(held).length, bad.length),
    promotedPct: pct(outcomes.filter((o) => decision(o).action === "promote").length, outcomes.length),
    holdMedian: quantile(
      outcomes.filter(held).map((o) => decision(o).at),
      0.5,
    ),
    ttdMedian: quantile(ttd, 0.5),
    ttdP90: quantile(ttd, 0.9),
    exposureMean: exposure.length ? exposure.reduce((a, b) => a + b, 0) / exposure.length : 0,
    canaryExposureMedian: quantile([...detected].map(served), 0.5),
    healthyPromoteMedian: quantile(
      healthy.filter((o) => decision(o).action === "promote").map((o) => decision(o).at),
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
