/**
 * The repository model: what lives in `environments/<env>/...`.
 * Every type here has a JSON Schema in `schemas/` that is the authority on its fields.
 */

export type Digest = string; // `sha256:` + 64 lowercase hex

/** The container image and the source it was built from. */
export interface CodePart {
  /** Image reference pinned by digest, e.g. `ghcr.io/acme/support-agent@sha256:...`. */
  image: string;
  /** Git commit (40 hex) the image was built from. */
  sourceCommit: string;
}

export interface ModelPart {
  provider: string;
  name: string;
  snapshot: string;
}

export interface PromptsPart {
  digest: Digest;
}

export interface ToolsPart {
  manifestDigest: Digest;
  /** Tools the agent may call; a set (order does not matter). */
  allowed: string[];
}

export interface IndexPart {
  buildId: string;
  digest: Digest;
}

/** The five parts that together decide how an agent release behaves. */
export interface ArtifactParts {
  code: CodePart;
  model: ModelPart;
  prompts: PromptsPart;
  tools: ToolsPart;
  index: IndexPart;
}

/** A release artifact: its parts and the digest over them. */
export interface Artifact extends ArtifactParts {
  digest: Digest;
}

/** A statement about an artifact digest, e.g. the result of an eval suite. */
export interface Attestation {
  kind: "eval";
  /** The artifact digest this attestation is about. */
  digest: Digest;
  suite: string;
  score: number;
  pass: boolean;
  by: string;
  at: string;
  /** How many cases the suite ran. */
  sampleSize?: number;
  /** The model that graded the answers, when a model did. */
  judgeModel?: string;
  /** Further figures of the run: named scores, cost, latency (see src/signing/attestation.ts). */
  metrics?: Record<string, number>;
  /** The same statement as an in-toto Statement in a DSSE envelope, signed by an eval runner. */
  envelope?: AttestationEnvelope;
}

