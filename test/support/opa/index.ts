/**
 * The real `opa` (built from the Go module pinned in test/support/go-tools/opa) as the oracle of
 * tollgate's Rego compiler: the binary, and the module's own conformance suite, which the Go
 * build leaves in the module cache.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { goToolForTest } from "../go-tools/index.ts";

const run = promisify(execFile);
const WRAPPER = join(import.meta.dirname, "..", "go-tools", "opa");

interface SkippableContext {
  skip(message?: string): void;
}

/** The pinned version of github.com/open-policy-agent/opa, from the wrapper's go.mod. */
export function pinnedOpaVersion(): string {
  const mod = readFileSync(join(WRAPPER, "go.mod"), "utf8");
  const m = /^\s*require\s+github\.com\/open-policy-agent\/opa\s+(v\S+)/m.exec(mod);
  if (!m) throw new Error(`${WRAPPER}/go.mod does not require github.com/open-policy-agent/opa`);
  return m[1]!;
}

export interface Opa {
  /** Path of the `opa` binary. */
  readonly bin: string;
  /** `v1/test/cases/testdata/v1` of the pinned module: OPA's complete v1 conformance suite. */
  readonly casesDir: string;
  readonly version: string;
}

/** Builds (or finds) `opa` for a test; undefined after a loud skip when Go is missing outside CI. */
export async function opaForTest(t: SkippableContext): Promise<Opa | undefined> {
  const bin = await goToolForTest(t, "opa");
  if (bin === undefined) return undefined;
  const { stdout } = await run("go", ["env", "GOMODCACHE"]);
  const version = pinnedOpaVersion();
  const moduleDir = join(stdout.trim(), "github.com", "open-policy-agent", `opa@${version}`);
  return { bin, version, casesDir: join(moduleDir, "v1", "test", "cases", "testdata", "v1") };
}
