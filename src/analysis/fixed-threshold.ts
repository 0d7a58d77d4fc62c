/**
 * The fixed-threshold judge (Flagger-like): at every check, roll back if the canary's pooled error
 * rate over the last `errorWindow` seconds is above `errorRate`, or its p99 latency over the last
 * `p99Window` seconds (merged histograms, as `histogram_quantile` over `increase()` would give) is
 * above `p99Ms`; promote when the bake ends, unless the canary sent no data at all (then hold: a
 * missing signal never promotes).
 */
import type { FixedThresholdJudgeConfig } from "./config.ts";
import { type Decision, type JudgeRun, tidy } from "./decision.ts";
import { histogramQuantile, mergeHistograms } from "./histogram.ts";
import type { ArmObservation, StageTiming, Tick } from "./observations.ts";

export class FixedThresholdJudgeRun implements JudgeRun {
  private readonly window: Array<{ t: number; canary: ArmObservation }> = [];
  private readonly end: number;
  private sawCanary = false;

  constructor(
    readonly config: FixedThresholdJudgeConfig,
    readonly timing: StageTiming,
  ) {
    this.end = Math.min(config.bake ?? timing.horizon, timing.horizon);
  }

  observe(tick: Tick): Decision | undefined {
    if (tick.canary) {
      this.window.push({ t: tick.t, canary: tick.canary });
      if ((tick.canary.record.requests ?? 0) > 0 || (tick.canary.latency?.count ?? 0) > 0) this.sawCanary = true;
    }
    const keep = Math.max(this.config.errorWindow, this.config.p99Window);
    while (this.window.length && this.window[0]!.t <= tick.t - keep) this.window.shift();

    const start = Math.max(this.config.firstCheck, this.timing.analysisStart);
    const steps = (tick.t - start) / this.config.checkEvery;
    const isCheck = tick.t >= start && Math.abs(steps - Math.round(steps)) < 1e-9;
    if (isCheck && tick.t <= this.end) {
      const recent = (seconds: number) => this.window.filter((w) => w.t > tick.t - seconds).map((w) => w.canary);
      let errors = 0;
      let requests = 0;
      for (const c of recent(this.config.errorWindow)) {
        if (c.record.requests !== undefined && c.record.errors !== undefined) {
          errors += c.record.errors;
          requests += c.record.requests;
        }
      }
      const errorRate = requests > 0 ? errors / requests : Number.NaN;
      if (errorRate > this.config.errorRate) {
        return {
          action: "rollback",
          at: tick.t,
          trigger: "error_rate",
          evidence: { judge: "fixed-threshold", errorRate: tidy(errorRate), threshold: this.config.errorRate },
        };
      }
      const histograms = recent(this.config.p99Window).flatMap((c) => (c.latency ? [c.latency.buckets] : []));
      const merged = mergeHistograms(histograms).buckets;
      const p99 = merged ? histogramQuantile(0.99, merged) : Number.NaN;
      if (p99 > this.config.p99Ms) {
        return {
          action: "rollback",
          at: tick.t,
          trigger: "latency",
          evidence: { judge: "fixed-threshold", p99Ms: tidy(p99), threshold: this.config.p99Ms },
        };
      }
    }
    if (tick.t >= this.end && !this.sawCanary)
      return {
        action: "hold",
        at: tick.t,
        trigger: null,
        evidence: { judge: "fixed-threshold", checkedUntil: this.end, hold: "no-data" },
      };
    if (tick.t >= this.end)
      return {
        action: "promote",
        at: tick.t,
        trigger: null,
        evidence: { judge: "fixed-threshold", checkedUntil: this.end },
      };
    return undefined;
  }
}
