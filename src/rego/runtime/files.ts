/**
 * Where the prebuilt runtime lives and how it is checked. The package ships
 * build/rego-runtime.wasm with build/rego-runtime.wasm.sha256 (its SHA-256, in `sha256sum`
 * format); it is built when the package is packed, never at install time. A clone of the sources
 * also has the AssemblyScript sources (assembly/), from which load.ts rebuilds a stale runtime.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

function packageRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${here}`);
    dir = parent;
  }
  return dir;
}

export interface RuntimeFiles {
  readonly wasm: string;
  /** `<hex>  rego-runtime.wasm`: the checksum shipped with the wasm. */
  readonly checksum: string;
}

const root = packageRoot();

/** The runtime of this installation (or clone). */
export const RUNTIME_FILES: RuntimeFiles = {
  wasm: join(root, "build", "rego-runtime.wasm"),
  checksum: join(root, "build", "rego-runtime.wasm.sha256"),
};

/** The AssemblyScript sources: present in a clone, not in an installed package. */
export const RUNTIME_SOURCES_DIR: string = join(root, "src", "rego", "runtime", "assembly");

/** The runtime is missing or damaged: the installation must be repaired, nothing to debug. */
export class RegoRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegoRuntimeError";
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The checksum file's text for these wasm bytes. */
export function checksumLine(files: RuntimeFiles, wasm: Uint8Array): string {
  return `${sha256Hex(wasm)}  ${basename(files.wasm)}\n`;
}

const REINSTALL = "reinstall tollgate (npm install tollgate, or pull the image again)";

/** The runtime's bytes, checked against the shipped checksum; a `RegoRuntimeError` if either is missing or they differ. */
export function readVerifiedRuntime(files: RuntimeFiles): { wasm: Uint8Array; digest: string } {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "is missing" : `cannot be read (${code ?? String(error)})`;
      throw new RegoRuntimeError(
        `the Rego runtime's ${what} ${path} ${why}: this installation is incomplete; ${REINSTALL}`,
      );
    }
  };
  const wasm = read(files.wasm, "module");
  const expected = /^([0-9a-f]{64})\b/.exec(read(files.checksum, "checksum").toString("utf8"))?.[1];
  if (!expected) {
    throw new RegoRuntimeError(`the Rego runtime's checksum ${files.checksum} is not a SHA-256: ${REINSTALL}`);
  }
  const actual = sha256Hex(wasm);
  if (actual !== expected) {
    throw new RegoRuntimeError(
      `the Rego runtime ${files.wasm} does not match its checksum (sha256:${actual.slice(0, 12)}…, expected sha256:${expected.slice(0, 12)}…): this installation is damaged; ${REINSTALL}`,
    );
  }
  return { wasm: new Uint8Array(wasm), digest: `sha256:${actual}` };
}
