/**
 * The judges the benchmark compares, in table order. The design page's "tuned" Mann-Whitney rule
 * uses p < 0.001, chosen to reach about 1% false rollbacks on seed 20240611 with the reference
 * generator. With this generator p < 0.001 rolls back 2.9% of 2,000 healthy canaries on that seed;
 * a sweep there (0.001: 2.9%, 0.0005: 1.25%, 0.0003: 0.85%, 0.0002: 0.65%, 0.0001: 0.3%) puts
 * "about 1%" at p < 0.0003. Both rows are shown; tollgate has to beat both.
 */
import {
  defaultFixedThresholdConfig,
  defaultMannWhitneyConfig,
  defaultSequentialConfig,
  type JudgeConfig,
  type SequentialJudgeConfig,
} from "../../src/analysis/config.ts";
import type { StreamConfig, StreamKind } from "../../src/analysis/index.ts";

export const TOLLGATE_JUDGE = "tollgate sequential";
export const REFERENCE_JUDGE = "reference sequential (design page)";

/**
 * The design page's reference always-valid sequential judge, as written there: five streams (error
 * and intervention rate, latency location and spread, cost location), each with 5% tolerance and an
 * equal share of α = 0.05 (e ≥ 100), no final look, no lean limit, early promotion after 10 minutes.
 * It runs on tollgate's stream code, so it shares its data handling; issue 22 compares tollgate with
 * it where traffic is lowest.
 */
export function referenceSequentialConfig(): SequentialJudgeConfig {
  const stream = (kind: StreamKind, materialRatio: number): StreamConfig => ({
    stream: kind,
    harm: "increase",
    tolerance: 0.05,
    materialRatio,
    alphaShare: 1,
    warmup: 0,
  });
  return {
    judge: "sequential",
    alpha: 0.05,
    finalAlpha: 0,
    promoteAlpha: 0.05,
    minDuration: 600,
    leanLimit: Number.POSITIVE_INFINITY,
    streams: [
      stream("error_rate", 1.5),
      stream("intervention_rate", 1.5),
      stream("latency_spread", 1.25),
      stream("latency_logmean", 1.25),
      stream("cost_logmean", 1.3),
    ],
  };
}

export const BENCH_JUDGES: ReadonlyArray<{ name: string; config: JudgeConfig }> = [
  { name: "fixed thresholds, 5-min bake", config: defaultFixedThresholdConfig() },
  { name: "fixed thresholds, 30 min", config: defaultFixedThresholdConfig({ bake: null }) },
  { name: "Mann-Whitney p<0.05, 5-min bake", config: defaultMannWhitneyConfig() },
  { name: "Mann-Whitney p<0.05, 30 min", config: defaultMannWhitneyConfig({ bake: null }) },
  {
    name: "Mann-Whitney p<0.001, 30 min (design's tuned)",
    config: defaultMannWhitneyConfig({ pValue: 0.001, bake: null }),
  },
  {
    name: "Mann-Whitney p<0.0003, 30 min (re-tuned here)",
    config: defaultMannWhitneyConfig({ pValue: 0.0003, bake: null }),
  },
  { name: REFERENCE_JUDGE, config: referenceSequentialConfig() },
  { name: TOLLGATE_JUDGE, config: defaultSequentialConfig() },
];
