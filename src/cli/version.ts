/** `tollgate --version`: the package's version and the digest of the Rego runtime it ships. */
import { readFileSync } from "node:fs";
// The runtime's own surface, not rego/index.ts: reporting it must not load the compiler.
import { RegoRuntimeError, runtimeDigest } from "../rego/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

export function printVersion(ctx: CommandContext): number {
  ctx.out(`tollgate ${packageVersion()}`);
  try {
    ctx.out(`rego runtime ${runtimeDigest()}`);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof RegoRuntimeError)) throw error;
    ctx.err(`error: ${error.message}`);
    return EXIT_FAILED;
  }
}
