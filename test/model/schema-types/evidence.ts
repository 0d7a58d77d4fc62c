// Generated from schemas/evidence.schema.json by test/support/schema-types.ts: do not edit.

/**
 * What a decision commit stores under evidence/sha256/ (its digest is the Tollgate-Evidence trailer): everything needed to re-derive the decision. Stored as canonical JSON: keys sorted, no whitespace, non-finite numbers as null.
 */
export interface EvidenceDocument {
/**
 * The document format.
 */
format: "tollgate.dev/evidence/v1"
/**
 * Which tollgate wrote the document: an auditor with another version knows its compiler may differ.
 */
producer?: {
/**
 * Always tollgate.
 */
name: "tollgate"
/**
 * Its package version.
 */
version: string
}
/**
 * The environment decided about.
 */
environment: string
/**
 * The service decided about.
 */
service: string
/**
 * When the decision was taken.
 */
decidedAt: string
/**
 * The commit whose state the decision was made on; null before the first commit.
 */
decidedOn: (string | null)
/**
 * Where the service stood.
 */
situation: ("steady" | "first-release" | "pending" | "rolling-out")
/**
 * The telemetry the decision read.
 */
telemetry?: {
/**
 * Where it came from.
 */
source: ("prometheus" | "file" | "simulated")
/**
 * Interval length, seconds.
 */
interval: number
/**
 * When the rollout began: record `t` counts seconds from here.
 */
stageStart: string
/**
 * Seconds from stage start at which the current step began; the analysis reads records after it.
 */
stepStart: number
/**
 * The decision time, seconds since stage start.
 */
now: number
/**
 * The records since the status's earlierTelemetry.through (0 in the first step).
 */
records: Record[]
/**
 * Set when the records were left out because the document was over the evidence cap (only for a rollback).
 */
recordsOmitted?: number
/**
 * Signals that were missing or insufficient.
 */
problems: SignalProblem[]
}
/**
 * The canary analysis of the current step.
 */
analysis?: {
/**
 * The sequential judge's configuration it ran with.
 */
config: {
/**
 * The judge.
 */
judge: "sequential"
/**
 * False-rollback budget per stage.
 */
alpha: number
/**
 * The metric streams.
 * 
 * Items: One stream's configuration.
 */
streams: {

}[]
}
/**
 * Step timing, seconds since the step began.
 */
timing: {
/**
 * Interval length, seconds.
 */
interval: number
/**
 * When decisions may start.
 */
analysisStart: number
/**
 * The step's cap.
 */
horizon: (number | null)
/**
 * The canary's expected share of the two arms' requests (the step's weight as a fraction); absent in documents written before the traffic split was tested.
 */
canaryShare?: number
}
/**
 * The judge's report at the decision time.
 */
report: {
/**
 * Time of the report, seconds since stage start.
 */
t: number
/**
 * What the judge asks for; `continue` keeps observing, `hold` waits for a person (no data, too little traffic at the cap, or a traffic split that is not what the step set).
 */
action: ("rollback" | "promote" | "hold" | "continue")
/**
 * The stream that decided, or null.
 */
trigger: (string | null)
/**
 * One sentence for people.
 */
reason: string
/**
 * Each stream's verdict.
 */
streams: StreamVerdict[]
/**
 * With `hold`: why.
 */
hold?: ("no-data" | "low-traffic" | "sample-ratio")
/**
 * The traffic split check (sample ratio mismatch), when the expected split was known.
 */
sampleRatio?: {
/**
 * The canary's expected share of the two arms' requests.
 */
expectedShare: number
/**
 * The canary's share of the two arms' requests so far; null before any.
 */
observedShare: (number | null)
/**
 * Canary requests in the intervals used.
 */
canaryRequests: number
/**
 * Baseline requests in the intervals used.
 */
baselineRequests: number
/**
 * The larger of the two one-sided e-values.
 */
eValue: (number | null)
/**
 * The e-value at which a mismatch is declared.
 */
threshold: (number | null)
/**
 * Decision time the split was first shown to be off, or null.
 */
mismatchAt: (number | null)
/**
 * One sentence for people.
 */
reason: string
}
}
}
/**
 * The guardrails as evaluated.
 */
policy: {
/**
 * Digest of the compiled policy bundle (the Tollgate-Policy trailer).
 */
bundle: string
/**
 * The Rego sources compiled into the bundle (paths relative to policies/).
 * 
 * Items: One source file.
 */
sources?: {
/**
 * Path.
 */
path: string
/**
 * Digest of its bytes.
 */
digest: string
}[]
/**
 * The entrypoint evaluated, e.g. tollgate/decision.
 */
entrypoint: string
input: PolicyInput
/**
 * The policy's answer, or null when evaluating it failed (see error).
 */
result: (PolicyDecision | null)
/**
 * Why evaluating the policy failed.
 */
error?: string
/**
 * Results of non-deterministic builtins (rand.intn, uuid.rfc4122) in this evaluation, by builtin and then by the JSON text of the arguments; audit re-derives the decision with exactly these.
 */
nondeterministic?: {
/**
 * One builtin's results by arguments.
 */
[k: string]: {
/**
 * The result for these arguments.
 */
[k: string]: unknown
}
}
}
/**
 * What was committed: the policy's action, or what tollgate made of it (see note).
 */
decision: {
/**
 * The committed action.
 */
action: ("advance" | "promote" | "hold" | "rollback" | "block")
/**
 * Why, in order.
 */
reasons: DecisionReason1[]
/**
 * What tollgate made of the policy's answer, when it changed it.
 */
note?: string
}
}
/**
 * One record.
 */
