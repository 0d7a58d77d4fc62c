/**
 * Builds the telemetry source an environment's `telemetry` settings ask for.
 * Configuration mistakes (a missing settings block, an unset credential variable, an unknown
 * placeholder) are UserErrors naming the environment file; data problems never are.
 */
import { isAbsolute, resolve } from "node:path";
import type { Logger } from "pino";
import { type Environment, environmentFile, parseDuration, UserError } from "../model/index.ts";
import { FileSource } from "./file-source.ts";
import { PrometheusSource } from "./prometheus/source.ts";
import { SimulatedSource, type SimulatedSourceOptions } from "./simulated-source.ts";
import type { TelemetrySource } from "./source.ts";

export interface TelemetryFactoryOptions {
  /** Repository root: a file source's path is relative to it. */
  root: string;
  /** Where credentials are read from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Behaviour of simulated services (demo, tests). */
  simulation?: Pick<SimulatedSourceOptions, "profiles" | "canaryPercent">;
  /** First retry backoff of the Prometheus client, in ms. */
  backoffMs?: number;
}

export async function createTelemetrySource(
  environment: Environment,
  options: TelemetryFactoryOptions,
): Promise<TelemetrySource> {
  const settings = environment.telemetry;
  const file = environmentFile(environment.name);
  const intervalMs = parseDuration(settings.interval);
  const missing = (block: string) =>
    new UserError(`${file}: telemetry.source is ${settings.source} but telemetry.${block} is not set`, [
      { file, field: `/telemetry/${block}`, message: `required when telemetry.source is ${settings.source}` },
    ]);
  switch (settings.source) {
    case "prometheus": {
      if (!settings.prometheus) throw missing("prometheus");
      return new PrometheusSource({
        settings: settings.prometheus,
        intervalMs,
        env: options.env,
        logger: options.logger,
        backoffMs: options.backoffMs,
        file,
      });
    }
    case "file": {
      if (!settings.file) throw missing("file");
      const path = isAbsolute(settings.file.path) ? settings.file.path : resolve(options.root, settings.file.path);
      const source = await FileSource.open(path, options.logger);
      if (Math.abs(source.interval * 1000 - intervalMs) > 1e-6) {
        throw new UserError(
          `${file}: telemetry.interval is ${settings.interval} but ${settings.file.path} was recorded every ${source.interval}s`,
          [
            {
              file,
              field: "/telemetry/interval",
              message: `does not match the recording's interval (${source.interval}s)`,
            },
          ],
        );
      }
      return source;
    }
    case "simulated":
      return new SimulatedSource({
        seed: settings.simulated?.seed ?? 1,
        interval: intervalMs / 1000,
        logger: options.logger,
        ...(settings.simulated?.requestsPerSecond
          ? { world: { serviceRatePerSecond: settings.simulated.requestsPerSecond } }
          : {}),
        ...options.simulation,
      });
  }
}
