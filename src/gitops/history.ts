import { LRUCache } from "lru-cache";
import type { DecisionAction } from "../model/index.ts";
import { type DecisionMessageParse, type ParsedDecisionMessage, parseDecisionMessage } from "./message.ts";
import type { GitRepo } from "./repo.ts";

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** One commit of the history, with its decision parsed when it is a decision commit. */
export interface HistoryEntry {
  oid: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
  /** The parsed decision; null for ordinary commits and for malformed decision commits. */
  decision: ParsedDecisionMessage | null;
  /** For commits that carry `Tollgate-Decision` but do not follow the format: what is wrong. */
  problems: string[];
}

export interface HistoryFilter {
  /** Where to start: a ref or commit id; default the repository's branch. */
  from?: string;
  environment?: string;
  service?: string;
  /** Only commits after this: a Date (committer time), or a ref/commit whose ancestors are excluded. */
  since?: Date | string;
  /** Stop after this many matching entries. */
  limit?: number;
}

/**
 * Every commit reachable from `from`, newest first (by committer time; a child always comes
 * before its parents), with decision messages parsed. Not filtered by environment or service.
 */
export async function* walkHistory(
  repo: GitRepo,
  options: Pick<HistoryFilter, "from" | "since"> = {},
): AsyncGenerator<HistoryEntry> {
  const start = options.from ? await repo.resolve(options.from) : await repo.head();
  if (!start) return;
  const sinceDate = options.since instanceof Date ? options.since.getTime() / 1000 : undefined;
  const sinceCommit = typeof options.since === "string" ? await repo.resolve(options.since) : undefined;

  // A date-ordered walk. Commits reachable from `sinceCommit` are marked uninteresting and
  // propagate that mark to their parents; the walk ends when only uninteresting ones are left.
  const queue = new CommitQueue();
  const uninteresting = new Set<string>();
  const seen = new Set<string>();
  const push = async (oid: string, hidden: boolean) => {
    if (hidden) uninteresting.add(oid);
    if (seen.has(oid)) return;
    seen.add(oid);
    const commit = await repo.store.readCommit(oid);
    queue.add(oid, commit.committer.timestamp);
  };
  await push(start, false);
  if (sinceCommit) await push(sinceCommit, true);
  while (queue.size > 0) {
    if (queue.every((oid) => uninteresting.has(oid))) return;
    const oid = queue.pop()!;
    const commit = await repo.store.readCommit(oid);
    const hidden = uninteresting.has(oid);
    if (!hidden && sinceDate !== undefined && commit.committer.timestamp < sinceDate) {
      continue; // older than `since`: neither shown nor followed
    }
    for (const parent of commit.parent) await push(parent, hidden);
    if (hidden) continue;
    yield entryOf(oid, commit.parent, commit);
  }
}

/** Commits never change, so neither does what their message parses to. */
const parsedMessages = new LRUCache<string, DecisionMessageParse>({ max: 200_000 });

function parseCached(oid: string, message: string): DecisionMessageParse {
  let parsed = parsedMessages.get(oid);
  if (!parsed) {
    parsed = parseDecisionMessage(message);
    parsedMessages.set(oid, parsed);
  }
  return parsed;
}

function entryOf(
  oid: string,
  parents: string[],
  commit: { message: string; author: Signature; committer: Signature },
): HistoryEntry {
  const parsed = parseCached(oid, commit.message);
  return {
    oid,
    parents,
    author: { name: commit.author.name, email: commit.author.email, timestamp: commit.author.timestamp },
    committer: { name: commit.committer.name, email: commit.committer.email, timestamp: commit.committer.timestamp },
    message: commit.message,
    decision: parsed.kind === "decision" ? parsed.message : null,
    problems: parsed.kind === "malformed" ? parsed.problems : [],
  };
}

/**
 * Decision commits (and malformed ones, with their problems) newest first, filtered by
 * environment, service and `since`. A malformed commit matches a filter when its trailers say so.
 */
export async function listDecisionCommits(repo: GitRepo, filter: HistoryFilter = {}): Promise<HistoryEntry[]> {
  const found: HistoryEntry[] = [];
  for await (const entry of walkHistory(repo, filter)) {
    if (!entry.decision && entry.problems.length === 0) continue;
    const { environment, service } = decisionScope(entry);
    if (filter.environment && environment !== filter.environment) continue;
    if (filter.service && service !== filter.service) continue;
    found.push(entry);
    if (filter.limit !== undefined && found.length >= filter.limit) break;
  }
  return found;
}

function decisionScope(entry: HistoryEntry): { environment?: string; service?: string; action?: DecisionAction } {
  if (entry.decision) {
    const t = entry.decision.trailers;
    return { environment: t.environment, service: t.service, action: t.decision };
  }
  const trailer = (key: string) => new RegExp(`^${key}:\\s*(\\S+)\\s*$`, "mi").exec(entry.message)?.[1];
  return { environment: trailer("Tollgate-Environment"), service: trailer("Tollgate-Service") };
}

const TERMINAL: ReadonlySet<DecisionAction> = new Set(["promote", "rollback"]);

/**
 * For each idempotency key, the decision commit that carries it, if any, looking back from `head`
 * only as far as the last promotion or rollback of that key's environment/service (a later
 * rollout may legitimately repeat an earlier rollout's keys). One walk serves all keys.
 */
export async function findDecisionsByKey(
  repo: GitRepo,
  head: string | null,
  keys: Iterable<string>,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (!head) return found;
  const wanted = new Map<string, Set<string>>(); // "env/service" -> keys still looked for
  for (const key of keys) {
    const scope = key.split("/").slice(0, 2).join("/");
    const set = wanted.get(scope) ?? new Set<string>();
    set.add(key);
    wanted.set(scope, set);
  }
  if (wanted.size === 0) return found;
  for await (const entry of walkHistory(repo, { from: head })) {
    const t = entry.decision?.trailers;
    if (!t) continue;
    const scope = `${t.environment}/${t.service}`;
    const open = wanted.get(scope);
    if (!open) continue;
    if (open.delete(t.idempotencyKey)) found.set(t.idempotencyKey, entry.oid);
    if (open.size === 0 || TERMINAL.has(t.decision)) wanted.delete(scope);
    if (wanted.size === 0) break;
  }
  return found;
}

/** Whether a decision with `key` is in the history of `head` (see findDecisionsByKey for how far back). */
export async function findDecisionByKey(repo: GitRepo, head: string | null, key: string): Promise<string | undefined> {
  return (await findDecisionsByKey(repo, head, [key])).get(key);
}

/** Max-heap of commits by committer time; ties keep insertion order. */
class CommitQueue {
  private items: { oid: string; time: number; order: number }[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  add(oid: string, time: number): void {
    this.items.push({ oid, time, order: this.counter++ });
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      [this.items[i], this.items[parent]] = [this.items[parent]!, this.items[i]!];
      i = parent;
    }
  }

  pop(): string | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (!top || !last) return undefined;
    if (this.items.length > 0) {
      this.items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.items.length && this.before(l, best)) best = l;
        if (r < this.items.length && this.before(r, best)) best = r;
        if (best === i) break;
        [this.items[i], this.items[best]] = [this.items[best]!, this.items[i]!];
        i = best;
      }
    }
    return top.oid;
  }

  every(test: (oid: string) => boolean): boolean {
    return this.items.every((item) => test(item.oid));
  }

  private before(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.time > y.time || (x.time === y.time && x.order < y.order);
  }
}
