import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import git, { type CommitObject, type TreeEntry } from "isomorphic-git";
import type { AtomicFs } from "./atomic-fs.ts";
import { PackReader } from "./pack-reader.ts";

export type { CommitObject, TreeEntry };

/** Trees and commits are immutable, so parsed ones are kept; this bounds how many. */
const MAX_CACHED = 20_000;
/** Blob contents kept for re-reading unchanged files on the next tick. */
const MAX_BLOB_CACHE_BYTES = 64 * 1024 * 1024;

type ObjectType = "blob" | "tree" | "commit";

/**
 * Reads and writes git objects, keeping parsed trees and commits and recent blobs by id.
 *
 * Storage goes through isomorphic-git (loose objects written through the atomic file system, so a
 * crash never leaves half an object; packs read by isomorphic-git). Hashing, compression and the
 * tree and commit encodings are done here with Node's native crypto and zlib: isomorphic-git's own
 * path goes through web streams and costs milliseconds per object, which a 1,000-entry status
 * folder rewritten on every decision cannot afford. Loose objects are also read natively.
 */
export class ObjectStore {
  /** isomorphic-git's own cache (pack indexes); one per repository. */
  readonly gitCache: object = {};
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly commits = new Map<string, CommitObject>();
  private readonly blobs = new Map<string, Uint8Array>();
  private blobBytes = 0;
  /** Objects known to be stored, so writing them again skips the existence check. */
  private readonly stored = new Set<string>();
  private readonly packs: PackReader;

  constructor(
    readonly fs: AtomicFs,
    readonly gitdir: string,
  ) {
    this.packs = new PackReader(gitdir);
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    const cached = this.trees.get(oid);
    if (cached) return cached;
    const raw = await this.readNative(oid, "tree");
    const tree = raw ? decodeTree(raw) : (await git.readTree({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache })).tree;
    remember(this.trees, oid, tree);
    return tree;
  }

  async readCommit(oid: string): Promise<CommitObject> {
    const cached = this.commits.get(oid);
    if (cached) return cached;
    const raw = await this.readNative(oid, "commit");
    const commit = raw ? decodeCommit(raw) : (await git.readCommit({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache })).commit;
    remember(this.commits, oid, commit);
    return commit;
  }

  async readBlob(oid: string): Promise<Uint8Array> {
    const cached = this.blobs.get(oid);
    if (cached) return cached;
    const blob = (await this.readNative(oid, "blob")) ?? (await git.readBlob({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache })).blob;
    if (blob.byteLength <= MAX_BLOB_CACHE_BYTES / 64) {
      while (this.blobBytes + blob.byteLength > MAX_BLOB_CACHE_BYTES && this.blobs.size > 0) {
        const [oldest, bytes] = this.blobs.entries().next().value as [string, Uint8Array];
        this.blobs.delete(oldest);
        this.blobBytes -= bytes.byteLength;
      }
      this.blobs.set(oid, blob);
      this.blobBytes += blob.byteLength;
    }
    return blob;
  }

