import { editTree, type ObjectBatch } from "../git/index.ts";
import {
  type Artifact,
  type ContentAddressedTree,
  type DecisionAction,
  type DecisionReason,
  type Digest,
  type EncodedEvidence,
  type EvidenceLine,
  EvidenceTooLargeError,
  encodeEvidence,
  InvalidInputError,
  jsonProblems,
  parseCache,
  parseRelease,
  parseStatus,
  type Release,
  releaseFile,
  type Status,
  serializeStatusDocument,
  statusDocument,
  statusFile,
  updateReleaseText,
} from "../model/index.ts";
import { formatDecisionMessage, idempotencyKey } from "./message.ts";
import type { GitRepo } from "./repo.ts";

/** What a decision is about, as its commit subject and trailers name it. */
export interface DecisionSubject {
  action: DecisionAction;
  environment: string;
  service: string;
  /** The artifact the decision is about (the canary being judged): `Tollgate-Artifact`. */
  artifact: Digest;
  /** Rollout step index, when the decision belongs to one: `Tollgate-Step` and part of the key. */
  step?: number;
  /** What served before the decision (subject `from`; none for a first deploy). */
  from: Artifact | undefined;
  /** What serves after it (subject `to`; for a rollback, the last good artifact). */
  to: Artifact;
  /** One line of why, under the subject. */
  why: string;
}

/** Everything one decision changes in the repository, and what its commit message says. */
export interface DecisionChange extends DecisionSubject {
  /** The metric comparisons in words. */
  evidenceLines: EvidenceLine[];
  reasons?: DecisionReason[];
  /** Digest of the policy bundle that decided. */
  policy: Digest;
  /** The evidence document (interval records, analysis, policy input); stored as canonical JSON. */
  evidence: unknown;
  /**
   * A smaller evidence document to store when `evidence` is over the cap, for a decision that must be
   * recorded whatever it costs the audit (a rollback); without it such a decision fails to commit.
   */
  smallerEvidence?: unknown;
  /**
   * The service's status after the decision. If it has `lastDecision`, its `evidence` and
   * `idempotencyKey` are filled in with the stored evidence digest and this decision's key.
   */
  status: Status;
  /** The release after the decision when it changes (a rollback's pointer flip); else omitted. */
  release?: Release;
  /** Defaults to `idempotencyKey({environment, service, artifact, step, action})`. */
  idempotencyKey?: string;
  /**
   * Other files the same commit writes (null: deletes): the rendered objects of the service in its
   * environment's `gitops` cluster folders, so what the clusters are told is in the decision commit.
   */
  files?: ReadonlyMap<string, string | null>;
}

export interface WrittenDecision {
  commit: string;
  parent: string | null;
  idempotencyKey: string;
  evidence: Digest;
  change: DecisionChange;
}

export function keyOf(change: DecisionChange): string {
  return change.idempotencyKey ?? idempotencyKey(change);
}

/**
 * Writes one decision commit on top of `parent` (null for a first commit): the evidence blob, the
 * status and release files, the trees, the commit. No ref moves: the caller publishes the commit
 * with one compare-and-swap, so until then it is unreachable and harmless.
 *
 * With `batch`, the objects go into it and are stored when the caller flushes it (before moving
 * any ref); `parent` may be a commit of the same batch. Without, they are stored before this returns.
 */
export async function writeDecisionCommit(
  repo: GitRepo,
  parent: string | null,
  change: DecisionChange,
  batch?: ObjectBatch,
): Promise<WrittenDecision> {
  if (batch) return writeInto(repo, parent, change, batch);
  const own = repo.store.batch();
  try {
    const written = await writeInto(repo, parent, change, own, async (commit) => {
      await own.flush();
      await repo.point("objects-stored", { commit });
    });
    return written;
  } finally {
    own.discard();
  }
}

