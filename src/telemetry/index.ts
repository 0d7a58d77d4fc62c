/**
 * telemetry: the interval record format and its sources (Prometheus, recorded files, simulation);
 * `createTelemetrySource` picks an environment's.
 */
export { createTelemetrySource } from "./factory.ts";
export { recordWindow } from "./recorder.ts";
export type {
  Arm,
  Histogram,
  HistogramBuckets,
  IntervalRecord,
  ScenarioHeader,
} from "./records.ts";
export { listScenarioFiles, openScenarioFile } from "./scenario-file.ts";
export type { BehaviourProfile } from "./simulated/profiles.ts";
export { SimulatedSource } from "./simulated-source.ts";
export type { SignalProblem, TelemetrySource } from "./source.ts";
