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
} from "../../src/analysis/config.ts";

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
  { name: "tollgate sequential", config: defaultSequentialConfig() },
];
