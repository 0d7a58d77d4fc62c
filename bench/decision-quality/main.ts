/**
 * Decision-quality benchmark: `npm run bench:decisions -- --seed N --healthy N --per-bad N [--json]
 * [--write DIR] [--kinds a,b]`. Simulates the scenario set, runs every judge on every scenario in
 * the same run, and prints the comparison table (design page, "The benchmark").
 */
import { parseArgs } from "node:util";
import { BENCHMARK_BAD_KINDS, PROFILES, type ProfileName } from "../../src/telemetry/simulated/profiles.ts";
import { BENCH_JUDGES } from "./judges.ts";
import { runScenario, type ScenarioOutcome, scenarioSet, writeLabels } from "./scenarios.ts";
import { type JudgeScore, scoreJudge } from "./score.ts";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string", default: "20240611" },
      healthy: { type: "string", default: "200" },
      "per-bad": { type: "string", default: "25" },
      kinds: { type: "string" },
      judges: { type: "string" },
      write: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const seed = integer(values.seed, "--seed");
  const healthy = integer(values.healthy, "--healthy");
  const perBad = integer(values["per-bad"], "--per-bad");
  const kinds = values.kinds ? (values.kinds.split(",") as ProfileName[]) : BENCHMARK_BAD_KINDS;
  for (const k of kinds)
    if (!(k in PROFILES)) usage(`unknown kind "${k}" (known: ${Object.keys(PROFILES).join(", ")})`);
  const judges = values.judges
    ? values.judges.split(",").map((i) => BENCH_JUDGES[integer(i, "--judges")]!)
    : BENCH_JUDGES;

  const specs = scenarioSet(healthy, perBad, kinds);
  if (values.write) await writeLabels(values.write, specs);
  const started = performance.now();
  const outcomes: ScenarioOutcome[] = [];
  for (const spec of specs)
    outcomes.push(
      await runScenario(
        seed,
        spec,
        judges.map((j) => j.config),
        values.write,
      ),
    );
  const seconds = (performance.now() - started) / 1000;
  const scores = judges.map((j, i) => scoreJudge(i, j.name, outcomes));

  if (values.json) {
    process.stdout.write(`${JSON.stringify({ seed, healthy, perBad, kinds, seconds, scores }, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `decision quality: seed ${seed}, ${healthy} healthy + ${perBad} × ${kinds.length} bad canaries, ${seconds.toFixed(1)} s\n\n`,
  );
  process.stdout.write(`${mainTable(scores)}\n\n${kindTable(scores, kinds)}\n`);
}

function mainTable(scores: JudgeScore[]): string {
  const rows = scores.map((s) => [
    s.judge,
    pct(s.falseRollbackPct),
    pct(s.detectionPct),
    `${num(s.ttdMedian)} / ${num(s.ttdP90)} s`,
    thousands(s.exposureMean),
    thousands(s.canaryExposureMedian),
    s.healthyPromoteMedian === null ? "–" : `${(s.healthyPromoteMedian / 60).toFixed(1)} min`,
  ]);
  return table(
    [
      "judge",
      "false rollback",
      "detection",
      "TTD median / p90",
      "bad requests (mean)",
      "canary-phase (median)",
      "healthy promoted (median)",
    ],
    rows,
  );
}

function kindTable(scores: JudgeScore[], kinds: readonly string[]): string {
  const header = ["detection % (TTD median s)", ...kinds];
  const rows = scores.map((s) => [
    s.judge,
    ...kinds.map((k) => (s.byKind[k] ? `${pct(s.byKind[k].detectionPct)} (${num(s.byKind[k].ttdMedian)})` : "–")),
  ]);
  return table(header, rows);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

const pct = (x: number) => (Number.isNaN(x) ? "–" : `${x.toFixed(1)}%`);
const num = (x: number | null) => (x === null ? "–" : String(Math.round(x)));
const thousands = (x: number | null) => (x === null ? "–" : `${(x / 1000).toFixed(1)}k`);

function integer(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) usage(`${flag} needs a whole number ≥ 0, got "${text}"`);
  return n;
}

function usage(message: string): never {
  process.stderr.write(
    `bench:decisions: ${message}\nusage: npm run bench:decisions -- --seed N --healthy N --per-bad N [--json] [--write DIR] [--kinds a,b] [--judges 0,5]\n`,
  );
  process.exit(2);
}

await main();
