/**
 * `tollgate confirm`: a person's go-ahead for a rollout step marked `confirm`, written into the
 * release file as one commit on a new branch (merged like any change; in a protected environment
 * through a pull request). The reconciler advances the step once the confirmation is at HEAD.
 */

import { authFromEnv, GitRepo } from "../gitops/index.ts";
import {
  type Confirmation,
  parseRelease,
  type Release,
  releaseFile,
  shortDigest,
  UserError,
  updateReleaseText,
} from "../model/index.ts";
import { utcTime } from "../policy/index.ts";
import { promotionIdentity, promotionSigner, type WrittenPromotion, writeReleaseBranch } from "./branch.ts";
import { type PushOutcome, pushNewBranch, pushRemote } from "./push.ts";

export class ConfirmationRefused extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "ConfirmationRefused";
  }
}

export interface ConfirmOptions {
  repoDir: string;
  service: string;
  environment: string;
  /** Who confirms; default the committer identity. */
  by?: string;
  /** The step to confirm, counted from 1; default the step the rollout is at. */
  step?: number;
  base?: string;
  branch?: string;
  push?: string;
  env: NodeJS.ProcessEnv;
  now: Date;
}

export interface ConfirmResult {
  confirmation: Confirmation;
  environment: string;
  service: string;
  steps: number;
  weight: number;
  base: string;
  written: WrittenPromotion;
  pushed?: { remote: string; outcome: PushOutcome };
}

export async function confirmStep(options: ConfirmOptions): Promise<ConfirmResult> {
  const repo = await GitRepo.open(options.repoDir);
  const baseRef = options.base ?? "HEAD";
  const base = await repo.resolve(baseRef);
  const { state } = await repo.stateAt(base, baseRef);
  const remote = options.push ? await pushRemote(repo, options.push) : undefined;
  const where = `${options.environment}/${options.service}`;
  const envState = state.environments.get(options.environment);
  if (!envState)
    throw new ConfirmationRefused(
      `no environment ${options.environment} at ${baseRef} (${[...state.environments.keys()].sort().join(", ")})`,
    );
  const release = envState.releases.get(options.service);
  if (!release) throw new ConfirmationRefused(`${where} has no (valid) release file at ${baseRef}`);
  const status = envState.statuses.get(options.service);
  const digest = release.artifact.digest;
  if (status?.phase !== "progressing" || status.canaryDigest !== digest) {
    throw new ConfirmationRefused(
      `${where} is not rolling out ${shortDigest(digest)} (${status ? `phase ${status.phase}` : "no status yet"}): there is no step to confirm`,
    );
  }
  const steps = envState.environment.rollout.steps;
  const current = (status.step ?? 0) + 1;
  const step = options.step ?? current;
  const definition = steps[step - 1];
  if (!definition)
    throw new ConfirmationRefused(`${options.environment} has ${steps.length} rollout steps; there is no step ${step}`);
  if (!definition.confirm)
    throw new ConfirmationRefused(
      `step ${step} of ${steps.length} in ${options.environment} is not marked confirm: it completes without a person`,
    );
  if (step < current)
    throw new ConfirmationRefused(
      `the rollout of ${shortDigest(digest)} is past step ${step} already (at step ${current} of ${steps.length})`,
    );
  const identity = await promotionIdentity(repo, options.env);
  const by = options.by ?? identity.name;
  if ((release.confirmations ?? []).some((c) => c.digest === digest && c.step === step && c.by === by)) {
    throw new ConfirmationRefused(
      `${by} has confirmed step ${step} of ${shortDigest(digest)} in ${options.environment} already`,
    );
  }

  const confirmation: Confirmation = { by, at: utcTime(options.now), digest, step };
  const path = releaseFile(options.environment, options.service);
  const updated: Release = { ...release, confirmations: [...(release.confirmations ?? []), confirmation] };
  const text = updateReleaseText(await repo.treeAt(base).read(path), updated);
  parseRelease(text, path);
  const weight = definition.weight;
  const message = [
    `Confirm step ${step} of ${steps.length} of ${options.service} in ${options.environment}: ${shortDigest(digest)}`,
    "",
    `${by} confirms that the rollout of ${shortDigest(digest)} may go on past step ${step} (${weight}% of traffic) once its analysis has completed.`,
    "",
    `Tollgate-Confirmation: ${options.service} ${options.environment} step ${step}`,
    `Tollgate-Confirmation-Artifact: ${digest}`,
    "",
  ].join("\n");
  const branch =
    options.branch ?? `confirm/${options.service}/${options.environment}/${shortDigest(digest)}-step${step}`;
  const sign = await promotionSigner(repo, options.env);
  const written = await writeReleaseBranch(
    repo,
    base,
    { path, text, message },
    { branch, identity, now: options.now, ...(sign ? { sign } : {}) },
  );
  const result: ConfirmResult = {
    confirmation,
    environment: options.environment,
    service: options.service,
    steps: steps.length,
    weight,
    base,
    written,
  };
  if (!remote) return result;
  try {
    return {
      ...result,
      pushed: {
        remote: remote.name,
        outcome: await pushNewBranch(repo, remote, branch, written.commit, authFromEnv(options.env)),
      },
    };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(
      `created branch ${branch} (${written.commit.slice(0, 12)}) here but did not push it: ${error.message}`,
    );
  }
}
