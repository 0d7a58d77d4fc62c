/**
 * Behaviour profiles: how one version of a service behaves relative to the service's normal
 * behaviour in a simulated scenario. The empty profile is a healthy version.
 */
export interface BehaviourProfile {
  /** Error rate × this (default 1). */
  errorRateMultiplier?: number;
  /** Error rate + this absolute amount (0.005 = +0.5 percentage points). */
  errorRateAdd?: number;
  /** Intervention rate × this. */
  interventionRateMultiplier?: number;
  /** Every latency × this. */
  latencyMultiplier?: number;
  /** Log-latency spread raised so that p99 × this while the median stays where it is. */
  p99Multiplier?: number;
  /** Bimodal latency: this share of requests takes `slowModeMultiplier` × as long. */
  slowModeShare?: number;
  slowModeMultiplier?: number;
  /** Latency × (1 + this × minutes since onset): a memory-leak-like creep. */
  latencyCreepPerMinute?: number;
  /** Cost per task × this. */
  costMultiplier?: number;
  /** Share of runaway tasks (1% normally) × this. */
  runawayMultiplier?: number;
  /** Seconds after stage start at which the effects above begin (default 0: at deploy). */
  onset?: number;
  /** Seconds after stage start during which this version is down and sends no telemetry. */
  down?: { from: number; until?: number };
}

/** The regression kinds of the decision-quality benchmark (and a few more), by name. */
export const PROFILES = {
  healthy: {},
  "err+0.5pp": { errorRateAdd: 0.005 },
  "err+2pp": { errorRateAdd: 0.02 },
  "err x3": { errorRateMultiplier: 3 },
  "p99+10%": { p99Multiplier: 1.1 },
  "p99+30%": { p99Multiplier: 1.3 },
  "cost+20%": { costMultiplier: 1.2 },
  "intv x2": { interventionRateMultiplier: 2 },
  "lat creep": { latencyCreepPerMinute: 0.03 },
  "runaway cost": { runawayMultiplier: 5 },
  "late err x3": { errorRateMultiplier: 3, onset: 720 },
  bimodal: { slowModeShare: 0.03, slowModeMultiplier: 4 },
} satisfies Record<string, BehaviourProfile>;

export type ProfileName = keyof typeof PROFILES;

/** The bad kinds scored by the benchmark's standard scenario set, in table order. */
export const BENCHMARK_BAD_KINDS: readonly ProfileName[] = [
  "err+0.5pp",
  "err+2pp",
  "err x3",
  "p99+10%",
  "p99+30%",
  "cost+20%",
  "intv x2",
  "lat creep",
];
