import { randomBytes } from "node:crypto";
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../model/index.ts";

/** A file named on the command line, as text; a missing file or a folder is a UserError naming it. */
export async function readNamedFile(cwd: string, file: string, expected: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${file}: no such file (expected ${expected})`);
    if (code === "EISDIR") throw new UserError(`${file} is a folder; expected ${expected}`);
    if (code === "EACCES" || code === "EPERM") throw new UserError(`${file}: permission denied`);
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * Writes a file named on the command line atomically (a temporary file beside it, renamed over it).
 * Errors name the file asked for, never the temporary one: a missing folder, a folder in the way.
 */
export async function writeNamedFile(cwd: string, file: string, content: string): Promise<void> {
  const path = resolve(cwd, file);
  await checkOutputPath(cwd, file);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, content, { flush: true });
    await rename(temp, path);
  } catch (error) {
    throw new UserError(`cannot write ${file}: ${describeCode(error)}`);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Fails early, naming the file, when `file` could not be written: its folder is missing or it is a folder. */
export async function checkOutputPath(cwd: string, file: string): Promise<void> {
  const path = resolve(cwd, file);
  const folder = await stat(dirname(path)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UserError(`cannot write ${file}: folder ${dirname(file)} does not exist`);
  if ((await stat(path).catch(() => undefined))?.isDirectory())
    throw new UserError(`cannot write ${file}: it is a folder`);
}

function describeCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOSPC") return "no space left on the device";
  if (code === "EROFS") return "read-only file system";
  return code ?? (error as Error).message;
}
