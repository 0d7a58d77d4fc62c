#!/usr/bin/env node
// Installed, tollgate runs its compiled JavaScript (dist/). In a clone of its sources (src/ beside
// this file, dev dependencies installed) it runs the TypeScript through tsx instead, so that
// `npx tollgate` always runs what is checked out, without a build step.
import { existsSync } from "node:fs";

// A reader that stops early (`tollgate audit | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

async function sourceEntry() {
  const sources = new URL("../src/cli/main.ts", import.meta.url);
  if (!existsSync(sources)) return undefined;
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch {
    return undefined; // a clone installed without dev dependencies: run dist/ if it was built
  }
  return sources.href;
}

const entry = (await sourceEntry()) ?? new URL("../dist/cli/main.js", import.meta.url).href;
let main;
try {
  ({ main } = await import(entry));
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !error.message.includes("dist/cli/main.js")) throw error;
  process.stderr.write("error: tollgate is not built (dist/ is missing): run `npm run build`, or reinstall tollgate\n");
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
