/**
 * The seeded telemetry generator of the decision-quality benchmark (model in
 * shared/design/decision-quality.md, "Telemetry generator"). One `TelemetrySimulation` is one
 * scenario: a service whose baseline and canary versions behave as their profiles say, observed
 * interval by interval. The canary's traffic share is given at every step, so a reconciler can feed
 * the weight it actually deployed; the benchmark feeds a constant 10%.
 *
 * Determinism: the same seed, scenario id, profiles, settings and sequence of weights give the same
 * records, bit for bit.
 */
import type { Arm, HistogramBuckets, IntervalRecord, ScenarioHeader } from "../records.ts";
import type { BehaviourProfile } from "./profiles.ts";
import { Random } from "./random.ts";

/** The simulated world. Defaults are the design page's; override any of them per simulation. */
export interface WorldSettings {
  /** Requests per second to the whole service (canary at 10% gets a tenth). */
  serviceRatePerSecond: number;
  diurnalAmplitude: number;
  /** Period of the traffic cycle (86,400 s: a day; shorter for steep swings within a stage). */
  diurnalPeriodSeconds: number;
  /** Log-uniform range of the per-scenario base error rate. */
  errorRateRange: [number, number];
  /** Error rate × exp(scale × AR(1) drift), shared by both arms. */
  errorDriftScale: number;
  interventionRateRange: [number, number];
  /** Per-arm, per-interval log-normal jitter of error and intervention rates (pod heterogeneity). */
  rateJitterSd: number;
  latencyMedianMs: number;
  /** Per-scenario log-normal spread of the median latency. */
  latencyMedianSd: number;
  latencyLogSd: number;
  /** Log-latency + this × (diurnal − 1): heavier load, slower service. */
  loadEffect: number;
  /** AR(1) drift shared by both arms (latency, and error rate via `errorDriftScale`). */
  driftPhi: number;
  driftSd: number;
  latencyJitterSd: number;
  costMedianUsd: number;
  costLogSd: number;
  runawayShare: number;
  runawayParetoAlpha: number;
  costJitterSd: number;
  /** Common-mode incidents hitting both arms: expected count per 30 minutes. */
  incidentsPer30Min: number;
  incidentSeconds: [number, number];
  incidentLatencyMultiplier: [number, number];
  incidentErrorAdd: [number, number];
  /** Probability a single arm's scrape is missing; and that the scraper misses both. */
  missingScrape: number;
  scraperOutage: number;
  /**
   * Long gaps in one arm's scrapes (an exporter or a pod's metrics endpoint down while it serves):
   * expected count per 30 minutes, each in one arm chosen at random, lasting this many seconds.
   */
  scrapeGapsPer30Min: number;
  scrapeGapSeconds: [number, number];
  /**
   * The canary's traffic as a multiple of the share it was given (1: the router does what the step
   * set; 0.25: a canary at 4% when the step set 16%, a broken traffic split). The baseline keeps its own.
   */
  canaryTrafficFactor: number;
  /** Canary-only benign effects: cold start amplitude (max) and time constant, host offset. */
  coldStartMax: number;
  coldStartSeconds: number;
  /** When above `coldStartSeconds`, each scenario's cold-start time constant is drawn between the two. */
  coldStartSecondsMax: number;
  hostOffsetSd: number;
  hostOffsetMax: number;
}

export const DEFAULT_WORLD: Readonly<WorldSettings> = Object.freeze({
  serviceRatePerSecond: 200,
  diurnalAmplitude: 0.3,
  diurnalPeriodSeconds: 86400,
  errorRateRange: [0.002, 0.02],
  errorDriftScale: 3,
  interventionRateRange: [0.01, 0.05],
  rateJitterSd: 0.1,
  latencyMedianMs: 200,
  latencyMedianSd: 0.2,
  latencyLogSd: 0.5,
  loadEffect: 0.2,
  driftPhi: 0.95,
  driftSd: 0.02,
  latencyJitterSd: 0.02,
  costMedianUsd: 0.02,
  costLogSd: 0.8,
  runawayShare: 0.01,
  runawayParetoAlpha: 1.5,
  costJitterSd: 0.01,
  incidentsPer30Min: 0.7,
  incidentSeconds: [10, 60],
  incidentLatencyMultiplier: [1.3, 3],
  incidentErrorAdd: [0, 0.1],
  missingScrape: 0.02,
  scraperOutage: 0.005,
  scrapeGapsPer30Min: 0,
  scrapeGapSeconds: [60, 300],
  canaryTrafficFactor: 1,
  coldStartMax: 0.3,
  coldStartSeconds: 30,
  coldStartSecondsMax: 30,
  hostOffsetSd: 0.015,
  hostOffsetMax: 0.03,
}) as Readonly<WorldSettings>;

