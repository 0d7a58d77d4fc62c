import type { TreeEntry } from "isomorphic-git";

/**
 * A git tree object: its entries in git's order together with their encoding. Editing one entry
 * splices the encoding (replace, insert or drop one entry's bytes) instead of sorting and encoding
 * every entry again: a status folder of a thousand services changes one file per decision commit.
 * Instances never change; `with` returns a new one.
 */
export class TreeObject {
  static readonly empty = new TreeObject([], Buffer.alloc(0), new Int32Array(0));

  private constructor(
    /** In git's order: by name bytes, as if every folder name ended in `/`. */
    readonly entries: readonly TreeEntry[],
    /** The tree object's content, as hashed and stored. */
    readonly raw: Buffer,
    /** `ends[i]`: the byte offset just after entry i. */
    private readonly ends: Int32Array,
  ) {}

  /** Reads a stored tree's content. */
  static decode(raw: Buffer): TreeObject {
    const entries: TreeEntry[] = [];
    const ends: number[] = [];
    let i = 0;
    while (i < raw.length) {
      const space = raw.indexOf(0x20, i);
      const nul = raw.indexOf(0, space);
      if (space === -1 || nul === -1 || nul + 21 > raw.length) throw new Error("tree object is truncated");
      const mode = raw.subarray(i, space).toString("latin1").padStart(6, "0");
      const path = raw.subarray(space + 1, nul).toString("utf8");
      const oid = raw.subarray(nul + 1, nul + 21).toString("hex");
      entries.push({ mode, path, oid, type: typeOfMode(mode) });
      i = nul + 21;
      ends.push(i);
    }
    return new TreeObject(entries, raw, Int32Array.from(ends));
  }

  /** Sorts and encodes entries (names must be unique). */
  static encode(entries: readonly TreeEntry[]): TreeObject {
    const names = new Set<string>();
    for (const e of entries) {
      if (names.has(e.path)) throw new Error(`tree has two entries named "${e.path}"`);
      names.add(e.path);
    }
    const sorted = sortTreeEntries(entries);
    const parts: Buffer[] = [];
    const ends = new Int32Array(sorted.length);
    let end = 0;
    sorted.forEach((entry, i) => {
      const bytes = encodeEntry(entry);
      parts.push(bytes);
      end += bytes.length;
      ends[i] = end;
    });
    return new TreeObject(sorted, Buffer.concat(parts, end), ends);
  }

  get size(): number {
    return this.entries.length;
  }

  get(name: string): TreeEntry | undefined {
    const i = this.indexOf(name);
    return i === -1 ? undefined : this.entries[i];
  }

  /** A tree with the entry named `name` replaced by `entry` (its `path` must be `name`), or dropped for null. */
  with(name: string, entry: TreeEntry | null): TreeObject {
    if (entry && entry.path !== name) throw new Error(`tree entry "${entry.path}" cannot be stored as "${name}"`);
    const at = this.indexOf(name);
    if (at === -1 && entry === null) return this;
    if (at !== -1 && entry !== null) {
      const old = this.entries[at]!;
      if (old.oid === entry.oid && old.mode === entry.mode) return this;
      // Same name and same kind keep their place in git's order.
      if ((old.type === "tree") === (entry.type === "tree")) return this.splice(at, 1, entry);
    }
    const without = at === -1 ? this : this.splice(at, 1, null);
    return entry === null ? without : without.splice(without.insertionPoint(entry), 0, entry);
  }

  /** Replaces `remove` (0 or 1) entries at `at` by `entry` (none for null). */
  private splice(at: number, remove: number, entry: TreeEntry | null): TreeObject {
    const start = at === 0 ? 0 : this.ends[at - 1]!;
    const end = remove === 0 ? start : this.ends[at + remove - 1]!;
    const bytes = entry ? encodeEntry(entry) : Buffer.alloc(0);
    const raw = Buffer.concat([this.raw.subarray(0, start), bytes, this.raw.subarray(end)]);
    const added = entry ? 1 : 0;
    const entries = [
      ...this.entries.slice(0, at),
      ...(entry ? [{ ...entry }] : []),
      ...this.entries.slice(at + remove),
    ];
    const ends = new Int32Array(this.ends.length - remove + added);
    ends.set(this.ends.subarray(0, at));
    if (entry) ends[at] = start + bytes.length;
    const shift = bytes.length - (end - start);
    for (let i = at + remove, j = at + added; i < this.ends.length; i++, j++) ends[j] = this.ends[i]! + shift;
    return new TreeObject(entries, raw, ends);
  }

  /** The entry named `name`, found by binary search for it as a file and as a folder. */
  private indexOf(name: string): number {
    for (const folder of [false, true]) {
      const key = Buffer.from(folder ? `${name}/` : name);
      const i = this.lowerBound(key);
      if (i < this.entries.length && this.entries[i]!.path === name && (this.entries[i]!.type === "tree") === folder)
        return i;
    }
    return -1;
  }

  private insertionPoint(entry: TreeEntry): number {
    return this.lowerBound(sortKey(entry));
  }

  private lowerBound(key: Buffer): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(sortKey(this.entries[mid]!), key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Git's order: by name bytes, as if every folder name ended in `/`. */
export function sortTreeEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  const keyed = entries.map((entry) => ({ entry, key: sortKey(entry) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  return keyed.map((k) => k.entry);
}

function sortKey(entry: TreeEntry): Buffer {
  return Buffer.from(entry.type === "tree" ? `${entry.path}/` : entry.path);
}

function typeOfMode(mode: string): TreeEntry["type"] {
  return mode === "040000" ? "tree" : mode === "160000" ? "commit" : "blob";
}

function encodeEntry(e: TreeEntry): Buffer {
  if (!e.path || e.path.includes("/") || e.path.includes("\0")) throw new Error(`invalid tree entry name "${e.path}"`);
  if (!/^[0-9a-f]{40}$/.test(e.oid)) throw new Error(`invalid object id "${e.oid}" for tree entry "${e.path}"`);
  // Git writes folder modes without the leading zero.
  const head = Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.path}\0`);
  const bytes = Buffer.allocUnsafe(head.length + 20);
  head.copy(bytes, 0);
  bytes.write(e.oid, head.length, "hex");
  return bytes;
}
