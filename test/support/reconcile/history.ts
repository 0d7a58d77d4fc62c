/**
 * The decision history of a repository as plain git reads it (git log, git's own trailer parser,
 * git cat-file for evidence), and the invariants every reliability test checks on it.
 */
import { spawnSync } from "node:child_process";
import { evidencePath } from "../../../src/model/evidence.ts";
import { gitCli } from "../git-http/repos.ts";

export interface HistoryCommit {
  commit: string;
  parents: string[];
  subject: string;
  body: string;
  /** Trailers as git parses them (`git log --format=%(trailers)`), in order. */
  trailers: [string, string][];
}

export interface DecisionRecord extends HistoryCommit {
  action: string;
  environment: string;
  service: string;
  artifact: string;
  step: number | undefined;
  idempotencyKey: string;
  evidence: string;
  /** The evidence document's `decidedOn`: the head the decision was made on. */
  decidedOn: string | null;
  /** The idempotency key's rollout number (`r<n>`). */
  rollout: number;
}

const FIELD = "\x1f";
const RECORD = "\x1e";

/** Every commit on the first-parent chain of `ref`, oldest first. */
export function readHistory(gitDir: string, ref = "main"): HistoryCommit[] {
  const out = gitCli(
    gitDir,
    "log",
    "--first-parent",
    "--reverse",
    `--format=%H${FIELD}%P${FIELD}%s${FIELD}%B${FIELD}%(trailers:only=true,unfold=true)${RECORD}`,
    ref,
  );
  return out
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ""))
    .filter((r) => r.length > 0)
    .map((r) => {
      const [commit, parents, subject, body, trailers] = r.split(FIELD) as [string, string, string, string, string];
      return {
        commit,
        parents: parents.split(" ").filter(Boolean),
        subject,
        body,
        trailers: trailers
          .split("\n")
          .filter((l) => l.includes(": "))
          .map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)] as [string, string]),
      };
    });
}

/** The decision commits of `ref` (those with a `Tollgate-Decision` trailer), each with its evidence's decidedOn. */
export function readDecisions(gitDir: string, ref = "main"): DecisionRecord[] {
  const decisions = readHistory(gitDir, ref)
    .filter((c) => c.trailers.some(([k]) => k === "Tollgate-Decision"))
    .map((c) => {
      const t = (key: string) => c.trailers.find(([k]) => k === key)?.[1] ?? "";
      const key = t("Tollgate-Idempotency-Key");
      const step = t("Tollgate-Step");
      return {
        ...c,
        action: t("Tollgate-Decision"),
        environment: t("Tollgate-Environment"),
        service: t("Tollgate-Service"),
        artifact: t("Tollgate-Artifact"),
        step: step === "" ? undefined : Number(step),
        idempotencyKey: key,
        evidence: t("Tollgate-Evidence"),
        decidedOn: null as string | null,
        rollout: Number(/\/r(\d+)\./.exec(key)?.[1] ?? Number.NaN),
      };
    });
  const documents = catFiles(
    gitDir,
    decisions.map((d) => `${d.commit}:${evidencePath(d.evidence)}`),
  );
  decisions.forEach((d, i) => {
    d.decidedOn = (JSON.parse(documents[i]!) as { decidedOn: string | null }).decidedOn;
  });
  return decisions;
}

/** The evidence documents of `decisions`, parsed, in their order. */
export function readEvidenceDocuments(gitDir: string, decisions: readonly DecisionRecord[]): unknown[] {
  return catFiles(
    gitDir,
    decisions.map((d) => `${d.commit}:${evidencePath(d.evidence)}`),
  ).map((text) => JSON.parse(text) as unknown);
}

