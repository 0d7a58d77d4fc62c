/**
 * The checkout of a non-bare repository whose HEAD names the branch tollgate writes. Moving that
 * branch without its files would leave a checkout whose next `git commit -a` reverts the decisions
 * it did not see, so the changed files and their index entries move with the branch, the way
 * `git merge --ff-only` moves them: a file whose content or index entry is neither the old nor the
 * new version holds someone's uncommitted change, and then the branch does not move at all.
 *
 * A crash between moving the branch and updating the files is repaired by the next move (or the
 * next `repair()`): a marker file names the commit the checkout was at, and every file that
 * changed since is still either at that version or already at the new one.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fsp, type Stats } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { GitIndexManager } from "isomorphic-git/managers";
import { FileSystem } from "isomorphic-git/models";
import { type AtomicFs, writeFileAtomic } from "./atomic-fs.ts";
import { GitRepositoryError } from "./errors.ts";
import type { ObjectStore } from "./objects.ts";
import type { PathChange } from "./tree-diff.ts";

/** Names the commit the checkout's files were at when tollgate began moving the branch. */
const MARKER = "TOLLGATE_CHECKOUT_FROM";

/** Uncommitted changes in the checkout stand in the way of moving the branch. */
export class CheckoutConflictError extends GitRepositoryError {
  constructor(
    readonly workTree: string,
    readonly paths: string[],
  ) {
    const shown = paths.slice(0, 5).join(", ") + (paths.length > 5 ? ` and ${paths.length - 5} more` : "");
    super(
      `${workTree}: the checkout has uncommitted changes to files the new commits change (${shown}); commit or stash them, then run again (or reconcile a bare clone, which has no files to keep up to date)`,
    );
    this.name = "CheckoutConflictError";
  }
}

/** Files that differ between two commits. */
export type DiffCommits = (from: string, to: string) => Promise<PathChange[]>;

export class Checkout {
  private readonly indexCache = {};
  private readonly gitFs: FileSystem;

  constructor(
    fs: AtomicFs,
    private readonly store: ObjectStore,
    readonly gitdir: string,
    readonly workTree: string,
    private readonly branchRef: string,
    private readonly durable: boolean,
    private readonly diff: DiffCommits,
  ) {
    this.gitFs = new FileSystem(fs);
  }

  /** Whether the files follow the branch: HEAD names it and there is an index (a checkout was made). */
  async follows(): Promise<boolean> {
    let head: string;
    try {
      head = await fsp.readFile(join(this.gitdir, "HEAD"), "utf8");
    } catch {
      return false;
    }
    if (head.trim() !== `ref: ${this.branchRef}`) return false;
    return exists(join(this.gitdir, "index"));
  }

