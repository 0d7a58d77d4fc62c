/**
 * `tollgate audit`: walks the history and checks every decision commit (and every other commit
 * that touches what only decisions and reviewed merges may touch).
 */
import { type DecisionCore, decisionCore } from "../decision/index.ts";
import { type GitRepo, type HistoryEntry, walkHistory } from "../gitops/index.ts";
import { UserError } from "../model/index.ts";
import type { PolicyLoader } from "../policy/index.ts";
import { PolicyBuilds } from "./policy-builds.ts";
import { StateCache } from "./states.ts";
import type { AuditFailure, AuditFilter, AuditReport, CommitAudit } from "./types.ts";
import { verifyChange } from "./verify-change.ts";
import { changeSignature, decisionSignature, type SignatureRequirement } from "./verify-signature.ts";
import { type AuditContext, verifyDecision } from "./verify-decision.ts";

export interface AuditOptions extends AuditFilter {
  /** Instantiates the compiled policies; default one shared by the process. */
  loader?: PolicyLoader;
  /** The decision core that re-derives each decision; default the reconciler's (decisionCore). */
  core?: DecisionCore;
}

export function auditContext(repo: GitRepo, loader?: PolicyLoader, core = decisionCore): AuditContext {
  return { repo, policies: new PolicyBuilds(repo, loader), states: new StateCache(repo), core };
}

export async function auditHistory(repo: GitRepo, options: AuditOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const ctx = auditContext(repo, options.loader, options.core);
  const head = options.from ? await repo.resolve(options.from) : await repo.head();
  const commits: CommitAudit[] = [];
  let decisions = 0;
  let changes = 0;
  if (head) {
    const mainline = await firstParentChain(repo, head);
    const required = await signatureRequirement(repo, options.requireSignatures);
    for await (const entry of walkHistory(repo, {
      from: head,
      ...(options.since !== undefined ? { since: options.since } : {}),
    })) {
      if (isDecision(entry)) {
        if (!inScope(entry, options)) continue;
        decisions++;
        const audited = await verifyDecision(ctx, entry);
        const signature = await decisionSignature(ctx, entry, required);
        if (signature) audited.checks.signature = signature;
        commits.push(audited);
      } else if (mainline.has(entry.oid)) {
        // Commits reached only through a merge's second parent are the merged branch's content,
        // judged as the merge commit that brought them in.
        changes++;
        const audited = withSignature(
          entry,
          await verifyChange(ctx, entry, options),
          await changeSignature(ctx, entry, required),
          options,
        );
        if (audited) commits.push(audited);
      }
    }
  }
  commits.reverse(); // oldest first, as a story
  return {
    head,
    decisions,
    changes,
    commits,
    failures: failuresOf(commits),
    policyBuilds: ctx.policies.compiled,
    durationMs: performance.now() - started,
  };
}

/** Which commits must be signed: from the named commit on (its ancestors need not be). */
async function signatureRequirement(
  repo: GitRepo,
  from: string | true | undefined,
): Promise<SignatureRequirement | undefined> {
  if (from === undefined) return undefined;
  if (from === true) return { before: new Set() };
  const commit = await repo.resolve(from);
  if (!commit) throw new UserError(`--require-signatures ${from}: no such commit or ref`);
  const before = new Set<string>();
  const queue = [...(await repo.store.readCommit(commit)).parent];
  while (queue.length > 0) {
    const oid = queue.pop()!;
    if (before.has(oid)) continue;
    before.add(oid);
    queue.push(...(await repo.store.readCommit(oid)).parent);
  }
  return { from: commit.slice(0, 12), before };
}

/** A change's audit with its signature check (a commit only the signature check applies to gets one). */
function withSignature(
  entry: HistoryEntry,
  audited: CommitAudit | null,
  signature: Awaited<ReturnType<typeof changeSignature>>,
  filter: AuditFilter,
): CommitAudit | null {
  if (!signature) return audited;
  const [only] = signature.environments;
  if (filter.environment && !signature.environments.includes(filter.environment)) return audited;
  if (filter.service && !audited) return audited;
  const base: CommitAudit = audited ?? {
    commit: entry.oid,
    time: new Date(entry.committer.timestamp * 1000).toISOString(),
    kind: "change",
    subject: entry.message.split("\n")[0] ?? "",
    ...(signature.environments.length === 1 && only ? { environment: only } : {}),
    checks: {},
  };
  base.checks.signature = signature.outcome;
  return base;
}

/** The commits of the branch itself: `head` and its first parents. */
async function firstParentChain(repo: GitRepo, head: string): Promise<Set<string>> {
  const chain = new Set<string>();
  let cursor: string | undefined = head;
  while (cursor !== undefined && !chain.has(cursor)) {
    chain.add(cursor);
    cursor = (await repo.store.readCommit(cursor)).parent[0];
  }
  return chain;
}

function isDecision(entry: HistoryEntry): boolean {
  return entry.decision !== null || entry.problems.length > 0;
}

function inScope(entry: HistoryEntry, filter: AuditFilter): boolean {
  const trailer = (key: string) => new RegExp(`^${key}:\\s*(\\S+)\\s*$`, "mi").exec(entry.message)?.[1];
  const environment = entry.decision?.trailers.environment ?? trailer("Tollgate-Environment");
  const service = entry.decision?.trailers.service ?? trailer("Tollgate-Service");
  return (!filter.environment || environment === filter.environment) && (!filter.service || service === filter.service);
}

function failuresOf(commits: CommitAudit[]): AuditFailure[] {
  const failures: AuditFailure[] = [];
  for (const c of commits) {
    for (const [check, outcome] of Object.entries(c.checks)) {
      if (outcome.state !== "fail") continue;
      for (const message of outcome.problems) {
        failures.push({
          commit: c.commit,
          check: check as AuditFailure["check"],
          ...(c.environment ? { environment: c.environment } : {}),
          ...(c.service ? { service: c.service } : {}),
          message,
        });
      }
    }
  }
  return failures;
}
