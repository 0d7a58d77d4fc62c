/**
 * Bundles in OPA's format (`policy build --format opa`): one `bundle.tar.gz` holding `/.manifest`
 * (revision, roots, rego_version, the Wasm entrypoints), `/data.json`, the Rego sources and
 * `/policy.wasm`, as `opa build -t wasm` lays it out, so OPA's own tools (`opa inspect`, `opa eval
 * --bundle`) read it. Entries have no timestamps or owners, and gzip writes no time either, so the
 * same sources give the same bytes. `readOpaBundle` reads one back for `policy eval --bundle`.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import tar from "tar-stream";
import { InvalidInputError, UserError } from "../model/index.ts";
import { BUNDLE_FORMAT, type BundleManifest, type PolicyBundle, sha256 } from "./bundle.ts";
import type { PolicySource } from "./sources.ts";

export const OPA_MANIFEST_FILE = "/.manifest";
const OPA_WASM_FILE = "/policy.wasm";

/** `.manifest` of an OPA bundle (the fields tollgate writes and reads). */
export interface OpaManifest {
  revision: string;
  roots: string[];
  rego_version: 0 | 1;
  wasm: { entrypoint: string; module: string }[];
  metadata?: Record<string, unknown>;
}

/** Top-level packages of the sources: the bundle's roots (OPA: paths the bundle owns below data). */
function roots(sources: readonly PolicySource[]): string[] {
  const out = new Set<string>();
  for (const s of sources) {
    const m = /^\s*package\s+([A-Za-z_][A-Za-z0-9_]*)/m.exec(s.text);
    if (m) out.add(m[1]!);
  }
  return [...out].sort();
}

/** The bundle as the bytes of an OPA `bundle.tar.gz`. */
export async function opaBundleBytes(bundle: PolicyBundle, sources: readonly PolicySource[]): Promise<Uint8Array> {
  const manifest: OpaManifest = {
    revision: bundle.manifest.digest,
    roots: roots(sources),
    rego_version: sources.some((s) => s.regoVersion === "v0") ? 0 : 1,
    wasm: Object.keys(bundle.manifest.entrypoints).map((entrypoint) => ({ entrypoint, module: OPA_WASM_FILE })),
    metadata: {
      tollgate: { digest: bundle.manifest.digest, strictBuiltinErrors: bundle.manifest.strictBuiltinErrors === true },
    },
  };
  const files: [string, Uint8Array][] = [
    ["/data.json", Buffer.from("{}\n")],
    ...[...sources]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((s): [string, Uint8Array] => [`/${s.path}`, Buffer.from(s.text)]),
    [OPA_WASM_FILE, bundle.wasm],
    [OPA_MANIFEST_FILE, Buffer.from(JSON.stringify(manifest))],
  ];
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c: unknown) => chunks.push(c as Buffer));
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  for (const [name, data] of files) {
    pack.entry({ name, size: data.byteLength, mode: 0o600, mtime: new Date(0), uid: 0, gid: 0 }, Buffer.from(data));
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** Writes the OPA bundle to `outFile` atomically (a sibling temporary file renamed over it). */
export async function writeOpaBundle(
  bundle: PolicyBundle,
  sources: readonly PolicySource[],
  outFile: string,
): Promise<Uint8Array> {
  const bytes = await opaBundleBytes(bundle, sources);
  const temp = join(dirname(outFile), `.${basename(outFile)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(temp, bytes, { flush: true });
    await rename(temp, outFile);
  } finally {
    await rm(temp, { force: true });
  }
  return bytes;
}

async function untar(bytes: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on("data", (c: unknown) => parts.push(c as Buffer));
      stream.on("end", () => {
        files.set(`/${header.name.replace(/^\/+/, "")}`, Buffer.concat(parts));
        next();
      });
      stream.resume();
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  extract.end(bytes);
  await done;
  return files;
}

/**
 * Reads an OPA bundle (`bundle.tar.gz`) holding a Wasm module: its `.manifest` must name the Rego
 * version and the Wasm entrypoints. Its digest is the sha256 of the file.
 */
export async function readOpaBundle(file: string): Promise<PolicyBundle> {
  const raw = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });
  let files: Map<string, Buffer>;
  try {
    files = await untar(gunzipSync(raw));
  } catch (error) {
    throw new InvalidInputError([{ file, message: `not a gzipped tar archive: ${(error as Error).message}` }]);
  }
  const where = `${file}:${OPA_MANIFEST_FILE}`;
  const text = files.get(OPA_MANIFEST_FILE);
  if (!text) throw new InvalidInputError([{ file, message: `has no ${OPA_MANIFEST_FILE}` }]);
  let manifest: Partial<OpaManifest>;
  try {
    manifest = JSON.parse(text.toString("utf8")) as Partial<OpaManifest>;
  } catch (error) {
    throw new InvalidInputError([{ file: where, message: `not JSON: ${(error as Error).message}` }]);
  }
  if (manifest.rego_version !== undefined && manifest.rego_version !== 0 && manifest.rego_version !== 1) {
    throw new InvalidInputError([
      { file: where, field: "rego_version", message: `must be 0 or 1, not ${JSON.stringify(manifest.rego_version)}` },
    ]);
  }
  const wasmEntries = manifest.wasm;
  if (!Array.isArray(wasmEntries) || wasmEntries.length === 0) {
    throw new InvalidInputError([
      { file: where, field: "wasm", message: "names no Wasm module: build it with a Wasm target" },
    ]);
  }
  const modules = new Set(wasmEntries.map((w) => w?.module));
  const module = wasmEntries[0]?.module;
  if (
    modules.size !== 1 ||
    typeof module !== "string" ||
    !wasmEntries.every((w) => typeof w?.entrypoint === "string")
  ) {
    throw new InvalidInputError([
      { file: where, field: "wasm", message: "expected entries {entrypoint, module} naming one module" },
    ]);
  }
  const wasm = files.get(`/${module.replace(/^\/+/, "")}`);
  if (!wasm) throw new InvalidInputError([{ file: where, field: "wasm", message: `${module} is not in the bundle` }]);
  const body: Omit<BundleManifest, "digest"> = {
    format: BUNDLE_FORMAT,
    entrypoints: Object.fromEntries(wasmEntries.map((w, i) => [w.entrypoint, i])),
    sources: [],
    wasm: { file: "policy.wasm", digest: sha256(wasm), bytes: wasm.byteLength },
  };
  return { manifest: { ...body, digest: sha256(raw) }, wasm: new Uint8Array(wasm) };
}