export interface SimulationOptions {
  seed: number;
  /** Scenario id: names the scenario and, with the seed, selects its random sequence. */
  scenario: string;
  baseline?: BehaviourProfile;
  canary?: BehaviourProfile;
  /** Scrape interval in seconds (default 10). */
  interval?: number;
  /**
   * How much traffic the baseline gets: `matched` (Kayenta style, the same share as the canary;
   * the default) or `remainder` (the stable version serves everything the canary does not).
   */
  baselineTraffic?: "matched" | "remainder";
  /** Canary-only benign effects (cold start, host offsets); default on. */
  benign?: boolean;
  world?: Partial<WorldSettings>;
}

export interface SimulatedInterval {
  /** End of the interval, seconds since stage start. */
  t: number;
  /** The scraped records: 0, 1 or 2 (missing scrapes are missing records). */
  records: IntervalRecord[];
  /** Requests each version really served in the interval, scraped or not (ground truth). */
  served: Record<Arm, number>;
}

/** Upper bounds of the latency histogram (ms): 2^(k/8) for k = 1..128, then +Inf. */
export const LATENCY_BOUNDS_MS: readonly number[] = Array.from({ length: 128 }, (_, i) => round6(2 ** ((i + 1) / 8)));
/** Upper bounds of the cost histogram (USD): 0.001 × 2^(k/8) for k = 0..143, then +Inf. */
export const COST_BOUNDS_USD: readonly number[] = Array.from({ length: 144 }, (_, i) => round6(0.001 * 2 ** (i / 8)));

const SLICES = 10;
const Z99 = 2.3263478740408408;
const LOG_COST_FLOOR = Math.log(0.001);
const BUCKETS_PER_LN = 8 / Math.LN2;

interface Incident {
  start: number;
  end: number;
  latencyLog: number;
  errorAdd: number;
}

/**
 * One simulated scenario, stepped one scrape interval at a time. Independent random streams for the
 * scenario's parameters, the shared world (drift, incidents, scraper outages) and each arm, so that
 * changing one part (the canary's weight or profile, incidents off) leaves the others' draws unchanged.
 */
export class TelemetrySimulation {
  readonly interval: number;
  private readonly rng: Random;
  private readonly armRng: Record<Arm, Random>;
  private readonly incidentRng: Random;
  private readonly world: WorldSettings;
  private readonly profiles: Record<Arm, BehaviourProfile>;
  private readonly matched: boolean;
  private step = 0;
  // Per-scenario draws.
  private readonly timeOfDay: number;
  private readonly baseErrorRate: number;
  private readonly baseInterventionRate: number;
  private readonly logMedianMs: number;
  private readonly coldStart: number;
  private readonly coldStartSeconds: number;
  private readonly hostLatencyLog: number;
  private readonly hostCostLog: number;
  // State.
  private latencyDrift: number;
  private errorDrift: number;
  private incidents: Incident[] = [];
  /** Scrape gaps: a stream of their own, made only when gaps are on (other draws stay as they were). */
  private readonly gapRng: Random | undefined;
  private gaps: Array<{ arm: Arm; end: number }> = [];
  private readonly sliceCounts = new Int32Array(SLICES);
  private readonly latencyCounts = new Float64Array(LATENCY_BOUNDS_MS.length + 1);
  private readonly costCounts = new Float64Array(COST_BOUNDS_USD.length + 1);

  constructor(options: SimulationOptions) {
    const setup = new Random(options.seed, options.scenario);
    this.rng = new Random(options.seed, `${options.scenario}/world`);
    this.incidentRng = new Random(options.seed, `${options.scenario}/incidents`);
    this.armRng = {
      canary: new Random(options.seed, `${options.scenario}/canary`),
      baseline: new Random(options.seed, `${options.scenario}/baseline`),
    };
    this.world = { ...DEFAULT_WORLD, ...options.world };
    this.interval = options.interval ?? 10;
    this.profiles = { canary: options.canary ?? {}, baseline: options.baseline ?? {} };
    this.matched = (options.baselineTraffic ?? "matched") === "matched";
    const w = this.world;
    const r = setup;
    this.timeOfDay = r.between(0, 86400);
    this.baseErrorRate = r.logUniform(w.errorRateRange[0], w.errorRateRange[1]);
    this.baseInterventionRate = r.logUniform(w.interventionRateRange[0], w.interventionRateRange[1]);
    this.logMedianMs = Math.log(w.latencyMedianMs) + w.latencyMedianSd * r.normal();
    const benign = options.benign ?? true;
    this.coldStart = benign ? r.between(0, w.coldStartMax) : 0;
    this.coldStartSeconds =
      w.coldStartSecondsMax > w.coldStartSeconds
        ? new Random(options.seed, `${options.scenario}/cold-start`).between(w.coldStartSeconds, w.coldStartSecondsMax)
        : w.coldStartSeconds;
    this.gapRng = w.scrapeGapsPer30Min > 0 ? new Random(options.seed, `${options.scenario}/gaps`) : undefined;
    const offset = () => (benign ? Math.log(1 + clip(w.hostOffsetSd * r.normal(), w.hostOffsetMax)) : 0);
    this.hostLatencyLog = offset();
    this.hostCostLog = offset();
    const stationary = w.driftSd / Math.sqrt(1 - w.driftPhi * w.driftPhi);
    this.latencyDrift = stationary * r.normal();
    this.errorDrift = stationary * r.normal();
  }