/** `git cat-file --batch` over many objects at once. */
function catFiles(gitDir: string, specs: string[]): string[] {
  if (specs.length === 0) return [];
  const result = spawnSync("git", ["cat-file", "--batch"], {
    cwd: gitDir,
    input: `${specs.join("\n")}\n`,
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`git cat-file failed: ${result.stderr}`);
  const buffer = result.stdout;
  const texts: string[] = [];
  let at = 0;
  for (const spec of specs) {
    const newline = buffer.indexOf(10, at);
    const header = buffer.subarray(at, newline).toString("utf8");
    const match = /^[0-9a-f]{40} blob (\d+)$/.exec(header);
    if (!match) throw new Error(`${spec}: ${header}`);
    const size = Number(match[1]);
    texts.push(buffer.subarray(newline + 1, newline + 1 + size).toString("utf8"));
    at = newline + 1 + size + 1;
  }
  return texts;
}

/**
 * What must hold of every history, however many reconcilers raced or crashed writing it. Returns
 * the violations in words (empty when sound):
 * - no idempotency key twice;
 * - every decision was published on the head it was decided on (see publishedOn);
 * - no merge commits on the first-parent chain (decisions are never merged or rebased);
 * - per rollout, steps only move forward, and after a promote or rollback nothing more is decided.
 */
export function historyViolations(gitDir: string, ref = "main"): string[] {
  const problems: string[] = [];
  const history = readHistory(gitDir, ref);
  for (const c of history) {
    if (c.parents.length > 1) problems.push(`${c.commit.slice(0, 12)} "${c.subject}" is a merge`);
  }
  const decisions = readDecisions(gitDir, ref);
  const byCommit = new Map(decisions.map((d) => [d.commit, d]));
  const chain = history.map((c) => byCommit.get(c.commit) ?? c);
  const seen = new Map<string, string>();
  for (const d of decisions) {
    const where = `${d.commit.slice(0, 12)} "${d.subject}"`;
    const earlier = seen.get(d.idempotencyKey);
    if (earlier) problems.push(`${where} repeats idempotency key ${d.idempotencyKey} of ${earlier.slice(0, 12)}`);
    seen.set(d.idempotencyKey, d.commit);
    const published = publishedOn(chain, d);
    if (published !== "ok") problems.push(`${where} was decided on ${d.decidedOn?.slice(0, 12)} but ${published}`);
  }
  for (const [rollout, list] of groupBy(
    decisions,
    (d) => `${d.environment}/${d.service}/${d.artifact}/r${d.rollout}`,
  )) {
    let lastStep = -2;
    let ended: DecisionRecord | undefined;
    for (const d of list) {
      if (ended)
        problems.push(
          `${rollout}: ${d.action} at ${d.commit.slice(0, 12)} after the rollout ended with ${ended.action} at ${ended.commit.slice(0, 12)}`,
        );
      const step = d.step ?? -1;
      if (d.action === "advance" && step <= lastStep)
        problems.push(
          `${rollout}: advance from step ${step} at ${d.commit.slice(0, 12)} after advancing from step ${lastStep}`,
        );
      if (d.action === "advance") lastStep = step;
      if (d.action === "promote" || d.action === "rollback") ended = d;
    }
  }
  return problems;
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Whether `d` sits on the head it was decided on. One tick records its decisions as a chain of
 * commits (one per service) pushed together, so a decision's parent is either the head it was
 * decided on, or an earlier decision of the same batch: a decision about another service made on
 * that same head. Anything else in between (a person's commit, another tick's decision) means
 * the decision was carried onto state it never saw.
 */
export function publishedOn(history: readonly (HistoryCommit | DecisionRecord)[], d: DecisionRecord): "ok" | string {
  if (d.parents.length !== 1) return `has ${d.parents.length} parents`;
  const at = history.findIndex((c) => c.commit === d.commit);
  const base = history.findIndex((c) => c.commit === d.decidedOn);
  if (base === -1 || base >= at) return "that commit is not below it on the first-parent chain";
  const seen = new Set([`${d.environment}/${d.service}`]);
  for (const between of history.slice(base + 1, at)) {
    const decision = between as Partial<DecisionRecord>;
    if (decision.decidedOn !== d.decidedOn)
      return `${between.commit.slice(0, 12)} "${between.subject}" lies in between and was not decided on that head`;
    const service = `${decision.environment}/${decision.service}`;
    if (seen.has(service)) return `${between.commit.slice(0, 12)} in between decides the same service`;
    seen.add(service);
  }
  return "ok";
}
