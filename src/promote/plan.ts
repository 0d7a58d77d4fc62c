import {
  type Approval,
  type Artifact,
  type ArtifactDiff,
  type Attestation,
  canonicalJson,
  diffArtifacts,
  ENVIRONMENTS_DIR,
  type InputProblem,
  InvalidInputError,
  type Release,
  type RepositoryState,
  releaseFile,
  shortDigest,
  UserError,
} from "../model/index.ts";
import { rejectionOf, runningArtifact, verifiedAt } from "./running.ts";

export interface PromotionRequest {
  service: string;
  /** Target environment. */
  to: string;
  /** Source environment; defaults to the target's `promotesFrom`. */
  from?: string;
}

/** Why a promotion was refused; each is a normal outcome, not a bug. */
export type RefusalReason = "not-verified" | "rejected" | "no-change";

/** The promotion cannot be made; the message says why in words a person acts on. */
export class PromotionRefused extends UserError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = "PromotionRefused";
  }
}

/** A computed promotion: what the target's release file becomes, and why. */
export interface Promotion {
  service: string;
  source: string;
  target: string;
  /** The artifact verified in the source, now the target's desired artifact. */
  artifact: Artifact;
  /** When it was verified in the source. */
  verifiedAt: string;
  /** What the target runs now (kept as `lastGood`); undefined for a first release there. */
  running: Artifact | undefined;
  diff: ArtifactDiff;
  /** The target's release after the promotion. */
  release: Release;
  releasePath: string;
  /** Attestations about the artifact copied from the source's release. */
  carried: Attestation[];
  /** Things the person promoting should know that do not stop the promotion. */
  notes: string[];
}

/**
 * Computes the promotion of the artifact verified in the source environment to the target, from
 * the repository state. Throws UserError for unknown names or invalid files, PromotionRefused when
 * the artifact may not or need not be promoted.
 */
export function planPromotion(
  state: RepositoryState,
  problems: readonly InputProblem[],
  request: PromotionRequest,
): Promotion {
  const { service } = request;
  const targetState = environmentOrFail(state, problems, request.to);
  const target = targetState.environment;
  const sourceName = request.from ?? target.promotesFrom;
  if (sourceName === null || sourceName === undefined) {
    throw new UserError(
      `${target.name} is a first environment (promotesFrom: null): there is nothing to promote from; pass --from ENV`,
    );
  }
  if (sourceName === target.name) throw new UserError(`cannot promote ${service} from ${target.name} to itself`);
  const sourceState = environmentOrFail(state, problems, sourceName);
  if (![...state.environments.values()].some((e) => e.releases.has(service))) {
    const known = [...new Set([...state.environments.values()].flatMap((e) => [...e.releases.keys()]))].sort();
    throw new UserError(
      `unknown service "${service}": no environment has a release for it (services: ${known.join(", ") || "none"})`,
    );
  }
  const sourceRelease = sourceState.releases.get(service);
  if (!sourceRelease)
    throw new PromotionRefused(
      "not-verified",
      `${service} has no release in ${sourceName} (${releaseFile(sourceName, service)}), so nothing was verified there`,
    );

  const sourceStatus = sourceState.statuses.get(service);
  const live = sourceStatus?.liveDigest;
  if (!sourceStatus || live === undefined) {
    throw new PromotionRefused(
      "not-verified",
      `${service} has not been verified in ${sourceName}: tollgate has not promoted it there yet (no live digest in its status)`,
    );
  }
  const at = verifiedAt(sourceState, service, live);
  if (at === undefined) {
    throw new PromotionRefused(
      "not-verified",
      `${service} runs ${shortDigest(live)} in ${sourceName}, which is not in ${sourceName}'s verified list: only an artifact promoted there may move on`,
    );
  }
  const artifact = [sourceRelease.artifact, sourceRelease.lastGood].find((a) => a?.digest === live);
  if (!artifact) {
    throw new PromotionRefused(
      "not-verified",
      `${sourceName} verified ${shortDigest(live)} but its release file no longer holds that artifact (neither artifact nor lastGood), so its parts are unknown`,
    );
  }
  const notes: string[] = [];
  if (sourceStatus.phase === "progressing" && sourceStatus.canaryDigest && sourceStatus.canaryDigest !== live) {
    notes.push(
      `${sourceName} is rolling out ${shortDigest(sourceStatus.canaryDigest)}; promoting ${shortDigest(live)}, the artifact verified there`,
    );
  }
  if (target.promotesFrom !== null && target.promotesFrom !== sourceName) {
    if (verifiedAt(state.environments.get(target.promotesFrom), service, live) === undefined) {
      throw new PromotionRefused(
        "not-verified",
        `${shortDigest(live)} has not been verified in ${target.promotesFrom}, the environment ${target.name} promotes from (it was verified in ${sourceName})`,
      );
    }
  }

  const targetRelease = targetState.releases.get(service);
  const targetStatus = targetState.statuses.get(service);
  const rejection = rejectionOf(targetStatus, live);
  if (rejection) {
    throw new PromotionRefused(
      "rejected",
      `${shortDigest(live)} was rolled back in ${target.name} at ${rejection.at} (${rejection.reason}); a rejected digest is never promoted again`,
    );
  }
  if (targetRelease?.artifact.digest === live) {
    throw new PromotionRefused(
      "no-change",
      `nothing to promote: ${target.name}'s release of ${service} already is ${shortDigest(live)}, the artifact verified in ${sourceName}`,
    );
  }
  if (targetStatus?.phase === "progressing" && targetStatus.canaryDigest) {
    notes.push(
      `${target.name} is rolling out ${shortDigest(targetStatus.canaryDigest)} (step ${targetStatus.step ?? 0}); this promotion replaces that rollout`,
    );
  }

  const running = runningArtifact(targetRelease, targetStatus);
  const keep = new Set([live, running?.digest]);
  const carried = (sourceRelease.attestations ?? []).filter((a) => a.digest === live);
  const attestations = unique([...(targetRelease?.attestations ?? []).filter((a) => keep.has(a.digest)), ...carried]);
  const approvals: Approval[] = (targetRelease?.approvals ?? []).filter((a) => keep.has(a.digest));
  const release: Release = {
    apiVersion: "tollgate.dev/v1",
    kind: "Release",
    service,
    artifact,
    ...(running && running.digest !== live ? { lastGood: running } : {}),
    ...(attestations.length > 0 ? { attestations } : {}),
    ...(approvals.length > 0 ? { approvals } : {}),
  };
  return {
    service,
    source: sourceName,
    target: target.name,
    artifact,
    verifiedAt: at,
    running,
    diff: diffArtifacts(running, artifact),
    release,
    releasePath: releaseFile(target.name, service),
    carried,
    notes,
  };
}

function environmentOrFail(state: RepositoryState, problems: readonly InputProblem[], name: string) {
  const found = state.environments.get(name);
  if (found) return found;
  const own = problems.filter((p) => p.file.includes(`${ENVIRONMENTS_DIR}/${name}/`));
  if (own.length > 0) throw new InvalidInputError(own);
  const known = [...state.environments.keys()].sort().join(", ");
  throw new UserError(`unknown environment "${name}" (environments: ${known || "none"})`);
}

function unique<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = canonicalJson(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
