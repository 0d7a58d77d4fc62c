/**
 * `tollgate audit`: walks the history and checks every decision commit (and every other commit
 * that touches what only decisions and reviewed merges may touch).
 */
import { type DecisionCore, decisionCore } from "../decision/index.ts";
import { type GitRepo, type HistoryEntry, walkHistory } from "../gitops/index.ts";
import type { PolicyLoader } from "../policy/index.ts";
import { PolicyBuilds } from "./policy-builds.ts";
import { StateCache } from "./states.ts";
import type { AuditFailure, AuditFilter, AuditReport, CommitAudit } from "./types.ts";
import { verifyChange } from "./verify-change.ts";
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
    for await (const entry of walkHistory(repo, {
      from: head,
      ...(options.since !== undefined ? { since: options.since } : {}),
    })) {
      if (isDecision(entry)) {
        if (!inScope(entry, options)) continue;
        decisions++;
        commits.push(await verifyDecision(ctx, entry));
      } else if (mainline.has(entry.oid)) {
        // Commits reached only through a merge's second parent are the merged branch's content,
        // judged as the merge commit that brought them in.
        changes++;
        const audited = await verifyChange(ctx, entry, options);
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
