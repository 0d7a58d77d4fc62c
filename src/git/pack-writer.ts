/**
 * Writes many objects as one git pack (format version 2) with its index (version 2), so a tick's
 * thousand decision commits cost two file writes instead of ten thousand. Formats as git documents
 * them in Documentation/gitformat-pack.txt:
 *
 *   pack: "PACK", version 2, object count; per object a type-and-size header, then (for an offset
 *         delta) the distance back to its base, then the zlib-deflated content; a SHA-1 trailer.
 *   idx:  magic "\377tOc", version 2, a 256-entry fan-out table, the sorted object ids, a CRC-32 of
 *         each object's packed bytes, 31-bit offsets (larger ones point into a 64-bit table), the
 *         pack's checksum, and the index's own SHA-1.
 *
 * A new tree that differs from an older tree in the same pack by one entry (a status folder with
 * one file changed) is stored as an offset delta against it: copy the common prefix, insert the
 * changed bytes, copy the common suffix. Chains stop at MAX_DELTA_DEPTH, git's default depth.
 */
import { createHash } from "node:crypto";
import { deflateSync, crc32 as nativeCrc32 } from "node:zlib";

export type PackableType = "commit" | "tree" | "blob";

export interface PackInput {
  /** The object id (SHA-1 of `<type> <size>\0<content>`); the caller computed it already. */
  oid: string;
  type: PackableType;
  content: Buffer;
  /** An object this one is probably a small edit of; used as a delta base if it is earlier in the pack. */
  deltaBase?: string;
}

export interface EncodedPack {
  /** The pack's checksum in hex: files are named `pack-<name>.pack` and `pack-<name>.idx`. */
  name: string;
  pack: Buffer;
  index: Buffer;
  objects: number;
  /** How many objects were stored as deltas. */
  deltas: number;
}

const TYPE_CODES: Record<PackableType, number> = { commit: 1, tree: 2, blob: 3 };
const OFS_DELTA = 6;
/** Git's default `pack.depth`. */
export const MAX_DELTA_DEPTH = 50;
/** A delta is kept only when it is smaller than this share of the object it encodes. */
const DELTA_WORTH = 0.5;
/**
 * zlib level 4 (git reads any level; `git gc` recompresses). On the demo's evidence documents it
 * deflates 2.8× faster than git's default 6 for packs 12% larger; level 1 saves little more time
 * and is 50% larger.
 */
const LEVEL = 4;
/** Smaller contents are stored without compression: deflate would save a few bytes and cost a zlib stream each. */
const DEFLATE_MIN = 256;
/** Copy sizes take up to three bytes. */
const MAX_COPY = 0xffffff;
const MAX_INSERT = 0x7f;

/** A stored pack whose entries are copied into a new one (its compressed data is reused as is). */
export interface SourcePack {
  name: string;
  index: Buffer;
  data: Buffer;
}

/** A source pack whose index or data is not what it should be; it is left alone. */
export class UnmergeablePackError extends Error {}

/**
 * Encodes objects (duplicates dropped) as a pack and its index, in memory, after the entries of
 * `sources` (copied with their compressed data as is; offset deltas get their new distance). An
 * object whose `deltaBase` is earlier in the pack is stored as a delta of their common prefix and
 * suffix when that is much smaller.
 */
export function encodePack(objects: readonly PackInput[], sources: readonly SourcePack[] = []): EncodedPack {
  const out = new PackStream();
  for (const source of sources) out.copy(source);
  const contents = new Map<string, Buffer>();
  for (const object of dedupe(objects)) {
    if (out.has(object.oid)) continue;
    const base = object.deltaBase ? contents.get(object.deltaBase) : undefined;
    const delta = base && out.canDeltaOn(object.deltaBase!) ? prefixSuffixDelta(base, object.content) : undefined;
    if (delta) out.addDelta(object.oid, object.deltaBase!, delta);
    else out.add(object.oid, object.type, object.content);
    contents.set(object.oid, object.content);
  }
  return out.finish();
}

