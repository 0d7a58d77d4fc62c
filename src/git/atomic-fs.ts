import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { dirname } from "node:path";

/**
 * The file system handed to isomorphic-git. It is Node's, except that every file is written to a
 * temporary name and renamed into place: isomorphic-git never overwrites an existing loose object,
 * so a truncated object left by a crash would otherwise poison every later commit that needs it.
 * With `durable`, file contents are fsynced before the rename (and the folder after it), which
 * makes a written file survive a power loss, not just a killed process.
 */
export interface AtomicFs {
  promises: typeof fsp;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, durable: boolean): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  const handle = await fsp.open(temp, "wx", 0o644);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close();
    await fsp.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fsp.rename(temp, path);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
  if (durable) await syncDirectory(dirname(path));
}

/**
 * Creates a folder (and its parents) when missing. With `durable`, the entry of the first folder
 * created is fsynced in its parent, so a file synced inside it is not lost with its folder.
 */
export async function makeDirectory(path: string, durable: boolean): Promise<void> {
  const created = await fsp.mkdir(path, { recursive: true });
  if (durable && created !== undefined) await syncDirectory(dirname(created));
}

export async function syncDirectory(path: string): Promise<void> {
  const handle = await fsp.open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function atomicFs(durable: boolean): AtomicFs {
  const promises = Object.create(fsp) as typeof fsp;
  promises.writeFile = (async (path: unknown, data: unknown) => {
    if (typeof path !== "string" || !(typeof data === "string" || data instanceof Uint8Array)) {
      throw new TypeError("atomic writeFile takes a path and a string or bytes");
    }
    await writeFileAtomic(path, data, durable);
  }) as typeof fsp.writeFile;
  // isomorphic-git only binds `promises` when it is an enumerable own property.
  return { promises };
}
