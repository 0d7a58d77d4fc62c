// Generated from schemas/policy-input.schema.json by test/support/schema-types.ts: do not edit.

/**
 * A weekday.
 */
export type Weekday = ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")
/**
 * An artifact part.
 */
export type Part = ("code" | "model" | "prompts" | "tools" | "index")
/**
 * The before and after of one changed part.
 */
export type PartChange = ({
/**
 * The code part.
 */
part: "code"
from: CodeRef
to: CodeRef1
} | {
/**
 * The model part.
 */
part: "model"
from: ModelRef
to: ModelRef1
} | {
/**
 * The prompts part.
 */
part: "prompts"
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
from: string
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
to: string
} | {
/**
 * The tools part.
 */
part: "tools"
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
manifestFrom: string
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
manifestTo: string
/**
 * Tools the agent may now call that it could not before (new permissions).
 * 
 * Items: A tool name.
 */
added: string[]
/**
 * Tools the agent may no longer call.
 * 
 * Items: A tool name.
 */
removed: string[]
} | {
/**
 * The retrieval index part.
 */
part: "index"
from: IndexRef
to: IndexRef1
})

/**
 * The one document the guardrail policy (entrypoint `tollgate/decision`) judges: everything known about one release of one service in one environment at one moment. Built by the reconciler (mode `live`) or by a pull-request/preflight check (mode `check`). Durations are whole seconds; absolute times are UTC `YYYY-MM-DDTHH:MM:SSZ` so that they order as strings.
 */
