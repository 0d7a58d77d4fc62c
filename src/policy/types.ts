/**
 * The guardrail policy's contract: one PolicyInput in, one PolicyDecision out of `tollgate/decision`.
 * schemas/policy-input.schema.json and schemas/policy-decision.schema.json are the authority on
 * every field; these types mirror them. Durations are whole seconds; absolute times the policy
 * compares are UTC `YYYY-MM-DDTHH:MM:SSZ` (one form, so they order as strings).
 */
import type {
  ApprovalScope,
  Artifact,
  ArtifactPartName,
  Attestation,
  DecisionAction,
  DecisionReason,
  Digest,
  MetricName,
  Phase,
  Weekday,
} from "../model/index.ts";

/** `check`: is the release admissible (PR / preflight gate); `live`: what should the rollout do now. */
export type PolicyMode = "check" | "live";

/** UTC, whole seconds, `Z`: `2026-11-24T10:15:00Z`. */
export type UtcTime = string;

export interface PolicyNow {
  time: UtcTime;
  /** IANA zone of the environment's windows (`UTC` without windows). */
  timeZone: string;
  weekday: Weekday;
  /** Local `HH:MM`. */
  localTime: string;
}

export interface PolicyStep {
  weight: number;
  minSeconds: number;
  maxSeconds: number;
  /** Present (true) only for steps that wait for a person's confirmation once complete. */
  confirm?: true;
}

export interface PolicyMetricSettings {
  tolerance: number;
  materialRatio?: number;
  enabled: boolean;
}

/** The environment as the policy sees it: seconds, UTC, defaults filled in (see ./input.ts). */
export interface PolicyEnvironment {
  name: string;
  promotesFrom: string | null;
  protected: boolean;
  rollout: { steps: PolicyStep[]; freezeAfterRollbackSeconds: number };
  telemetry: { missingGraceSeconds: number; missingLimitSeconds: number };
  analysis: {
    minSeconds: number;
    /** At a step's cap, metrics traffic was too low to show no worse: advance, or hold for a person. */
    lowTraffic: "advance" | "hold";
    metrics: Partial<Record<MetricName, PolicyMetricSettings>>;
    ceilings: { errorRate: number; p99LatencyMs: number; podRestarts: number };
  };
  budgets: {
    spendPerDeployUsd: number;
    maxCostPerTaskUsd: number;
    costToleranceVsBaseline: number;
    maxTaskRatePerMinute: number;
  };
  approvals: { required: number; approvers: string[]; for: ApprovalScope[] };
  windows?: {
    timeZone: string;
    allow: { days: Weekday[]; start: string; end: string }[];
    freezes: { from: UtcTime; until: UtcTime; reason: string }[];
  };
  governance: { minEvalScore: number; requireEvalFor: ArtifactPartName[]; requireSignedEvals: boolean };
}

/** One changed part, as in src/model/artifact-diff.ts. */
export type PolicyPartChange =
  | { part: "code"; from: { image: string; sourceCommit: string }; to: { image: string; sourceCommit: string } }
  | {
      part: "model";
      from: { provider: string; name: string; snapshot: string };
      to: { provider: string; name: string; snapshot: string };
    }
  | { part: "prompts"; from: Digest; to: Digest }
  | { part: "tools"; manifestFrom: Digest; manifestTo: Digest; added: string[]; removed: string[] }
  | { part: "index"; from: { buildId: string; digest: Digest }; to: { buildId: string; digest: Digest } };

export interface PolicyDiff {
  fromDigest: Digest | null;
  toDigest: Digest;
  changed: ArtifactPartName[];
  changes: PolicyPartChange[];
  summary: string;
}

export interface PolicyStatus {
  phase: Phase;
  liveDigest?: Digest;
  canaryDigest?: Digest;
  /** Required while progressing. */
  step?: number;
  weight?: number;
  stepSeconds?: number;
  rolloutSeconds?: number;
  frozenUntil?: UtcTime;
  rejected: { digest: Digest; at: string; reason: string }[];
  /** Only at a step marked `confirm`: who confirmed the current step of the canary (sorted, may be empty). */
  confirmedBy?: string[];
}

export type MetricVerdict = "fail" | "pass" | "inconclusive";
/** `no-baseline`: the canary serves all traffic, so nothing is compared (only freshness counts). */
export type MetricVerdictReason = "regression" | "not-worse" | "insufficient-data" | "undecided" | "no-baseline";

