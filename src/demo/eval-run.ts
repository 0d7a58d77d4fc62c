/**
 * The eval runner's part in the demo: a promptfoo run of the support suite against an artifact,
 * written as promptfoo writes its JSON output (`promptfoo eval --output results.json`), so that
 * `tollgate attest` reads it as it would a real one. No model is called: the cases' outcomes are given.
 */
import { writeFile } from "node:fs/promises";

/** Writes a run of `cases` cases of which `passed` pass to `file`. */
export async function writePromptfooRun(file: string, cases: number, passed: number): Promise<void> {
  const results = Array.from({ length: cases }, (_, i) => {
    const ok = i < passed;
    return {
      promptIdx: 0,
      testIdx: i,
      provider: { id: "anthropic:messages:claude-sonnet-4-5", label: "support-agent" },
      vars: { ticket: `golden-${String(i + 1).padStart(3, "0")}` },
      success: ok,
      score: ok ? 1 : 0.35,
      latencyMs: 700 + ((i * 137) % 900),
      cost: 0.0024,
      namedScores: { helpfulness: ok ? 0.92 : 0.4, "policy-compliance": ok ? 1 : 0 },
      gradingResult: {
        pass: ok,
        score: ok ? 1 : 0.35,
        reason: ok ? "All assertions passed" : "Promised a refund outside policy",
      },
    };
  });
  const doc = {
    evalId: `eval-demo-${cases}-${passed}`,
    results: {
      version: 3,
      timestamp: "2026-11-24T08:00:00.000Z",
      results,
      stats: { successes: passed, failures: cases - passed, errors: 0 },
    },
    config: { description: "support-golden-v8", defaultTest: { options: { provider: "openai:gpt-4.1-2025-04-14" } } },
  };
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
}