  /** Seconds since stage start at the end of the last simulated interval. */
  get t(): number {
    return this.step * this.interval;
  }

  /** Simulates the next interval with the canary serving `canaryPercent` % of the service's traffic. */
  next(canaryPercent: number): SimulatedInterval {
    const w = this.world;
    const r = this.rng;
    this.step++;
    const tEnd = this.step * this.interval;
    const tStart = tEnd - this.interval;
    this.latencyDrift = w.driftPhi * this.latencyDrift + w.driftSd * r.normal();
    this.errorDrift = w.driftPhi * this.errorDrift + w.driftSd * r.normal();
    const diurnal =
      1 +
      w.diurnalAmplitude *
        Math.sin((2 * Math.PI * (this.timeOfDay + tStart + this.interval / 2)) / w.diurnalPeriodSeconds);
    this.updateIncidents(tStart);
    this.updateGaps(tStart);
    const outage = r.uniform() < w.scraperOutage;
    const share = Math.min(100, Math.max(0, canaryPercent)) / 100;
    const records: IntervalRecord[] = [];
    const served: Record<Arm, number> = { canary: 0, baseline: 0 };
    for (const arm of ["canary", "baseline"] as const) {
      const profile = this.profiles[arm];
      if (profile.down && tEnd > profile.down.from && tEnd <= (profile.down.until ?? Number.POSITIVE_INFINITY))
        continue;
      const armShare = arm === "canary" ? share * w.canaryTrafficFactor : this.matched ? share : 1 - share;
      const lambda = w.serviceRatePerSecond * armShare * this.interval * diurnal;
      const record = this.simulateArm(arm, profile, tStart, tEnd, lambda, diurnal);
      served[arm] = record.requests ?? 0;
      const missing = this.armRng[arm].uniform() < w.missingScrape;
      const inGap = this.gaps.some((g) => g.arm === arm && g.end >= tEnd);
      if (!outage && !missing && !inGap) records.push(record);
    }
    return { t: tEnd, records, served };
  }

  /** The scenario header for a stage of `horizon` seconds analysed from `analysisStart`. */
  header(scenario: string, horizon = 1800, analysisStart = 60): ScenarioHeader {
    return { scenario, interval: this.interval, analysisStart, horizon };
  }

  private updateIncidents(tStart: number): void {
    const w = this.world;
    const r = this.incidentRng;
    this.incidents = this.incidents.filter((i) => i.end > tStart);
    const count = r.poisson((w.incidentsPer30Min * this.interval) / 1800);
    for (let k = 0; k < count; k++) {
      const start = tStart + r.uniform() * this.interval;
      this.incidents.push({
        start,
        end: start + r.between(w.incidentSeconds[0], w.incidentSeconds[1]),
        latencyLog: Math.log(r.between(w.incidentLatencyMultiplier[0], w.incidentLatencyMultiplier[1])),
        errorAdd: r.between(w.incidentErrorAdd[0], w.incidentErrorAdd[1]),
      });
    }
  }

  private updateGaps(tStart: number): void {
    const r = this.gapRng;
    if (!r) return;
    const w = this.world;
    this.gaps = this.gaps.filter((g) => g.end > tStart);
    const count = r.poisson((w.scrapeGapsPer30Min * this.interval) / 1800);
    for (let k = 0; k < count; k++) {
      const arm: Arm = r.uniform() < 0.5 ? "canary" : "baseline";
      this.gaps.push({ arm, end: tStart + r.uniform() * this.interval + r.between(...w.scrapeGapSeconds) });
    }
  }

  private simulateArm(
    arm: Arm,
    profile: BehaviourProfile,
    tStart: number,
    tEnd: number,
    lambda: number,
    diurnal: number,
  ): IntervalRecord {
    const w = this.world;
    const r = this.armRng[arm];
    const canary = arm === "canary";
    const n = r.poisson(lambda);
    const errorJitter = Math.exp(w.rateJitterSd * r.normal());
    const interventionJitter = Math.exp(w.rateJitterSd * r.normal());
    const latencyJitter = w.latencyJitterSd * r.normal();
    const costJitter = w.costJitterSd * r.normal();
    const onset = profile.onset ?? 0;

    const counts = this.sliceCounts;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(r.uniform() * SLICES)]!++;

