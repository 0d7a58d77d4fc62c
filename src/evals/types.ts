/** One eval run, normalised from an eval tool's result file. Rates and scores are in [0, 1]. */
export interface EvalRun {
  /** The tool whose output it was read from. */
  tool: "promptfoo";
  /** Cases run (test case × prompt × provider). */
  sampleSize: number;
  passed: number;
  /** Cases whose assertions failed. */
  failed: number;
  /** Cases whose call failed (no answer to grade). */
  errors: number;
  /** passed / sampleSize. */
  passRate: number;
  /** Mean of the cases' scores. */
  meanScore: number;
  /** Mean of each named score over the cases that have it. */
  namedScores: Record<string, number>;
  costUsd: number;
  latencyMeanMs?: number;
  latencyP95Ms?: number;
  /** The model that graded model-graded assertions, when the file names one. */
  judgeModel?: string;
}
