/**
 * What `tollgate audit` reports: per commit, the outcome of each named check.
 */
import type { DecisionAction } from "../model/index.ts";

/**
 * The checks, by stable name (tests and `--json` consumers match on these):
 * - `evidence`: the evidence document exists at the decision commit and hashes to its digest, and
 *   no later commit changed or removed evidence.
 * - `policy`: the `Tollgate-Policy` digest is what the policies of the decided-on state compile to.
 * - `decision`: re-running the analysis on the evidence records gives the stored report, the policy
 *   input is what the repository and that report imply, and re-evaluating the policy gives the stored
 *   result and (through the reconciler's documented interpretation) the committed action.
 * - `transition`: the status and release files the commit changed are exactly the transition of the
 *   decision on the parent's state, and nothing else changed.
 * - `message`: the commit message is the one tollgate writes for this decision (subject, body, trailers).
 * - `approvals`: a release change in a protected environment carries the approvals it needs.
 * - `outside-tollgate`: release or status files of a protected environment changed by a commit that
 *   is neither a tollgate decision nor a merged pull request (status: by anything but a decision).
 * - `signature`: the commit is signed by a key signers.yaml (at its parent) allows for it: tollgate's
 *   for decisions, an allowed person's for protected changes (see verify-signature.ts).
 * - `rendered`: a decision's files under clusters/ (its `gitops` clusters' folders) are what rendering
 *   its service at the commit gives; any other commit changing a file there is a hand edit.
 */
export type CheckName =
  | "evidence"
  | "policy"
  | "decision"
  | "transition"
  | "message"
  | "approvals"
  | "outside-tollgate"
  | "signature"
  | "rendered";

export const DECISION_CHECKS: readonly CheckName[] = ["evidence", "policy", "decision", "transition", "message"];
export const CHANGE_CHECKS: readonly CheckName[] = ["approvals", "outside-tollgate", "rendered"];

export type CheckState = "pass" | "fail" | "skipped";

export interface CheckOutcome {
  state: CheckState;
  /** Why it failed, or why it was skipped; one sentence each. */
  problems: string[];
}

export interface CommitAudit {
  commit: string;
  /** Committer time, ISO. */
  time: string;
  /** `decision` for tollgate decision commits (including malformed ones); `change` for every other commit. */
  kind: "decision" | "change";
  subject: string;
  environment?: string;
  service?: string;
  action?: DecisionAction;
  /** Only the checks that apply to this commit. */
  checks: Partial<Record<CheckName, CheckOutcome>>;
}

export interface AuditFailure {
  commit: string;
  check: CheckName;
  environment?: string;
  service?: string;
  message: string;
}

export interface AuditReport {
  /** The commit the history was read from. */
  head: string | null;
  /** Decision commits checked, and other commits looked at. */
  decisions: number;
  changes: number;
  /** Commits in the report: every decision, and only the other commits that something applied to. */
  commits: CommitAudit[];
  failures: AuditFailure[];
  /** Distinct policy versions compiled (each once). */
  policyBuilds: number;
  durationMs: number;
}

export interface AuditFilter {
  environment?: string;
  service?: string;
  /** A Date (committer time) or a ref whose ancestors are left out. */
  since?: Date | string;
  /** Where to start; default the repository's branch. */
  from?: string;
  /**
   * Missing signatures fail from this commit (a ref) on; `true`: everywhere. Without it they are
   * reported as not checked. Bad or not-allowed signatures fail regardless.
   */
  requireSignatures?: string | true;
}
