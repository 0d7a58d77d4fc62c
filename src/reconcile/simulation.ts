/**
 * A whole simulated world for the reconciler: the in-process cluster, and telemetry generated for
 * the versions it actually runs, at the weights it actually serves. The demo and the reconciler's
 * tests use it; each artifact digest can be given a behaviour (healthy by default).
 */
import type { Logger } from "pino";
import { SimulatedCluster } from "../cluster/index.ts";
import { type Digest, type Environment, parseDuration } from "../model/index.ts";
import { type BehaviourProfile, SimulatedSource, type TelemetrySource } from "../telemetry/index.ts";

export interface SimulatedWorldOptions {
  /** Behaviour of a version by artifact digest (or `<environment>/<digest>` for one environment only); versions not listed are healthy. */
  behaviour?: Map<string, BehaviourProfile>;
  seed?: number;
  logger?: Logger;
}

export class SimulatedWorld {
  readonly cluster: SimulatedCluster;
  readonly behaviour: Map<string, BehaviourProfile>;
  readonly #sources = new Map<string, SimulatedSource>();

  constructor(private readonly options: SimulatedWorldOptions = {}) {
    this.cluster = new SimulatedCluster(options.logger ? { logger: options.logger } : {});
    this.behaviour = options.behaviour ?? new Map();
  }

  /** How a version behaves in an environment: its environment-specific profile, else its general one. */
  behaviourOf(environment: string, digest: Digest): BehaviourProfile | undefined {
    return this.behaviour.get(`${environment}/${digest}`) ?? this.behaviour.get(digest);
  }

  /** The telemetry of one environment: canary and baseline of what the cluster runs there. */
  telemetry(environment: Environment): TelemetrySource {
    let source = this.#sources.get(environment.name);
    if (!source) {
      const deployed = (service: string) => this.cluster.deployedVersions(environment.name, service);
      source = new SimulatedSource({
        seed: environment.telemetry.simulated?.seed ?? this.options.seed ?? 1,
        interval: parseDuration(environment.telemetry.interval) / 1000,
        baselineTraffic: "remainder",
        ...(environment.telemetry.simulated?.requestsPerSecond
          ? { world: { serviceRatePerSecond: environment.telemetry.simulated.requestsPerSecond } }
          : {}),
        ...(this.options.logger ? { logger: this.options.logger } : {}),
        profiles: (service) => {
          const versions = deployed(service);
          const canary = versions?.canaryDigest ? this.behaviourOf(environment.name, versions.canaryDigest) : undefined;
          const baseline = versions ? this.behaviourOf(environment.name, versions.stableDigest) : undefined;
          return { ...(canary ? { canary } : {}), ...(baseline ? { baseline } : {}) };
        },
        canaryPercent: (service) => deployed(service)?.canaryWeight ?? 0,
      });
      this.#sources.set(environment.name, source);
    }
    return source;
  }
}