/** A DSSE envelope: base64 payload, its type, and signatures over its pre-authentication encoding. */
export interface AttestationEnvelope {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

export type ApprovalScope = "release" | "model" | "tools" | "prompts" | "code" | "index";

/** An approval recorded in the repository (platform approvals can also arrive on the command line). */
export interface Approval {
  by: string;
  at: string;
  digest: Digest;
  for?: ApprovalScope[];
}

/** A person's go-ahead for a rollout step marked `confirm`. */
export interface Confirmation {
  by: string;
  at: string;
  digest: Digest;
  /** Counted from 1, as tollgate prints steps. */
  step: number;
}

export interface Release {
  apiVersion: "tollgate.dev/v1";
  kind: "Release";
  service: string;
  artifact: Artifact;
  /** The last artifact that was verified good here; kept warm so a rollback is a pointer flip. */
  lastGood?: Artifact;
  attestations?: Attestation[];
  approvals?: Approval[];
  confirmations?: Confirmation[];
  /** Services in the same environment this one calls: a rollout here waits while they roll out or are unhealthy. */
  dependsOn?: string[];
}

export interface ClusterTarget {
  name: string;
  /** kubeconfig context; defaults to the current context of the kubeconfig. */
  context?: string;
  /** Path of a kubeconfig file; defaults to KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string;
  namespace: string;
  /** How traffic is split between stable and canary. */
  traffic?: { mode: "replicas" } | { mode: "gateway"; httpRoute: string };
  /** How the cluster is made to run what git says; default `direct`. */
  apply?: ClusterApply;
}

/** `direct`: tollgate applies server-side. `gitops`: decision commits carry the rendered objects. */
export type ClusterApply = { mode: "direct" } | GitopsApply;

export interface GitopsApply {
  mode: "gitops";
  /** Repository folder of the cluster, under clusters/; default `clusters/<cluster name>`. */
  folder?: string;
  /** How long a step may wait for the sync before that is a reason to roll back; default 10m. */
  syncTimeout?: string;
  /** Where the sync status is read, given read access; without it the telemetry tells. */
  engine?: SyncEngine;
}

/**
 * Whether one `gitops` cluster serves what the decision committed, as read from its GitOps engine's
 * status (`argocd`, `flux`) or, without read access, from the canary's share of the telemetry.
 */
export interface SyncReading {
  cluster: string;
  source: "argocd" | "flux" | "telemetry";
  /** synced: it serves the committed files; waiting: not yet; unknown: the status could not be read. */
  state: "synced" | "waiting" | "unknown";
  /** The revision the engine reports it applied, when it reports one. */
  revision?: string;
  /** In words: what was read, and why that is (or is not) the decision's. */
  detail: string;
}

export interface SyncEngine {
  kind: "argocd" | "flux";
  name: string;
  namespace: string;
  context?: string;
  kubeconfig?: string;
}

export interface PrometheusSettings {
  url: string;
  timeout?: string;
  retries?: number;
  /** Credentials are read from these environment variables, never from git. */
  auth?: { type: "bearer"; tokenEnv: string } | { type: "basic"; usernameEnv: string; passwordEnv: string };
  /** Label that tells canary from baseline in the series, e.g. `tollgate_dev_arm`. */
  armLabel?: string;
  /** PromQL templates by metric; placeholders {{service}}, {{arm}}, {{namespace}}, {{interval}}. */
  queries?: Partial<Record<PrometheusQueryName, string>>;
  /** A series whose newest sample is older than this is missing, not zero. */
  staleness?: string;
  /** Unit of the latency histogram's `le` bounds and `_sum`; tollgate works in milliseconds. Default milliseconds. */
  latencyUnit?: "milliseconds" | "seconds";
}

export type PrometheusQueryName =
  | "requests"
  | "errors"
  | "tasks"
  | "interventions"
  | "latencyBuckets"
  | "latencySum"
  | "costBuckets"
  | "costSum";

export interface TelemetrySettings {
  source: "prometheus" | "file" | "simulated";
  /** Scrape/decision interval, e.g. `10s`. */
  interval: string;
  prometheus?: PrometheusSettings;
  file?: { path: string };
  /** Simulated telemetry: a seed, and the service's whole request rate (default 200/s). */
  simulated?: { seed: number; requestsPerSecond?: number };
  /** Missing telemetry longer than this holds the rollout... */
  missingGrace?: string;
  /** ...and longer than this rolls it back. */
  missingLimit?: string;
}

export interface RolloutStep {
  /** Percent of traffic on the canary during this step (1-100). */
  weight: number;
  /** Least time to observe before advancing. */
  minDuration: string;
  /** Most time to observe; at this cap the step is decided with what is known. */
  maxDuration: string;
  /** Once complete, the step waits for a person's confirmation (`Release.confirmations`). */
  confirm?: boolean;
}

export type MetricName = "error_rate" | "intervention_rate" | "latency" | "cost_per_task" | "slow_request_rate";

export interface MetricAnalysis {
  /** Relative tolerance: the canary may be this much worse (0.05 = 5%) before it counts as a regression. */
  tolerance: number;
  /** Ratio above which the canary is materially worse; promotion needs evidence it is below. */
  materialRatio?: number;
  enabled?: boolean;
}

export interface AnalysisSettings {
  judge: "sequential" | "mann-whitney" | "fixed-threshold";
  /** False-rollback budget per stage, split over the metric streams. */
  alpha: number;
  /** Least observation before any promotion. */
  minDuration: string;
  metrics: Partial<Record<MetricName, MetricAnalysis>>;
  /**
   * At a step's cap, a metric that traffic was too low to show no worse: `advance` (the default)
   * completes the step as before, `hold` waits for a person's confirmation.
   */
  lowTraffic?: "advance" | "hold";
  /** Absolute backstops checked by the policy whatever the comparison says. */
  ceilings?: {
    errorRate?: number;
    p99LatencyMs?: number;
    podRestarts?: number;
  };
}

export interface Budgets {
  /** Spend (USD) this deploy may cost before the breaker trips. */
  spendPerDeployUsd: number;
  /** Absolute ceiling on cost per task (USD). */
  maxCostPerTaskUsd: number;
  /** Cost per task may exceed the baseline's by at most this fraction. */
  costToleranceVsBaseline: number;
  /** Tasks per minute above which the canary is treated as a runaway loop. */
  maxTaskRatePerMinute: number;
}

export interface ApprovalPolicy {
  /** How many distinct approvers a release change needs here (0 = none). */
  required: number;
  /** Who may approve (users or `team:` groups); empty means anyone. */
  approvers?: string[];
  /** Which changes need approval. */
  for: ApprovalScope[];
}

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export interface DeploymentWindows {
  timeZone: string;
  /** When set, deploys are only allowed inside one of these windows. */
  allow?: { days: Weekday[]; start: string; end: string }[];
  freezes?: { from: string; until: string; reason: string }[];
}

export interface Governance {
  /** Least eval score for a model or prompt change. */
  minEvalScore: number;
  /** Which changes need a passing eval attestation for the exact digest. */
  requireEvalFor: ("model" | "prompts" | "tools" | "code" | "index")[];
  /** Count only eval attestations signed by an eval runner signers.yaml lists (default false). */
  requireSignedEvals?: boolean;
}

export interface Environment {
  apiVersion: "tollgate.dev/v1";
  kind: "Environment";
  name: string;
  /** The environment a release must be verified in before it may come here; null for the first. */
  promotesFrom: string | null;
  /** Protected environments require approvals and are flagged by audit when changed outside tollgate. */
  protected: boolean;
  clusters: ClusterTarget[];
  /** Delete the cluster objects of services removed from this environment in git; default false: only report them. */
  prune?: boolean;
  telemetry: TelemetrySettings;
  rollout: { steps: RolloutStep[]; freezeAfterRollback: string };
  analysis: AnalysisSettings;
  budgets: Budgets;
  approvals: ApprovalPolicy;
  windows?: DeploymentWindows;
  governance: Governance;
}

export type Phase = "idle" | "progressing" | "promoted" | "rolled-back" | "blocked";

export type DecisionAction = "advance" | "promote" | "hold" | "rollback" | "block";

export interface DecisionReason {
  rule: string;
  message: string;
  values?: Record<string, unknown>;
}

/** One metric comparison of a decision, in words. Values are preformatted (the caller knows the units). */
export interface EvidenceLine {
  metric: string;
  baseline: string;
  canary: string;
  effect: string;
  statistic: string;
  verdict?: string;
}

export interface EarlierTelemetry {
  /** Seconds after the rollout began. */
  through: number;
  /** The canary's spend up to `through`, USD; absent when no cost telemetry was seen. */
  canarySpendUsd?: number;
}

export interface Status {
  apiVersion: "tollgate.dev/v1";
  kind: "Status";
  service: string;
  phase: Phase;
  /** Digest serving stable traffic. */
  liveDigest?: Digest;
  /** Digest being rolled out, while progressing. */
  canaryDigest?: Digest;
  /** How many rollouts have started for this service here; numbers the rollout in idempotency keys. */
  rollouts?: number;
  /** Index into the environment's rollout steps. */
  step?: number;
  weight?: number;
  rolloutStartedAt?: string;
  stepStartedAt?: string;
  /**
   * Set by a step change in an environment with `gitops` clusters: the step's rendered files were
   * committed at `since`, and its clock starts once the clusters serve them (see SyncReading).
   */
  awaitingSync?: { since: string };
  /**
   * The rollout's telemetry before `through` (seconds after it began), as far as later decisions
   * need it: only the canary's spend. Set at each step change, so a decision reads (and its evidence
   * stores) the telemetry since, not the whole rollout's.
   */
  earlierTelemetry?: EarlierTelemetry;
  lastDecision?: {
    action: DecisionAction;
    at: string;
    reasons: DecisionReason[];
    idempotencyKey: string;
    evidence?: Digest;
  };
  frozenUntil?: string;
  rejected?: { digest: Digest; at: string; reason: string }[];
  /** Digests promoted in this environment, newest last: what `promotesFrom` checks. */
  verified?: { digest: Digest; at: string }[];
}

/** One environment as read from the repository at some ref. */
export interface EnvironmentState {
  environment: Environment;
  /** By service name. */
  releases: Map<string, Release>;
  /** By service name; absent when tollgate has not acted on the service yet. */
  statuses: Map<string, Status>;
}

/** The whole desired state of a GitOps repository at one ref. */
export interface RepositoryState {
  /** By environment name. */
  environments: Map<string, EnvironmentState>;
  /** teams.yaml at the root, when there is one: members by team name. */
  teams?: Teams;
  /** signers.yaml at the root, when there is one: whose signatures count on what. */
  signers?: Signers;
}

/** signers.yaml: keys in git's allowed-signers syntax (or armoured OpenPGP public keys), by role. */
export interface Signers {
  apiVersion: "tollgate.dev/v1";
  kind: "Signers";
  /** tollgate's keys: decision commits are signed by one of them. */
  decisions?: string[];
  /** Keys whose signed eval attestations count. */
  evalRunners?: string[];
  /** People's keys by name (the names teams.yaml and approvals use). */
  people?: Record<string, string[]>;
  /** Who may sign protected changes: people's names or `team:<name>`; default everyone in `people`. */
  protectedChanges?: string[];
}

/** teams.yaml: who belongs to which team, for `team:` approvers, and which team owns which service. */
export interface Teams {
  apiVersion: "tollgate.dev/v1";
  kind: "Teams";
  teams: Record<string, string[]>;
  /** Owning team by service name (the dashboard filters by it). */
  owners?: Record<string, string>;
}
