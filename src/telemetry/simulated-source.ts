/**
 * The simulated telemetry source: the seeded generator of the decision-quality benchmark
 * (simulated/generator.ts) behind the TelemetrySource interface, for the demo and reconciler tests.
 * Each service gets its own deterministic stage, stepped forward as far as a request reaches, so
 * the same request always returns the same records however the calls are split.
 */
import type { Logger } from "pino";
import type { IntervalRecord } from "./records.ts";
import { TelemetrySimulation, type WorldSettings } from "./simulated/generator.ts";
import type { BehaviourProfile } from "./simulated/profiles.ts";
import {
  intervalEnds,
  ProblemLog,
  type TelemetryRequest,
  type TelemetrySource,
  type TelemetryWindow,
  windowFromRecords,
} from "./source.ts";

export interface SimulatedSourceOptions {
  seed: number;
  /** Interval in seconds. */
  interval: number;
  /** How each version of a service behaves (default: both healthy). */
  profiles?: (service: string) => { canary?: BehaviourProfile; baseline?: BehaviourProfile };
  /** Percent of the service's traffic on the canary at stage time t (default 10). */
  canaryPercent?: (service: string, t: number) => number;
  /** The stable version serves what the canary does not (default: Kayenta-style matched share). */
  baselineTraffic?: "matched" | "remainder";
  /** Overrides of the simulated world, e.g. the service's request rate. */
  world?: Partial<WorldSettings>;
  logger?: Logger;
}

interface Stage {
  simulation: TelemetrySimulation;
  records: Map<number, IntervalRecord[]>;
}

export class SimulatedSource implements TelemetrySource {
  readonly kind = "simulated" as const;
  readonly interval: number;
  private readonly stages = new Map<string, Stage>();
  private readonly problemLog?: ProblemLog;

  constructor(private readonly options: SimulatedSourceOptions) {
    this.interval = options.interval;
    if (options.logger) this.problemLog = new ProblemLog(options.logger, { source: "simulated", seed: options.seed });
  }

  async fetch(request: TelemetryRequest): Promise<TelemetryWindow> {
    const ends = intervalEnds(request.from, request.to, this.interval);
    const stage = this.stage(request);
    const last = ends[ends.length - 1] ?? 0;
    while (stage.simulation.t < last - 1e-9) {
      const t = stage.simulation.t + this.interval;
      const step = stage.simulation.next(this.options.canaryPercent?.(request.service, t) ?? 10);
      stage.records.set(step.t, step.records);
    }
    const window = windowFromRecords(stage.records, ends, this.interval, {
      record: "no scrape for this arm in this interval (simulated missing scrape or outage)",
      field: "the simulated record has no value for this signal",
    });
    this.problemLog?.report(window.problems, request);
    return window;
  }

  private stage(request: TelemetryRequest): Stage {
    const key = `${request.service}@${request.stageStart.toISOString()}`;
    let stage = this.stages.get(key);
    if (!stage) {
      const profiles = this.options.profiles?.(request.service) ?? {};
      stage = {
        simulation: new TelemetrySimulation({
          seed: this.options.seed,
          scenario: key,
          interval: this.interval,
          ...profiles,
          ...(this.options.baselineTraffic ? { baselineTraffic: this.options.baselineTraffic } : {}),
          ...(this.options.world ? { world: this.options.world } : {}),
        }),
        records: new Map(),
      };
      this.stages.set(key, stage);
    }
    return stage;
  }
}
