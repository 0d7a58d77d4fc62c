import type { Attestation, Digest } from "../model/index.ts";
import type { EvalRun } from "./types.ts";

export interface EvalAttestationFacts {
  digest: Digest;
  suite: string;
  /** Who ran it (the eval runner's name). */
  by: string;
  at: string;
  /** The least pass rate at which the suite passes (default 1: every case). */
  minPassRate?: number;
}

/**
 * An eval attestation of a run: the score the gate compares with `minEvalScore` is the pass rate;
 * the run passes at `minPassRate`. The other figures go to `metrics` (named scores as `score.<name>`).
 */
export function evalAttestation(run: EvalRun, facts: EvalAttestationFacts): Attestation {
  const metrics: Record<string, number> = {
    passRate: round(run.passRate),
    meanScore: round(run.meanScore),
    failed: run.failed,
    errors: run.errors,
    costUsd: round(run.costUsd),
    ...(run.latencyMeanMs !== undefined ? { latencyMeanMs: round(run.latencyMeanMs) } : {}),
    ...(run.latencyP95Ms !== undefined ? { latencyP95Ms: round(run.latencyP95Ms) } : {}),
    ...Object.fromEntries(Object.entries(run.namedScores).map(([name, v]) => [`score.${name}`, round(v)])),
  };
  return {
    kind: "eval",
    digest: facts.digest,
    suite: facts.suite,
    score: round(run.passRate),
    pass: run.passRate >= (facts.minPassRate ?? 1),
    by: facts.by,
    at: facts.at,
    sampleSize: run.sampleSize,
    ...(run.judgeModel ? { judgeModel: run.judgeModel } : {}),
    metrics,
  };
}

/** Six significant decimals: what a release file needs, and the same number after a YAML round trip. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
