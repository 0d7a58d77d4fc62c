/**
 * gitops: desired state in git, decisions as commits, on the repository layer of src/git.
 *
 * - GitRepo: a git/GitRepository that reads the desired state at any commit (GitTree is a model
 *   TreeReader).
 * - readHead / commitDecisions: the git side of the reconciler's transaction (sync and read the
 *   head; skip known idempotency keys, commit, compare-and-swap, push with lease; `isConflict` says
 *   the head moved). The reconciler decides, and decides again when the head moved.
 * - Messages: formatDecisionMessage / parseDecisionMessage; history: walkHistory, listDecisionCommits,
 *   findDecisionsByKey; evidence: encodeEvidence, readEvidence (digest verified).
 * - The git layer's surface is re-exported here for the folders that write decisions.
 */

export {
  type AtomicFs,
  atomicFs,
  authFromEnv,
  type CommitObject,
  type CommitSignature,
  type CommitSigner,
  changedFiles,
  compareAndSwapRef,
  DEFAULT_IDENTITY,
  editTree,
  type GitAuth,
  type GitIdentity,
  GitRepositoryError,
  identityFromEnv,
  type LeasedPushOutcome,
  type LeasedPushTarget,
  ObjectBatch,
  ObjectStore,
  type ObjectWriter,
  type PathChange,
  pushRefWithLease,
  pushWithLease,
  RefConflictError,
  RefLockedError,
  RemoteMovedError,
  type RemoteOptions,
  readRef,
  redactUrl,
  type SendPackResult,
  sendPackWithLease,
  sortTreeEntries,
  splitCommitSignature,
  type TreeEdits,
  type TreeEntry,
  ZERO_OID,
} from "../git/index.ts";
export {
  type EncodedEvidence,
  EVIDENCE_DIR,
  EvidenceError,
  type EvidenceProblem,
  EvidenceTooLargeError,
  encodeEvidence,
  evidenceDigest,
  evidencePath,
  MAX_EVIDENCE_BYTES,
} from "../model/index.ts";
export {
  type BranchHead,
  type CommitResult,
  commitDecisions,
  isConflict,
  readHead,
  type SkippedDecision,
} from "./commit.ts";
export {
  checkEvidenceFits,
  type DecisionChange,
  type DecisionSubject,
  keyOf,
  type WrittenDecision,
  writeDecisionCommit,
} from "./decision-commit.ts";
export { readEvidence } from "./evidence.ts";
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
  formatArtifactDiff,
  formatDecisionMessage,
  idempotencyKey,
  type ParsedDecisionMessage,
  parseDecisionMessage,
} from "./message.ts";
export { type GitopsHooks, type GitopsPoint, GitRepo, type GitRepoOptions } from "./repo.ts";
export { type SyncResult, syncWithRemote } from "./sync.ts";
