/**
 * Start-up cost of the installed tool, whole process: `tollgate --help`, `tollgate validate` on this
 * project's example repository and `tollgate policy test` on its guardrails, each against bare Node
 * (`node -e 0`) measured in the same run, interleaved so that the machine's load hits all alike.
 * tollgate is packed and installed first (test/support/packed-install.ts), as a user gets it; the
 * TypeScript sources through tsx, as a clone runs them, are measured too, for comparison.
 *
 *   npm run bench:startup                  # 7 runs of each
 *   npm run bench:startup -- --runs 11 --json
 *
 * Goals (issue 17): --help within 150 ms of bare Node, validate within 400 ms.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { packAndInstall } from "../test/support/packed-install.ts";
import { PROJECT_ROOT } from "../test/support/tmp-repo.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    json: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);

interface Case {
  name: string;
  argv: string[];
  goalMs?: number;
}

function seconds(argv: string[]): number {
  const started = performance.now();
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: PROJECT_ROOT, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${argv.join(" ")} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

process.stdout.write("packing and installing tollgate (npm pack, npm install --omit=dev --offline)...\n");
const installed = await packAndInstall();
try {
  const node = process.execPath;
  const sourceBin = join(PROJECT_ROOT, "bin/tollgate.js");
  const policies = join(PROJECT_ROOT, "policies");
  const cases: Case[] = [
    { name: "node -e 0", argv: [node, "-e", "0"] },
    { name: "tollgate --help", argv: [installed.bin, "--help"], goalMs: 150 },
    { name: "tollgate validate", argv: [installed.bin, "validate", PROJECT_ROOT], goalMs: 400 },
    { name: "tollgate policy test", argv: [installed.bin, "policy", "test", policies] },
    { name: "clone (tsx): --help", argv: [node, sourceBin, "--help"] },
    { name: "clone (tsx): validate", argv: [node, sourceBin, "validate", PROJECT_ROOT] },
  ];
  for (const c of cases) seconds(c.argv); // warm the file cache and tsx's compile cache
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of cases) samples.get(c.name)!.push(seconds(c.argv));
  }
  const baseline = median(samples.get("node -e 0")!);
  const rows = cases.map((c) => {
    const ms = median(samples.get(c.name)!);
    return {
      case: c.name,
      medianMs: Math.round(ms),
      ratioToNode: Number((ms / baseline).toFixed(2)),
      overNodeMs: Math.round(ms - baseline),
      ...(c.goalMs === undefined ? {} : { goalOverNodeMs: c.goalMs, withinGoal: ms - baseline <= c.goalMs }),
    };
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ runs, rows }, null, 2)}\n`);
  } else {
    process.stdout.write(`median of ${runs} runs each, whole process, interleaved\n`);
    for (const r of rows) {
      const goal =
        r.goalOverNodeMs === undefined ? "" : `  goal +${r.goalOverNodeMs} ms: ${r.withinGoal ? "met" : "missed"}`;
      process.stdout.write(
        `${r.case.padEnd(24)} ${String(r.medianMs).padStart(6)} ms  ${r.ratioToNode.toFixed(2).padStart(5)}× node  ${r.overNodeMs >= 0 ? "+" : ""}${r.overNodeMs} ms${goal}\n`,
      );
    }
  }
} finally {
  await installed.cleanup();
}
