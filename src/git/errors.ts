import { UserError } from "../model/index.ts";

/** A compare-and-swap ref update found another value than the one the caller decided on. */
export class RefConflictError extends Error {
  constructor(
    readonly ref: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(`${ref} moved: expected ${expected ?? "(none)"}, found ${actual ?? "(none)"}`);
    this.name = "RefConflictError";
  }
}

/** Another writer holds the ref's lock file. */
export class RefLockedError extends Error {
  constructor(
    readonly ref: string,
    readonly lockPath: string,
  ) {
    super(`${ref} is locked by another writer (${lockPath})`);
    this.name = "RefLockedError";
  }
}

/** The remote branch is not at the commit a push was decided on. */
export class RemoteMovedError extends Error {
  constructor(
    readonly remoteRef: string,
    readonly expected: string | null,
    readonly actual: string | null,
    readonly detail = "",
  ) {
    super(
      `remote ${remoteRef} moved: expected ${expected ?? "(none)"}, found ${actual ?? "(unknown)"}${detail ? ` (${detail})` : ""}`,
    );
    this.name = "RemoteMovedError";
  }
}

/** A git repository or remote that cannot be used as it is (not a repository, unreachable, auth failed). */
export class GitRepositoryError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "GitRepositoryError";
  }
}