async function writeInto(
  repo: GitRepo,
  parent: string | null,
  change: DecisionChange,
  batch: ObjectBatch,
  beforeCommitPoint?: (commit: string) => Promise<void>,
): Promise<WrittenDecision> {
  const key = keyOf(change);
  const encoded = encodeWithin(change, repo.maxEvidenceBytes);
  const edits = new Map<string, string | Uint8Array | null>();

  const statusPath = statusFile(change.environment, change.service);
  const statusText = await writeStatus(batch, statusPath, statusWithDecision(change, encoded.digest, key));
  edits.set(statusPath, statusText);

  const baseTree = parent ? (await repo.store.readCommit(parent)).tree : null;
  if (change.release) {
    const releasePath = releaseFile(change.environment, change.service);
    if (change.release.service !== change.service)
      throw new Error(`release is for service ${change.release.service}, not ${change.service}`);
    const tree = parent ? repo.treeAt(parent) : undefined;
    const original = tree && (await tree.exists(releasePath)) ? await tree.read(releasePath) : undefined;
    const releaseText = updateReleaseText(original, change.release);
    await checkWritten(batch, releaseText, releasePath, parseRelease);
    edits.set(releasePath, releaseText);
  }

  for (const [path, content] of change.files ?? []) {
    if (edits.has(path)) throw new Error(`${path} is written by the decision itself`);
    edits.set(path, content);
  }

  await batch.writeBlob(encoded.bytes);
  await repo.point("evidence-written", {});
  edits.set(encoded.path, encoded.bytes);
  const tree = await editTree(repo.store, baseTree, edits, batch);
  await repo.point("objects-written", {});

  const message = formatDecisionMessage({
    trailers: {
      decision: change.action,
      environment: change.environment,
      service: change.service,
      artifact: change.artifact,
      policy: change.policy,
      evidence: encoded.digest,
      idempotencyKey: key,
      ...(change.step !== undefined ? { step: change.step } : {}),
    },
    from: change.from,
    to: change.to,
    why: change.why,
    evidence: change.evidenceLines,
    ...(change.reasons ? { reasons: change.reasons } : {}),
  });
  const seconds = Math.floor(repo.clock().getTime() / 1000);
  const person = { name: repo.identity.name, email: repo.identity.email, timestamp: seconds, timezoneOffset: 0 };
  const commit = await batch.writeCommit(
    { message, tree, parent: parent ? [parent] : [], author: person, committer: person },
    repo.sign,
  );
  await beforeCommitPoint?.(commit);
  await repo.point("commit-written", { commit });
  return { commit, parent, idempotencyKey: key, evidence: encoded.digest, change };
}

/**
 * Throws EvidenceTooLargeError when `change` could not be committed under the evidence cap `limit`
 * (a rollback falls back to its smaller evidence): callers check one decision before it joins a
 * batch, so an oversized one fails alone.
 */
export function checkEvidenceFits(change: DecisionChange, limit: number | undefined): void {
  encodeWithin(change, limit);
}

function encodeWithin(change: DecisionChange, limit: number | undefined): EncodedEvidence {
  try {
    return encodeEvidence(change.evidence, limit);
  } catch (error) {
    if (!(error instanceof EvidenceTooLargeError) || change.smallerEvidence === undefined) throw error;
    return encodeEvidence(change.smallerEvidence, limit);
  }
}

function statusWithDecision(change: DecisionChange, evidence: Digest, key: string): Status {
  if (change.status.service !== change.service)
    throw new Error(`status is for service ${change.status.service}, not ${change.service}`);
  const last = change.status.lastDecision;
  if (!last) return change.status;
  if (last.action !== change.action)
    throw new Error(`status.lastDecision.action is ${last.action} but the decision is ${change.action}`);
  return { ...change.status, lastDecision: { ...last, evidence, idempotencyKey: key } };
}

/**
 * A status file tollgate is about to commit must pass the same validation as any file it reads:
 * its document (what reading the file gives) is checked against the status schema, and recorded in
 * the parse cache as what its blob parses to, so loading the new head finds it parsed already.
 * (Parsing the YAML it was just written as would cost more than the rest of the commit.)
 */
async function writeStatus(batch: ObjectBatch, path: string, status: Status): Promise<string> {
  const document = statusDocument(status);
  const problems = jsonProblems("status", document, path);
  if (problems.length > 0)
    throw new Error(`refusing to commit an invalid ${path}: ${new InvalidInputError(problems).message}`);
  const text = serializeStatusDocument(document);
  parseCache.seed(await batch.writeBlob(text), parseStatus, document);
  return text;
}

/**
 * A file tollgate is about to commit must pass the same validation as any file it reads. It is
 * parsed through the model's parse cache under the blob id it is stored as, so loading the new head
 * (to apply it, and on the next tick) finds it parsed already.
 */
async function checkWritten(
  batch: ObjectBatch,
  text: string,
  path: string,
  parse: (text: string, file: string) => unknown,
): Promise<void> {
  const oid = await batch.writeBlob(text);
  try {
    await parseCache.parse(new SingleFile(path, oid, text), path, parse);
  } catch (error) {
    throw new Error(`refusing to commit an invalid ${path}: ${(error as Error).message}`);
  }
}

/** One file about to be committed, as a content-addressed tree holding just it. */
class SingleFile implements ContentAddressedTree {
  constructor(
    private readonly path: string,
    private readonly oid: string,
    private readonly text: string,
  ) {}

  async blobId(path: string): Promise<string | undefined> {
    return path === this.path ? this.oid : undefined;
  }

  async read(path: string): Promise<string> {
    if (path !== this.path) throw new Error(`${path}: not the file being committed`);
    return this.text;
  }

  async list(): Promise<undefined> {
    return undefined;
  }

  display(path: string): string {
    return path;
  }
}