export interface Record {
/**
 * Seconds since the stage started, at the end of the interval.
 */
t: number
/**
 * Which arm.
 */
arm: ("canary" | "baseline")
/**
 * Requests in the interval.
 */
requests?: number
/**
 * Failed requests in the interval.
 */
errors?: number
/**
 * Agent tasks completed in the interval.
 */
tasks?: number
/**
 * Tasks a person had to take over.
 */
interventions?: number
latencyMs?: Histogram
costUsd?: Histogram1
}
/**
 * Request latency, milliseconds.
 */
export interface Histogram {
/**
 * Cumulative buckets `[upper bound, count]`, by increasing bound; the bound null is +Inf.
 */
buckets: unknown[][]
/**
 * Increment of the histogram's `_sum`.
 */
sum: number
}
/**
 * Cost per task, US dollars.
 */
export interface Histogram1 {
/**
 * Cumulative buckets `[upper bound, count]`, by increasing bound; the bound null is +Inf.
 */
buckets: unknown[][]
/**
 * Increment of the histogram's `_sum`.
 */
sum: number
}
/**
 * One problem.
 */
export interface SignalProblem {
/**
 * The signal.
 */
signal: ("requests" | "errors" | "tasks" | "interventions" | "latency" | "cost")
/**
 * The arm.
 */
arm: ("canary" | "baseline")
/**
 * Missing (no value) or insufficient (a value that cannot be used).
 */
kind: ("missing" | "insufficient")
/**
 * Why.
 */
cause: ("unreachable" | "timeout" | "http-error" | "malformed-response" | "query-error" | "no-data" | "gap" | "no-start" | "non-finite" | "counter-reset" | "bad-histogram" | "inconsistent")
/**
 * One sentence for people, naming the series or the server's answer.
 */
reason: string
/**
 * Ends (seconds since stage start) of the intervals whose value is absent because of this.
 * 
 * Items: An interval end.
 */
intervals: number[]
}
/**
 * One stream.
 */
