/**
 * evals: eval tools' result files, normalised into one EvalRun, and the eval attestation a run
 * makes.
 *
 * - readPromptfooResults: promptfoo's JSON output (`promptfoo eval --output results.json`): pass
 *   rate, mean score, named scores, cost, latency, the judge model.
 * - evalAttestation: the release file's attestation of a run (score = pass rate).
 */
export { type EvalAttestationFacts, evalAttestation } from "./attestation.ts";
export { readPromptfooResults } from "./promptfoo.ts";
export type { EvalRun } from "./types.ts";
