/**
 * Builds the AssemblyScript runtime (assembly/*.ts) into build/rego-runtime.wasm with asc, in
 * unmanaged style: stub runtime, imported memory, AssemblyScript's abort routed to opa_abort.
 * The output is deterministic; a sidecar file records the digest of the sources it was built
 * from so that a stale build is rebuilt. Run directly: `npm run build:runtime`.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

function repoRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${here}`);
    dir = parent;
  }
  return dir;
}

// The sources are read from the repository (also when this file runs compiled from dist/).
const runtimeDir = join(repoRoot(), "src", "rego", "runtime");
const assemblyDir = join(runtimeDir, "assembly");

export const runtimeWasmPath: string = join(repoRoot(), "build", "rego-runtime.wasm");
const digestPath = `${runtimeWasmPath}.sha256`;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Digest of the runtime sources and the compiler version: identifies a build. */
export function runtimeSourceDigest(): string {
  const hash = createHash("sha256");
  const require = createRequire(import.meta.url);
  const ascVersion = (require("assemblyscript/package.json") as { version: string }).version;
  hash.update(`asc ${ascVersion}\n`);
  for (const file of sourceFiles(assemblyDir)) {
    hash.update(relative(assemblyDir, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** True if build/rego-runtime.wasm exists and was built from the current sources. */
export function runtimeIsFresh(): boolean {
  if (!existsSync(runtimeWasmPath) || !existsSync(digestPath)) return false;
  return readFileSync(digestPath, "utf8").trim() === runtimeSourceDigest();
}

/**
 * Compiles the runtime (synchronously, in a child process) and writes the wasm atomically to
 * `outPath` (default build/rego-runtime.wasm, which also records the source digest).
 */
export function buildRuntime(outPath: string = runtimeWasmPath): string {
  const require = createRequire(import.meta.url);
  const ascDir = dirname(require.resolve("assemblyscript/package.json"));
  const asc = join(ascDir, "bin", "asc.js");
  mkdirSync(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.tmp`;
  const digest = runtimeSourceDigest();
  execFileSync(
    process.execPath,
    [
      asc,
      "assembly/index.ts",
      "--runtime",
      "stub",
      "--importMemory",
      "--use",
      "abort=assembly/error/asAbort",
      "--noAssert",
      "--optimizeLevel",
      "3",
      "--shrinkLevel",
      "0",
      "--converge",
      "--enable",
      "bulk-memory",
      "--outFile",
      tmp,
    ],
    { cwd: runtimeDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  renameSync(tmp, outPath);
  if (outPath === runtimeWasmPath) writeFileSync(digestPath, `${digest}\n`);
  return outPath;
}

function assemblyScriptInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("assemblyscript/package.json");
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `--if-possible` (the prepare script): an install without dev dependencies has no asc; the
  // loader then reports the missing runtime when a policy is first compiled.
  if (process.argv.includes("--if-possible") && !assemblyScriptInstalled()) {
    process.stderr.write("assemblyscript is not installed: skipping the Rego runtime build\n");
    process.exit(0);
  }
  try {
    const path = buildRuntime();
    const size = readFileSync(path).byteLength;
    process.stdout.write(`built ${relative(process.cwd(), path)} (${size} bytes)\n`);
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    process.stderr.write(`${e.stderr ? e.stderr.toString() : e.message}\n`);
    process.exitCode = 1;
  }
}