export interface StreamVerdict {
/**
 * The stream, e.g. `error_rate`.
 */
stream: string
/**
 * The environment's metric it judges.
 */
metric: string
/**
 * The stream's verdict.
 */
verdict: ("fail" | "pass" | "inconclusive")
/**
 * One sentence for people.
 */
reason: string
/**
 * Canary/baseline ratio with anytime-valid confidence bounds.
 */
estimate: {

}
/**
 * Rollback and promotion e-values.
 */
eValue: {
/**
 * A number; null where the value was not finite (JSON has no NaN or infinity).
 */
rollback: (number | null)
/**
 * A number; null where the value was not finite (JSON has no NaN or infinity).
 */
promote: (number | null)
}
/**
 * The e-values each test needs.
 */
threshold: {
/**
 * A number; null where the value was not finite (JSON has no NaN or infinity).
 */
rollback: (number | null)
/**
 * A number; null where the value was not finite (JSON has no NaN or infinity).
 */
promote: (number | null)
}
/**
 * Decision time the rollback test first crossed its threshold, or null.
 */
failedAt: (number | null)
/**
 * Decision time the promotion test first crossed its threshold, or null.
 */
passedAt: (number | null)
/**
 * The final fixed-time look at the stage cap: the exact conditional test of the split of events (`pValue`, `level`, `rho`), or in documents written before it, a normal score test (`z`, `critical`).
 */
finalLook?: ({
/**
 * Exact p-value of "no worse than the tolerance".
 */
pValue: (number | null)
/**
 * The level it is compared with.
 */
level: (number | null)
/**
 * Intra-interval correlation of the split the test allowed for.
 */
rho: (number | null)
} | {
/**
 * A number; null where the value was not finite (JSON has no NaN or infinity).
 */
z: (number | null)
/**
 * A number; null where the value was not finite (JSON has no NaN or infinity).
 */
critical: (number | null)
})
/**
 * Levels, measure and sample sizes of both arms.
 */
data: {

}
/**
 * Inconclusive with data: seconds the promotion test needs at current traffic (if later intervals look like the average one), or null; absent in older documents.
 */
neededSeconds?: (number | null)
}
/**
 * The policy input (non-finite numbers stored as null).
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
 * 
 * Items: An artifact part.
 */
changed: ("code" | "model" | "prompts" | "tools" | "index")[]
/**
 * The before and after of each changed part (empty for a first release).
 * 
 * Items: The before and after of one changed part.
 */
changes: ({
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
})[]
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
 * 
 * Items: A weekday.
 */
days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[]
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
 * 
 * Items: An artifact part.
 */
requireEvalFor: ("code" | "model" | "prompts" | "tools" | "index")[]
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
/**
 * The answer.
 */
export interface PolicyDecision {
/**
 * `advance`: start the rollout or move to the next step (in `check` mode: the release is admissible); `promote`: the last step is complete, make the canary stable and mark its digest verified; `hold`: stay where you are and look again; `rollback`: send all traffic back to `previous` and reject the digest; `block`: this release may not start (or continue) here.
 */
action: ("advance" | "promote" | "hold" | "rollback" | "block")
/**
 * The input's mode, echoed.
 */
mode: ("check" | "live")
/**
 * Why this action: for rollback, block and hold the guardrails of that effect that fired (at least one); for advance and promote the rule that completed the step. Sorted.
 */
reasons: DecisionReason[]
/**
 * Every guardrail that fired, whatever its effect, so a rollback still shows that, say, a window was also closed. Waiting for a step's minimum time is not a violation. Sorted.
 * 
 * Items: One guardrail that fired.
 */
violations: {
/**
 * Rule identifier, `<concern>.<rule>`, e.g. `budgets.cost_per_task_vs_baseline`.
 */
rule: string
/**
 * What the rule asks for.
 */
effect: ("rollback" | "block" | "hold")
/**
 * A sentence naming the metric, budget or gate and the values involved.
 */
message: string
/**
 * The input values that triggered the rule.
 */
values: {

}
}[]
/**
 * With `hold`: true when the hold is only the routine wait of a step (too little data yet, a minimum time not reached), which the reconciler does not record. Absent or false: the hold is recorded. The guardrails in policies/ name their routine holds (`routine_holds`).
 */
routine?: boolean
/**
 * With `advance` in live mode: the step the rollout moves to.
 */
next?: {
/**
 * Index of the next step (0-based).
 */
step: number
/**
 * Its canary traffic percentage.
 */
weight: number
}
}
/**
 * One reason.
 */
export interface DecisionReason {
/**
 * Identifier of the policy rule, e.g. `budgets.cost_per_task_vs_baseline`.
 */
rule: string
/**
 * A sentence a person understands, naming the metric, budget or gate and the values.
 */
message: string
/**
 * The values that triggered the rule.
 */
values?: {

}
}
/**
 * One reason.
 */
export interface DecisionReason1 {
/**
 * Identifier of the policy rule, e.g. `budgets.cost_per_task_vs_baseline`.
 */
rule: string
/**
 * A sentence a person understands, naming the metric, budget or gate and the values.
 */
message: string
/**
 * The values that triggered the rule.
 */
values?: {

}
}
