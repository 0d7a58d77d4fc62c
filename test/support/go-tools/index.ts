/**
 * Go-built tools for tests (the `opa` oracle, kube-apiserver, etcd, kustomize...): each is a small
 * wrapper module in a folder here, built once by build.sh into a cache outside the repository.
 * Without Go a test that needs one skips loudly; under CI=true it fails.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BUILD = join(import.meta.dirname, "build.sh");

export class GoToolUnavailable extends Error {}

/** Builds (or finds in the cache) a tool and returns its binary's path. */
export async function buildGoTool(tool: string): Promise<string> {
  try {
    const { stdout } = await run("bash", [BUILD, tool], { maxBuffer: 1 << 20, timeout: 60 * 60_000 });
    return stdout.trim().split("\n").at(-1)!;
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    if (e.code === 3) throw new GoToolUnavailable(`${tool} needs Go, which is not installed`);
    throw new Error(`building ${tool} failed:\n${e.stderr ?? String(error)}`);
  }
}

/**
 * The directory of a module pinned by a wrapper that is not built (e.g. gateway-api, whose CRD
 * manifests tests read), downloaded into the Go module cache and checked against the wrapper's go.sum.
 */
export async function goModuleDir(tool: string, module: string): Promise<string> {
  const cwd = join(import.meta.dirname, tool);
  let stdout: string;
  try {
    ({ stdout } = await run("go", ["mod", "download", "-json", module], {
      cwd,
      maxBuffer: 1 << 20,
      timeout: 10 * 60_000,
    }));
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (e.code === "ENOENT") throw new GoToolUnavailable(`${tool} needs Go, which is not installed`);
    throw new Error(`go mod download ${module} (in ${cwd}) failed:\n${e.stdout ?? ""}${e.stderr ?? String(error)}`);
  }
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module} (in ${cwd}) gave no directory: ${info.Error ?? stdout}`);
  return info.Dir;
}

interface SkippableContext {
  skip(message?: string): void;
}

/**
 * The tool's path for a test; undefined after skipping the test loudly when Go is missing outside
 * CI. Under CI=true a missing tool fails the test.
 */
export async function goToolForTest(t: SkippableContext, tool: string): Promise<string | undefined> {
  try {
    return await buildGoTool(tool);
  } catch (error) {
    if (error instanceof GoToolUnavailable && process.env.CI !== "true") {
      const message = `SKIPPED LOUDLY: ${error.message}; install Go to run this test (it fails under CI=true)`;
      process.stderr.write(`${message}\n`);
      t.skip(message);
      return undefined;
    }
    throw error;
  }
}
