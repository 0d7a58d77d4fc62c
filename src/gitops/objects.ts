import git, { type CommitObject, type TreeEntry } from "isomorphic-git";
import type { AtomicFs } from "./atomic-fs.ts";

export type { CommitObject, TreeEntry };

/** Trees and commits are immutable, so parsed ones are kept; this bounds how many. */
const MAX_CACHED = 20_000;

/**
 * Reads and writes git objects through isomorphic-git, keeping parsed trees and commits by id.
 * Loose objects are written through the atomic file system, so a crash never leaves half an object.
 */
export class ObjectStore {
  /** isomorphic-git's own cache (pack indexes); one per repository. */
  readonly gitCache: object = {};
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly commits = new Map<string, CommitObject>();

  constructor(
    readonly fs: AtomicFs,
    readonly gitdir: string,
  ) {}

  async readTree(oid: string): Promise<TreeEntry[]> {
    const cached = this.trees.get(oid);
    if (cached) return cached;
    const { tree } = await git.readTree({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache });
    remember(this.trees, oid, tree);
    return tree;
  }

  async readCommit(oid: string): Promise<CommitObject> {
    const cached = this.commits.get(oid);
    if (cached) return cached;
    const { commit } = await git.readCommit({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache });
    remember(this.commits, oid, commit);
    return commit;
  }

  async readBlob(oid: string): Promise<Uint8Array> {
    const { blob } = await git.readBlob({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.gitCache });
    return blob;
  }

  async hasObject(oid: string): Promise<boolean> {
    try {
      await git.readObject({ fs: this.fs, gitdir: this.gitdir, oid, format: "deflated", cache: this.gitCache });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "NotFoundError") return false;
      throw error;
    }
  }

  writeBlob(content: string | Uint8Array): Promise<string> {
    const blob = typeof content === "string" ? new TextEncoder().encode(content) : content;
    return git.writeBlob({ fs: this.fs, gitdir: this.gitdir, blob });
  }

  async writeTree(entries: TreeEntry[]): Promise<string> {
    const oid = await git.writeTree({ fs: this.fs, gitdir: this.gitdir, tree: entries });
    remember(this.trees, oid, entries);
    return oid;
  }

  writeCommit(commit: CommitObject): Promise<string> {
    return git.writeCommit({ fs: this.fs, gitdir: this.gitdir, commit });
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
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= MAX_CACHED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
