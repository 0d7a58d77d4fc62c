/**
 * gitops: desired state in git, decisions as commits. Built on isomorphic-git; never runs git.
 *
 * - GitRepo: open, init or clone a repository (HTTP(S) remote, credentials from the environment),
 *   fetch, read the state at any commit (GitTree is a model TreeReader).
 * - commitDecisionWithRetry: the one way the reconciler records decisions (sync, decide on head,
 *   skip known idempotency keys, commit, compare-and-swap, push with lease, retry on a moved remote).
 * - Messages: formatDecisionMessage / parseDecisionMessage; history: walkHistory, listDecisionCommits,
 *   findDecisionsByKey; evidence: encodeEvidence, readEvidence (digest verified).
 * - Objects: ObjectStore (native hashing, zlib, caches); ObjectStore.batch() keeps a tick's objects
 *   in memory and stores them as one pack (pack-writer.ts) that takes in smaller packs
 *   (pack-files.ts); sendPackWithLease pushes exactly that pack (receive-pack over smart HTTP).
 */
export { type AtomicFs, atomicFs } from "./atomic-fs.ts";
export { authFromEnv, DEFAULT_IDENTITY, type GitAuth, type GitIdentity, identityFromEnv, redactUrl } from "./auth.ts";
export {
  type CommitOutcome,
  commitDecisionWithRetry,
  type Decide,
  type HeadState,
  type RetryOptions,
  type SkippedDecision,
} from "./commit-with-retry.ts";
export { type DecisionChange, keyOf, type WrittenDecision, writeDecisionCommit } from "./decision-commit.ts";
export {
  EvidenceError,
  type EvidenceProblem,
  GitRepositoryError,
  RefConflictError,
  RefLockedError,
  RemoteMovedError,
} from "./errors.ts";
export {
  EVIDENCE_DIR,
  type EncodedEvidence,
  encodeEvidence,
  evidenceDigest,
  evidencePath,
  MAX_EVIDENCE_BYTES,
  readEvidence,
} from "./evidence.ts";
export { GitTree } from "./git-tree.ts";
export {
  findDecisionByKey,
  findDecisionsByKey,
  type HistoryEntry,
  type HistoryFilter,
  listDecisionCommits,
  type Signature,
  walkHistory,
} from "./history.ts";
export {
  type ArtifactDiffLine,
  DECISION_ACTIONS,
  type DecisionMessageInput,
  type DecisionMessageParse,
  type DecisionTrailers,
  decisionSubject,
  type EvidenceLine,
  formatArtifactDiff,
  formatDecisionMessage,
  idempotencyKey,
  type ParsedDecisionMessage,
  parseDecisionMessage,
} from "./message.ts";
export { ObjectBatch, ObjectStore, type ObjectWriter, sortTreeEntries } from "./objects.ts";
export { type LeasedPushOutcome, type LeasedPushTarget, pushRefWithLease, pushWithLease } from "./push.ts";
export { type SendPackResult, sendPackWithLease } from "./send-pack.ts";
export { compareAndSwapRef, readRef, ZERO_OID } from "./ref-update.ts";
export { GitRepo, type GitopsHooks, type GitopsPoint, type GitRepoOptions, type RemoteOptions } from "./repo.ts";
export { type SyncResult, syncWithRemote } from "./sync.ts";
export { changedFiles, type PathChange } from "./tree-diff.ts";
export { editTree, type TreeEdits } from "./tree-edit.ts";
