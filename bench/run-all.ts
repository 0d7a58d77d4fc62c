/**
 * `npm run bench`: every `bench:<name>` script of package.json, one after another (never in
 * parallel: they time things), each with its own defaults. `npm run bench -- policy git` runs only
 * those. Each benchmark reports its numbers as ratios to a baseline it measures in the same run.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const scripts = (JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { scripts: Record<string, string> })
  .scripts;
const wanted = process.argv.slice(2);
const benches = Object.keys(scripts)
  .filter((name) => name.startsWith("bench:"))
  .filter((name) => wanted.length === 0 || wanted.includes(name.slice("bench:".length)));

let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n━━ npm run ${name}\n`);
  const started = Date.now();
  const run = spawnSync("npm", ["run", "--silent", name], { cwd: root, stdio: "inherit" });
  process.stdout.write(
    `━━ ${name}: ${run.status === 0 ? "done" : `FAILED (exit ${run.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (run.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
