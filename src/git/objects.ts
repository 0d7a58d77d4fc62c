import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import git, { type CommitObject, type TreeEntry } from "isomorphic-git";
import { LRUCache } from "lru-cache";
import { type AtomicFs, makeDirectory } from "./atomic-fs.ts";
import { listPacks, packsToMerge, readPack, removePack, storePack } from "./pack-files.ts";
import { applyDelta, PackReader } from "./pack-reader.ts";
import {
  type EncodedPack,
  encodePack,
  type PackableType,
  PackStream,
  spliceDelta,
  UnmergeablePackError,
} from "./pack-writer.ts";
import { TreeObject } from "./tree-object.ts";

export { sortTreeEntries } from "./tree-object.ts";
export type { CommitObject, TreeEntry };

/** Parsed commits are kept (they are immutable); this bounds how many. */
const MAX_CACHED = 20_000;
/** Parsed trees kept, by the bytes they hold: a 10,000-service status folder is ~450 KB per version. */
const MAX_TREE_CACHE_BYTES = 96 * 1024 * 1024;
/** Blob contents kept for re-reading unchanged files on the next tick. */
const MAX_BLOB_CACHE_BYTES = 64 * 1024 * 1024;
/** A batch of fewer objects than this is stored as loose objects; a larger one as one pack. */
const PACK_THRESHOLD = 64;

type ObjectType = PackableType;

/**
 * Signs a commit: given the commit object's bytes as they would be without a signature, returns
 * the armoured signature git keeps in the commit's `gpgsig` header (SSHSIG or OpenPGP).
 */
export type CommitSigner = (payload: Buffer) => Promise<string>;

/** Where new objects go: straight to disk (ObjectStore) or into a batch stored at once (ObjectBatch). */
export interface ObjectWriter {
  writeBlob(content: string | Uint8Array): Promise<string>;
  /** Writes a tree; entries are put in git's order first. */
  writeTree(entries: TreeEntry[]): Promise<string>;
  /** Writes an encoded tree; `base` names a tree it was edited from (a good delta base). */
  writeTreeObject(tree: TreeObject, base?: string): Promise<string>;
  /** Writes a commit, signed by `sign` when given (the signature is part of the bytes hashed). */
  writeCommit(commit: CommitObject, sign?: CommitSigner): Promise<string>;
}

/**
 * Reads and writes git objects, keeping parsed trees and commits and recent blobs by id.
 *
 * Writes through the store itself are stored at once as loose objects (through the atomic file
 * system, so a crash never leaves half an object). Writes through a batch (`batch()`) are kept in
 * memory, readable by every reader of this store, until the batch is flushed: then they are stored
 * together, as one pack when there are many. Nothing may name a batch's objects from a ref before
 * the flush has returned.
 *
 * Hashing, compression and the tree and commit encodings are done here with Node's native crypto
 * and zlib: isomorphic-git's own path goes through web streams and costs milliseconds per object,
 * which a 1,000-entry status folder rewritten on every decision cannot afford. Loose and packed
 * objects are also read natively (isomorphic-git is the fallback for packs this reader skips).
 */
export class ObjectStore implements ObjectWriter {
  /**
   * The cache object handed to isomorphic-git (it keeps pack indexes there). The store owns the
   * pack list: when it removes packs it starts a new cache rather than editing isomorphic-git's.
   */
  get gitCache(): object {
    return this.isomorphicCache;
  }
  private isomorphicCache: object = {};
  private readonly trees = new LRUCache<string, TreeObject>({
    maxSize: MAX_TREE_CACHE_BYTES,
    sizeCalculation: (tree) => Math.max(1, tree.weight),
  });
  private readonly commits = new LRUCache<string, CommitObject>({ max: MAX_CACHED });
  private readonly blobs = new LRUCache<string, Uint8Array>({
    maxSize: MAX_BLOB_CACHE_BYTES,
    sizeCalculation: (blob) => Math.max(1, blob.byteLength),
  });
  /** Objects known to be stored, so writing them again skips the existence check. */
  private readonly stored = new Set<string>();
  /** Objects of open batches, by id, with the batches that hold each (the first one reads it). */
  private readonly staged = new Map<string, ObjectBatch[]>();
  private readonly packs: PackReader;

  constructor(
    readonly fs: AtomicFs,
    readonly gitdir: string,
    /** fsync what is stored before it is used (survives power loss). */
    readonly durable = false,
  ) {
    this.packs = new PackReader(gitdir);
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    return (await this.readTreeObject(oid)).entries as TreeEntry[];
  }