    const latency = this.latencyCounts;
    latency.fill(0);
    let latencySum = 0;
    let errors = 0;
    const sliceSeconds = (tEnd - tStart) / SLICES;
    const baseLog =
      this.logMedianMs +
      w.loadEffect * (diurnal - 1) +
      this.latencyDrift +
      latencyJitter +
      (canary ? this.hostLatencyLog : 0);
    const baseError = this.baseErrorRate * Math.exp(w.errorDriftScale * this.errorDrift) * errorJitter;
    for (let s = 0; s < SLICES; s++) {
      const m = counts[s]!;
      if (m === 0) continue;
      const t = tStart + (s + 0.5) * sliceSeconds;
      const active = t >= onset;
      let mu = baseLog;
      let sigma = w.latencyLogSd;
      let errorRate = baseError;
      if (canary && this.coldStart > 0) mu += Math.log(1 + this.coldStart * Math.exp(-t / this.coldStartSeconds));
      if (active) {
        if (profile.latencyMultiplier) mu += Math.log(profile.latencyMultiplier);
        if (profile.latencyCreepPerMinute) mu += Math.log(1 + (profile.latencyCreepPerMinute * (t - onset)) / 60);
        if (profile.p99Multiplier) sigma += Math.log(profile.p99Multiplier) / Z99;
        errorRate = errorRate * (profile.errorRateMultiplier ?? 1) + (profile.errorRateAdd ?? 0);
      }
      for (const incident of this.incidents) {
        if (t >= incident.start && t < incident.end) {
          mu += incident.latencyLog;
          errorRate += incident.errorAdd;
        }
      }
      errors += r.binomial(m, Math.min(0.95, errorRate));
      const slowShare = active ? (profile.slowModeShare ?? 0) : 0;
      const slowLog = Math.log(profile.slowModeMultiplier ?? 1);
      for (let i = 0; i < m; i++) {
        let x = mu + sigma * r.normal();
        if (slowShare > 0 && r.uniform() < slowShare) x += slowLog;
        latencySum += Math.exp(x);
        const k = Math.ceil(x * BUCKETS_PER_LN) - 1;
        latency[k < 0 ? 0 : k > 128 ? 128 : k]!++;
      }
    }

    const interventionActive = tEnd - sliceSeconds / 2 >= onset;
    const interventionRate =
      this.baseInterventionRate *
      interventionJitter *
      (interventionActive ? (profile.interventionRateMultiplier ?? 1) : 1);
    const interventions = r.binomial(n, Math.min(0.95, interventionRate));

    const cost = this.costCounts;
    cost.fill(0);
    let costSum = 0;
    const costLog =
      Math.log(w.costMedianUsd) +
      costJitter +
      (canary ? this.hostCostLog : 0) +
      (interventionActive && profile.costMultiplier ? Math.log(profile.costMultiplier) : 0);
    const runaway = w.runawayShare * (interventionActive ? (profile.runawayMultiplier ?? 1) : 1);
    for (let i = 0; i < n; i++) {
      let x = costLog + w.costLogSd * r.normal();
      if (r.uniform() < runaway) x += -Math.log(1 - r.uniform()) / w.runawayParetoAlpha;
      costSum += Math.exp(x);
      const k = Math.ceil((x - LOG_COST_FLOOR) * BUCKETS_PER_LN);
      cost[k < 0 ? 0 : k > 144 ? 144 : k]!++;
    }

    return {
      t: tEnd,
      arm,
      requests: n,
      errors,
      tasks: n,
      interventions,
      latencyMs: { buckets: toBuckets(LATENCY_BOUNDS_MS, latency), sum: round6(latencySum) },
      costUsd: { buckets: toBuckets(COST_BOUNDS_USD, cost), sum: round6(costSum) },
    };
  }
}

/** Runs a whole stage: the records of every interval up to `horizon`, with the canary weight over time. */
export function* simulateStage(
  options: SimulationOptions & { horizon?: number; canaryPercent?: number | ((t: number) => number) },
): Generator<SimulatedInterval> {
  const sim = new TelemetrySimulation(options);
  const horizon = options.horizon ?? 1800;
  const weight = options.canaryPercent ?? 10;
  while (sim.t + sim.interval <= horizon + 1e-9) {
    yield sim.next(typeof weight === "number" ? weight : weight(sim.t));
  }
}

function toBuckets(bounds: readonly number[], counts: Float64Array): HistogramBuckets {
  const buckets: HistogramBuckets = new Array(bounds.length + 1);
  for (let i = 0; i < bounds.length; i++) buckets[i] = [bounds[i]!, counts[i]!];
  buckets[bounds.length] = [null, counts[bounds.length]!];
  return buckets;
}

function clip(x: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, x));
}

function round6(x: number): number {
  return Number(x.toPrecision(6));
}