/** How a pack entry reads back: a whole object or a delta of another entry, zlib-compressed. */
export interface PackedEntry {
  type: PackableType;
  /** The entry's zlib stream: the object's content, or the delta. */
  compressed: Buffer;
  /** For a delta: the object it applies to (an earlier entry of the same pack). */
  base?: string;
  /** Length of the delta chain down to a whole object (0 for a whole object). */
  depth: number;
}

/**
 * A pack written one object at a time. Each object is compressed (or encoded as a delta of an
 * earlier one) as it is added, and only those bytes are kept: a reconciler's tick adds thousands of
 * versions of a status folder, and holding each version's content until the end would cost the
 * folder's size times the decisions. Tiny contents (most trees and every delta of a tick) are
 * written as stored zlib blocks: valid zlib that costs nothing to make, where a deflate stream per
 * object would cost more than the bytes it saves. (Deflating on the thread pool instead measured
 * slower: zlib's per-stream cost stays on the main thread.)
 */
export class PackStream {
  readonly #out = new PackBuilder();
  readonly #entries = new Map<string, PackedEntry>();
  #deltas = 0;

  /** Objects in the pack so far. */
  get count(): number {
    return this.#out.count;
  }

  has(oid: string): boolean {
    return this.#out.has(oid);
  }

  /** The objects added to this stream, in order. */
  oids(): string[] {
    return [...this.#entries.keys()];
  }

  /** An object added to this stream (not one copied from a source pack). */
  entry(oid: string): PackedEntry | undefined {
    return this.#entries.get(oid);
  }

  /** Whether a delta of `base` may be added: it is an entry of this stream, not too deep a chain. */
  canDeltaOn(base: string): boolean {
    const entry = this.#entries.get(base);
    return entry !== undefined && entry.depth < MAX_DELTA_DEPTH;
  }

  add(oid: string, type: PackableType, content: Buffer): void {
    const compressed = compress(content);
    this.#out.add(oid, [entryHeader(TYPE_CODES[type], content.length), compressed]);
    this.#entries.set(oid, { type, compressed, depth: 0 });
  }

  /** Adds an object as an offset delta (gitformat-pack) of `base`; `canDeltaOn(base)` must hold. */
  addDelta(oid: string, base: string, delta: Buffer): void {
    const baseEntry = this.#entries.get(base);
    const baseOffset = this.#out.offsetOf(base);
    if (!baseEntry || baseOffset === undefined || baseEntry.depth >= MAX_DELTA_DEPTH)
      throw new Error(`cannot store ${oid} as a delta of ${base}`);
    const compressed = compress(delta);
    this.#out.add(oid, [entryHeader(OFS_DELTA, delta.length), offsetEncoding(this.#out.size - baseOffset), compressed]);
    this.#entries.set(oid, { type: baseEntry.type, compressed, base, depth: baseEntry.depth + 1 });
    this.#deltas++;
  }

  /** Copies every entry of a stored pack this pack does not have yet (see PackBuilder.copy). */
  copy(source: SourcePack): void {
    this.#out.copy(source);
  }

  finish(): EncodedPack {
    return { ...this.#out.finish(), deltas: this.#deltas };
  }
}

function compress(data: Buffer): Buffer {
  return data.length < DEFLATE_MIN ? storedZlib(data) : deflateSync(data, { level: LEVEL });
}

/** Appends pack entries and keeps what the index needs. */
class PackBuilder {
  private readonly chunks: Buffer[] = [Buffer.alloc(12)];
  private readonly entries: { oid: Buffer; offset: number; crc: number }[] = [];
  private readonly offsets = new Map<string, number>();
  /** Bytes so far: the offset of the next entry. */
  size = 12;

  get count(): number {
    return this.entries.length;
  }

  has(oid: string): boolean {
    return this.offsets.has(oid);
  }

  offsetOf(oid: string): number | undefined {
    return this.offsets.get(oid);
  }

  add(oid: string, parts: Buffer[]): void {
    let crc = 0;
    for (const part of parts) crc = crc32(part, crc);
    this.entries.push({ oid: Buffer.from(oid, "hex"), offset: this.size, crc });
    this.offsets.set(oid, this.size);
    for (const part of parts) {
      this.chunks.push(part);
      this.size += part.length;
    }
  }

  /** Copies every entry of a stored pack this pack does not have yet, checking each against its CRC. */
  copy(source: SourcePack): void {
    const listed = readIndex(source);
    const byOffset = new Map(listed.map((e) => [e.offset, e.oid]));
    const data = source.data;
    listed.forEach((entry, i) => {
      const end = i + 1 < listed.length ? listed[i + 1]!.offset : data.length - 20;
      if (crc32(data.subarray(entry.offset, end), 0) !== entry.crc)
        throw new UnmergeablePackError(`pack ${source.name}: object ${entry.oid} does not match its CRC`);
      if (this.has(entry.oid)) return;
      let pos = entry.offset;
      let byte = data[pos++]!;
      const type = (byte >> 4) & 7;
      while (byte & 0x80) byte = data[pos++]!;
      if (type !== OFS_DELTA) {
        this.add(entry.oid, [data.subarray(entry.offset, end)]);
        return;
      }
      const headerEnd = pos;
      byte = data[pos++]!;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = data[pos++]!;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      const baseOid = byOffset.get(entry.offset - distance);
      const base = baseOid === undefined ? undefined : this.offsets.get(baseOid);
      if (base === undefined)
        throw new UnmergeablePackError(`pack ${source.name}: the delta base of ${entry.oid} is not in the pack`);
      this.add(entry.oid, [
        data.subarray(entry.offset, headerEnd),
        offsetEncoding(this.size - base),
        data.subarray(pos, end),
      ]);
    });
  }

  finish(): Omit<EncodedPack, "deltas"> {
    const header = this.chunks[0]!;
    header.write("PACK", 0, "latin1");
    header.writeUInt32BE(2, 4);
    header.writeUInt32BE(this.entries.length, 8);
    const checksum = sha1(this.chunks);
    const pack = Buffer.concat([...this.chunks, checksum]);
    return {
      name: checksum.toString("hex"),
      pack,
      index: encodeIndex(this.entries, checksum),
      objects: this.entries.length,
    };
  }
}

/** A version-2 index's entries, in pack order. */
function readIndex(source: SourcePack): { oid: string; offset: number; crc: number }[] {
  const { index, data } = source;
  if (index.length < 8 + 256 * 4 + 40 || index.readUInt32BE(0) !== 0xff744f63 || index.readUInt32BE(4) !== 2)
    throw new UnmergeablePackError(`pack ${source.name}: not a version-2 index`);
  if (data.length < 32 || data.toString("latin1", 0, 4) !== "PACK")
    throw new UnmergeablePackError(`pack ${source.name}: not a pack`);
  const count = index.readUInt32BE(8 + 255 * 4);
  const names = 8 + 256 * 4;
  const crcs = names + count * 20;
  const offsets = crcs + count * 4;
  const large = offsets + count * 4;
  if (index.length < large + 40 || data.readUInt32BE(8) !== count)
    throw new UnmergeablePackError(`pack ${source.name}: index and pack disagree`);
  if (!index.subarray(index.length - 40, index.length - 20).equals(data.subarray(data.length - 20)))
    throw new UnmergeablePackError(`pack ${source.name}: index is for another pack`);
  const entries: { oid: string; offset: number; crc: number }[] = [];
  for (let i = 0; i < count; i++) {
    const small = index.readUInt32BE(offsets + i * 4);
    const offset = small & 0x80000000 ? Number(index.readBigUInt64BE(large + (small & 0x7fffffff) * 8)) : small;
    entries.push({
      oid: index.toString("hex", names + i * 20, names + i * 20 + 20),
      offset,
      crc: index.readUInt32BE(crcs + i * 4),
    });
  }
  return entries.sort((a, b) => a.offset - b.offset);
}

/**
 * A zlib stream of stored (uncompressed) deflate blocks: header 0x78 0x01, blocks of at most
 * 65,535 bytes each preceded by its final-block flag, length and the length's complement, then the
 * Adler-32 of the data (RFC 1950, RFC 1951 section 3.2.4).
 */
export function storedZlib(data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / 0xffff));
  const out = Buffer.allocUnsafe(2 + blocks * 5 + data.length + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let at = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 0xffff;
    const length = Math.min(0xffff, data.length - start);
    out[at] = b === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(length, at + 1);
    out.writeUInt16LE(~length & 0xffff, at + 3);
    data.copy(out, at + 5, start, start + length);
    at += 5 + length;
  }
  out.writeUInt32BE(adler32(data), at);
  return out;
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  // 5552 bytes is the most that can be summed before b could overflow 2^32 (zlib's NMAX).
  for (let start = 0; start < data.length; start += 5552) {
    const end = Math.min(data.length, start + 5552);
    for (let i = start; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function dedupe(objects: readonly PackInput[]): PackInput[] {
  const seen = new Set<string>();
  const out: PackInput[] = [];
  for (const object of objects) {
    if (!/^[0-9a-f]{40}$/.test(object.oid))
      throw new Error(`cannot pack object "${object.oid}": not a SHA-1 object id`);
    if (seen.has(object.oid)) continue;
    seen.add(object.oid);
    out.push(object);
  }
  return out;
}

/** Type in bits 4-6 of the first byte, the size in its low 4 bits and then 7 bits per byte. */
function entryHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** The distance back to an offset delta's base: big-endian 7-bit groups, each but the last plus one. */
function offsetEncoding(distance: number): Buffer {
  const bytes = [distance & 0x7f];
  let rest = Math.floor(distance / 128);
  while (rest > 0) {
    rest -= 1;
    bytes.unshift(0x80 | (rest & 0x7f));
    rest = Math.floor(rest / 128);
  }
  return Buffer.from(bytes);
}

/**
 * A delta that rebuilds `target` from `base` by copying their common prefix and suffix and inserting
 * what lies between; undefined when that would not be much smaller than `target`.
 */
export function prefixSuffixDelta(base: Buffer, target: Buffer): Buffer | undefined {
  const limit = Math.min(base.length, target.length);
  const prefix = commonLength(limit, (n) => base.compare(target, 0, n, 0, n) === 0);
  const suffix = commonLength(
    limit - prefix,
    (n) => base.compare(target, target.length - n, target.length, base.length - n, base.length) === 0,
  );
  return spliceDelta(base.length, target.length, prefix, suffix, (start, end) => target.subarray(start, end));
}

/**
 * A delta that rebuilds `target` from a base of `baseLength` bytes with which it shares its first
 * `prefix` and last `suffix` bytes (the caller knows them: see TreeDerivation); undefined when that
 * would not be much smaller than `target`.
 */
export function spliceDelta(
  baseLength: number,
  targetLength: number,
  prefix: number,
  suffix: number,
  /** Bytes `[start, end)` of the target. */
  targetBytes: (start: number, end: number) => Buffer,
): Buffer | undefined {
  if (prefix < 0 || suffix < 0 || prefix + suffix > Math.min(baseLength, targetLength))
    throw new Error(`a delta cannot share ${prefix} + ${suffix} bytes of ${baseLength} and ${targetLength}`);
  const inserted = targetLength - prefix - suffix;
  const estimate = 16 + Math.ceil(inserted / MAX_INSERT) + inserted + 8 * Math.ceil((prefix + suffix) / MAX_COPY);
  if (estimate > targetLength * DELTA_WORTH) return undefined;
  const middle = targetBytes(prefix, prefix + inserted);

  const out: number[] = [...varint(baseLength), ...varint(targetLength)];
  const copy = (from: number, length: number) => {
    for (let done = 0; done < length; done += MAX_COPY) copyOp(out, from + done, Math.min(MAX_COPY, length - done));
  };
  copy(0, prefix);
  const parts: Buffer[] = [Buffer.from(out)];
  for (let at = 0; at < inserted; at += MAX_INSERT) {
    const length = Math.min(MAX_INSERT, inserted - at);
    parts.push(Buffer.from([length]), middle.subarray(at, at + length));
  }
  const tail: number[] = [];
  for (let done = 0; done < suffix; done += MAX_COPY)
    copyOp(tail, baseLength - suffix + done, Math.min(MAX_COPY, suffix - done));
  parts.push(Buffer.from(tail));
  return Buffer.concat(parts);
}

/** The largest n ≤ limit for which `equal(n)` holds, for a predicate true up to some n and false after. */
function commonLength(limit: number, equal: (n: number) => boolean): number {
  let lo = 0;
  let hi = limit;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (equal(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A copy instruction: 0x80 plus a bit for each non-zero byte of offset (4) and size (3) that follows. */
function copyOp(out: number[], offset: number, size: number): void {
  let op = 0x80;
  const args: number[] = [];
  for (let i = 0; i < 4; i++) {
    const byte = Math.floor(offset / 2 ** (8 * i)) & 0xff;
    if (byte !== 0) {
      op |= 1 << i;
      args.push(byte);
    }
  }
  for (let i = 0; i < 3; i++) {
    const byte = (size >> (8 * i)) & 0xff;
    if (byte !== 0) {
      op |= 1 << (4 + i);
      args.push(byte);
    }
  }
  out.push(op, ...args);
}

/** Little-endian 7-bit groups (the delta header's sizes). */
function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return bytes;
}

function encodeIndex(entries: { oid: Buffer; offset: number; crc: number }[], packChecksum: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(a.oid, b.oid));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= 0x80000000);
  const index = Buffer.alloc(8 + 256 * 4 + n * (20 + 4 + 4) + large.length * 8 + 40);
  index.writeUInt32BE(0xff744f63, 0);
  index.writeUInt32BE(2, 4);
  const fanout = new Array<number>(256).fill(0);
  for (const e of sorted) fanout[e.oid[0]!]!++;
  let cumulative = 0;
  for (let i = 0; i < 256; i++) {
    cumulative += fanout[i]!;
    index.writeUInt32BE(cumulative, 8 + i * 4);
  }
  const names = 8 + 256 * 4;
  const crcs = names + n * 20;
  const offsets = crcs + n * 4;
  const largeOffsets = offsets + n * 4;
  let nextLarge = 0;
  sorted.forEach((e, i) => {
    e.oid.copy(index, names + i * 20);
    index.writeUInt32BE(e.crc >>> 0, crcs + i * 4);
    if (e.offset < 0x80000000) {
      index.writeUInt32BE(e.offset, offsets + i * 4);
    } else {
      index.writeUInt32BE((0x80000000 | nextLarge) >>> 0, offsets + i * 4);
      index.writeBigUInt64BE(BigInt(e.offset), largeOffsets + nextLarge * 8);
      nextLarge++;
    }
  });
  const trailer = largeOffsets + large.length * 8;
  packChecksum.copy(index, trailer);
  sha1([index.subarray(0, trailer + 20)]).copy(index, trailer + 20);
  return index;
}

function sha1(parts: Buffer[]): Buffer {
  const hash = createHash("sha1");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Node has zlib.crc32 from 20.15 on; older Node 20 releases get the table-driven version. */
const crc32: (data: Uint8Array, value: number) => number = typeof nativeCrc32 === "function" ? nativeCrc32 : tableCrc32;

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array, value: number): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[i] = c >>> 0;
    }
  }
  let crc = (value ^ 0xffffffff) >>> 0;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
