import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { inflateSync } from "node:zlib";

export type PackedType = "commit" | "tree" | "blob" | "tag";
export interface PackedObject {
  type: PackedType;
  content: Buffer;
}

const TYPES: Record<number, PackedType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** Resolved delta bases kept per pack: neighbouring files share long delta chains. */
const MAX_BASES = 4096;

/**
 * Reads objects out of pack files with Node's native zlib and keeps resolved delta bases, so a
 * file at the end of a 50-deep delta chain costs one inflate, not fifty. isomorphic-git reads
 * packs too, but inflates every link of the chain in JavaScript on every read, which made loading
 * a 1,000-service environment take seconds. Only version-2 indexes are read here; anything else is
 * left to isomorphic-git (the caller falls back when this returns undefined).
 */
export class PackReader {
  private packs: Pack[] | undefined;
  private listing: string[] = [];

  constructor(private readonly gitdir: string) {}

  /** Whether a pack holds the object (its index says so; nothing is inflated). */
  async has(oid: string): Promise<boolean> {
    const key = Buffer.from(oid, "hex");
    const inLoaded = () => this.packs!.some((pack) => pack.offsetOf(key) !== undefined);
    this.packs ??= await this.load();
    if (inLoaded()) return true;
    return (await this.refresh()) && inLoaded();
  }

  /** A pack the caller just stored (`pack-<hex>`): readable at once, without listing the folder. */
  added(name: string, index: Buffer, data: Buffer): void {
    if (!this.packs) return; // the first read lists the folder
    const file = `${name}.idx`;
    const pack = Pack.open(file, index, data);
    if (!pack || this.listing.includes(file)) return;
    this.packs.push(pack);
    this.listing = [...this.listing, file].sort();
  }

  /** A pack the caller removed (`pack-<hex>`, its objects are in another pack): its memory is let go. */
  removed(name: string): void {
    const file = `${name}.idx`;
    if (this.packs) this.packs = this.packs.filter((p) => p.name !== file);
    this.listing = this.listing.filter((n) => n !== file);
  }

  async read(oid: string): Promise<PackedObject | undefined> {
    const found = await this.find(oid);
    if (found) return found;
    // A fetch may have added a pack since the folder was listed.
    if (await this.refresh()) return this.find(oid);
    return undefined;
  }

  private async find(oid: string): Promise<PackedObject | undefined> {
    this.packs ??= await this.load();
    const key = Buffer.from(oid, "hex");
    for (const pack of this.packs) {
      const offset = pack.offsetOf(key);
      if (offset !== undefined)
        return this.verify(
          oid,
          pack.objectAt(offset, (base) => this.findSync(base)),
        );
    }
    return undefined;
  }

  /** REF_DELTA bases are looked up in the packs already loaded. */
  private findSync(oid: Buffer): PackedObject | undefined {
    for (const pack of this.packs ?? []) {
      const offset = pack.offsetOf(oid);
      if (offset !== undefined) return pack.objectAt(offset, (base) => this.findSync(base));
    }
    return undefined;
  }

  private verify(oid: string, object: PackedObject | undefined): PackedObject | undefined {
    if (!object) return undefined;
    const hash = createHash("sha1")
      .update(`${object.type} ${object.content.byteLength}\0`)
      .update(object.content)
      .digest("hex");
    if (hash !== oid) throw new Error(`packed object ${oid} is corrupt: its content hashes to ${hash}`);
    return object;
  }

  private async refresh(): Promise<boolean> {
    const names = await this.indexNames();
    if (names.join() === this.listing.join()) return false;
    this.packs = await this.load();
    return true;
  }

  private async indexNames(): Promise<string[]> {
    try {
      return (await readdir(join(this.gitdir, "objects/pack"))).filter((n) => n.endsWith(".idx")).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }

  private async load(): Promise<Pack[]> {
    const names = await this.indexNames();
    const known = new Map((this.packs ?? []).map((p) => [p.name, p]));
    const packs: Pack[] = [];
    for (const name of names) {
      const existing = known.get(name);
      if (existing) {
        packs.push(existing);
        continue;
      }
      const dir = join(this.gitdir, "objects/pack");
      let index: Buffer;
      let data: Buffer;
      try {
        index = await readFile(join(dir, name));
        data = await readFile(join(dir, name.replace(/\.idx$/, ".pack")));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // half-written by an interrupted fetch
        throw error;
      }
      const pack = Pack.open(name, index, data);
      if (pack) packs.push(pack);
    }
    this.listing = names;
    return packs;
  }
}

class Pack {
  private readonly bases = new Map<number, PackedObject>();
  private sortedOffsets: number[] | undefined;

