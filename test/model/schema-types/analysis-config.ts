// Generated from schemas/analysis-config.schema.json by test/support/schema-types.ts: do not edit.

/**
 * A judge for `tollgate analyze` and the decision-quality benchmark: the fields of an environment's `analysis` section, plus optional per-judge details. (An environment.yaml is accepted too; its `analysis` section is used.)
 */
export interface TollgateAnalyzeConfig {
/**
 * The comparison method.
 */
judge: ("sequential" | "mann-whitney" | "fixed-threshold")
/**
 * False-rollback budget per stage (sequential judge), split over the metric streams.
 */
alpha?: number
/**
 * Least observation time before an early promotion (sequential judge).
 */
minDuration?: string
metrics?: Metrics
ceilings?: Ceilings
/**
 * Details of the sequential judge.
 */
sequential?: {
/**
 * Budget for promoting a materially worse canary.
 */
promoteAlpha?: number
/**
 * Part of alpha kept for one fixed-time look per count stream at the stage cap (default: a fifth of alpha; 0 = none).
 */
finalAlpha?: number
/**
 * Early promotion waits while a stream's rollback e-value is above this.
 */
leanLimit?: number
/**
 * Overrides per metric stream.
 */
streams?: {
/**
 * Settings of one stream; unset fields keep their defaults.
 */
[k: string]: {
/**
 * Set false to drop the stream.
 */
enabled?: boolean
/**
 * Which direction hurts.
 */
harm?: ("increase" | "decrease")
/**
 * Relative tolerance (0.05 = 5%).
 */
tolerance?: number
/**
 * Canary/baseline ratio that is materially worse.
 */
materialRatio?: number
/**
 * Count streams: an absolute rise of the rate that is material even below materialRatio (0.005 = +0.5 percentage points).
 */
materialIncrease?: number
/**
 * A guard can roll back but need not pass for promotion; early promotion waits only while its rollback e-value is above 1.
 */
guard?: boolean
/**
 * Share of the rollback budget (normalised over streams).
 */
alphaShare?: number
/**
 * Data from the first part of the stage that is not used.
 */
warmup?: string
}
}
}
/**
 * Details of the Mann-Whitney judge.
 */
mannWhitney?: {
/**
 * Degraded when the two-sided p-value is below this...
 */
pValue?: number
/**
 * ...and the canary's mean is worse than the baseline's by more than this factor.
 */
effectRatio?: number
/**
 * Time of the first check.
 */
firstCheck?: string
/**
 * Spacing of checks.
 */
checkEvery?: string
/**
 * End of the bake (promote then); null = at the stage cap.
 */
bake?: (string | null)
}
/**
 * Details of the fixed-threshold judge (thresholds come from `ceilings`).
 */
fixedThreshold?: {
/**
 * A duration such as `30s`, `5m`, `2h` or `1h30m` (units: ms, s, m, h, d).
 */
errorWindow?: string
/**
 * A duration such as `30s`, `5m`, `2h` or `1h30m` (units: ms, s, m, h, d).
 */
p99Window?: string
/**
 * A duration such as `30s`, `5m`, `2h` or `1h30m` (units: ms, s, m, h, d).
 */
firstCheck?: string
/**
 * A duration such as `30s`, `5m`, `2h` or `1h30m` (units: ms, s, m, h, d).
 */
checkEvery?: string
/**
 * End of the bake (promote then); null = at the stage cap.
 */
bake?: (string | null)
}
}
/**
 * Metrics to compare (sequential judge); default: tollgate's default streams.
 */
export interface Metrics {
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
 * Thresholds of the fixed-threshold judge.
 */
export interface Ceilings {
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
