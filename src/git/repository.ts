import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import git from "isomorphic-git";
import { type AtomicFs, atomicFs } from "./atomic-fs.ts";
import { authCallbacks, checkRemoteUrl, DEFAULT_IDENTITY, type GitAuth, type GitIdentity, redactUrl } from "./auth.ts";
import { Checkout } from "./checkout.ts";
import { GitRepositoryError } from "./errors.ts";
import { gitHttp as http } from "./http-client.ts";
import { type CommitSigner, ObjectStore } from "./objects.ts";
import { compareAndSwapRef, readRef } from "./refs.ts";
import { changedFiles } from "./tree-diff.ts";

/**
 * Named moments in writing and publishing commits. A hook may throw at any of them (tests use
 * that to simulate a crash); whatever happened before stays, whatever comes after does not happen.
 */
export type WritePoint =
  | "fetched"
  | "evidence-written"
  | "objects-written"
  | "commit-written"
  /** Every object of the commits about to be published is stored (loose or in a complete pack). */
  | "objects-stored"
  /** The branch moved; a checkout of it is not updated yet. */
  | "ref-moved"
  | "ref-updated"
  | "before-push"
  | "pushed";

export interface WriteHooks {
  at?(point: WritePoint, detail: { commit?: string; attempt?: number }): void | Promise<void>;
}

export interface RemoteOptions {
  url: string;
  /** Remote name in .git/config; default `origin`. */
  name?: string;
  auth?: GitAuth;
  /** Extra HTTP headers (never credentials you would not want in a process dump). */
  headers?: Record<string, string>;
}

export interface GitRepositoryOptions {
  /** The branch that holds the desired state; default `main`. */
  branch?: string;
  /** Author and committer of decision commits. */
  identity?: GitIdentity;
  /** Signs the commits tollgate writes here (decisions); without it they are unsigned. */
  sign?: CommitSigner;
  /** Source of commit timestamps; inject one in tests. */
  clock?: () => Date;
  /** fsync objects and refs before they are published (survives power loss; slower). */
  durable?: boolean;
  /** Where the desired state is published; without it commits stay in the local repository. */
  remote?: RemoteOptions;
  hooks?: WriteHooks;
}

/** A repository class: GitRepository or one that extends it (the statics create instances of it). */
export type RepositoryClass<R extends GitRepository, O extends GitRepositoryOptions> = new (
  gitdir: string,
  options: O,
) => R;

/**
 * A git repository: its object database, its branch ref and the remote it publishes to. When the
 * branch is checked out in a work tree, the files and index that change move with the branch (see
 * checkout.ts); nothing else in a work tree is read or touched. Open one with `open`, `init`, `clone` or `openOrClone` (called on a subclass, they make one).
 */
