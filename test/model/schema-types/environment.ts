// Generated from schemas/environment.schema.json by test/support/schema-types.ts: do not edit.

/**
 * environments/<env>/environment.yaml: how releases reach this environment and the guardrails that judge them.
 */
export interface Environment {
/**
 * File format version.
 */
apiVersion: "tollgate.dev/v1"
/**
 * File kind.
 */
kind: "Environment"
/**
 * Environment name; must equal its folder name.
 */
name: string
/**
 * The environment a digest must be verified (promoted) in before it may be released here; null for the first environment.
 */
promotesFrom: (string | null)
/**
 * Protected environments need approvals for release changes; audit flags changes made outside tollgate.
 */
protected: boolean
/**
 * Kubernetes clusters this environment deploys to.
 * 
 * Items: One target cluster.
 */
clusters: {
/**
 * A lowercase DNS label (RFC 1123): 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.
 */
name: string
/**
 * kubeconfig context; defaults to the kubeconfig's current context.
 */
context?: string
/**
 * Path of the kubeconfig file; defaults to KUBECONFIG or ~/.kube/config.
 */
kubeconfig?: string
/**
 * A lowercase DNS label (RFC 1123): 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.
 */
namespace: string
/**
 * How traffic is split between stable and canary. Default: by replica ratio.
 */
traffic?: ({
/**
 * Split by the ratio of ready replicas.
 */
mode: "replicas"
} | {
/**
 * Split by Gateway API HTTPRoute backend weights.
 */
mode: "gateway"
/**
 * Name of the HTTPRoute whose backend weights tollgate sets; `{{service}}` is replaced.
 */
httpRoute: string
})
/**
 * How the cluster is made to run what git says. `direct` (the default): tollgate applies server-side itself. `gitops`: each decision commit also writes the rendered objects into the cluster's folder, which the cluster's Argo CD or Flux applies.
 */
apply?: ({
/**
 * tollgate applies the objects server-side (needs write access to the cluster).
 */
mode: "direct"
} | {
/**
 * tollgate writes the objects to git; the cluster's GitOps engine applies them.
 */
mode: "gitops"
/**
 * The cluster folder in this repository, under clusters/ (default clusters/<cluster name>): `<folder>/<namespace>/<service>.yaml` and `<folder>/kustomization.yaml`. Each segment a lowercase DNS label; one folder per environment and cluster.
 */
folder?: string
/**
 * How long a step may wait for the cluster to sync its decision commit before the wait is a reason to roll back (default 10m).
 */
syncTimeout?: string
/**
 * Where tollgate reads whether the cluster synced a commit, given read access: an Argo CD Application or a Flux Kustomization. Without it, the canary's share of the telemetry tells.
 */
engine?: {
/**
 * argocd: an argoproj.io/v1alpha1 Application; flux: a kustomize.toolkit.fluxcd.io/v1 Kustomization.
 */
kind: ("argocd" | "flux")
/**
 * A lowercase DNS label (RFC 1123): 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.
 */
name: string
/**
 * A lowercase DNS label (RFC 1123): 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.
 */
namespace: string
/**
 * kubeconfig context of the cluster it lives in; defaults to the cluster's own.
 */
context?: string
/**
 * kubeconfig file of that cluster; defaults to the cluster's own.
 */
kubeconfig?: string
}
})
}[]
/**
 * Delete the cluster objects (Deployments, Services, ConfigMaps) of a service once its release and status files are removed from this environment; false (the default) only reports them as orphaned.
 */
prune?: boolean
/**
 * Where canary and baseline telemetry comes from.
 */
telemetry: {
/**
 * Which telemetry source to use.
 */
source: ("prometheus" | "file" | "simulated")
/**
 * Scrape and decision interval.
 */
interval: string
/**
 * Telemetry missing for longer than this holds the rollout.
 */
missingGrace?: string
/**
 * Telemetry missing for longer than this rolls the rollout back.
 */
missingLimit?: string
/**
 * Prometheus HTTP API settings (source: prometheus).
 */
prometheus?: {
/**
 * Base URL of the Prometheus server, e.g. `http://prometheus.monitoring:9090`.
 */
url: string
/**
 * Timeout of one HTTP request.
 */
timeout?: string
/**
 * Retries of a failed request, with backoff.
 */
retries?: number
/**
 * Label that tells canary from baseline series.
 */
armLabel?: string
/**
 * A series whose newest sample is older than this counts as missing, not zero.
 */
staleness?: string
/**
 * Unit of the latency histogram's bucket bounds (`le`) and `_sum`: `seconds` as Prometheus naming conventions have it (`*_duration_seconds`), or `milliseconds` (default); tollgate converts to milliseconds.
 */
latencyUnit?: ("milliseconds" | "seconds")
/**
 * Credentials, read from environment variables (never stored in git).
 */
auth?: ({
/**
 * Bearer token authentication.
 */
type: "bearer"
/**
 * Environment variable holding the token.
 */
tokenEnv: string
} | {
/**
 * HTTP basic authentication.
 */
type: "basic"
/**
 * Environment variable holding the user name.
 */
usernameEnv: string
/**
 * Environment variable holding the password.
 */
passwordEnv: string
})
/**
 * PromQL templates per signal; placeholders {{service}}, {{arm}}, {{namespace}}, {{interval}}.
 */
queries?: {
/**
 * Requests counter increase per interval.
 */
requests?: string
/**
 * Errors counter increase per interval.
 */
errors?: string
/**
 * Tasks counter increase per interval.
 */
tasks?: string
/**
 * Human interventions counter increase per interval.
 */
interventions?: string
/**
 * Per-bucket increase of the latency histogram (`le` label).
 */
latencyBuckets?: string
/**
 * Increase of the latency histogram's _sum.
 */
latencySum?: string
/**
 * Per-bucket increase of the cost-per-task histogram (`le` label).
 */
costBuckets?: string
/**
 * Increase of the cost-per-task histogram's _sum.
 */
costSum?: string
}
}
/**
 * Recorded telemetry (source: file).
 */
file?: {
/**
 * Scenario file or folder, relative to the repository root.
 */
path: string
}
/**
 * Simulated telemetry (source: simulated), for demos and tests.
 */
simulated?: {
/**
 * Seed of the deterministic generator.
 */
seed: number
/**
 * Requests per second of the whole service (canary and stable together); default 200.
 */
requestsPerSecond?: number
}
}
/**
 * How a new release is rolled out.
 */
rollout: {
/**
 * Traffic steps, in order; the release is promoted after the last.
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
 * Least observation time before advancing.
 */
minDuration: string
/**
 * Most observation time; at this cap the step is decided with what is known.
 */
maxDuration: string
/**
 * Once complete, the step waits for a person's confirmation recorded in the release file (`confirmations`) before the rollout advances or promotes; guardrails still roll back meanwhile. Default false.
 */
confirm?: boolean
}[]
/**
 * How long a service stays frozen after a rollback.
 */
freezeAfterRollback: string
}
/**
 * How canary is compared with baseline.
 */