export interface PolicyInput {
/**
 * `check`: is this release admissible at all (governance and promotion gates only; used by PR and preflight checks). `live`: what should the rollout do now (every guardrail, with telemetry, spend and time).
 */
mode: ("check" | "live")
/**
 * The moment of the decision, given as input (never read from a clock inside the policy) so that a recorded decision can be replayed.
 */
now: {
/**
 * The moment, in UTC.
 */
time: string
/**
 * IANA time zone of the environment's deployment windows (UTC when it has none); `weekday` and `localTime` are in this zone.
 */
timeZone: string
/**
 * Local weekday of the moment.
 */
weekday: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")
/**
 * Local wall-clock time of the moment, HH:MM (24-hour).
 */
localTime: string
}
/**
 * The service being released.
 */
service: string
environment: Environment
/**
 * The release being judged.
 */
release: {
artifact: Artifact
/**
 * Statements about artifact digests, e.g. eval results. Only those for the artifact's own digest count.
 */
attestations: Attestation[]
}
/**
 * The last artifact verified good in this environment (the stable one), or null if the service has never been released here.
 */
previous: (Artifact1 | null)
/**
 * What changed from `previous` to the release's artifact, part by part (src/model/artifact-diff.ts).
 */
diff: {
/**
 * Digest of `previous`, or null for a first release.
 */
fromDigest: (string | null)
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
toDigest: string
/**
 * Names of the changed parts, in the order code, model, prompts, tools, index. A first release lists all five.
 */
changed: Part[]
/**
 * The before and after of each changed part (empty for a first release).
 */
changes: PartChange[]
/**
 * One line for people, e.g. `model claude-x 20250929 → 20251101; tools +refund`.
 */
summary: string
}
/**
 * The rollout state of the service in this environment.
 */
status: {
/**
 * Rollout phase. Only `progressing` means a canary is taking traffic; any other phase means a rollout of the release would start now.
 */
phase: ("idle" | "progressing" | "promoted" | "rolled-back" | "blocked")
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
liveDigest?: string
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
canaryDigest?: string
/**
 * Index of the current rollout step (0-based), while progressing.
 */
step?: number
/**
 * Percent of traffic on the canary, while progressing.
 */
weight?: number
/**
 * Time spent in the current step, while progressing.
 */
stepSeconds?: number
/**
 * Time since the rollout began, while progressing.
 */
rolloutSeconds?: number
/**
 * No rollout starts before this moment (set after a rollback).
 */
frozenUntil?: string
/**
 * Only at a step marked `confirm`: who confirmed the current step of the canary (sorted; empty until someone does).
 * 
 * Items: A person.
 */
confirmedBy?: string[]
/**
 * Digests rolled back here; they are never promoted again.
 * 
 * Items: One rejected digest.
 */
rejected: {
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
digest: string
/**
 * When it was rejected.
 */
at: string
/**
 * Why it was rolled back.
 */
reason: string
}[]
}
/**
 * The `promotesFrom` environment's record for this service; absent or null when the environment has no `promotesFrom` (or the service was never promoted there).
 */
upstream?: ({
/**
 * A lowercase DNS label (RFC 1123): 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.
 */
environment: string
/**
 * Digests promoted (verified) in the upstream environment, oldest first.
 * 
 * Items: One verified digest.
 */
verified: {
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
digest: string
/**
 * When it was promoted upstream.
 */
at: string
}[]
} | null)
/**
 * The canary analysis of the current step (live mode, while progressing). Absent when no analysis has run yet.
 */
analysis?: {
/**
 * The judge that produced the verdicts.
 */
judge: ("sequential" | "mann-whitney" | "fixed-threshold")
/**
 * Verdict per metric, by metric name. A metric the environment enables but that is missing here counts as unreported.
 */
metrics: {
[k: string]: MetricAnalysis
}
/**
 * The canary's own values over the fixed windows of the absolute ceilings; a value absent means no data for it.
 */
absolute: {
errorRate?: Windowed
p99LatencyMs?: Windowed1
podRestarts?: Windowed2
}
/**
 * Sample ratio mismatch: whether the canary gets the share of requests its step set (a sequential test on request counts).
 */
sampleRatio?: {
/**
 * The canary's expected share of the two arms' requests (the step's weight as a fraction).
 */
expectedShare: number
/**
 * The canary's share of the two arms' requests in the step so far; absent before both have served requests.
 */
observedShare?: number
/**
 * True once the split is shown to be off by more than the test's tolerance (25% of the expected share).
 */
mismatch: boolean
/**
 * The larger of the two one-sided e-values (too little, too much canary traffic).
 */
eValue: number
/**
 * The e-value at which a mismatch is declared.
 */
eValueThreshold: number
/**
 * One sentence for people, e.g. "canary receives 1.2% of requests, expected 5%: the traffic split is not what the step set".
 */
reason: string
}
}
/**
 * What the canary costs (live mode, while progressing). Absent when no cost data has arrived.
 */
spend?: {
/**
 * Model and tool spend (USD) of this deploy's canary so far.
 */
deployUsd: number
/**
 * The canary's mean cost per task (USD) in the current step; absent until enough tasks were seen for a stable mean (per-task costs are heavy-tailed).
 */
canaryCostPerTaskUsd?: number
/**
 * The baseline's mean cost per task (USD) over the same interval; absent when there is no baseline or too few tasks.
 */
baselineCostPerTaskUsd?: number
/**
 * Tasks the canary starts per minute, recently.
 */
canaryTaskRatePerMinute: number
}
/**
 * Every approval on record: the release file's and those given on the command line.
 * 
 * Items: One approval.
 */
approvals: {
/**
 * Who approved (a user name).
 */
by: string
/**
 * Teams the approver belongs to, resolved by the caller; an approver listed as `team:<name>` accepts members of <name>.
 * 
 * Items: A team name (without `team:`).
 */
teams?: string[]
/**
 * When.
 */
at: string
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
digest: string
/**
 * Which changes the approval covers; absent means the whole release.
 * 
 * Items: What an approval covers: the whole release, or a change to one artifact part.
 */
for?: ("release" | "model" | "tools" | "prompts" | "code" | "index")[]
}[]
/**
 * Rollouts of other services in this environment that are under way now.
 * 
 * Items: One active deployment.
 */
deployments: {
/**
 * A lowercase DNS label (RFC 1123): 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.
 */
service: string
/**
 * Its rollout phase.
 */
phase: ("idle" | "progressing" | "promoted" | "rolled-back" | "blocked")
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
digest?: string
/**
 * Its current step index.
 */
step?: number
/**
 * Percent of its traffic on its canary.
 */
weight?: number
}[]
/**
 * Services this service depends on, with their health as last observed.
 * 
 * Items: One dependency.
 */
dependencies: {
/**
 * A lowercase DNS label (RFC 1123): 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.
 */
service: string
/**
 * Whether it is healthy now.
 */
healthy: boolean
/**
 * Why it is (un)healthy, for people, e.g. `2 of 3 pods ready`.
 */
detail?: string
}[]
/**
 * Only while the current step's clock waits for the environment's `gitops` clusters to serve the step's commit (status.stepSeconds is 0 until then).
 */
sync?: {
/**
 * Seconds since the step change was committed.
 */
waitedSeconds: number
/**
 * Whether every gitops cluster serves it now: the step's clock starts with this decision.
 */
synced: boolean
/**
 * One reading per gitops cluster.
 * 
 * Items: Whether one cluster serves the step's commit.
 */
clusters: {
/**
 * The cluster's name in environment.yaml.
 */
cluster: string
/**
 * Where it was read: the cluster's Argo CD Application or Flux Kustomization status, or (without read access) the canary's share of the telemetry.
 */
source: ("argocd" | "flux" | "telemetry")
/**
 * synced: it serves the step; waiting: not yet; unknown: the status could not be read (never counts as synced).
 */
state: ("synced" | "waiting" | "unknown")
/**
 * The revision the engine reports it applied.
 */
revision?: string
/**
 * The commit the decision was made on: the engine is to serve it, or a later commit with the same rendered files.
 */
wants?: string
/**
 * What was read, in words.
 */
detail: string
/**
 * The cluster's syncTimeout: waiting longer is a reason to roll back.
 */
timeoutSeconds: number
}[]
}
}
/**
 * The settings of the target environment: every threshold the policy uses comes from here.
 */
