#!/usr/bin/env node
// Runs the TypeScript sources through tsx so that `npx tollgate` works right after `npm ci`.
import { register } from "tsx/esm/api";

register();
// A reader that stops early (`tollgate audit | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