  private constructor(
    readonly name: string,
    private readonly count: number,
    private readonly index: Buffer,
    private readonly data: Buffer,
  ) {}

  /** A version-2 index with its pack, or undefined for anything else. */
  static open(name: string, index: Buffer, data: Buffer): Pack | undefined {
    if (index.length < 8 + 256 * 4 || index.readUInt32BE(0) !== 0xff744f63 || index.readUInt32BE(4) !== 2)
      return undefined;
    if (data.length < 32 || data.toString("latin1", 0, 4) !== "PACK") return undefined;
    const count = index.readUInt32BE(8 + 255 * 4);
    return new Pack(name, count, index, data);
  }

  offsetOf(oid: Buffer): number | undefined {
    const first = oid[0]!;
    let lo = first === 0 ? 0 : this.index.readUInt32BE(8 + (first - 1) * 4);
    let hi = this.index.readUInt32BE(8 + first * 4);
    const names = 8 + 256 * 4;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = this.index.compare(oid, 0, 20, names + mid * 20, names + mid * 20 + 20) * -1;
      if (cmp === 0) return this.offsetAt(mid);
      if (cmp < 0) hi = mid;
      else lo = mid + 1;
    }
    return undefined;
  }

  private offsetAt(i: number): number {
    const table = 8 + 256 * 4 + this.count * 24;
    const small = this.index.readUInt32BE(table + i * 4);
    if ((small & 0x80000000) === 0) return small;
    const large = table + this.count * 4 + (small & 0x7fffffff) * 8;
    return Number(this.index.readBigUInt64BE(large));
  }

  /** Where the compressed data of the object at `offset` ends: the next object, or the trailer. */
  private endOf(offset: number): number {
    if (!this.sortedOffsets) {
      this.sortedOffsets = Array.from({ length: this.count }, (_, i) => this.offsetAt(i)).sort((a, b) => a - b);
    }
    const offsets = this.sortedOffsets;
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (offsets[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < offsets.length ? offsets[lo]! : this.data.length - 20;
  }

  objectAt(offset: number, external: (oid: Buffer) => PackedObject | undefined): PackedObject | undefined {
    const cached = this.bases.get(offset);
    if (cached) return cached;
    let pos = offset;
    let byte = this.data[pos++]!;
    const kind = (byte >> 4) & 7;
    while (byte & 0x80) byte = this.data[pos++]!;
    let object: PackedObject | undefined;
    if (kind === OFS_DELTA || kind === REF_DELTA) {
      let base: PackedObject | undefined;
      if (kind === OFS_DELTA) {
        byte = this.data[pos++]!;
        let distance = byte & 0x7f;
        while (byte & 0x80) {
          byte = this.data[pos++]!;
          distance = ((distance + 1) * 128) | (byte & 0x7f);
        }
        base = this.objectAt(offset - distance, external);
      } else {
        base = external(this.data.subarray(pos, pos + 20));
        pos += 20;
      }
      if (!base) return undefined;
      const delta = inflateSync(this.data.subarray(pos, this.endOf(offset)));
      object = { type: base.type, content: applyDelta(base.content, delta) };
    } else {
      const type = TYPES[kind];
      if (!type) throw new Error(`pack ${this.name}: unknown object type ${kind} at offset ${offset}`);
      object = { type, content: inflateSync(this.data.subarray(pos, this.endOf(offset))) };
    }
    if (this.bases.size >= MAX_BASES) {
      const oldest = this.bases.keys().next().value;
      if (oldest !== undefined) this.bases.delete(oldest);
    }
    this.bases.set(offset, object);
    return object;
  }
}

/** Rebuilds an object from its delta (gitformat-pack: sizes, then copy and insert instructions). */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const baseSize = varint();
  if (baseSize !== base.length) throw new Error(`delta expects a base of ${baseSize} bytes, found ${base.length}`);
  const target = Buffer.alloc(varint());
  let out = 0;
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let copyOffset = 0;
      let copySize = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) copyOffset += delta[pos++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (1 << (4 + bit))) copySize += delta[pos++]! * 2 ** (8 * bit);
      if (copySize === 0) copySize = 0x10000;
      out += base.copy(target, out, copyOffset, copyOffset + copySize);
    } else if (op > 0) {
      out += delta.copy(target, out, pos, pos + op);
      pos += op;
    } else {
      throw new Error("delta has a reserved zero opcode");
    }
  }
  if (out !== target.length) throw new Error(`delta produced ${out} bytes, expected ${target.length}`);
  return target;
}