export interface Environment {
/**
 * Environment name.
 */
name: string
/**
 * The environment a digest must be verified in first; null for the first environment.
 */
promotesFrom: (string | null)
/**
 * Whether changes here need approvals.
 */
protected: boolean
/**
 * The rollout steps.
 */
rollout: {
/**
 * Traffic steps in order; the release is promoted after the last.
 * 
 * @minItems 1
 * 
 * Items: One traffic step.
 */
steps: {
/**
 * Percent of traffic on the canary.
 */
weight: number
/**
 * Least observation time before the step may complete.
 */
minSeconds: number
/**
 * The step cap: from here the step is decided with what is known.
 */
maxSeconds: number
/**
 * Present only for a step that, once complete, waits for a person's confirmation (see status.confirmedBy).
 */
confirm?: true
}[]
/**
 * How long a service stays frozen after a rollback (informational: the reconciler sets `status.frozenUntil`).
 */
freezeAfterRollbackSeconds: number
}
/**
 * How long telemetry may be missing.
 */
telemetry: {
/**
 * Data older than this holds the rollout.
 */
missingGraceSeconds: number
/**
 * Data older than this rolls the rollout back.
 */
missingLimitSeconds: number
}
/**
 * Analysis settings the policy uses.
 */
analysis: {
/**
 * Least observation time of the whole rollout before any promotion.
 */
minSeconds: number
/**
 * At a step's cap, metrics that traffic was too low to show no worse: `advance` completes the step as if they had been, `hold` waits for a person's confirmation (default advance; older inputs lack it).
 */
lowTraffic?: ("advance" | "hold")
/**
 * The metrics judged here, by name.
 */
metrics: {
/**
 * Settings of one metric.
 */
[k: string]: {
/**
 * Relative tolerance (0.05 = the canary may be 5% worse).
 */
tolerance: number
/**
 * Ratio canary/baseline that is materially worse.
 */
materialRatio?: number
/**
 * False: the metric's verdicts are ignored.
 */
enabled: boolean
}
}
/**
 * Absolute backstops on the canary, whatever the comparison says (defaults filled in).
 */
ceilings: {
/**
 * Error rate (fraction) above which the canary is rolled back.
 */
errorRate: number
/**
 * p99 latency (ms) above which the canary is rolled back.
 */
p99LatencyMs: number
/**
 * Pod restarts at which the canary is rolled back.
 */
podRestarts: number
}
}
/**
 * Cost circuit breakers.
 */
budgets: {
/**
 * Spend (USD) one deploy's canary may cost.
 */
spendPerDeployUsd: number
/**
 * Ceiling on the canary's cost per task (USD).
 */
maxCostPerTaskUsd: number
/**
 * Fraction by which the canary's cost per task may exceed the baseline's.
 */
costToleranceVsBaseline: number
/**
 * Canary tasks per minute above which it is a runaway loop.
 */
maxTaskRatePerMinute: number
}
/**
 * Who must approve which changes.
 */
approvals: {
/**
 * Distinct approvers a change listed in `for` needs in a protected environment (0 = none).
 */
required: number
/**
 * Who may approve (user names or `team:<name>`); empty means anyone.
 * 
 * Items: A user or team.
 */
approvers: string[]
/**
 * Which changes need approval (`release`: every change).
 * 
 * Items: What an approval covers: the whole release, or a change to one artifact part.
 */
for: ("release" | "model" | "tools" | "prompts" | "code" | "index")[]
}
/**
 * Deployment windows and freezes; absent means always open.
 */
windows?: {
/**
 * IANA time zone the windows are written in.
 */
timeZone: string
/**
 * Weekly windows; when non-empty a rollout starts or advances only inside one of them.
 * 
 * Items: A weekly window, in local time.
 */
allow: {
/**
 * Weekdays it is open.
 * 
 * @minItems 1
 */
days: Weekday[]
/**
 * Opening time, HH:MM local (inclusive).
 */
start: string
/**
 * Closing time, HH:MM local (exclusive; `24:00` is midnight).
 */
end: string
}[]
/**
 * Periods in which nothing starts or advances, converted to UTC.
 * 
 * Items: One freeze.
 */
freezes: {
/**
 * Start (inclusive).
 */
from: string
/**
 * End (exclusive).
 */
until: string
/**
 * Why; shown in the message.
 */
reason: string
}[]
}
/**
 * Model-governance gates.
 */
governance: {
/**
 * Least eval score an attestation needs.
 */
minEvalScore: number
/**
 * Changed parts that need a passing eval attestation for the exact digest.
 */
requireEvalFor: Part[]
/**
 * Count only eval attestations whose signature verified (verification.verified).
 */
requireSignedEvals: boolean
}
}
/**
 * The proposed artifact (the canary while a rollout progresses).
 */