  /** The commit the files were left at by a move a crash interrupted, if any. */
  async pending(): Promise<string | undefined> {
    try {
      return (await fsp.readFile(join(this.gitdir, MARKER), "utf8")).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /**
   * Moves the branch with `moveRef` and the files and index from `from` to `to` with it, holding
   * `index.lock` throughout. Uncommitted changes to the files that differ stop it before `moveRef`
   * runs (CheckoutConflictError).
   */
  async move(from: string, to: string, moveRef: () => Promise<void>): Promise<void> {
    const changes = await this.diff(from, to);
    const toTree = (await this.store.readCommit(to)).tree;
    await this.withIndex(async (index) => {
      const present = await inChunks(changes, IO_CONCURRENCY, (change) => this.blobOf(change.path));
      const conflicts = changes.filter((change, i) => {
        const versions = new Set([change.before, change.after]);
        return !versions.has(index.entriesMap.get(change.path)?.oid) || !versions.has(present[i]);
      });
      if (conflicts.length > 0)
        throw new CheckoutConflictError(
          this.workTree,
          conflicts.map((c) => c.path),
        );
      await writeFileAtomic(join(this.gitdir, MARKER), `${from}\n`, this.durable);
      // Should this fail, the marker stays: it names where the files still are, wherever the ref is.
      await moveRef();
      const stats = await inChunks(changes, IO_CONCURRENCY, (change, i) => this.write(change, present[i], toTree));
      changes.forEach((change, i) => {
        const stat = stats[i];
        if (stat) index.insert({ filepath: change.path, stats: stat, oid: change.after! });
        else index.delete({ filepath: change.path });
      });
    });
    await fsp.rm(join(this.gitdir, MARKER), { force: true });
  }

  /** Finishes a move a crash interrupted: the files go from the marker's commit to `head`. */
  async repair(head: string): Promise<void> {
    const from = await this.pending();
    if (from === undefined) return;
    if (await this.follows()) await this.move(from, head, async () => {});
    else await fsp.rm(join(this.gitdir, MARKER), { force: true });
  }

  /** Brings one file to its new version; returns its stat for the index (undefined: removed). */
  private async write(change: PathChange, present: string | undefined, toTree: string): Promise<Stats | undefined> {
    const path = join(this.workTree, change.path);
    if (!change.after) {
      await fsp.rm(path, { force: true });
      await removeEmptyParents(this.workTree, dirname(path));
      return undefined;
    }
    const mode = (await this.store.entryAt(toTree, change.path))?.mode === "100755" ? 0o755 : 0o644;
    if (present !== change.after) {
      await fsp.mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, await this.store.readBlob(change.after), this.durable);
    }
    const stat = await fsp.lstat(path);
    if ((stat.mode & 0o777) === mode) return stat;
    await fsp.chmod(path, mode);
    return fsp.lstat(path);
  }

  /** The blob id of the file's content now, undefined when there is no file. */
  private async blobOf(path: string): Promise<string | undefined> {
    let content: Buffer;
    try {
      content = await fsp.readFile(join(this.workTree, path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw error;
    }
    return createHash("sha1").update(`blob ${content.byteLength}\0`).update(content).digest("hex");
  }

  /**
   * Runs `task` on the index, holding `index.lock` as git takes it, so a git command run meanwhile
   * refuses the index instead of overwriting what is written here.
   */
  private async withIndex<T>(task: (index: IndexView) => Promise<T>): Promise<T> {
    const lockPath = join(this.gitdir, "index.lock");
    await takeIndexLock(lockPath, this.workTree);
    try {
      return (await GitIndexManager.acquire(
        { fs: this.gitFs as never, gitdir: this.gitdir, cache: this.indexCache },
        (index: unknown) => task(index as IndexView),
      )) as T;
    } catch (error) {
      if (!(error instanceof Error) || (error as { code?: string }).code !== "InternalError") throw error;
      throw new GitRepositoryError(
        `${this.workTree}: cannot read the checkout's index (${error.message}); reconcile a bare clone instead`,
      );
    } finally {
      await fsp.rm(lockPath, { force: true });
    }
  }
}

/** Files read or written at once while a checkout moves. */
const IO_CONCURRENCY = 16;

/** `fn` over `items`, `size` at a time; results in the items' order. */
async function inChunks<T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size)
    results.push(...(await Promise.all(items.slice(start, start + size).map((item, i) => fn(item, start + i)))));
  return results;
}

interface IndexView {
  entriesMap: Map<string, { oid: string }>;
  insert(entry: { filepath: string; stats: Stats; oid: string }): void;
  delete(entry: { filepath: string }): void;
}

const OWNER = `tollgate pid=${process.pid} host=${hostname()} run=${randomBytes(8).toString("hex")}`;

/**
 * `index.lock` as git takes it. One left behind by a crashed tollgate on this host is removed;
 * one held by anyone else (a git command) means the checkout is busy.
 */
async function takeIndexLock(lockPath: string, workTree: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fsp.open(lockPath, "wx", 0o644);
      await handle.write(`${OWNER}\n`, 0);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (attempt === 0 && (await leftByDeadTollgate(lockPath))) {
        await fsp.rm(lockPath, { force: true });
      }
    }
  }
  throw new GitRepositoryError(
    `${workTree}: the checkout's index is locked (${lockPath} exists): another git command is running; run again once it is done`,
  );
}

async function leftByDeadTollgate(lockPath: string): Promise<boolean> {
  const text = await fsp.readFile(lockPath, "utf8").catch(() => "");
  const owner = /^tollgate pid=(\d+) host=(\S+) run=(\S+)/.exec(text);
  if (!owner || owner[2] !== hostname() || owner[0] === OWNER) return false;
  const pid = Number(owner[1]);
  // The same pid with another run token: an earlier process (containers restart as pid 1).
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

async function removeEmptyParents(root: string, dir: string): Promise<void> {
  while (dir.length > root.length && dir.startsWith(root)) {
    try {
      await fsp.rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fsp.access(path);
    return true;
  } catch {
    return false;
  }
}
