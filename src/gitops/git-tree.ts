import type { ObjectStore } from "../git/index.ts";
import {
  InvalidInputError,
  MAX_YAML_BYTES,
  type TreeEntry as ModelTreeEntry,
  type TreeReader,
} from "../model/index.ts";

/**
 * The repository tree of one commit, read straight from the object database (no work tree).
 * `loadRepository(new GitTree(store, commit, "main"))` gives the desired state at that commit;
 * problems name files as `<label>:<path>`, or just the path when there is no label.
 */
export class GitTree implements TreeReader {
  private rootTree: Promise<string> | undefined;

  constructor(
    readonly store: ObjectStore,
    /** The commit whose tree this reads. */
    readonly commit: string,
    /** How to name the commit in messages, e.g. a branch name or a short id; "" for bare paths. */
    readonly label = "",
  ) {}

  private root(): Promise<string> {
    this.rootTree ??= this.store.readCommit(this.commit).then((c) => c.tree);
    return this.rootTree;
  }

  async list(path: string): Promise<ModelTreeEntry[] | undefined> {
    const entry = await this.store.entryAt(await this.root(), path);
    if (entry?.type !== "tree") return undefined;
    const entries = (await this.store.readTree(entry.oid)).map((e) => ({ name: e.path, kind: kindOf(e.type, e.mode) }));
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async read(path: string): Promise<string> {
    const bytes = await this.readBytes(path, MAX_YAML_BYTES);
    return new TextDecoder().decode(bytes);
  }

  /** A file's bytes; throws InvalidInputError when it is missing, not a file, or over `maxBytes`. */
  async readBytes(path: string, maxBytes: number): Promise<Uint8Array> {
    const entry = await this.store.entryAt(await this.root(), path);
    if (entry?.type !== "blob" || kindOf(entry.type, entry.mode) !== "file") {
      throw new InvalidInputError([
        { file: this.display(path), message: entry ? "not a regular file" : "no such file at this commit" },
      ]);
    }
    const bytes = await this.store.readBlob(entry.oid);
    if (bytes.byteLength > maxBytes) {
      throw new InvalidInputError([
        { file: this.display(path), message: `file is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit` },
      ]);
    }
    return bytes;
  }

  /** Whether a regular file exists at `path`. */
  async exists(path: string): Promise<boolean> {
    const entry = await this.store.entryAt(await this.root(), path);
    return entry !== undefined && kindOf(entry.type, entry.mode) === "file";
  }

  /** The blob id at `path`, or undefined. */
  async blobId(path: string): Promise<string | undefined> {
    const entry = await this.store.entryAt(await this.root(), path);
    return entry?.type === "blob" ? entry.oid : undefined;
  }

  display(path: string): string {
    return this.label ? `${this.label}:${path}` : path;
  }
}

function kindOf(type: string, mode: string): ModelTreeEntry["kind"] {
  if (type === "tree") return "dir";
  if (type === "blob" && (mode === "100644" || mode === "100755")) return "file";
  return "other";
}