export interface MetricJudgement {
  verdict: MetricVerdict;
  reason: MetricVerdictReason;
  detail?: string;
  canary?: number;
  baseline?: number;
  /** Unit of `canary` and `baseline`, for messages. */
  unit?: "fraction" | "ms" | "usd" | "ratio";
  /** Ratio canary/baseline with anytime-valid bounds; `fail` exactly when `lower` is above 1 + tolerance. */
  effect?: { estimate: number; lower: number; upper: number };
  eValue?: number;
  eValueThreshold?: number;
  /** The final look at the step's cap (an exact test of the split of events), once it has happened. */
  finalLook?: { pValue: number; level: number };
  /** Inconclusive with data: about how long the metric needs at current traffic to be shown no worse. */
  neededSeconds?: number;
  samples: { canary: number; baseline: number };
  dataAgeSeconds: number;
}

export interface Windowed {
  value: number;
  /** The baseline's value over the same window, when it takes traffic. */
  baseline?: number;
  windowSeconds: number;
}

export interface PolicyAnalysis {
  judge: "sequential" | "mann-whitney" | "fixed-threshold";
  metrics: Partial<Record<MetricName, MetricJudgement>>;
  absolute: { errorRate?: Windowed; p99LatencyMs?: Windowed; podRestarts?: Windowed };
  /** Whether the canary gets the share of requests its step set (sample ratio mismatch test). */
  sampleRatio?: PolicySampleRatio;
}

export interface PolicySampleRatio {
  expectedShare: number;
  /** Absent before both arms have served requests. */
  observedShare?: number;
  mismatch: boolean;
  eValue: number;
  eValueThreshold: number;
  reason: string;
}

export interface PolicySpend {
  deployUsd: number;
  /** Absent until enough tasks were seen for a stable mean (per-task costs are heavy-tailed). */
  canaryCostPerTaskUsd?: number;
  baselineCostPerTaskUsd?: number;
  canaryTaskRatePerMinute: number;
}

/**
 * An attestation as the policy sees it: its fields without the envelope, and whether an eval runner
 * signers.yaml lists signed exactly that (the policy decides what an unverified one is worth).
 */
export type PolicyAttestation = Omit<Attestation, "envelope"> & {
  verification: { verified: boolean; signer?: string; problem?: string };
};

export interface PolicyApproval {
  by: string;
  /** Teams of the approver (names without `team:`). */
  teams?: string[];
  at: string;
  digest: Digest;
  for?: ApprovalScope[];
}

export interface PolicyInput {
  mode: PolicyMode;
  now: PolicyNow;
  service: string;
  environment: PolicyEnvironment;
  release: { artifact: Artifact; attestations: PolicyAttestation[] };
  /** The last good artifact here, or null. */
  previous: Artifact | null;
  diff: PolicyDiff;
  status: PolicyStatus;
  upstream?: { environment: string; verified: { digest: Digest; at: string }[] } | null;
  analysis?: PolicyAnalysis;
  spend?: PolicySpend;
  approvals: PolicyApproval[];
  /** Rollouts of other services in this environment. */
  deployments: { service: string; phase: Phase; digest?: Digest; step?: number; weight?: number }[];
  dependencies: { service: string; healthy: boolean; detail?: string }[];
  /** While the step's clock waits for its `gitops` clusters to serve the step's commit. */
  sync?: PolicySync;
}

/** Whether the `gitops` clusters serve the step the rollout is at (only while its clock waits). */
export interface PolicySync {
  /** Seconds since the step change was committed. */
  waitedSeconds: number;
  /** Whether every gitops cluster serves it: the step's clock starts. */
  synced: boolean;
  clusters: PolicySyncCluster[];
}

export interface PolicySyncCluster {
  cluster: string;
  source: "argocd" | "flux" | "telemetry";
  state: "synced" | "waiting" | "unknown";
  revision?: string;
  /** The commit the decision was made on: the engine is to serve it (or a later one with the same files). */
  wants?: string;
  detail: string;
  /** The cluster's `syncTimeout`: waiting longer is a reason to roll back. */
  timeoutSeconds: number;
}

export type ViolationEffect = "rollback" | "block" | "hold";

export interface PolicyViolation {
  rule: string;
  effect: ViolationEffect;
  message: string;
  values: Record<string, unknown>;
}

export interface PolicyDecision {
  action: DecisionAction;
  mode: PolicyMode;
  /** At least one unless the action is `advance`. */
  reasons: DecisionReason[];
  violations: PolicyViolation[];
  /** With `advance` in live mode. */
  next?: { step: number; weight: number };
  /** With `hold`: only the routine wait of a step, which the reconciler does not record. */
  routine?: boolean;
}

/** The guardrail bundle's decision entrypoint. */
export const DECISION_ENTRYPOINT = "tollgate/decision";
