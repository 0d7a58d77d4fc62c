import { authFromEnv, GitRepo } from "../gitops/index.ts";
import { UserError } from "../model/index.ts";
import {
  promotionBranchName,
  promotionIdentity,
  promotionSigner,
  type WrittenPromotion,
  writePromotionBranch,
} from "./branch.ts";
import { type Promotion, type PromotionRequest, planPromotion } from "./plan.ts";
import { type PushOutcome, pushNewBranch, pushRemote } from "./push.ts";

export interface PromoteOptions extends PromotionRequest {
  /** The repository (a folder with .git/, or a bare repository). */
  repoDir: string;
  /** The commit to promote on top of; default HEAD. The state is read from it, never from the work tree. */
  base?: string;
  /** Branch to create; default `promote/<service>/<env>/<short-digest>`. */
  branch?: string;
  /** Remote name to publish the branch to. */
  push?: string;
  env: NodeJS.ProcessEnv;
  now: Date;
}

export interface PromoteResult {
  promotion: Promotion;
  /** The commit the promotion was made on. */
  base: string;
  written: WrittenPromotion;
  pushed?: { remote: string; outcome: PushOutcome };
}

/**
 * `tollgate promote`: reads the desired state at the base commit, computes the promotion and writes
 * it as one commit on a new branch; optionally publishes the branch. The checked-out branch, the
 * index and the work tree are never touched.
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const repo = await GitRepo.open(options.repoDir);
  const baseRef = options.base ?? "HEAD";
  const base = await repo.resolve(baseRef);
  const loaded = await repo.stateAt(base, baseRef);
  const remote = options.push ? await pushRemote(repo, options.push) : undefined;
  const promotion = planPromotion(loaded.state, loaded.problems, options);
  const branch = options.branch ?? promotionBranchName(promotion);
  const identity = await promotionIdentity(repo, options.env);
  const sign = await promotionSigner(repo, options.env);
  const written = await writePromotionBranch(repo, base, promotion, {
    branch,
    identity,
    now: options.now,
    ...(sign ? { sign } : {}),
  });
  if (!remote) return { promotion, base, written };
  let outcome: PushOutcome;
  try {
    outcome = await pushNewBranch(repo, remote, branch, written.commit, authFromEnv(options.env));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(
      `created branch ${branch} (${written.commit.slice(0, 12)}) here but did not push it: ${error.message}`,
    );
  }
  return { promotion, base, written, pushed: { remote: remote.name, outcome } };
}
