/**
 * promptfoo's JSON output (`promptfoo eval --output results.json`), read into an EvalRun.
 *
 * The file holds `results.results`, one entry per test case × prompt × provider, each with
 * `success`, `score`, `latencyMs`, `cost`, `namedScores` and an `error` for a failed call; and
 * `results.stats` with `successes`, `failures` and `errors`. The grader of model-graded assertions
 * is `config.defaultTest.options.provider` (a provider id, or an object with `id`).
 */
import { UserError } from "../model/index.ts";
import type { EvalRun } from "./types.ts";

interface PromptfooResult {
  success?: unknown;
  score?: unknown;
  latencyMs?: unknown;
  cost?: unknown;
  namedScores?: unknown;
  error?: unknown;
}

export function readPromptfooResults(text: string, file: string): EvalRun {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not JSON (${(error as Error).message}); pass promptfoo's --output results.json`);
  }
  const summary = field(doc, "results");
  const results = field(summary, "results");
  if (!Array.isArray(results))
    throw new UserError(
      `${file}: no results.results array: not promptfoo's JSON output (promptfoo eval --output results.json)`,
    );
  if (results.length === 0) throw new UserError(`${file}: results.results is empty: the eval ran no test case`);
  const named = new Map<string, number[]>();
  const latencies: number[] = [];
  let passed = 0;
  let errors = 0;
  let cost = 0;
  let scoreSum = 0;
  results.forEach((raw: PromptfooResult, i) => {
    const where = `${file}: results.results[${i}]`;
    if (typeof raw !== "object" || raw === null) throw new UserError(`${where} is not an object`);
    if (typeof raw.success !== "boolean") throw new UserError(`${where}.success is not true or false`);
    if (raw.success) passed++;
    else if (raw.error !== undefined && raw.error !== null && raw.error !== "") errors++;
    scoreSum += number(raw.score, `${where}.score`) ?? (raw.success ? 1 : 0);
    const latency = number(raw.latencyMs, `${where}.latencyMs`);
    if (latency !== undefined) latencies.push(latency);
    cost += number(raw.cost, `${where}.cost`) ?? 0;
    if (raw.namedScores !== undefined && raw.namedScores !== null) {
      if (typeof raw.namedScores !== "object") throw new UserError(`${where}.namedScores is not an object`);
      for (const [name, value] of Object.entries(raw.namedScores)) {
        const n = number(value, `${where}.namedScores.${name}`);
        if (n !== undefined) named.set(name, [...(named.get(name) ?? []), n]);
      }
    }
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const run: EvalRun = {
    tool: "promptfoo",
    sampleSize: results.length,
    passed,
    failed: results.length - passed - errors,
    errors,
    passRate: passed / results.length,
    meanScore: scoreSum / results.length,
    namedScores: Object.fromEntries([...named].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, mean(v)])),
    costUsd: cost,
  };
  if (latencies.length > 0) {
    const sorted = [...latencies].sort((a, b) => a - b);
    run.latencyMeanMs = mean(sorted);
    run.latencyP95Ms = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
  }
  const judge = judgeOf(field(field(field(field(doc, "config"), "defaultTest"), "options"), "provider"));
  if (judge) run.judgeModel = judge;
  return run;
}

function judgeOf(provider: unknown): string | undefined {
  if (typeof provider === "string" && provider !== "") return provider;
  const id = field(provider, "id");
  return typeof id === "string" && id !== "" ? id : undefined;
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function number(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new UserError(`${where} is not a number`);
  return value;
}
