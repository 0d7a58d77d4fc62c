/**
 * The `signature` check: who signed a commit, judged by signers.yaml as the commit's parent has it
 * (a commit cannot admit its own signer).
 *
 * - A decision commit must be signed by one of tollgate's keys (`decisions`).
 * - A commit changing a release or environment file of a protected environment, signers.yaml or
 *   teams.yaml must be signed by a person `protectedChanges` admits — or be a merge commit whose
 *   merged commits that make such changes are each signed by one. The first signers.yaml is judged
 *   by itself: one of the people it lists must sign it.
 * - A signature that is malformed, does not match the commit or is made by a key the file does not
 *   allow always fails. A missing signature fails from the commit `--require-signatures` names on
 *   (every commit, without a name); before it, or without the option, it is reported as not
 *   checked, so an existing history can adopt signing.
 * Nothing is checked where there is no signers.yaml at the parent, unless signatures are required.
 */
import { changedFiles, type HistoryEntry } from "../gitops/index.ts";
import { formatProblem, type LoadedRepository, SIGNERS_FILE, TEAMS_FILE } from "../model/index.ts";
import {
  type AllowedKey,
  allowedKeys,
  ROLE_NAMES,
  type SignatureVerdict,
  type SignerRole,
  verifyCommitSignature,
} from "../signing/index.ts";
import type { CheckOutcome } from "./types.ts";
import type { AuditContext } from "./verify-decision.ts";

const PROTECTED_FILE = /^environments\/([^/]+)\/(releases\/[^/]+\.yaml|environment\.yaml)$/;

/** Which commits must be signed: those not in `before` (the ancestors of the named commit). */
export interface SignatureRequirement {
  /** The commit signatures are required from (short id, for messages); undefined: every commit. */
  from?: string;
  /** Commits before it: a missing signature there is not a failure. */
  before: Set<string>;
}

/** The signature check of a decision commit; undefined when it does not apply. */
export async function decisionSignature(
  ctx: AuditContext,
  entry: HistoryEntry,
  required: SignatureRequirement | undefined,
): Promise<CheckOutcome | undefined> {
  const parent = entry.parents[0];
  if (parent === undefined) return undefined;
  return judge(ctx, entry, await ctx.states.at(parent), "decisions", parent, required);
}

/**
 * The signature check of another commit on the branch, with the environment it concerns when
 * there is one; undefined when the commit changes nothing that must be signed.
 */
export async function changeSignature(
  ctx: AuditContext,
  entry: HistoryEntry,
  required: SignatureRequirement | undefined,
): Promise<{ outcome: CheckOutcome; environments: string[] } | undefined> {
  const parent = entry.parents[0];
  if (parent === undefined) return undefined;
  const atParent = await ctx.states.at(parent);
  const atCommit = await ctx.states.at(entry.oid);
  const signed = await signedPaths(ctx, parent, entry.oid, atParent, atCommit);
  if (signed.paths.length === 0) return undefined;
  // The first signers.yaml is its own root of trust; every later one is judged by its predecessor.
  const judgedBy = atParent.state.signers || fileProblems(atParent).length > 0 ? atParent : atCommit;
  const problems = signed.paths.includes(SIGNERS_FILE)
    ? fileProblems(atCommit).map((p) => `${SIGNERS_FILE} as this commit leaves it does not validate: ${p}`)
    : [];
  let outcome = await judge(ctx, entry, judgedBy, "protected", judgedBy === atParent ? parent : entry.oid, required);
  if (!outcome) return undefined;
  if (outcome.state !== "pass" && entry.parents.length > 1 && judgedBy.state.signers) {
    const allowed = allowedKeys(judgedBy.state.signers, "protected", judgedBy.state.teams);
    const merged = await mergedVerdicts(ctx, entry, allowed, atParent);
    if (merged.length > 0 && merged.every((m) => m.verdict.state === "good")) outcome = { state: "pass", problems: [] };
    else {
      const bad = merged.filter((m) => m.verdict.state === "bad" || m.verdict.state === "not-allowed");
      const at = (judgedBy === atParent ? parent : entry.oid).slice(0, 12);
      const words = async (m: (typeof merged)[number]) =>
        `merged commit ${m.oid.slice(0, 12)}: ${await explain(ctx, m.oid, m.time, m.verdict, judgedBy, "protected", at)}`;
      const earlier = outcome.state === "fail" ? outcome.problems : [];
      if (bad.length > 0) outcome = fail([...earlier, ...(await Promise.all(bad.map(words)))]);
      else if (outcome.state === "fail") outcome.problems.push(...(await Promise.all(merged.map(words))));
    }
  }
  if (problems.length > 0) outcome = fail([...problems, ...(outcome.state === "fail" ? outcome.problems : [])]);
  return { outcome, environments: signed.environments };
}