  async hasObject(oid: string): Promise<boolean> {
    if (this.stored.has(oid)) return true;
    try {
      await git.readObject({ fs: this.fs, gitdir: this.gitdir, oid, format: "deflated", cache: this.gitCache });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "NotFoundError") return false;
      throw error;
    }
  }

  writeBlob(content: string | Uint8Array): Promise<string> {
    return this.write("blob", typeof content === "string" ? Buffer.from(content, "utf8") : content);
  }

  /** Writes a tree; entries are put in git's order first. */
  async writeTree(entries: TreeEntry[]): Promise<string> {
    const sorted = sortTreeEntries(entries);
    const oid = await this.write("tree", encodeTree(sorted));
    remember(this.trees, oid, sorted);
    return oid;
  }

  writeCommit(commit: CommitObject): Promise<string> {
    return this.write("commit", encodeCommit(commit));
  }

  /** The entry at `path` (`a/b/c`) under a root tree, or undefined. */
  async entryAt(rootTree: string, path: string): Promise<TreeEntry | undefined> {
    if (path === "") return { mode: "040000", path: "", oid: rootTree, type: "tree" };
    let tree = rootTree;
    const segments = path.split("/");
    for (let i = 0; i < segments.length; i++) {
      const entry = (await this.readTree(tree)).find((e) => e.path === segments[i]);
      if (!entry) return undefined;
      if (i === segments.length - 1) return entry;
      if (entry.type !== "tree") return undefined;
      tree = entry.oid;
    }
    return undefined;
  }

  private async write(type: ObjectType, content: Uint8Array): Promise<string> {
    const wrapped = Buffer.concat([Buffer.from(`${type} ${content.byteLength}\0`), content]);
    const oid = createHash("sha1").update(wrapped).digest("hex");
    if (this.stored.has(oid)) return oid;
    // isomorphic-git stores it as a loose object (unless it already exists).
    await git.writeObject({ fs: this.fs, gitdir: this.gitdir, type, object: deflateSync(wrapped), format: "deflated", oid });
    this.stored.add(oid);
    return oid;
  }

  /** An object's content read with native zlib, loose or packed; undefined leaves it to isomorphic-git. */
  private async readNative(oid: string, expected: ObjectType): Promise<Buffer | undefined> {
    const loose = await this.readLoose(oid, expected);
    if (loose) return loose;
    const packed = await this.packs.read(oid);
    if (!packed) return undefined;
    if (packed.type !== expected) throw new Error(`object ${oid} is a ${packed.type}, expected a ${expected}`);
    return packed.content;
  }

  /** A loose object's content, or undefined when it is not stored loose (then it is in a pack). */
  private async readLoose(oid: string, expected: ObjectType): Promise<Buffer | undefined> {
    let deflated: Buffer;
    try {
      deflated = await readFile(join(this.gitdir, "objects", oid.slice(0, 2), oid.slice(2)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const raw = inflateSync(deflated);
    const nul = raw.indexOf(0);
    const [type, size] = raw.subarray(0, nul).toString("latin1").split(" ");
    const content = raw.subarray(nul + 1);
    if (type !== expected || Number(size) !== content.byteLength) throw new Error(`object ${oid} is a ${type} of ${size} bytes, expected a ${expected}`);
    if (createHash("sha1").update(raw).digest("hex") !== oid) throw new Error(`object ${oid} is corrupt: its content does not hash to its id`);
    return content;
  }
}

/** Git's order: by name bytes, as if every folder name ended in `/`. */
export function sortTreeEntries(entries: TreeEntry[]): TreeEntry[] {
  const keyed = entries.map((entry) => ({ entry, key: Buffer.from(entry.type === "tree" ? `${entry.path}/` : entry.path) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  return keyed.map((k) => k.entry);
}

function encodeTree(entries: TreeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (!e.path || e.path.includes("/") || e.path.includes("\0")) throw new Error(`invalid tree entry name "${e.path}"`);
    // Git writes folder modes without the leading zero.
    parts.push(Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.path}\0`), Buffer.from(e.oid, "hex"));
  }
  return Buffer.concat(parts);
}

function decodeTree(content: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let i = 0;
  while (i < content.length) {
    const space = content.indexOf(0x20, i);
    const nul = content.indexOf(0, space);
    const mode = content.subarray(i, space).toString("latin1").padStart(6, "0");
    const path = content.subarray(space + 1, nul).toString("utf8");
    const oid = content.subarray(nul + 1, nul + 21).toString("hex");
    const type = mode === "040000" ? "tree" : mode === "160000" ? "commit" : "blob";
    entries.push({ mode, path, oid, type });
    i = nul + 21;
  }
  return entries;
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
  for (const line of headerText.split("\n")) {
    if (line.startsWith(" ")) continue; // continuation of a multi-line header (gpgsig, mergetag)
    const space = line.indexOf(" ");
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === "tree") tree = value;
    else if (key === "parent") parent.push(value);
    else if (key === "author") author = decodePerson(value);
    else if (key === "committer") committer = decodePerson(value);
  }
  if (!tree || !author || !committer) throw new Error("commit object is missing its tree, author or committer");
  return { message, tree, parent, author, committer };
}

function decodePerson(value: string): CommitObject["author"] {
  const m = /^(.*) <(.*)> (-?\d+) ([+-])(\d\d)(\d\d)$/.exec(value);
  if (!m) throw new Error(`cannot read commit signature "${value}"`);
  const minutes = Number(m[5]) * 60 + Number(m[6]);
  // isomorphic-git's convention (as Date#getTimezoneOffset): minutes behind UTC.
  const timezoneOffset = m[4] === "-" ? minutes : -minutes;
  return { name: m[1]!, email: m[2]!, timestamp: Number(m[3]), timezoneOffset: timezoneOffset === 0 ? 0 : timezoneOffset };
}

function encodeCommit(commit: CommitObject): Buffer {
  const person = (p: CommitObject["author"]) => {
    const offset = -p.timezoneOffset; // isomorphic-git stores minutes *behind* UTC, like Date#getTimezoneOffset
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
    if (/[<>\n]/.test(p.name + p.email)) throw new Error("author and committer names and emails cannot contain <, > or newlines");
    return `${p.name} <${p.email}> ${p.timestamp} ${tz}`;
  };
  const lines = [`tree ${commit.tree}`, ...commit.parent.map((p) => `parent ${p}`), `author ${person(commit.author)}`, `committer ${person(commit.committer ?? commit.author)}`];
  return Buffer.from(`${lines.join("\n")}\n\n${commit.message}`, "utf8");
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= MAX_CACHED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
