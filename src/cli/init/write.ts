/**
 * Writes the scaffold into a folder all or nothing: existing files are refused (named) unless
 * `force`; the folder must be writable; each file is written to a temporary name and renamed; on
 * any failure everything written so far is removed again (and overwritten files restored).
 */
import { constants } from "node:fs";
import { access, lstat, mkdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { UserError } from "../../model/index.ts";
import type { ScaffoldFile } from "./plan.ts";

/**
 * What stands where the scaffold writes, relative to `dir`: `existing` files it would overwrite, and
 * paths `in the way` (a non-folder where a folder must go, or a folder where a file must go).
 */
export async function conflicts(
  dir: string,
  files: readonly ScaffoldFile[],
): Promise<{ existing: string[]; inTheWay: string[] }> {
  const existing = new Set<string>();
  const inTheWay = new Set<string>();
  for (const file of files) {
    const parts = file.path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join("/");
      const stat = await lstat(join(dir, path)).catch(() => undefined);
      if (!stat) break;
      if (i < parts.length && stat.isDirectory()) continue;
      if (i === parts.length && stat.isFile()) existing.add(path);
      else inTheWay.add(path);
      break;
    }
  }
  return { existing: [...existing].sort(), inTheWay: [...inTheWay].sort() };
}

/** The nearest folder at or above `dir` that exists: the one that must be writable. */
async function existingAncestor(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    const stat = await lstat(current).catch(() => undefined);
    if (stat) {
      if (!stat.isDirectory()) throw new UserError(`${current} is not a folder`);
      return current;
    }
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === "EACCES" || e.code === "EPERM") return "permission denied";
  if (e.code === "EROFS") return "read-only file system";
  if (e.code === "ENOSPC") return "no space left on the device";
  if (!e.code) return String(error);
  return e.message.startsWith(e.code) ? e.message : `${e.code}: ${e.message}`;
}

/** Records what a write created or replaced, so that a failure can undo it. */
export class Undo {
  readonly #createdDirs: string[] = [];
  readonly #files: Array<{ path: string; previous: Buffer | undefined }> = [];

  async mkdirs(dir: string): Promise<void> {
    const missing: string[] = [];
    for (let d = dir; !(await lstat(d).catch(() => undefined)); d = dirname(d)) missing.unshift(d);
    for (const d of missing) {
      await mkdir(d);
      this.#createdDirs.push(d);
    }
  }

  async writeFile(path: string, content: Buffer): Promise<void> {
    const previous = await readFile(path).catch(() => undefined);
    const tmp = `${path}.tollgate-init.tmp`;
    this.#files.push({ path, previous });
    try {
      await writeFile(tmp, content);
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  /** Removes what was created, restores what was replaced; best effort, newest first. */
  async rollback(): Promise<void> {
    for (const { path, previous } of this.#files.reverse()) {
      await (previous ? writeFile(path, previous) : rm(path, { force: true })).catch(() => undefined);
    }
    for (const dir of this.#createdDirs.reverse()) await rmdir(dir).catch(() => undefined);
  }
}

/** Writes every file below `dir` (created if needed); throws a `UserError` naming the cause, having written nothing. */
export async function writeScaffold(
  dir: string,
  files: readonly ScaffoldFile[],
  options: { force: boolean },
  undo: Undo = new Undo(),
): Promise<void> {
  const { existing, inTheWay } = await conflicts(dir, files);
  const refuse = (paths: string[], what: string) => {
    throw new UserError(`${what}; nothing was written:\n${paths.map((p) => `  ${p}`).join("\n")}`);
  };
  if (inTheWay.length > 0) {
    refuse(inTheWay, `in ${dir}, tollgate init needs a folder where a file is, or the reverse`);
  }
  if (existing.length > 0 && !options.force) {
    refuse(existing, `tollgate init would overwrite files in ${dir} (--force overwrites them)`);
  }
  const writable = await existingAncestor(dir);
  try {
    await access(writable, constants.W_OK);
  } catch (error) {
    throw new UserError(`cannot write to ${writable}: ${describe(error)}; nothing was written`);
  }
  let current = dir;
  try {
    for (const file of files) {
      current = join(dir, ...file.path.split("/"));
      await undo.mkdirs(dirname(current));
      await undo.writeFile(current, file.content);
    }
  } catch (error) {
    await undo.rollback();
    const where = relative(dir, current).split(sep).join("/") || dir;
    throw new UserError(`cannot write ${where} in ${dir}: ${describe(error)}; nothing was written`);
  }
}