export interface Artifact {
/**
 * sha256 over the canonical JSON of the five parts (see README, 'Artifact digest'). Must match the parts.
 */
digest: string
/**
 * The container image and the source it was built from.
 */
code: {
/**
 * Image reference pinned by digest: `registry/name@sha256:<64 hex>`.
 */
image: string
/**
 * The git commit (40 hex digits) the image was built from.
 */
sourceCommit: string
}
/**
 * The language model the agent calls.
 */
model: {
/**
 * Model provider, e.g. `anthropic`, `openai`, `self-hosted`.
 */
provider: string
/**
 * Model name as the provider names it.
 */
name: string
/**
 * The pinned snapshot or version of the model.
 */
snapshot: string
}
/**
 * The prompt files, pinned by the digest of their bundle.
 */
prompts: {
/**
 * Digest of the prompt bundle.
 */
digest: string
}
/**
 * The tool manifest and the tools the agent is allowed to call.
 */
tools: {
/**
 * Digest of the tool manifest.
 */
manifestDigest: string
/**
 * Names of the tools the agent may call (a set: order does not matter, no duplicates).
 * 
 * Items: A tool name.
 */
allowed: string[]
}
/**
 * The retrieval index build the agent reads.
 */
index: {
/**
 * The index build identifier.
 */
buildId: string
/**
 * Digest of the index build.
 */
digest: string
}
}
/**
 * One attestation.
 */
