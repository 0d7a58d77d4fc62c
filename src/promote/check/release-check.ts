import {
  type Approval,
  canonicalJson,
  diffArtifacts,
  type Release,
  type RepositoryState,
  type Status,
  shortDigest,
  teamsOf,
} from "../../model/index.ts";
import {
  buildPolicyInput,
  type LoadedBundle,
  type PolicyInput,
  type PolicyMode,
  type PolicyViolation,
} from "../../policy/index.ts";
import { describeAttestation } from "../message.ts";
import { runningArtifact } from "../running.ts";
import { type PlatformApprover, platformApprovals } from "./approvers.ts";
import type { FileChange } from "./changes.ts";
import { gateResults, ROLLOUT_IN_PROGRESS } from "./gates.ts";
import { partLines } from "./parts.ts";
import type { ReleaseCheck } from "./types.ts";

export interface ReleaseCheckContext {
  environment: string;
  service: string;
  path: string;
  change: FileChange;
  /** The state at the tip of the base branch: what runs now, what was verified, rejected, frozen. */
  base: RepositoryState;
  /** The state at the pull request's head: the proposed release. */
  head: RepositoryState;
  /** The release file as it was where the pull request branched off (for its own edits). */
  branchedFrom: Release | undefined;
  /** Whether the pull request also changes this environment's settings. */
  environmentChanged: boolean;
  policy: LoadedBundle;
  now: Date;
  approvers: readonly PlatformApprover[];
}

/**
 * Judges one changed release file: the artifact diff from what the environment runs now, and every
 * gate through the policy, as it would be if the pull request were merged now.
 *
 * The environment's settings, the statuses (verified upstream, rejections, freezes) and the
 * policies are taken from the base, not the pull request: a pull request cannot loosen the gates
 * it is judged by, nor vouch for itself by editing a status file.
 */
export function checkRelease(ctx: ReleaseCheckContext): ReleaseCheck {
  const { environment, service } = ctx;
  const headEnv = ctx.head.environments.get(environment);
  const baseEnv = ctx.base.environments.get(environment);
  const proposed = headEnv?.releases.get(service);
  const baseStatus = baseEnv?.statuses.get(service);
  const running = runningArtifact(baseEnv?.releases.get(service), baseStatus);
  const result: ReleaseCheck = {
    environment,
    service,
    path: ctx.path,
    change: ctx.change,
    from: running?.digest ?? null,
    to: proposed?.artifact.digest ?? null,
    otherChanges: [],
    gates: [],
    notes: [],
    blocked: false,
  };
  const evalEnv = baseEnv ?? headEnv;
  if (!proposed || !evalEnv) {
    result.notEvaluated = "the file (or its environment's file) is invalid: see the problems above";
    return result;
  }
  if (!baseEnv) result.notes.push(`${environment} is new in this pull request: judged by the settings it brings`);
  else if (ctx.environmentChanged)
    result.notes.push(
      `judged by ${environment}'s settings at the base; this pull request's changes to them apply once merged`,
    );
  if (
    running &&
    proposed.lastGood &&
    proposed.lastGood.digest !== running.digest &&
    proposed.artifact.digest !== running.digest
  ) {
    result.notes.push(
      `lastGood is ${shortDigest(proposed.lastGood.digest)} but ${environment} runs ${shortDigest(running.digest)} now: a rollback would go to ${shortDigest(proposed.lastGood.digest)}`,
    );
  }
  result.diff = diffArtifacts(running, proposed.artifact);
  result.parts = partLines(running, proposed.artifact);
  result.otherChanges = releaseEdits(ctx.branchedFrom, proposed);

  if (
    baseStatus?.phase === "progressing" &&
    baseStatus.canaryDigest !== undefined &&
    baseStatus.canaryDigest !== proposed.artifact.digest &&
    proposed.artifact.digest === baseStatus.liveDigest
  ) {
    // Going back to what runs is never held up: the reconciler withdraws the canary at once.
    result.notEvaluated = `sets ${service} back to the live ${shortDigest(baseStatus.liveDigest)}: merging stops the rollout of ${shortDigest(baseStatus.canaryDigest)} in ${environment}, and the reconciler withdraws its canary at once (recorded as rollback, tollgate.reverted); no gate holds a return to what runs`;
    return result;
  }

  const state: RepositoryState = {
    environments: new Map(ctx.base.environments),
    ...(ctx.base.teams ? { teams: ctx.base.teams } : {}),
    // Which eval runners may sign attestations is read from the base too: a pull request cannot
    // admit the key that signed its own attestation.
    ...(ctx.base.signers ? { signers: ctx.base.signers } : {}),
  };
  state.environments.set(environment, evalEnv);
  const release: Release = {
    ...proposed,
    approvals: recordedApprovals(proposed, baseEnv?.releases.get(service), result.notes),
  };
  if (running) release.lastGood = running;
  else delete release.lastGood;
  noteNewAttestations(proposed, ctx.base, result.notes);
  // The platform names some teams; teams.yaml at the base (never the pull request's) adds the rest.
  const extra = platformApprovals(ctx.approvers, proposed.artifact.digest, ctx.now).map((a) => {
    const teams = [...new Set([...(a.teams ?? []), ...teamsOf(ctx.base.teams, a.by)])].sort();
    return { ...a, ...(teams.length > 0 ? { teams } : {}) };
  });
  const inputFor = (mode: PolicyMode, status: Status | undefined): PolicyInput => {
    const input = buildPolicyInput({ mode, state, environment, service, release, status, now: ctx.now });
    return { ...input, approvals: [...input.approvals, ...extra] };
  };
  const checkInput = inputFor("check", baseStatus);
  // A merge that changes the desired artifact starts a rollout: judge the live gates as for a rollout
  // that would start now. One that does not (say, an added attestation) is not held by a freeze.
  const startsRollout = proposed.artifact.digest !== baseEnv?.releases.get(service)?.artifact.digest;
  const startStatus =
    baseStatus && baseStatus.phase === "progressing" ? { ...baseStatus, phase: "idle" as const } : baseStatus;
  const live = startsRollout ? ctx.policy.decide(inputFor("live", startStatus)) : undefined;
  result.gates = gateResults(checkInput, ctx.policy.decide(checkInput), live, rolloutConflict(checkInput, baseStatus));
  result.blocked = result.gates.some((g) => g.outcome === "block");
  return result;
}

