/**
 * promote: releases move between environments by pull request.
 *
 * - promote / planPromotion: the artifact verified in the source environment written to the
 *   target's release file (comments kept, lastGood = what the target runs now, attestations about
 *   the digest carried over), as one commit on a new branch `promote/<service>/<env>/<short-digest>`;
 *   optionally pushed without ever overwriting a remote branch. Refusals are PromotionRefused.
 * - attestRelease: an eval tool's result file (promptfoo's JSON), signed by an eval runner's key
 *   (in-toto Statement in a DSSE envelope), written into the release's attestations on a new branch
 *   `attest/<service>/<env>/<short-digest>`.
 * - runCheck: a pull request (merge base → head) judged by the base's policies in `check` mode plus
 *   the live time gates at `now`; renderText / renderMarkdown / renderJson print the CheckReport.
 */
export { type AttestOptions, type AttestResult, attestRelease } from "./attest.ts";
export { promotionBranchName, promotionIdentity, type WrittenPromotion, writePromotionBranch } from "./branch.ts";
export { APPROVERS_ENV, type PlatformApprover, parseApprovers, platformApprovals } from "./check/approvers.ts";
export { type CheckOptions, runCheck } from "./check/check.ts";
export { MARKDOWN_MARKER, renderJson, renderMarkdown, renderText } from "./check/render.ts";
export type { CheckReport, EnvironmentCheck, GateGroup, GateOutcome, GateResult, ReleaseCheck } from "./check/types.ts";
export { ConfirmationRefused, type ConfirmResult, confirmStep } from "./confirm.ts";
export { PROMOTION_ARTIFACT_TRAILER, PROMOTION_TRAILER, promotionMessage } from "./message.ts";
export { type Promotion, PromotionRefused, type PromotionRequest, planPromotion, type RefusalReason } from "./plan.ts";
export { type PromoteOptions, type PromoteResult, promote } from "./promote.ts";
export { type PushOutcome, pushNewBranch, pushRemote } from "./push.ts";
export { rejectionOf, runningArtifact, verifiedAt } from "./running.ts";
