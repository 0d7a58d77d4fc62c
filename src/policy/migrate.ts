/** `tollgate policy fmt --v0-to-v1`: Rego v0 files rewritten as v1 in place, atomically. */
import { randomBytes } from "node:crypto";
import { readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UserError } from "../model/index.ts";
import { RegoCompileError, rewriteV0ToV1 } from "../rego/index.ts";
import { policyCompileError } from "./compiler.ts";

/** The `.rego` files named or below the folders named (sorted, each once). */
export async function collectRegoFiles(paths: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.endsWith(".rego")) out.add(full);
    }
  };
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (!s) throw new UserError(`${p}: no such file or folder`);
    if (s.isDirectory()) await walk(p);
    else out.add(p);
  }
  return [...out].sort();
}

/**
 * The v1 text of a v0 file (`name` is how messages name it); with `write`, replaces the file by
 * rename from a temporary sibling, so a crash leaves either the old or the new text.
 */
export async function rewriteFileV0ToV1(
  file: string,
  name: string,
  text: string,
  options: { write: boolean },
): Promise<string> {
  let rewritten: string;
  try {
    rewritten = rewriteV0ToV1(name, text);
  } catch (error) {
    if (error instanceof RegoCompileError) throw policyCompileError(error);
    throw error;
  }
  if (rewritten === text || !options.write) return rewritten;
  const temp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(temp, rewritten, { flush: true, mode: (await stat(file)).mode });
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
  return rewritten;
}
