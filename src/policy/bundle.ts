import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { canonicalJson, InvalidInputError, UserError } from "../model/index.ts";
import type { CoverableLine } from "../rego/index.ts";
import { compilePolicy, type PolicyCompileOptions } from "./compiler.ts";
import type { PolicySource } from "./sources.ts";
import { DECISION_ENTRYPOINT } from "./types.ts";

export const BUNDLE_FORMAT = "tollgate.dev/policy-bundle/v1";
export const MANIFEST_FILE = "manifest.json";
export const WASM_FILE = "policy.wasm";

/**
 * What a bundle holds, written as manifest.json beside policy.wasm. `digest` is sha256 over the
 * canonical JSON of every other field; since those include the Wasm's digest and each source's,
 * it pins the whole bundle. Nothing in it depends on when or where it was built.
 */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  /** Entrypoint path → the id the Wasm module gives it. */
  entrypoints: Record<string, number>;
  /** The Rego sources compiled in, sorted by path. */
  sources: { path: string; digest: string }[];
  wasm: { file: typeof WASM_FILE; digest: string; bytes: number };
  /** Present (true) when builtin errors abort evaluation instead of making calls undefined. */
  strictBuiltinErrors?: true;
  digest: string;
}

export interface PolicyBundle {
  manifest: BundleManifest;
  wasm: Uint8Array;
  /** Coverage builds (in memory only, for `policy test --coverage`): the line of each coverage byte. */
  coverage?: readonly CoverableLine[];
}

export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Compiles the sources into a bundle in memory (deterministic: same sources, same digest). */
export function buildBundle(
  sources: readonly PolicySource[],
  entrypoints: readonly string[] = [DECISION_ENTRYPOINT],
  pathPrefix = "",
  options: PolicyCompileOptions = {},
): PolicyBundle {
  const compiled = compilePolicy(sources, entrypoints, pathPrefix, options);
  const body: Omit<BundleManifest, "digest"> = {
    format: BUNDLE_FORMAT,
    entrypoints: sortedRecord(compiled.entrypoints),
    sources: [...sources]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((s) => ({ path: s.path, digest: sha256(s.text) })),
    wasm: { file: WASM_FILE, digest: sha256(compiled.wasm), bytes: compiled.wasm.byteLength },
    ...(options.strictBuiltinErrors ? { strictBuiltinErrors: true as const } : {}),
  };
  return {
    manifest: { ...body, digest: manifestDigest(body) },
    wasm: compiled.wasm,
    ...(compiled.coverage ? { coverage: compiled.coverage } : {}),
  };
}

function manifestDigest(body: Omit<BundleManifest, "digest">): string {
  return sha256(canonicalJson(body));
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Writes the bundle to `outDir` atomically: everything goes into a fresh sibling folder first,
 * which then replaces `outDir` by rename. On any failure the temporary folder is removed and
 * `outDir` is left as it was.
 */
export async function writeBundle(bundle: PolicyBundle, outDir: string): Promise<void> {
  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const temp = join(parent, `.${basename(outDir)}.tmp-${tag}`);
  const old = join(parent, `.${basename(outDir)}.old-${tag}`);
  try {
    await mkdir(temp);
    await writeFile(join(temp, WASM_FILE), bundle.wasm, { flush: true });
    await writeFile(join(temp, MANIFEST_FILE), `${JSON.stringify(bundle.manifest, null, 2)}\n`, { flush: true });
    const exists = await stat(outDir).then(
      () => true,
      () => false,
    );
    if (exists) await rename(outDir, old);
    try {
      await rename(temp, outDir);
    } catch (error) {
      if (exists) await rename(old, outDir);
      throw error;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}

/** Reads a bundle written by writeBundle and checks that its digests hold. */
export async function readBundle(dir: string): Promise<PolicyBundle> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const text = await readFile(manifestPath, "utf8").catch(() => {
    throw new UserError(
      `${dir} is not a policy bundle: ${MANIFEST_FILE} is missing (build one with \`tollgate policy build\`)`,
    );
  });
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(text) as BundleManifest;
  } catch (error) {
    throw new InvalidInputError([{ file: manifestPath, message: `not JSON: ${(error as Error).message}` }]);
  }
  if (manifest.format !== BUNDLE_FORMAT) {
    throw new InvalidInputError([{ file: manifestPath, field: "format", message: `expected "${BUNDLE_FORMAT}"` }]);
  }
  const wasm = new Uint8Array(await readFile(join(dir, WASM_FILE)));
  if (sha256(wasm) !== manifest.wasm?.digest) {
    throw new InvalidInputError([
      {
        file: join(dir, WASM_FILE),
        message: `digest ${sha256(wasm)} does not match the manifest's ${manifest.wasm?.digest}`,
      },
    ]);
  }
  const { digest, ...body } = manifest;
  if (manifestDigest(body) !== digest) {
    throw new InvalidInputError([
      {
        file: manifestPath,
        field: "digest",
        message: `bundle digest does not match its contents (expected ${manifestDigest(body)})`,
      },
    ]);
  }
  return { manifest, wasm };
}
