/**
 * Pack files in `<gitdir>/objects/pack`: storing a new pack with its index so that a crash never
 * leaves a half pack that readers would use, and keeping the number of packs small. A reconciler
 * writes one pack per busy tick; every reader looks an object up in each pack in turn, so packs are
 * merged geometrically (as `git repack --geometric=2` does): a new pack takes in every existing
 * pack with fewer than twice its (growing) object count. Pack counts then stay logarithmic in the
 * number of objects, and each object is copied a logarithmic number of times.
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { makeDirectory, syncDirectory } from "./atomic-fs.ts";
import type { EncodedPack, SourcePack } from "./pack-writer.ts";

/** A pack this module may merge and remove. */
export interface StoredPack {
  /** `pack-<hex>`, without extension. */
  name: string;
  objects: number;
}

/** Companion files that say a pack belongs to someone else's scheme (kept, promised, bitmapped): such packs are left alone. */
const HANDS_OFF = [".keep", ".promisor", ".bitmap", ".mtimes"];

/**
 * Stores an encoded pack in `<gitdir>/objects/pack`: both files are written under temporary names,
 * then the pack is renamed into place and the index last, as git does. Readers look for indexes,
 * so the pack becomes visible only when both are complete; a crash at any point leaves at most an
 * unreferenced temporary file or a pack without index, which readers ignore.
 */
export async function storePack(
  gitdir: string,
  encoded: EncodedPack,
  durable: boolean,
): Promise<{ packPath: string; indexPath: string }> {
  const dir = join(gitdir, "objects", "pack");
  await makeDirectory(dir, durable);
  const token = `${process.pid}-${randomBytes(6).toString("hex")}`;
  const temps = { pack: join(dir, `tmp_pack_${token}`), index: join(dir, `tmp_idx_${token}`) };
  const packPath = join(dir, `pack-${encoded.name}.pack`);
  const indexPath = join(dir, `pack-${encoded.name}.idx`);
  try {
    await writeTemp(temps.pack, encoded.pack, durable);
    await writeTemp(temps.index, encoded.index, durable);
    await fsp.rename(temps.pack, packPath);
    await fsp.rename(temps.index, indexPath);
  } catch (error) {
    await fsp.rm(temps.pack, { force: true });
    await fsp.rm(temps.index, { force: true });
    throw error;
  }
  if (durable) await syncDirectory(dir);
  return { packPath, indexPath };
}

async function writeTemp(path: string, data: Buffer, durable: boolean): Promise<void> {
  const handle = await fsp.open(path, "wx", 0o444);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Packs that can be merged: a version-2 index, a pack file, and no companion file that says
 * otherwise. Their object counts come from the index's fan-out table.
 */
export async function listPacks(gitdir: string): Promise<StoredPack[]> {
  const dir = join(gitdir, "objects", "pack");
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const present = new Set(names);
  const packs: StoredPack[] = [];
  for (const file of names) {
    if (!file.startsWith("pack-") || !file.endsWith(".idx")) continue;
    const name = file.slice(0, -".idx".length);
    if (!present.has(`${name}.pack`) || HANDS_OFF.some((ext) => present.has(`${name}${ext}`))) continue;
    const objects = await indexedObjects(join(dir, file));
    if (objects !== undefined) packs.push({ name, objects });
  }
  return packs;
}

/** The packs a new pack of `objects` objects takes in: the smallest first, while each has fewer than twice what is gathered so far. */
export function packsToMerge(packs: readonly StoredPack[], objects: number): StoredPack[] {
  const chosen: StoredPack[] = [];
  let total = objects;
  for (const pack of [...packs].sort((a, b) => a.objects - b.objects)) {
    if (pack.objects >= 2 * total) break;
    chosen.push(pack);
    total += pack.objects;
  }
  return chosen;
}

export async function readPack(gitdir: string, pack: StoredPack): Promise<SourcePack> {
  const base = join(gitdir, "objects", "pack", pack.name);
  return { name: pack.name, index: await fsp.readFile(`${base}.idx`), data: await fsp.readFile(`${base}.pack`) };
}

/**
 * Removes a pack whose objects are all in another stored pack: the index first, so no reader finds
 * an index without its pack; then the pack and its reverse index. A pack that cannot be removed
 * (read-only folder entry, immutable file) is marked `.keep`, which git and listPacks read as "leave
 * alone": merging it again on every later write would grow storage without bound. Returns false
 * when the pack was kept; throws, naming the real cause, when it can be neither removed nor kept.
 */
export async function removePack(gitdir: string, pack: StoredPack, durable: boolean): Promise<boolean> {
  const dir = join(gitdir, "objects", "pack");
  const base = join(dir, pack.name);
  try {
    for (const ext of [".idx", ".pack", ".rev"]) await unlinkIfPresent(`${base}${ext}`);
  } catch (error) {
    try {
      await fsp.writeFile(`${base}.keep`, "tollgate: merged into another pack, but could not be removed\n");
    } catch {
      const cause = (error as Error).message;
      throw new Error(
        `cannot remove pack ${pack.name}, whose objects were merged into another pack, nor mark it .keep (${cause}); make ${dir} and its files writable`,
      );
    }
    return false;
  } finally {
    if (durable) await syncDirectory(dir);
  }
  return true;
}

/** `fs.rm` reports a file it may not unlink as ENOTDIR (it falls back to a folder); unlink says EPERM. */
async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await fsp.unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/** The object count of a version-2 index; undefined for another version or an index removed meanwhile. */
async function indexedObjects(path: string): Promise<number | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const head = Buffer.alloc(8 + 256 * 4);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length || head.readUInt32BE(0) !== 0xff744f63 || head.readUInt32BE(4) !== 2) return undefined;
    return head.readUInt32BE(8 + 255 * 4);
  } finally {
    await handle.close();
  }
}
