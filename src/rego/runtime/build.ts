/**
 * Builds the AssemblyScript runtime (assembly/*.ts) into build/rego-runtime.wasm with asc, in
 * unmanaged style: stub runtime, imported memory, AssemblyScript's abort routed to opa_abort.
 * The output is deterministic; a sidecar file records the digest of the sources it was built
 * from so that a stale build is rebuilt. Run directly: `npm run build:runtime`.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { checksumLine, RUNTIME_FILES, RUNTIME_SOURCES_DIR, readVerifiedRuntime } from "./files.ts";

// The sources are read from the repository (also when this file runs compiled from dist/).
const assemblyDir = RUNTIME_SOURCES_DIR;
const runtimeDir = dirname(assemblyDir);

export const runtimeWasmPath: string = RUNTIME_FILES.wasm;
/** The digest of the sources a build was made from (a clone's freshness check; not shipped). */
const sourcesDigestPath = join(dirname(runtimeWasmPath), "rego-runtime.sources.sha256");

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

/** True if build/rego-runtime.wasm was built from the current sources and matches its checksum. */
export function runtimeIsFresh(): boolean {
  if (!existsSync(sourcesDigestPath) || readFileSync(sourcesDigestPath, "utf8").trim() !== runtimeSourceDigest()) {
    return false;
  }
  try {
    readVerifiedRuntime(RUNTIME_FILES);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the runtime (synchronously, in a child process) and writes the wasm atomically to
 * `outPath` (default build/rego-runtime.wasm, which also writes its checksum and the digest of the
 * sources it was built from).
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
  if (outPath === runtimeWasmPath) {
    writeFileSync(`${RUNTIME_FILES.checksum}.tmp`, checksumLine(RUNTIME_FILES, readFileSync(tmp)));
    renameSync(tmp, outPath);
    renameSync(`${RUNTIME_FILES.checksum}.tmp`, RUNTIME_FILES.checksum);
    writeFileSync(sourcesDigestPath, `${digest}\n`);
  } else {
    renameSync(tmp, outPath);
  }
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
