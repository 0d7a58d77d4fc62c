import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import git from "isomorphic-git";
import { type AtomicFs, makeDirectory, syncDirectory } from "./atomic-fs.ts";
import { RefConflictError, RefLockedError } from "./errors.ts";

export const ZERO_OID = "0000000000000000000000000000000000000000";

export interface RefUpdateOptions {
  fs: AtomicFs;
  gitdir: string;
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** The value the caller decided on; null when the ref must not exist yet. */
  expected: string | null;
  value: string;
  durable?: boolean;
  /** A lock file older than this, or whose owner is a dead process on this host, is removed. */
  staleLockMs?: number;
}

/** The ref's current commit, or null when it does not exist. */
export async function readRef(fs: AtomicFs, gitdir: string, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs, gitdir, ref, depth: 1 });
  } catch (error) {
    if ((error as { code?: string }).code === "NotFoundError") return null;
    throw error;
  }
}

/**
 * Moves `ref` from `expected` to `value` the way git itself does: take `<ref>.lock` exclusively,
 * compare, write the new value into the lock file, rename it over the ref. A crash leaves either
 * the old value or the new one (and at worst a stale lock, which the next writer clears).
 */
export async function compareAndSwapRef(options: RefUpdateOptions): Promise<void> {
  const { fs, gitdir, ref, expected, value } = options;
  const refPath = join(gitdir, ref);
  const lockPath = `${refPath}.lock`;
  await makeDirectory(dirname(refPath), options.durable ?? false);
  const lock = await takeLock(lockPath, ref, options.staleLockMs ?? 10 * 60_000);
  let renamed = false;
  try {
    const actual = await readRef(fs, gitdir, ref);
    if (actual !== expected) throw new RefConflictError(ref, expected, actual);
    await lock.truncate(0);
    await lock.write(`${value}\n`, 0);
    if (options.durable) await lock.sync();
    await lock.close();
    await fsp.rename(lockPath, refPath);
    renamed = true;
    if (options.durable) await syncDirectory(dirname(refPath));
  } finally {
    if (!renamed) {
      await lock.close().catch(() => {});
      await fsp.rm(lockPath, { force: true });
    }
  }
}

async function takeLock(lockPath: string, ref: string, staleLockMs: number): Promise<fsp.FileHandle> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fsp.open(lockPath, "wx", 0o644);
      // Who holds the lock, so a later writer can tell a crashed holder from a live one.
      await handle.write(`${ownerTag()}\n`, 0);
      return handle;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (attempt === 0 && (await isStale(lockPath, staleLockMs))) {
        await fsp.rm(lockPath, { force: true });
        continue;
      }
      throw new RefLockedError(ref, lockPath);
    }
  }
  throw new RefLockedError(ref, lockPath);
}

/** Tells this process apart from an earlier one that had the same pid (containers restart as pid 1). */
const RUN_TOKEN = randomBytes(8).toString("hex");

function ownerTag(): string {
  return `tollgate pid=${process.pid} host=${hostname()} run=${RUN_TOKEN}`;
}

async function isStale(lockPath: string, staleLockMs: number): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await fsp.readFile(lockPath, "utf8");
    mtimeMs = (await fsp.stat(lockPath)).mtimeMs;
  } catch {
    return true;
  }
  if (Date.now() - mtimeMs > staleLockMs) return true;
  const owner = /^tollgate pid=(\d+) host=(\S+) run=(\S+)/.exec(text);
  if (!owner || owner[2] !== hostname()) return false;
  const pid = Number(owner[1]);
  if (pid === process.pid) return owner[3] !== RUN_TOKEN;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