export class GitRepository {
  readonly fs: AtomicFs;
  readonly store: ObjectStore;
  readonly branch: string;
  readonly identity: GitIdentity;
  readonly sign: CommitSigner | undefined;
  readonly clock: () => Date;
  readonly durable: boolean;
  readonly remote: (RemoteOptions & { name: string }) | undefined;
  readonly hooks: WriteHooks;
  /** The work tree the branch may be checked out in: `<dir>` of a `<dir>/.git` repository. */
  readonly checkout: Checkout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly gitdir: string,
    options: GitRepositoryOptions,
  ) {
    this.durable = options.durable ?? false;
    this.fs = atomicFs(this.durable);
    this.store = new ObjectStore(this.fs, gitdir, this.durable);
    this.branch = options.branch ?? "main";
    this.identity = options.identity ?? DEFAULT_IDENTITY;
    this.sign = options.sign;
    this.clock = options.clock ?? (() => new Date());
    this.remote = options.remote ? { ...options.remote, name: options.remote.name ?? "origin" } : undefined;
    this.hooks = options.hooks ?? {};
    this.checkout =
      basename(gitdir) === ".git"
        ? new Checkout(this.fs, this.store, gitdir, dirname(gitdir), this.branchRef, this.durable, (from, to) =>
            changedFiles(this, from, to),
          )
        : undefined;
  }

  /** Opens an existing repository: a folder with `.git/`, or a bare repository. */
  static async open<R extends GitRepository, O extends GitRepositoryOptions>(
    this: RepositoryClass<R, O>,
    dir: string,
    options: O = {} as O,
  ): Promise<R> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class called on, so a subclass gets its own instances
    return openAs(this, dir, options);
  }

  /** Creates an empty repository (bare unless `bare: false`) whose HEAD names the branch. */
  static async init<R extends GitRepository, O extends GitRepositoryOptions>(
    this: RepositoryClass<R, O>,
    dir: string,
    options: O & { bare?: boolean } = {} as O,
  ): Promise<R> {
    const bare = options.bare ?? true;
    await mkdir(dir, { recursive: true });
    const fs = atomicFs(options.durable ?? false);
    await git.init({ fs, dir, bare, defaultBranch: options.branch ?? "main" });
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class called on, so a subclass gets its own instances
    return openAs(this, dir, options);
  }

  /** Clones `options.remote.url` into `dir` without checking anything out. */
  static clone<R extends GitRepository, O extends GitRepositoryOptions>(
    this: RepositoryClass<R, O>,
    dir: string,
    options: O & { remote: RemoteOptions },
  ): Promise<R> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class called on, so a subclass gets its own instances
    return cloneAs(this, dir, options);
  }

  /** Opens `dir` when it already holds a clone, else clones the remote into it. */
  static async openOrClone<R extends GitRepository, O extends GitRepositoryOptions>(
    this: RepositoryClass<R, O>,
    dir: string,
    options: O & { remote: RemoteOptions },
  ): Promise<R> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class called on, so a subclass gets its own instances
    return findGitdir(dir) ? openAs(this, dir, options) : cloneAs(this, dir, options);
  }

  /** `refs/heads/<branch>` */
  get branchRef(): string {
    return `refs/heads/${this.branch}`;
  }

  /** `refs/remotes/<remote>/<branch>`, or undefined without a remote. */
  get trackingRef(): string | undefined {
    return this.remote ? `refs/remotes/${this.remote.name}/${this.branch}` : undefined;
  }

  /** The local branch's commit, or null before the first commit. */
  head(): Promise<string | null> {
    return readRef(this.fs, this.gitdir, this.branchRef);
  }

  /** Any ref or commit id, resolved to a commit id. */
  async resolve(ref: string): Promise<string> {
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    try {
      return await git.resolveRef({ fs: this.fs, gitdir: this.gitdir, ref });
    } catch {
      try {
        return await git.expandOid({ fs: this.fs, gitdir: this.gitdir, oid: ref, cache: this.store.gitCache });
      } catch {
        throw new GitRepositoryError(`unknown revision "${ref}"`);
      }
    }
  }

  /**
   * Moves the local branch from `expected` to `value`, failing if it is elsewhere. Where the branch
   * is checked out, its changed files and index entries move too, and uncommitted changes to them
   * stop the move before anything happens (CheckoutConflictError).
   */
  async updateBranch(expected: string | null, value: string): Promise<void> {
    const moveRef = async () => {
      await compareAndSwapRef({
        fs: this.fs,
        gitdir: this.gitdir,
        ref: this.branchRef,
        expected,
        value,
        durable: this.durable,
      });
      await this.point("ref-moved", { commit: value });
    };
    const checkout = expected !== null && (await this.checkout?.follows()) ? this.checkout : undefined;
    if (!checkout) return moveRef();
    await checkout.move((await checkout.pending()) ?? expected!, value, moveRef);
  }

  /** Finishes bringing a checkout up to the branch when a crash interrupted it (see checkout.ts). */
  async repairCheckout(): Promise<void> {
    const head = await this.head();
    if (this.checkout && head) await this.checkout.repair(head);
  }

  /**
   * Brings the remote branch's objects here and returns its commit (null when the remote has no
   * such branch). Asks the server for its refs first, so a remote that did not move costs one request.
   */
  async fetchRemote(): Promise<string | null> {
    const remote = this.requireRemote();
    const callbacks = authCallbacks(remote.auth);
    const headers = remote.headers ? { headers: remote.headers } : {};
    let advertised: string | null;
    try {
      // Protocol v1: the ref advertisement is a single GET (v2 needs a second round trip).
      const refs = await git.listServerRefs({
        http,
        url: remote.url,
        prefix: this.branchRef,
        protocolVersion: 1,
        ...headers,
        ...callbacks,
      });
      advertised = refs.find((r) => r.ref === this.branchRef)?.oid ?? null;
    } catch (error) {
      throw remoteError(error, remote.url, "list refs of", remote.auth !== undefined);
    }
    if (advertised === null) return null;
    let head = advertised;
    if (!(await this.store.hasObject(advertised))) {
      try {
        // The tracking ref is what we tell the server we have: it always knows that commit.
        const result = await git.fetch({
          fs: this.fs,
          http,
          gitdir: this.gitdir,
          url: remote.url,
          remote: remote.name,
          ref: this.trackingRef!,
          remoteRef: this.branchRef,
          singleBranch: true,
          tags: false,
          cache: this.store.gitCache,
          ...headers,
          ...callbacks,
        });
        head = result.fetchHead ?? advertised;
      } catch (error) {
        throw remoteError(error, remote.url, "fetch from", remote.auth !== undefined);
      }
      if (!(await this.store.hasObject(head)))
        throw new GitRepositoryError(`fetch from ${redactUrl(remote.url)} did not bring commit ${head}`);
    }
    await git.writeRef({ fs: this.fs, gitdir: this.gitdir, ref: this.trackingRef!, value: head, force: true });
    await this.point("fetched", { commit: head });
    return head;
  }

  /** Runs `task` after every task queued before it on this repository (one writer at a time). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  async point(point: WritePoint, detail: { commit?: string; attempt?: number } = {}): Promise<void> {
    await this.hooks.at?.(point, detail);
  }

  requireRemote(): RemoteOptions & { name: string } {
    if (!this.remote) throw new GitRepositoryError("this repository has no remote configured");
    return this.remote;
  }

  /** @internal Writes the remote's URL and fetch refspec into .git/config. */
  async configureRemote(): Promise<void> {
    const remote = this.requireRemote();
    checkRemoteUrl(remote.url);
    const config = { fs: this.fs, gitdir: this.gitdir };
    const current = await git.getConfig({ ...config, path: `remote.${remote.name}.url` });
    if (current !== remote.url)
      await git.setConfig({ ...config, path: `remote.${remote.name}.url`, value: remote.url });
    const refspec = `+refs/heads/*:refs/remotes/${remote.name}/*`;
    const fetchSpec = await git.getConfig({ ...config, path: `remote.${remote.name}.fetch` });
    if (fetchSpec !== refspec) await git.setConfig({ ...config, path: `remote.${remote.name}.fetch`, value: refspec });
  }
}