export interface Attestation {
/**
 * As in the release file.
 */
kind: "eval"
/**
 * As in the release file.
 */
digest: string
/**
 * As in the release file.
 */
suite: string
/**
 * As in the release file.
 */
score: number
/**
 * As in the release file.
 */
pass: boolean
/**
 * As in the release file.
 */
by: string
/**
 * As in the release file.
 */
at: string
/**
 * As in the release file.
 */
sampleSize?: number
/**
 * As in the release file.
 */
judgeModel?: string
metrics?: Metrics
/**
 * Whether a key of evalRunners in signers.yaml signed exactly this attestation (signers.yaml as the repository has it where the decision is made; for a pull request, at its base).
 */
verification: {
/**
 * The signature verified, by an allowed eval runner, over these very fields and this digest.
 */
verified: boolean
/**
 * The eval runner (the principals of its signers.yaml line), when verified.
 */
signer?: string
/**
 * Why it did not verify: not signed, signed by a key that is not allowed, payload changed after signing, another digest, fields that differ from the signed ones.
 */
problem?: string
}
}
/**
 * As in the release file.
 */
export interface Metrics {
/**
 * One figure.
 */
[k: string]: number
}
/**
 * A release artifact: the five parts that decide an agent's behaviour, and the digest over them.
 */
export interface Artifact1 {
/**
 * sha256 over the canonical JSON of the five parts (see README, 'Artifact digest'). Must match the parts.
 */
digest: string
/**
 * The container image and the source it was built from.
 */
code: {
/**
 * Image reference pinned by digest: `registry/name@sha256:<64 hex>`.
 */
image: string
/**
 * The git commit (40 hex digits) the image was built from.
 */
sourceCommit: string
}
/**
 * The language model the agent calls.
 */
model: {
/**
 * Model provider, e.g. `anthropic`, `openai`, `self-hosted`.
 */
provider: string
/**
 * Model name as the provider names it.
 */
name: string
/**
 * The pinned snapshot or version of the model.
 */
snapshot: string
}
/**
 * The prompt files, pinned by the digest of their bundle.
 */
prompts: {
/**
 * Digest of the prompt bundle.
 */
digest: string
}
/**
 * The tool manifest and the tools the agent is allowed to call.
 */
tools: {
/**
 * Digest of the tool manifest.
 */
manifestDigest: string
/**
 * Names of the tools the agent may call (a set: order does not matter, no duplicates).
 * 
 * Items: A tool name.
 */
allowed: string[]
}
/**
 * The retrieval index build the agent reads.
 */
index: {
/**
 * The index build identifier.
 */
buildId: string
/**
 * Digest of the index build.
 */
digest: string
}
}
/**
 * Before.
 */
export interface CodeRef {
/**
 * Image reference pinned by digest.
 */
image: string
/**
 * Source commit the image was built from.
 */
sourceCommit: string
}
/**
 * After.
 */
export interface CodeRef1 {
/**
 * Image reference pinned by digest.
 */
image: string
/**
 * Source commit the image was built from.
 */
sourceCommit: string
}
/**
 * Before.
 */
export interface ModelRef {
/**
 * Model provider.
 */
provider: string
/**
 * Model name.
 */
name: string
/**
 * Snapshot or version.
 */
snapshot: string
}
/**
 * After.
 */
export interface ModelRef1 {
/**
 * Model provider.
 */
provider: string
/**
 * Model name.
 */
name: string
/**
 * Snapshot or version.
 */
snapshot: string
}
/**
 * Before.
 */
export interface IndexRef {
/**
 * Index build identifier.
 */
buildId: string
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
digest: string
}
/**
 * After.
 */
