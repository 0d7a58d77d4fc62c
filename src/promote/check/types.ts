import type { ArtifactDiff, Digest, InputProblem } from "../../model/index.ts";
import type { FileChange } from "./changes.ts";
import type { PartLine } from "./parts.ts";
import type { SettingChange } from "./settings-diff.ts";

/**
 * `admissibility`: may this artifact be here at all (the policy in `check` mode).
 * `timing`: would a rollout be allowed to start now (the policy's time gates in `live` mode).
 * `rollout`: does the change collide with what is happening in the environment now.
 */
export type GateGroup = "admissibility" | "timing" | "rollout";

/** `pass` ✓, `block` ✗ (fails the check), `wait` (the reconciler would hold; does not fail), `n/a`. */
export type GateOutcome = "pass" | "block" | "wait" | "n/a";

export interface GateResult {
  /** The policy rule, e.g. `governance.eval_required`. */
  rule: string;
  title: string;
  group: GateGroup;
  outcome: GateOutcome;
  /** Why: the policy's messages when it fired, else what was checked. */
  messages: string[];
  /** What would clear a blocking gate. */
  hint?: string;
}

export interface ReleaseCheck {
  environment: string;
  service: string;
  path: string;
  change: FileChange;
  /** What the environment runs now (null: nothing yet), and the artifact the pull request asks for. */
  from: Digest | null;
  to: Digest | null;
  /** From what runs now to the proposed artifact; absent when the release is removed or invalid. */
  diff?: ArtifactDiff;
  /** The five parts, each with what the change does to it (absent with `diff`). */
  parts?: PartLine[];
  /** Changes to the release file besides its artifact: attestations, approvals, lastGood. */
  otherChanges: string[];
  gates: GateResult[];
  /** Why the gates were not evaluated, when they were not. */
  notEvaluated?: string;
  /** Facts the reviewer should know that do not block (e.g. judged by the base's environment settings). */
  notes: string[];
  blocked: boolean;
}

export interface EnvironmentCheck {
  environment: string;
  path: string;
  change: FileChange;
  settings: SettingChange[];
}

export interface CheckReport {
  base: { ref: string; commit: string };
  head: { ref: string; commit: string };
  /** Where the pull request branched off: its changes are those from here to head. */
  mergeBase: string;
  /** The moment the timing gates were evaluated at (UTC). */
  now: string;
  /** The policy bundle the releases were judged by; null when no release needed judging. */
  policy: { digest: string; from: string } | null;
  /** Problems in the files this pull request changes, or that it introduces elsewhere. */
  problems: InputProblem[];
  /** Problems already at the base, in files the pull request does not touch (not counted against it). */
  baseProblems: number;
  releases: ReleaseCheck[];
  environments: EnvironmentCheck[];
  /** Status files edited by the pull request: only the reconciler writes them. */
  statusEdits: { path: string; change: FileChange }[];
  /** Policy files the pull request changes (the gates are judged by the base's policies). */
  policyChanges: { path: string; change: FileChange }[];
  /** Approvers the pull-request platform passed (flags and TOLLGATE_APPROVERS). */
  platformApprovers: string[];
  blocked: boolean;
}