/** The verdict on one commit's signature for `role`, as a check outcome. */
async function judge(
  ctx: AuditContext,
  entry: HistoryEntry,
  judgedBy: LoadedRepository,
  role: SignerRole,
  judgedAt: string,
  required: SignatureRequirement | undefined,
): Promise<CheckOutcome | undefined> {
  const at = judgedAt.slice(0, 12);
  const mustSign = required !== undefined && !required.before.has(entry.oid);
  const invalid = fileProblems(judgedBy);
  if (invalid.length > 0)
    return fail(invalid.map((p) => `${SIGNERS_FILE} at ${at} does not validate, so no signature can be checked: ${p}`));
  const signers = judgedBy.state.signers;
  if (!signers) {
    if (!mustSign) return undefined;
    return fail([`there is no ${SIGNERS_FILE} at ${at}: nothing says which keys may sign this commit`]);
  }
  const allowed = allowedKeys(signers, role, judgedBy.state.teams);
  const verdict = await verdictOf(ctx, entry, allowed);
  if (verdict.state === "good") return { state: "pass", problems: [] };
  if (verdict.state === "unsigned" && !mustSign)
    return {
      state: "skipped",
      problems: [
        `not signed; ${required?.from ? `signatures are required from ${required.from} on` : "signatures are required only with --require-signatures"}`,
      ],
    };
  return fail([await explain(ctx, entry.oid, entry.committer.timestamp, verdict, judgedBy, role, at)]);
}

/** Why a signature does not count, in words: what is wrong and who should have signed. */
async function explain(
  ctx: AuditContext,
  oid: string,
  time: number,
  verdict: SignatureVerdict,
  judgedBy: LoadedRepository,
  role: SignerRole,
  at: string,
): Promise<string> {
  const signers = judgedBy.state.signers!;
  if (verdict.state === "not-allowed" && role === "protected" && signers.protectedChanges) {
    const raw = await ctx.repo.store.readCommitBytes(oid);
    const listed = await verifyCommitSignature(raw, allowedKeys(signers, "people"), time);
    if (listed.state === "good")
      return `signed by ${listed.signer} (${listed.key}), whom protectedChanges (${signers.protectedChanges.join(", ")}) in ${SIGNERS_FILE} at ${at} does not admit`;
  }
  const none = allowedKeys(signers, role, judgedBy.state.teams).length === 0;
  return `${verdict.problem ?? verdict.state}; it must be signed by ${ROLE_NAMES[role]} as ${SIGNERS_FILE} at ${at} has them${none ? " (it lists none)" : ""}`;
}

async function verdictOf(ctx: AuditContext, entry: HistoryEntry, allowed: AllowedKey[]): Promise<SignatureVerdict> {
  return verifyCommitSignature(await ctx.repo.store.readCommitBytes(entry.oid), allowed, entry.committer.timestamp);
}

/** The signatures of the commits a merge brings in that change what must be signed. */
async function mergedVerdicts(
  ctx: AuditContext,
  merge: HistoryEntry,
  allowed: AllowedKey[],
  atParent: LoadedRepository,
): Promise<{ oid: string; time: number; verdict: SignatureVerdict }[]> {
  const verdicts: { oid: string; time: number; verdict: SignatureVerdict }[] = [];
  for (const oid of await mergedCommits(ctx, merge)) {
    const commit = await ctx.repo.store.readCommit(oid);
    const parent = commit.parent[0];
    if (parent === undefined) continue;
    const states = [await ctx.states.at(parent), await ctx.states.at(oid)] as const;
    if ((await signedPaths(ctx, parent, oid, ...states, atParent)).paths.length === 0) continue;
    const raw = await ctx.repo.store.readCommitBytes(oid);
    const time = commit.committer.timestamp;
    verdicts.push({ oid, time, verdict: await verifyCommitSignature(raw, allowed, time) });
  }
  return verdicts;
}

/** Commits a merge brings in: reachable from its other parents, not from its first. */
async function mergedCommits(ctx: AuditContext, merge: HistoryEntry): Promise<string[]> {
  const reach = async (starts: string[], stop: Set<string>, limit: number) => {
    const seen = new Set<string>();
    const queue = [...starts];
    while (queue.length > 0 && seen.size < limit) {
      const oid = queue.pop()!;
      if (seen.has(oid) || stop.has(oid)) continue;
      seen.add(oid);
      queue.push(...(await ctx.repo.store.readCommit(oid)).parent);
    }
    return seen;
  };
  const mainline = await reach([merge.parents[0]!], new Set(), 100_000);
  return [...(await reach(merge.parents.slice(1), mainline, 10_000))];
}

/** The paths of a commit that must be signed, and the protected environments they belong to. */
async function signedPaths(
  ctx: AuditContext,
  parent: string,
  commit: string,
  before: LoadedRepository,
  after: LoadedRepository,
  protectedBy?: LoadedRepository,
): Promise<{ paths: string[]; environments: string[] }> {
  const paths: string[] = [];
  const environments = new Set<string>();
  for (const change of await changedFiles(ctx.repo, parent, commit)) {
    if (change.path === SIGNERS_FILE || change.path === TEAMS_FILE) {
      if (before.state.signers || after.state.signers || fileProblems(before).length > 0) paths.push(change.path);
      continue;
    }
    const env = PROTECTED_FILE.exec(change.path)?.[1];
    if (env === undefined) continue;
    const isProtected = [before, after, protectedBy].some((s) => s?.state.environments.get(env)?.environment.protected);
    if (!isProtected) continue;
    paths.push(change.path);
    environments.add(env);
  }
  return { paths, environments: [...environments] };
}

/** The problems of signers.yaml in a loaded state (it does not validate, or its teams are unknown). */
function fileProblems(loaded: LoadedRepository): string[] {
  return loaded.problems.filter((p) => p.file.endsWith(SIGNERS_FILE)).map(formatProblem);
}

function fail(problems: string[]): CheckOutcome {
  return { state: "fail", problems };
}