/** A rollout of another artifact of the service is under way here: merging would replace it unjudged. */
function rolloutConflict(input: PolicyInput, status: Status | undefined): PolicyViolation | undefined {
  if (status?.phase !== "progressing" || !status.canaryDigest || status.canaryDigest === input.release.artifact.digest)
    return undefined;
  const where = `step ${(status.step ?? 0) + 1} of ${input.environment.rollout.steps.length}${status.weight !== undefined ? `, ${status.weight}% of traffic` : ""}`;
  return {
    rule: ROLLOUT_IN_PROGRESS,
    effect: "block",
    message: `${input.environment.name} is rolling out ${shortDigest(status.canaryDigest)} of ${input.service} now (${where}${status.rolloutStartedAt ? `, since ${status.rolloutStartedAt}` : ""}); merging would replace that rollout before it is judged`,
    values: { canaryDigest: status.canaryDigest, step: status.step ?? 0, weight: status.weight ?? null },
  };
}

/**
 * The approvals recorded in the release file that count: those already on the base. An approval a
 * pull request writes into the file itself would let its author approve their own change; approvals
 * given in the pull request arrive from the platform instead.
 */
function recordedApprovals(proposed: Release, base: Release | undefined, notes: string[]): Approval[] {
  const onBase = new Set((base?.approvals ?? []).map(canonicalJson));
  const counted: Approval[] = [];
  for (const a of proposed.approvals ?? []) {
    if (onBase.has(canonicalJson(a))) counted.push(a);
    else if (a.digest === proposed.artifact.digest) {
      notes.push(
        `the approval by ${a.by} this pull request writes into the release file is not counted: approve on the pull request instead`,
      );
    }
  }
  return counted;
}

/** Eval attestations of the proposed digest that no release on the base holds: counted, but worth a look. */
function noteNewAttestations(proposed: Release, base: RepositoryState, notes: string[]): void {
  const known = new Set(
    [...base.environments.values()].flatMap((e) =>
      [...e.releases.values()].flatMap((r) => (r.attestations ?? []).map(canonicalJson)),
    ),
  );
  for (const a of proposed.attestations ?? []) {
    if (a.digest !== proposed.artifact.digest || known.has(canonicalJson(a))) continue;
    notes.push(
      `the eval ${a.suite} (score ${a.score}) of ${shortDigest(a.digest)} first appears in this pull request: make sure your eval runner wrote it`,
    );
  }
}

/** What the pull request changes in the release file besides the artifact, in words. */
function releaseEdits(before: Release | undefined, after: Release): string[] {
  const lines: string[] = [];
  const was = before?.lastGood?.digest;
  const now = after.lastGood?.digest;
  if (was !== now)
    lines.push(
      now === undefined
        ? `lastGood removed (was ${shortDigest(was)})`
        : was === undefined
          ? `lastGood set to ${shortDigest(now)}`
          : `lastGood ${shortDigest(was)} → ${shortDigest(now)}`,
    );
  const [addedEvals, removedEvals] = setDiff(before?.attestations ?? [], after.attestations ?? []);
  for (const a of addedEvals) lines.push(`attestation added for ${shortDigest(a.digest)}: ${describeAttestation(a)}`);
  for (const a of removedEvals)
    lines.push(`attestation removed for ${shortDigest(a.digest)}: ${describeAttestation(a)}`);
  const [addedApprovals, removedApprovals] = setDiff(before?.approvals ?? [], after.approvals ?? []);
  for (const a of addedApprovals)
    lines.push(`approval added: ${a.by} for ${shortDigest(a.digest)}${a.for ? ` (${a.for.join(", ")})` : ""}`);
  for (const a of removedApprovals) lines.push(`approval removed: ${a.by} for ${shortDigest(a.digest)}`);
  return lines;
}

function setDiff<T>(before: T[], after: T[]): [T[], T[]] {
  const b = new Set(before.map(canonicalJson));
  const a = new Set(after.map(canonicalJson));
  return [after.filter((x) => !b.has(canonicalJson(x))), before.filter((x) => !a.has(canonicalJson(x)))];
}
