import { createHash, type Hash } from "node:crypto";
import type { TreeEntry } from "isomorphic-git";

/**
 * How a tree was made by `with` from the stored tree `base` (see `editFrom`): it shares its first
 * `prefix` and last `suffix` bytes with that tree of `baseLength` bytes, so a pack can store it as a
 * delta of the base without comparing a byte of either.
 */
export interface TreeDerivation {
  base: string;
  baseLength: number;
  prefix: number;
  suffix: number;
}

/** A run of consecutive entries: their encoding, and where each ends in it. */
interface Chunk {
  raw: Buffer;
  ends: Int32Array;
}

/** Entries per chunk when a tree is decoded or encoded; a chunk that grows to twice this is split. */
const CHUNK_ENTRIES = 64;
/** Chunks between two saved states of the tree's SHA-1 (see `id`). */
const HASH_STRIDE = 8;

/**
 * A git tree object: its encoding, held in chunks of about 64 entries, and where each entry ends.
 * Editing one entry copies the one chunk it is in (and the list of chunks), not the whole tree, and
 * entries are looked up by binary search in the bytes: a status folder of ten thousand services
 * changes one file per decision commit, and what such a commit costs must not be copying ten
 * thousand entries. What remains proportional to the folder is hashing it: its id is the SHA-1 of
 * every byte. A tree keeps the hash's state every few chunks, and a tree edited from it with the
 * same length resumes from the last state before the edit, so a version costs the hashing of the
 * bytes after its edit (half the folder on average). Entries as objects are decoded only when
 * asked for (`entries`). Instances never change; `with` returns a new one.
 */
export class TreeObject {
  static readonly empty = new TreeObject([]);

  #entries: readonly TreeEntry[] | undefined;
  #id: string | undefined;
  /** `#hashes[k]`: the SHA-1 state after the header and chunks `[0, k × HASH_STRIDE)` (never updated, only copied). */
  #hashes: readonly Hash[];
  /** `starts[c]`: the byte offset of chunk c; `starts[chunks]` is the length. */
  private readonly starts: Float64Array;
  /** `firsts[c]`: the index of chunk c's first entry; `firsts[chunks]` is the size. */
  private readonly firsts: Int32Array;

  private constructor(
    private readonly chunks: readonly Chunk[],
    /** Set when this tree was made by `with` (see TreeDerivation). */
    readonly derivation?: TreeDerivation,
    entries?: readonly TreeEntry[],
    hashes: readonly Hash[] = [],
  ) {
    this.#entries = entries;
    this.#hashes = hashes;
    this.starts = new Float64Array(chunks.length + 1);
    this.firsts = new Int32Array(chunks.length + 1);
    chunks.forEach((chunk, c) => {
      this.starts[c + 1] = this.starts[c]! + chunk.raw.length;
      this.firsts[c + 1] = this.firsts[c]! + chunk.ends.length;
    });
  }

  /** Reads a stored tree's content (only the entry boundaries are found; entries are decoded on demand). */
  static decode(raw: Buffer): TreeObject {
    return new TreeObject(chunksOf(raw, boundaries(raw)));
  }

  /** Sorts and encodes entries (names must be unique). */
  static encode(entries: readonly TreeEntry[]): TreeObject {
    const names = new Set<string>();
    for (const e of entries) {
      if (names.has(e.path)) throw new Error(`tree has two entries named "${e.path}"`);
      names.add(e.path);
    }
    const sorted = sortTreeEntries(entries);
    const parts = sorted.map(encodeEntry);
    const ends: number[] = [];
    let end = 0;
    for (const part of parts) {
      end += part.length;
      ends.push(end);
    }
    return new TreeObject(chunksOf(Buffer.concat(parts, end), ends), undefined, sorted);
  }

  /**
   * This tree, as the start of edits: trees made from it by `with` (and from those, and so on)
   * know how they differ from it, the stored tree `oid`.
   */
  editFrom(oid: string): TreeObject {
    // Prefix and suffix both span the whole tree: each splice then cuts them at its own position.
    const length = this.length;
    const tree = new TreeObject(
      this.chunks,
      { base: oid, baseLength: length, prefix: length, suffix: length },
      this.#entries,
      this.#hashes,
    );
    tree.#id = oid;
    return tree;
  }