  async readTreeObject(oid: string): Promise<TreeObject> {
    const cached = this.trees.get(oid);
    if (cached) return cached;
    const raw = await this.readNative(oid, "tree");
    const tree = raw
      ? TreeObject.decode(raw)
      : TreeObject.encode((await git.readTree({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache })).tree);
    this.rememberTree(oid, tree);
    return tree;
  }

  async readCommit(oid: string): Promise<CommitObject> {
    const cached = this.commits.get(oid);
    if (cached) return cached;
    const raw = await this.readNative(oid, "commit");
    const commit = raw
      ? decodeCommit(raw)
      : (await git.readCommit({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache })).commit;
    this.commits.set(oid, commit);
    return commit;
  }

  async readBlob(oid: string): Promise<Uint8Array> {
    const cached = this.blobs.get(oid);
    if (cached) return cached;
    const blob =
      (await this.readNative(oid, "blob")) ??
      (await git.readBlob({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache })).blob;
    if (blob.byteLength <= MAX_BLOB_CACHE_BYTES / 64) this.blobs.set(oid, blob);
    return blob;
  }

  /** Whether the object is stored in the repository (objects of unflushed batches are not). */
  async hasObject(oid: string): Promise<boolean> {
    if (this.stored.has(oid)) return true;
    if (existsSync(this.loosePath(oid)) || (await this.packs.has(oid))) return true;
    // Packs the native reader skips (not a version-2 index) are isomorphic-git's to look in.
    try {
      await git.readObject({ fs: this.fs, gitdir: this.gitdir, oid, format: "deflated", cache: this.gitCache });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "NotFoundError") return false;
      throw error;
    }
  }

  /** A batch of writes, stored together by its `flush()`. */
  batch(): ObjectBatch {
    return new ObjectBatch(this);
  }

  writeBlob(content: string | Uint8Array): Promise<string> {
    const bytes = toBuffer(content);
    return this.writeNow({ oid: objectId("blob", bytes), type: "blob", content: bytes });
  }

  writeTree(entries: TreeEntry[]): Promise<string> {
    return this.writeTreeObject(TreeObject.encode(entries));
  }

  async writeTreeObject(tree: TreeObject): Promise<string> {
    const oid = await this.writeNow({ oid: tree.id(), type: "tree", content: tree.raw });
    this.rememberTree(oid, tree);
    return oid;
  }

  async writeCommit(commit: CommitObject, sign?: CommitSigner): Promise<string> {
    const bytes = await encodeSigned(commit, sign);
    return this.writeNow({ oid: objectId("commit", bytes), type: "commit", content: bytes });
  }

  /** A commit object's bytes as stored (with its signature, if any), for verifying its signature. */
  async readCommitBytes(oid: string): Promise<Buffer> {
    const raw = await this.readNative(oid, "commit");
    if (raw) return raw;
    const { object } = await git.readObject({
      fs: this.fs,
      gitdir: this.gitdir,
      oid,
      format: "content",
      cache: this.gitCache,
    });
    return Buffer.from(object as Uint8Array);
  }

  /** The entry at `path` (`a/b/c`) under a root tree, or undefined. */
  async entryAt(rootTree: string, path: string): Promise<TreeEntry | undefined> {
    if (path === "") return { mode: "040000", path: "", oid: rootTree, type: "tree" };
    let tree = rootTree;
    const segments = path.split("/");
    for (let i = 0; i < segments.length; i++) {
      const entry = (await this.readTreeObject(tree)).get(segments[i]!);
      if (!entry) return undefined;
      if (i === segments.length - 1) return entry;
      if (entry.type !== "tree") return undefined;
      tree = entry.oid;
    }
    return undefined;
  }

  /** @internal A batch's object becomes readable. */
  stage(oid: string, batch: ObjectBatch): void {
    const holders = this.staged.get(oid);
    if (holders) holders.push(batch);
    else this.staged.set(oid, [batch]);
  }

  /** @internal A batch lets go of its object (flushed or discarded). */
  unstage(oid: string, batch: ObjectBatch): void {
    const holders = this.staged.get(oid);
    if (!holders) return;
    const rest = holders.filter((b) => b !== batch);
    if (rest.length === 0) this.staged.delete(oid);
    else this.staged.set(oid, rest);
  }

  /** @internal */
  isStored(oid: string): boolean {
    return this.stored.has(oid);
  }

  /** @internal */
  rememberTree(oid: string, tree: TreeObject): void {
    this.trees.set(oid, tree);
  }

  /** @internal A tree already parsed (of an open batch or read before), without reading anything. */
  cachedTree(oid: string): TreeObject | undefined {
    return this.trees.get(oid);
  }

  /** @internal Stores a few objects of a batch as loose objects. */
  async storeLoose(objects: StagedObject[]): Promise<void> {
    const missing = objects.filter((o) => !this.stored.has(o.oid));
    await Promise.all(missing.map((o) => this.writeLoose(o)));
    for (const o of missing) this.stored.add(o.oid);
  }

  /**
   * @internal Stores a batch's pack (with its index, renamed into place only once both are
   * complete); when this returns, all its objects are stored.
   */
  async storePack(own: EncodedPack, oids: Iterable<string>): Promise<void> {
    await this.writePack(own);
    for (const oid of oids) this.stored.add(oid);
  }

  /**
   * Stores a pack that also takes in the smaller packs (see pack-files.ts); those are removed once
   * the new pack and its index are in place. When one cannot be merged (an index that does not match
   * its pack, or a pack another writer just merged and removed), the new pack is stored alone.
   */
  private async writePack(own: EncodedPack): Promise<void> {
    const merged = packsToMerge(await listPacks(this.gitdir), own.objects);
    let encoded = own;
    if (merged.length > 0) {
      try {
        const sources = await Promise.all(merged.map((p) => readPack(this.gitdir, p)));
        encoded = encodePack([], [...sources, { name: `pack-${own.name}`, index: own.index, data: own.pack }]);
      } catch (error) {
        // Broken, or removed meanwhile by another writer that merged it: store this pack alone.
        const gone = (error as NodeJS.ErrnoException).code === "ENOENT";
        if (!(error instanceof UnmergeablePackError) && !gone) throw error;
        merged.length = 0;
      }
    }
    await storePack(this.gitdir, encoded, this.durable);
    this.packs.added(`pack-${encoded.name}`, encoded.index, encoded.pack);
    let removed = false;
    for (const pack of merged) {
      if (pack.name === `pack-${encoded.name}`) continue;
      if (!(await removePack(this.gitdir, pack, this.durable))) continue;
      this.packs.removed(pack.name);
      removed = true;
    }
    // isomorphic-git keeps every pack it loaded by file name and never forgets one: start anew.
    if (removed) this.isomorphicCache = {};
  }

  private async writeNow(object: StagedObject): Promise<string> {
    if (this.stored.has(object.oid)) return object.oid;
    await this.writeLoose(object);
    this.stored.add(object.oid);
    return object.oid;
  }

  private async writeLoose(object: StagedObject): Promise<void> {
    await makeDirectory(join(this.gitdir, "objects", object.oid.slice(0, 2)), this.durable);
    const wrapped = Buffer.concat([Buffer.from(`${object.type} ${object.content.byteLength}\0`), object.content]);
    // isomorphic-git stores it as a loose object (unless it already exists).
    await git.writeObject({
      fs: this.fs,
      gitdir: this.gitdir,
      type: object.type,
      object: deflateSync(wrapped),
      format: "deflated",
      oid: object.oid,
    });
  }

  /** An object's content read with native zlib: staged, loose or packed; undefined leaves it to isomorphic-git. */
  private async readNative(oid: string, expected: ObjectType): Promise<Buffer | undefined> {
    const staged = this.staged.get(oid)?.[0]?.read(oid);
    if (staged) {
      if (staged.type !== expected) throw new Error(`object ${oid} is a ${staged.type}, expected a ${expected}`);
      return staged.content;
    }
    const loose = await this.readLoose(oid, expected);
    if (loose) return loose;
    const packed = await this.packs.read(oid);
    if (!packed) return undefined;
    if (packed.type !== expected) throw new Error(`object ${oid} is a ${packed.type}, expected a ${expected}`);
    return packed.content;
  }

  private loosePath(oid: string): string {
    return join(this.gitdir, "objects", oid.slice(0, 2), oid.slice(2));
  }

  /** A loose object's content, or undefined when it is not stored loose (then it is in a pack). */
  private async readLoose(oid: string, expected: ObjectType): Promise<Buffer | undefined> {
    let deflated: Buffer;
    try {
      deflated = await readFile(this.loosePath(oid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const raw = inflateSync(deflated);
    const nul = raw.indexOf(0);
    const [type, size] = raw.subarray(0, nul).toString("latin1").split(" ");
    const content = raw.subarray(nul + 1);
    if (type !== expected || Number(size) !== content.byteLength)
      throw new Error(`object ${oid} is a ${type} of ${size} bytes, expected a ${expected}`);
    if (createHash("sha1").update(raw).digest("hex") !== oid)
      throw new Error(`object ${oid} is corrupt: its content does not hash to its id`);
    return content;
  }
}

/** An object with its id and content. */
export interface StagedObject {
  oid: string;
  type: ObjectType;
  content: Buffer;
}

/**
 * Objects written together and stored at once by `flush()`: one pack file (with its index) for a
 * tick's thousand decision commits instead of ten thousand loose objects. Until then they are
 * readable through the store; `discard()` forgets the ones not flushed.
 *
 * Each object is encoded into the batch's pack as it is written (PackStream): compressed, or for a
 * tree edited from another tree of the batch, a delta of it made from where the edit was (no byte
 * compared). The batch keeps those bytes, not the contents: a tick of D decisions in a folder of N
 * services holds O(D) bytes, not D versions of N entries. Reading an object back inflates it (the
 * store's tree cache usually has the trees already).
 */
export class ObjectBatch implements ObjectWriter {
  #pack = new PackStream();

  constructor(readonly store: ObjectStore) {}

  /** Objects waiting to be stored. */
  get size(): number {
    return this.#pack.count;
  }

  writeBlob(content: string | Uint8Array): Promise<string> {
    return Promise.resolve(this.stage("blob", toBuffer(content)));
  }

  writeTree(entries: TreeEntry[]): Promise<string> {
    return this.writeTreeObject(TreeObject.encode(entries));
  }

  writeTreeObject(tree: TreeObject, base?: string): Promise<string> {
    const oid = tree.id();
    if (!this.#pack.has(oid)) {
      const delta = base ? this.deltaOf(tree, base) : undefined;
      if (delta) this.#pack.addDelta(oid, delta.base, delta.delta);
      else this.#pack.add(oid, "tree", tree.raw);
      this.store.stage(oid, this);
    }
    this.store.rememberTree(oid, tree);
    return Promise.resolve(oid);
  }

  async writeCommit(commit: CommitObject, sign?: CommitSigner): Promise<string> {
    return this.stage("commit", await encodeSigned(commit, sign));
  }

  /**
   * Stores every object written so far (see ObjectStore); afterwards refs may name them. Returns
   * the pack of exactly the batch's objects when it was stored as one, for a push to send.
   */
  async flush(): Promise<Buffer | undefined> {
    const oids = this.oids();
    try {
      // Durable, a pack costs three fsyncs (pack, index, folder) against two per loose object.
      if (oids.length < (this.store.durable ? 2 : PACK_THRESHOLD)) {
        await this.store.storeLoose(oids.map((oid) => ({ oid, ...this.read(oid)! })));
        return undefined;
      }
      const own = this.#pack.finish();
      await this.store.storePack(own, oids);
      return own.pack;
    } finally {
      this.release(oids);
    }
  }

  /** Forgets the objects not flushed. */
  discard(): void {
    this.release(this.oids());
  }

  /** @internal An object of this batch, read back from its pack entry. */
  read(oid: string): { type: ObjectType; content: Buffer } | undefined {
    const entry = this.#pack.entry(oid);
    if (!entry) return undefined;
    const data = inflateSync(entry.compressed);
    if (entry.base === undefined) return { type: entry.type, content: data };
    // The store's tree cache is asked first (see readTreeObject): this is for trees it let go.
    const base = this.read(entry.base)?.content;
    if (!base) throw new Error(`object ${oid} is a delta of ${entry.base}, which the batch does not hold`);
    return { type: entry.type, content: applyDelta(base, data) };
  }

  /** A delta of `tree` against `base` when `tree` was edited from it and `base` is in this pack. */
  private deltaOf(tree: TreeObject, base: string): { base: string; delta: Buffer } | undefined {
    const d = tree.derivation;
    if (d?.base !== base || d.prefix + d.suffix > Math.min(d.baseLength, tree.length)) return undefined;
    if (!this.#pack.canDeltaOn(base)) return undefined;
    const delta = spliceDelta(d.baseLength, tree.length, d.prefix, d.suffix, (start, end) => tree.bytes(start, end));
    return delta ? { base, delta } : undefined;
  }

  /**
   * Objects stored already are kept too: the batch's pack must hold every object its commits add,
   * since a remote may lack one that an earlier, unpublished commit of this process stored here.
   */
  private stage(type: ObjectType, content: Buffer): string {
    const oid = objectId(type, content);
    if (this.#pack.has(oid)) return oid;
    this.#pack.add(oid, type, content);
    this.store.stage(oid, this);
    return oid;
  }

  private oids(): string[] {
    return this.#pack.oids();
  }

  private release(oids: string[]): void {
    for (const oid of oids) this.store.unstage(oid, this);
    this.#pack = new PackStream();
  }
}

function toBuffer(content: string | Uint8Array): Buffer {
  if (typeof content === "string") return Buffer.from(content, "utf8");
  return Buffer.isBuffer(content) ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

/** SHA-1 of `<type> <size>\0<content>`. */
function objectId(type: ObjectType, content: Buffer): string {
  return createHash("sha1").update(`${type} ${content.byteLength}\0`).update(content).digest("hex");
}

function decodeCommit(raw: Buffer): CommitObject {
  const text = raw.toString("utf8");
  const split = text.indexOf("\n\n");
  const headerText = split === -1 ? text : text.slice(0, split);
  const message = split === -1 ? "" : text.slice(split + 2);
  let tree = "";
  const parent: string[] = [];
  let author: CommitObject["author"] | undefined;
  let committer: CommitObject["committer"] | undefined;
  let gpgsig: string | undefined;
  let key = "";
  for (const line of headerText.split("\n")) {
    if (line.startsWith(" ")) {
      // continuation of a multi-line header (gpgsig, mergetag)
      if (key === "gpgsig" && gpgsig !== undefined) gpgsig += `\n${line.slice(1)}`;
      continue;
    }
    const space = line.indexOf(" ");
    key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === "gpgsig") gpgsig = value;
    else if (key === "tree") tree = value;
    else if (key === "parent") parent.push(value);
    else if (key === "author") author = decodePerson(value);
    else if (key === "committer") committer = decodePerson(value);
  }
  if (!tree || !author || !committer) throw new Error("commit object is missing its tree, author or committer");
  return { message, tree, parent, author, committer, ...(gpgsig !== undefined ? { gpgsig: `${gpgsig}\n` } : {}) };
}

function decodePerson(value: string): CommitObject["author"] {
  const m = /^(.*) <(.*)> (-?\d+) ([+-])(\d\d)(\d\d)$/.exec(value);
  if (!m) throw new Error(`cannot read commit signature "${value}"`);
  const minutes = Number(m[5]) * 60 + Number(m[6]);
  // isomorphic-git's convention (as Date#getTimezoneOffset): minutes behind UTC.
  const timezoneOffset = m[4] === "-" ? minutes : -minutes;
  return {
    name: m[1]!,
    email: m[2]!,
    timestamp: Number(m[3]),
    timezoneOffset: timezoneOffset === 0 ? 0 : timezoneOffset,
  };
}

/** The commit's bytes; signed, the signature of the unsigned bytes goes into a `gpgsig` header. */
async function encodeSigned(commit: CommitObject, sign: CommitSigner | undefined): Promise<Buffer> {
  if (!sign) return encodeCommit(commit);
  const { gpgsig: _, ...unsigned } = commit;
  return encodeCommit({ ...unsigned, gpgsig: await sign(encodeCommit(unsigned)) });
}

function encodeCommit(commit: CommitObject): Buffer {
  const person = (p: CommitObject["author"]) => {
    const offset = -p.timezoneOffset; // isomorphic-git stores minutes *behind* UTC, like Date#getTimezoneOffset
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
    if (/[<>\n]/.test(p.name + p.email))
      throw new Error("author and committer names and emails cannot contain <, > or newlines");
    return `${p.name} <${p.email}> ${p.timestamp} ${tz}`;
  };
  const lines = [
    `tree ${commit.tree}`,
    ...commit.parent.map((p) => `parent ${p}`),
    `author ${person(commit.author)}`,
    `committer ${person(commit.committer ?? commit.author)}`,
  ];
  // As git writes it: after the committer, every line of the signature but the first indented by a space.
  if (commit.gpgsig) lines.push(`gpgsig ${commit.gpgsig.replace(/\n$/, "").replaceAll("\n", "\n ")}`);
  return Buffer.from(`${lines.join("\n")}\n\n${commit.message}`, "utf8");
}