/** Clones `options.remote.url` into `dir` without checking anything out, as an instance of `Class`. */
async function cloneAs<R extends GitRepository, O extends GitRepositoryOptions>(
  Class: RepositoryClass<R, O>,
  dir: string,
  options: O & { remote: RemoteOptions },
): Promise<R> {
  checkRemoteUrl(options.remote.url);
  if (existsSync(dir) && (await readdir(dir)).length > 0)
    throw new GitRepositoryError(`${dir}: cannot clone into a folder that is not empty`);
  const created = !existsSync(dir);
  await mkdir(dir, { recursive: true });
  const branch = options.branch ?? "main";
  const fs = atomicFs(options.durable ?? false);
  try {
    await git.clone({
      fs,
      http,
      dir,
      url: options.remote.url,
      remote: options.remote.name ?? "origin",
      ref: branch,
      singleBranch: true,
      noCheckout: true,
      noTags: true,
      ...(options.remote.headers ? { headers: options.remote.headers } : {}),
      ...authCallbacks(options.remote.auth),
    });
  } catch (error) {
    // Leave no half clone behind for openOrClone to mistake for a repository.
    await (created
      ? rm(dir, { recursive: true, force: true })
      : rm(join(dir, ".git"), { recursive: true, force: true }));
    throw remoteError(error, options.remote.url, "clone", options.remote.auth !== undefined);
  }
  return openAs(Class, dir, options);
}

async function openAs<R extends GitRepository, O extends GitRepositoryOptions>(
  Class: RepositoryClass<R, O>,
  dir: string,
  options: O,
): Promise<R> {
  const gitdir = findGitdir(dir);
  if (!gitdir) {
    if (!existsSync(dir)) throw new GitRepositoryError(`${dir}: no such folder`);
    if (!isDirectory(dir)) throw new GitRepositoryError(`${dir} is a file, not a git repository`);
    throw new GitRepositoryError(`${dir}: not a git repository (no .git folder, and not a bare repository)`);
  }
  const repo = new Class(gitdir, options);
  if (repo.remote) await repo.configureRemote();
  return repo;
}

function findGitdir(dir: string): string | undefined {
  const dotGit = join(dir, ".git");
  if (isDirectory(dotGit)) return dotGit;
  if (existsSync(join(dir, "HEAD")) && isDirectory(join(dir, "objects")) && isDirectory(join(dir, "refs"))) return dir;
  return undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Network and auth failures become user errors that name the remote (without credentials). */
export function remoteError(error: unknown, url: string, verb: string, hadCredentials: boolean): Error {
  const e = error as { code?: string; message?: string; data?: { statusCode?: number } };
  const where = redactUrl(url);
  if (e.code === "HttpError") {
    const status = e.data?.statusCode;
    if (status === 401 || status === 403)
      return new GitRepositoryError(
        `cannot ${verb} ${where}: authentication failed (HTTP ${status}); check TOLLGATE_GIT_TOKEN or TOLLGATE_GIT_USERNAME/TOLLGATE_GIT_PASSWORD`,
      );
    return new GitRepositoryError(`cannot ${verb} ${where}: ${e.message}`);
  }
  if (e.code === "UserCanceledError") {
    // Our auth callbacks cancel instead of retrying: with credentials, that means they were refused.
    return new GitRepositoryError(
      hadCredentials
        ? `cannot ${verb} ${where}: authentication failed: the server refused the credentials`
        : `cannot ${verb} ${where}: authentication required; set TOLLGATE_GIT_TOKEN or TOLLGATE_GIT_USERNAME/TOLLGATE_GIT_PASSWORD`,
    );
  }
  if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" || e.code === "ECONNRESET")
    return new GitRepositoryError(`cannot ${verb} ${where}: ${e.code}`);
  return error instanceof Error ? error : new Error(String(error));
}
