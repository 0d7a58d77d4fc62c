/**
 * What the pages read, per branch head. A commit never changes, so the state at a head and the
 * decisions reachable from it are computed once per head; when the head moves forward, only the new
 * commits are walked.
 */
import { type GitRepo, type HistoryEntry, walkHistory } from "../gitops/index.ts";
import type { DecisionAction, Digest, LoadedRepository } from "../model/index.ts";

/** One decision commit, as the service history and the decision links need it. */
export interface IndexedDecision {
  commit: string;
  /** Committer time, ISO. */
  time: string;
  environment: string;
  service: string;
  action: DecisionAction;
  /** The artifact judged (the canary; for a rollback, the one rolled back). */
  artifact: Digest;
  evidence: Digest;
  subject: string;
  why: string;
  /** The rollout number in its idempotency key (undefined for decisions before a rollout). */
  rollout?: number;
}

const ROLLOUT_OF_KEY = /\/r(\d+)\.(?:\d+|pre)\//;

export class Snapshots {
  #state: { head: string; loaded: Promise<LoadedRepository> } | undefined;
  #decisions: { head: string; list: Promise<IndexedDecision[]> } | undefined;

  constructor(private readonly repo: GitRepo) {}

  /** The desired state at `head` (files validated; problems collected). */
  state(head: string): Promise<LoadedRepository> {
    if (this.#state?.head !== head) {
      const loaded = this.repo.stateAt(head);
      this.#state = { head, loaded };
      loaded.catch(() => {
        if (this.#state?.loaded === loaded) this.#state = undefined;
      });
    }
    return this.#state.loaded;
  }

  /** Every decision commit reachable from `head`, newest first. */
  decisions(head: string): Promise<IndexedDecision[]> {
    if (this.#decisions?.head === head) return this.#decisions.list;
    const previous = this.#decisions;
    const list = (async () => {
      const known = previous ? await previous.list.catch(() => undefined) : undefined;
      if (!previous || !known) return (await this.walk(head)).decisions;
      // Walking "since" the old head leaves out exactly its ancestors, which the old list holds.
      // A rewritten branch (the old head is no ancestor of the new) is walked again in full.
      const since = await this.walk(head, previous.head).catch(() => undefined);
      return since?.extendsOld ? [...since.decisions, ...known] : (await this.walk(head)).decisions;
    })();
    this.#decisions = { head, list };
    list.catch(() => {
      if (this.#decisions?.list === list) this.#decisions = undefined;
    });
    return list;
  }

  private async walk(head: string, since?: string): Promise<{ decisions: IndexedDecision[]; extendsOld: boolean }> {
    const decisions: IndexedDecision[] = [];
    // The old head is an ancestor exactly when one of the commits after it has it as a parent.
    let extendsOld = since === head;
    for await (const entry of walkHistory(this.repo, { from: head, ...(since ? { since } : {}) })) {
      if (since && entry.parents.includes(since)) extendsOld = true;
      const indexed = indexDecision(entry);
      if (indexed) decisions.push(indexed);
    }
    return { decisions, extendsOld };
  }
}

function indexDecision(entry: HistoryEntry): IndexedDecision | undefined {
  const d = entry.decision;
  if (!d) return undefined;
  const rollout = Number(ROLLOUT_OF_KEY.exec(d.trailers.idempotencyKey)?.[1] ?? Number.NaN);
  return {
    commit: entry.oid,
    time: new Date(entry.committer.timestamp * 1000).toISOString(),
    environment: d.trailers.environment,
    service: d.trailers.service,
    action: d.trailers.decision,
    artifact: d.trailers.artifact,
    evidence: d.trailers.evidence,
    subject: d.subject,
    why: d.why,
    ...(Number.isInteger(rollout) ? { rollout } : {}),
  };
}