export interface IndexRef1 {
/**
 * Index build identifier.
 */
buildId: string
/**
 * A SHA-256 content digest: `sha256:` followed by 64 lowercase hex digits.
 */
digest: string
}
/**
 * The analysis' judgement of one metric, canary against baseline.
 */
export interface MetricAnalysis {
/**
 * `fail`: the canary is worse beyond the tolerance; `pass`: it is demonstrably not materially worse; `inconclusive`: not known yet.
 */
verdict: ("fail" | "pass" | "inconclusive")
/**
 * Why the verdict: `regression` (fail), `not-worse` (pass), `insufficient-data` (inconclusive: too few samples to judge), `undecided` (inconclusive: data enough, evidence not yet strong either way) or `no-baseline` (inconclusive: the canary serves all traffic, so there is nothing to compare with; its freshness still counts).
 */
reason: ("regression" | "not-worse" | "insufficient-data" | "undecided" | "no-baseline")
/**
 * The judge's own sentence, for people.
 */
detail?: string
/**
 * The canary's value of the metric (e.g. error rate as a fraction, latency in ms, cost in USD); absent without data.
 */
canary?: number
/**
 * The baseline's value of the metric, same unit; absent without data.
 */
baseline?: number
/**
 * Unit of `canary` and `baseline`, for messages: `fraction` (a rate), `ms`, `usd`, or `ratio` (e.g. a p99/p50 spread).
 */
unit?: ("fraction" | "ms" | "usd" | "ratio")
/**
 * Estimated ratio canary/baseline with its confidence bounds; absent without data.
 */
effect?: {
/**
 * Point estimate of the ratio.
 */
estimate: number
/**
 * Lower confidence bound of the ratio.
 */
lower: number
/**
 * Upper confidence bound of the ratio.
 */
upper: number
}
/**
 * The e-value of the test behind the verdict (larger is stronger evidence).
 */
eValue?: number
/**
 * The e-value at which the judge decides (K/alpha).
 */
eValueThreshold?: number
/**
 * The final look at the step's cap (an exact conditional test of the split of events between the arms), once it has happened.
 */
finalLook?: {
/**
 * Exact p-value of "no worse than the tolerance".
 */
pValue: number
/**
 * The level it is compared with: the metric fails at the cap when pValue is at most this.
 */
level: number
}
/**
 * Inconclusive with data: about how long the metric needs at current traffic to be shown not materially worse (absent when it cannot be, at the current estimate).
 */
neededSeconds?: number
/**
 * Observations behind the verdict, per arm.
 */
samples: {
/**
 * Canary observations (requests or tasks).
 */
canary: number
/**
 * Baseline observations.
 */
baseline: number
}
/**
 * Age of the newest sample of this metric from both arms (data freshness): 0 when fresh.
 */
dataAgeSeconds: number
}
/**
 * Canary error rate (fraction of requests) over the last 2 minutes.
 */
export interface Windowed {
/**
 * The observed value.
 */
value: number
/**
 * The baseline's value over the same window, when it takes traffic: tells a canary's own failure from an incident hitting both versions.
 */
baseline?: number
/**
 * Length of the trailing window.
 */
windowSeconds: number
}
/**
 * Canary p99 latency in milliseconds over the last 3 minutes.
 */
export interface Windowed1 {
/**
 * The observed value.
 */
value: number
/**
 * The baseline's value over the same window, when it takes traffic: tells a canary's own failure from an incident hitting both versions.
 */
baseline?: number
/**
 * Length of the trailing window.
 */
windowSeconds: number
}
/**
 * Canary pod restarts within the last 5 minutes.
 */
export interface Windowed2 {
/**
 * The observed value.
 */
value: number
/**
 * The baseline's value over the same window, when it takes traffic: tells a canary's own failure from an incident hitting both versions.
 */
baseline?: number
/**
 * Length of the trailing window.
 */
windowSeconds: number
}
