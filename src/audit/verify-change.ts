/**
 * Checks of commits that are not tollgate decisions (people's commits, pull-request merges).
 *
 * The rule for protected environments (`protected: true` in environment.yaml, at the commit or its
 * parent):
 * - A release file changes only through a tollgate decision (checked by the decision checks) or a
 *   merge commit, i.e. a merged pull request, where the hosting platform enforced review. A direct
 *   commit to a protected release file is flagged (`outside-tollgate`), approvals or not: anyone can
 *   type an approval into a file, so the approvals count only together with the merge.
 * - When the artifact changes, the release file at that commit must record the approvals the
 *   environment requires for the new digest (`approvals`): `approvals.required` distinct approvers,
 *   listed in `approvals.approvers` (an empty list admits anyone; `team:` entries admit the members
 *   teams.yaml at the parent gives them, and nobody without one), covering the changed parts when they are in
 *   `approvals.for` (or `release` is). The same rule the guardrails apply to the rollout.
 * - Status files are written by tollgate only: any other commit changing one is flagged.
 * Everywhere: files under clusters/ (the rendered folders of `gitops` clusters) are written by
 * decisions only (`rendered`); evidence documents are written once, by the decision that refers to them; any other
 * commit adding, changing or removing one is flagged (`evidence`).
 * The first commit of a history is its starting point and is not judged.
 */

import { changedFiles, EVIDENCE_DIR, type HistoryEntry } from "../gitops/index.ts";
import {
  type ApprovalScope,
  diffArtifacts,
  type Environment,
  type Release,
  shortDigest,
  type Teams,
  teamsOf,
} from "../model/index.ts";
import type { AuditFilter, CheckOutcome, CommitAudit } from "./types.ts";
import type { AuditContext } from "./verify-decision.ts";
import { coveredRenderedChanges, handEditProblems } from "./verify-rendered.ts";

const SERVICE_FILE = /^environments\/([^/]+)\/(releases|status)\/([^/]+)\.yaml$/;

/** The audit of a commit that is not a decision, or null when no check applies to it. */
export async function verifyChange(
  ctx: AuditContext,
  entry: HistoryEntry,
  filter: AuditFilter,
): Promise<CommitAudit | null> {
  const parent = entry.parents[0];
  if (parent === undefined) return null;
  const changes = await changedFiles(ctx.repo, parent, entry.oid);
  const evidence: string[] = [];
  const outside: string[] = [];
  const approvals: string[] = [];
  let applies = { evidence: false, outside: false, approvals: false };
  const touched = new Set<string>();

  for (const change of changes) {
    if (change.path.startsWith(`${EVIDENCE_DIR}/`)) {
      if (filter.environment || filter.service) continue; // evidence is not tied to a path of the filter
      applies = { ...applies, evidence: true };
      evidence.push(
        `${change.path} was ${change.kind} by a commit that is not its decision: evidence is written once, by the decision that refers to it`,
      );
      continue;
    }
    const m = SERVICE_FILE.exec(change.path);
    if (!m) continue;
    const [, env, kind, service] = m as unknown as [string, string, "releases" | "status", string];
    if ((filter.environment && env !== filter.environment) || (filter.service && service !== filter.service)) continue;
    const before = (await ctx.states.at(parent)).state.environments.get(env);
    const after = (await ctx.states.at(entry.oid)).state.environments.get(env);
    if (!(before?.environment.protected || after?.environment.protected)) continue;
    touched.add(`${env}/${service}`);
    applies = { ...applies, outside: true };
    if (kind === "status") {
      outside.push(
        `${change.path} was ${change.kind} by hand: status files of a protected environment are written by tollgate decisions only`,
      );
      continue;
    }
    if (entry.parents.length < 2) {
      outside.push(
        `${change.path} was ${change.kind} by a direct commit: in a protected environment a release changes only through a tollgate decision or a merged pull request`,
      );
    }
    const release = after?.releases.get(service);
    const environment = after?.environment ?? before?.environment;
    if (!release || !environment) continue;
    if (before?.releases.get(service)?.artifact.digest === release.artifact.digest) continue;
    applies = { ...applies, approvals: true };
    // Teams as the base had them: a change cannot make its own approvers eligible by editing teams.yaml.
    approvals.push(...missingApprovals(environment, release, change.path, (await ctx.states.at(parent)).state.teams));
  }
  const handEdits = handEditProblems(await coveredRenderedChanges(ctx, [parent, entry.oid], changes, filter));
  if (!applies.evidence && !applies.outside && handEdits.length === 0) return null;
  const scopes = [...touched].map((s) => s.split("/") as [string, string]);
  const envs = new Set(scopes.map(([e]) => e));
  const scope =
    scopes.length === 1
      ? { environment: scopes[0]![0], service: scopes[0]![1] }
      : envs.size === 1
        ? { environment: [...envs][0]! }
        : {};
  const result = (problems: string[]): CheckOutcome => ({ state: problems.length > 0 ? "fail" : "pass", problems });
  return {
    commit: entry.oid,
    time: new Date(entry.committer.timestamp * 1000).toISOString(),
    kind: "change",
    subject: entry.message.split("\n")[0] ?? "",
    ...scope,
    checks: {
      ...(applies.evidence ? { evidence: result(evidence) } : {}),
      ...(applies.outside ? { "outside-tollgate": result(outside) } : {}),
      ...(applies.approvals ? { approvals: result(approvals) } : {}),
      ...(handEdits.length > 0 ? { rendered: result(handEdits) } : {}),
    },
  };
}

/** What is missing for the release's new digest to carry the approvals the environment requires. */
export function missingApprovals(environment: Environment, release: Release, file: string, teams?: Teams): string[] {
  const policy = environment.approvals;
  if (!environment.protected || policy.required <= 0) return [];
  const digest = release.artifact.digest;
  const changed = diffArtifacts(release.lastGood, release.artifact).changed;
  const needing = changed.filter((part) => policy.for.includes(part) || policy.for.includes("release"));
  if (needing.length === 0) return [];
  const approvers = policy.approvers ?? [];
  const eligible = (by: string) =>
    approvers.length === 0 ||
    approvers.includes(by) ||
    teamsOf(teams, by).some((team) => approvers.includes(`team:${team}`));
  // Parts short of approvers, grouped by who approved them, so one file gives one line per situation.
  const short = new Map<string, { parts: string[]; have: string[] }>();
  for (const part of needing) {
    const covers = (scopes: ApprovalScope[] | undefined) =>
      scopes === undefined || scopes.includes("release") || scopes.includes(part);
    const have = [
      ...new Set(
        (release.approvals ?? [])
          .filter((a) => a.digest === digest && eligible(a.by) && covers(a.for))
          .map((a) => a.by),
      ),
    ].sort();
    if (have.length >= policy.required) continue;
    const group = short.get(have.join(",")) ?? { parts: [], have };
    group.parts.push(part);
    short.set(have.join(","), group);
  }
  const who = (policy.approvers ?? []).length > 0 ? (policy.approvers ?? []).join(", ") : "anyone";
  return [...short.values()].map(
    ({ parts, have }) =>
      `${file}: the ${parts.join(", ")} change${parts.length > 1 ? "s" : ""} to ${shortDigest(digest)} need${parts.length > 1 ? "" : "s"} ${policy.required} approval(s) from ${who} recorded for that digest; ${parts.length > 1 ? "they have" : "it has"} ${have.length}${have.length > 0 ? ` (${have.join(", ")})` : ""}`,
  );
}
