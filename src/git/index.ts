/**
 * git: the repository layer, with no knowledge of tollgate's files or decisions. Built on
 * isomorphic-git for what is not on the hot path (clone, fetch, config, generic push); objects,
 * packs, refs and the reconciler's push are written here natively. See README.md.
 *
 * - GitRepository: open, init or clone (HTTP(S) remote, credentials from the environment), the
 *   branch and tracking refs, fetchRemote, one writer at a time (`exclusive`), named write points.
 * - Object database: ObjectStore (read, write, caches, its own pack list); ObjectBatch keeps a
 *   tick's objects in memory and `flush()` stores them as one pack that takes in smaller packs.
 * - Refs: readRef, compareAndSwapRef (lock file, fsync, rename), ZERO_OID.
 * - Remote: pushWithLease / pushRefWithLease (isomorphic-git push, compare-and-swap on the
 *   advertised value), sendPackWithLease (receive-pack over smart HTTP, sending a batch's pack).
 * - Checkout: a work tree whose branch tollgate moves has its changed files and index moved too.
 * - Trees: editTree (path edits sharing unchanged subtrees), changedFiles (tree diff).
 * - Signatures: writeCommit signs with a CommitSigner (a `gpgsig` header over the unsigned bytes);
 *   splitCommitSignature gives back what was signed and the signature, for src/signing to verify.
 */
export { type AtomicFs, atomicFs } from "./atomic-fs.ts";
export { authFromEnv, DEFAULT_IDENTITY, type GitAuth, type GitIdentity, identityFromEnv, redactUrl } from "./auth.ts";
export { Checkout, CheckoutConflictError } from "./checkout.ts";
export { GitRepositoryError, RefConflictError, RefLockedError, RemoteMovedError } from "./errors.ts";
export {
  type CommitObject,
  type CommitSigner,
  ObjectBatch,
  ObjectStore,
  type ObjectWriter,
  sortTreeEntries,
  type TreeEntry,
} from "./objects.ts";
export { type LeasedPushOutcome, type LeasedPushTarget, pushRefWithLease, pushWithLease } from "./push.ts";
export { compareAndSwapRef, readRef, ZERO_OID } from "./refs.ts";
export {
  GitRepository,
  type GitRepositoryOptions,
  type RemoteOptions,
  type RepositoryClass,
  type WriteHooks,
  type WritePoint,
} from "./repository.ts";
export { type SendPackResult, sendPackWithLease } from "./send-pack.ts";
export { type CommitSignature, splitCommitSignature } from "./signature.ts";
export { changedFiles, type PathChange } from "./tree-diff.ts";
export { editTree, type TreeEdits } from "./tree-edit.ts";