  /** The object id: SHA-1 of `tree <length>\0` and the content, resumed from the last saved state it shares. */
  id(): string {
    if (this.#id !== undefined) return this.#id;
    const hashes = this.#hashes.length > 0 ? [...this.#hashes] : [createHash("sha1").update(`tree ${this.length}\0`)];
    const from = (hashes.length - 1) * HASH_STRIDE;
    const hash = hashes.at(-1)!.copy();
    for (let c = from; c < this.chunks.length; c++) {
      if (c > from && c % HASH_STRIDE === 0) hashes.push(hash.copy());
      hash.update(this.chunks[c]!.raw);
    }
    this.#hashes = hashes;
    this.#id = hash.digest("hex");
    return this.#id;
  }

  /** The tree object's content, as hashed and stored (one buffer: copied together unless it is one chunk). */
  get raw(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]!.raw : Buffer.concat(this.parts(), this.length);
  }

  /** The content in pieces (what `raw` joins). */
  parts(): Buffer[] {
    return this.chunks.map((chunk) => chunk.raw);
  }

  /** Bytes `[start, end)` of the content. */
  bytes(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(end - start);
    let c = this.chunkAtByte(start);
    let written = 0;
    while (written < out.length) {
      const chunk = this.chunks[c]!.raw;
      const from = start + written - this.starts[c]!;
      written += chunk.copy(out, written, from, Math.min(chunk.length, from + out.length - written));
      c++;
    }
    return out;
  }

  /** Length of the content in bytes. */
  get length(): number {
    return this.starts[this.chunks.length]!;
  }