analysis: {
/**
 * The comparison method: tollgate's anytime-valid sequential tests, a Kayenta-like Mann-Whitney rule, or fixed thresholds.
 */
judge: ("sequential" | "mann-whitney" | "fixed-threshold")
/**
 * False-rollback budget per stage, split over the metric streams.
 */
alpha: number
/**
 * Least observation time before any promotion.
 */
minDuration: string
/**
 * When traffic is too low to show a metric no worse by a step's cap: `advance` completes the step at the cap as if it had been (the default), `hold` waits for a person's confirmation in the release file, the reason saying how long the metric would need at current traffic. A metric with no data at all never advances, whatever this says.
 */
lowTraffic?: ("advance" | "hold")
/**
 * Metrics to compare, by name.
 */
metrics: {
/**
 * Settings of one metric.
 */
[k: string]: {
/**
 * Relative tolerance: the canary may be this much worse (0.05 = 5%) before it counts as a regression.
 */
tolerance: number
/**
 * Ratio canary/baseline that is materially worse; promotion needs evidence the canary is below it.
 */
materialRatio?: number
/**
 * Set false to ignore this metric.
 */
enabled?: boolean
}
}
/**
 * Absolute backstops, checked whatever the comparison says.
 */
ceilings?: {
/**
 * Canary error rate (fraction) over 2 minutes above which it is rolled back.
 */
errorRate?: number
/**
 * Canary p99 latency (ms) over 3 minutes above which it is rolled back.
 */
p99LatencyMs?: number
/**
 * Canary pod restarts within 5 minutes at which it is rolled back.
 */
podRestarts?: number
}
}
/**
 * Cost circuit breakers.
 */
budgets: {
/**
 * Spend (USD) one deploy's canary may cost before the breaker trips.
 */
spendPerDeployUsd: number
/**
 * Absolute ceiling on the canary's cost per task (USD).
 */
maxCostPerTaskUsd: number
/**
 * Canary cost per task may exceed the baseline's by at most this fraction.
 */
costToleranceVsBaseline: number
/**
 * Canary tasks per minute above which it is treated as a runaway loop.
 */
maxTaskRatePerMinute: number
}
/**
 * Who must approve release changes here.
 */
approvals: {
/**
 * Number of distinct approvers a change needs (0 = none).
 */
required: number
/**
 * Who may approve (user names or `team:<name>`); empty or absent means anyone.
 * 
 * Items: A user or team.
 */
approvers?: string[]
/**
 * Which kinds of change need approval.
 * 
 * Items: What an approval covers: the whole release, or a change to one artifact part.
 */
for: ("release" | "model" | "tools" | "prompts" | "code" | "index")[]
}
/**
 * When deploys may happen, in the environment's time zone.
 */
windows?: {
/**
 * IANA time zone the windows are written in, e.g. `Europe/Berlin`.
 */
timeZone: string
/**
 * If set, deploys happen only inside one of these weekly windows.
 * 
 * Items: A weekly window.
 */
allow?: {
/**
 * Weekdays the window is open.
 * 
 * @minItems 1
 * 
 * Items: A weekday.
 */
days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[]
/**
 * Local opening time, HH:MM.
 */
start: string
/**
 * Local closing time, HH:MM (after start).
 */
end: string
}[]
/**
 * Periods in which no deploy starts.
 * 
 * Items: One freeze.
 */
freezes?: {
/**
 * Start: an RFC 3339 timestamp, or a local `YYYY-MM-DDTHH:MM` in the window time zone.
 */
from: string
/**
 * End (exclusive), same forms as `from`.
 */
until: string
/**
 * Why deploys are frozen; shown when a change is blocked.
 */
reason: string
}[]
}
/**
 * Model-governance gates.
 */
governance: {
/**
 * Least eval score (0-1) an attestation needs to pass the gate.
 */
minEvalScore: number
/**
 * Which changes need a passing eval attestation for the exact digest.
 * 
 * Items: An artifact part.
 */
requireEvalFor: ("model" | "prompts" | "tools" | "code" | "index")[]
/**
 * Count only eval attestations signed by an eval runner that signers.yaml lists (evalRunners); an unsigned one, one signed by another key or one edited after signing does not count. Default false.
 */
requireSignedEvals?: boolean
}
}