  /** Every entry, in git's order (by name bytes, as if every folder name ended in `/`). */
  get entries(): readonly TreeEntry[] {
    this.#entries ??= this.chunks.flatMap((chunk) =>
      Array.from({ length: chunk.ends.length }, (_, j) => entryOf(chunk, j)),
    );
    return this.#entries;
  }

  get size(): number {
    return this.firsts[this.chunks.length]!;
  }

  /** Bytes this object holds in memory (for caches that weigh what they keep). */
  get weight(): number {
    return this.length + this.size * 4 + this.chunks.length * 64 + (this.#entries ? this.size * 96 : 0);
  }

  get(name: string): TreeEntry | undefined {
    const at = this.find(name);
    return at && entryOf(this.chunks[at.c]!, at.j);
  }

  /** A tree with the entry named `name` replaced by `entry` (its `path` must be `name`), or dropped for null. */
  with(name: string, entry: TreeEntry | null): TreeObject {
    if (entry && entry.path !== name) throw new Error(`tree entry "${entry.path}" cannot be stored as "${name}"`);
    const at = this.find(name);
    if (!at && entry === null) return this;
    if (at && entry !== null) {
      const old = entryOf(this.chunks[at.c]!, at.j);
      if (old.oid === entry.oid && old.mode === entry.mode) return this;
      // Same name and same kind keep their place in git's order.
      if ((old.type === "tree") === (entry.type === "tree")) return this.splice(at.c, at.j, 1, encodeEntry(entry));
    }
    const without = at ? this.splice(at.c, at.j, 1, undefined) : this;
    if (entry === null) return without;
    const place = without.lowerBound(sortKey(entry));
    return without.splice(place.c, place.j, 0, encodeEntry(entry));
  }

  /** Replaces `remove` (0 or 1) entries at entry j of chunk c by `bytes` (an encoded entry, or none). */
  private splice(c: number, j: number, remove: number, bytes: Buffer | undefined): TreeObject {
    if (this.chunks.length === 0) return new TreeObject(bytes ? [chunkOf(bytes)] : [], this.derivedAt(0, 0));
    const chunk = this.chunks[c]!;
    const start = j === 0 ? 0 : chunk.ends[j - 1]!;
    const end = remove === 0 ? start : chunk.ends[j + remove - 1]!;
    const inserted = bytes?.length ?? 0;
    const raw = Buffer.allocUnsafe(chunk.raw.length - (end - start) + inserted);
    chunk.raw.copy(raw, 0, 0, start);
    bytes?.copy(raw, start);
    chunk.raw.copy(raw, start + inserted, end);
    const added = bytes ? 1 : 0;
    const ends = new Int32Array(chunk.ends.length - remove + added);
    ends.set(chunk.ends.subarray(0, j));
    if (bytes) ends[j] = start + inserted;
    const shift = inserted - (end - start);
    for (let i = j + remove, k = j + added; i < chunk.ends.length; i++, k++) ends[k] = chunk.ends[i]! + shift;
    const replaced =
      ends.length === 0 ? [] : ends.length >= 2 * CHUNK_ENTRIES ? chunksOf(raw, Array.from(ends)) : [{ raw, ends }];
    const chunks = [...this.chunks.slice(0, c), ...replaced, ...this.chunks.slice(c + 1)];
    // The hash states before chunk c still hold when the length (in the header) did not change.
    const hashes = shift === 0 ? this.#hashes.slice(0, Math.floor(c / HASH_STRIDE) + 1) : [];
    return new TreeObject(chunks, this.derivedAt(this.starts[c]! + start, this.starts[c]! + end), undefined, hashes);
  }

  /** The derivation of this tree with bytes `[start, end)` replaced. */
  private derivedAt(start: number, end: number): TreeDerivation | undefined {
    return (
      this.derivation && {
        ...this.derivation,
        prefix: Math.min(this.derivation.prefix, start),
        suffix: Math.min(this.derivation.suffix, this.length - end),
      }
    );
  }

  /** The chunk holding byte `offset`. */
  private chunkAtByte(offset: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Where the entry named `name` is, looked up as a file and as a folder. */
  private find(name: string): { c: number; j: number } | undefined {
    const bytes = Buffer.from(name);
    for (const folder of [false, true]) {
      const key = folder ? Buffer.concat([bytes, SLASH]) : bytes;
      const at = this.lowerBound(key);
      const chunk = this.chunks[at.c];
      if (chunk && at.j < chunk.ends.length && compareAt(chunk, at.j, key) === 0) return at;
    }
    return undefined;
  }

  /** The first place whose entry sorts at or after `key`: a chunk and an entry in it (or its end, for the last). */
  private lowerBound(key: Buffer): { c: number; j: number } {
    const last = this.chunks.length - 1;
    if (last < 0) return { c: 0, j: 0 };
    // The first chunk whose last entry is not before the key; else the end of the last chunk.
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      if (compareAt(chunk, chunk.ends.length - 1, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    const chunk = this.chunks[lo]!;
    let a = 0;
    let b = chunk.ends.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (compareAt(chunk, mid, key) < 0) a = mid + 1;
      else b = mid;
    }
    return { c: lo, j: a };
  }
}

const SLASH = Buffer.from("/");
const FOLDER_MODE = Buffer.from("40000");

/** Where each entry of an encoded tree ends. */
function boundaries(raw: Buffer): number[] {
  const ends: number[] = [];
  let i = 0;
  while (i < raw.length) {
    const space = raw.indexOf(0x20, i);
    const nul = space === -1 ? -1 : raw.indexOf(0, space);
    if (space === -1 || nul === -1 || nul + 21 > raw.length) throw new Error("tree object is truncated");
    i = nul + 21;
    ends.push(i);
  }
  return ends;
}

/** Cuts an encoded tree whose entries end at `ends` into chunks (views of `raw`, nothing copied). */
function chunksOf(raw: Buffer, ends: readonly number[]): Chunk[] {
  const chunks: Chunk[] = [];
  for (let first = 0; first < ends.length; first += CHUNK_ENTRIES) {
    const start = first === 0 ? 0 : ends[first - 1]!;
    const last = Math.min(ends.length, first + CHUNK_ENTRIES);
    chunks.push({
      raw: raw.subarray(start, ends[last - 1]!),
      ends: Int32Array.from(ends.slice(first, last), (end) => end - start),
    });
  }
  return chunks;
}

function chunkOf(bytes: Buffer): Chunk {
  return { raw: bytes, ends: Int32Array.of(bytes.length) };
}

function entryOf(chunk: Chunk, j: number): TreeEntry {
  const start = j === 0 ? 0 : chunk.ends[j - 1]!;
  const end = chunk.ends[j]!;
  const space = chunk.raw.indexOf(0x20, start);
  const mode = chunk.raw.toString("latin1", start, space).padStart(6, "0");
  return {
    mode,
    path: chunk.raw.toString("utf8", space + 1, end - 21),
    oid: chunk.raw.toString("hex", end - 20, end),
    type: typeOfMode(mode),
  };
}

/** Entry j's sort key (its name, and `/` for a folder) against `key`, bytewise. */
function compareAt(chunk: Chunk, j: number, key: Buffer): number {
  const raw = chunk.raw;
  const start = j === 0 ? 0 : chunk.ends[j - 1]!;
  const nameEnd = chunk.ends[j]! - 21;
  const space = raw.indexOf(0x20, start);
  const nameStart = space + 1;
  const nameLength = nameEnd - nameStart;
  const length = nameLength + (isFolderMode(raw, start, space) ? 1 : 0);
  const common = Math.min(length, key.length);
  for (let i = 0; i < common; i++) {
    const a = i < nameLength ? raw[nameStart + i]! : 0x2f;
    const b = key[i]!;
    if (a !== b) return a - b;
  }
  return length - key.length;
}

/** Whether the mode in `raw[start, end)` is a folder's: `40000`, or `040000` with a leading zero. */
function isFolderMode(raw: Buffer, start: number, end: number): boolean {
  const from = end - start === 6 && raw[start] === 0x30 ? start + 1 : start;
  return end - from === 5 && raw.compare(FOLDER_MODE, 0, 5, from, end) === 0;
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
