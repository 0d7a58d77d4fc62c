/**
 * Runs test entrypoints of one compiled bundle off the main thread, so that `policy test
 * --timeout` can stop a test that loops (Wasm cannot be interrupted otherwise): the runner
 * terminates this worker and starts a new one for the tests after it.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { PolicyBundle } from "./bundle.ts";
import { PolicyLoader } from "./loader.ts";

export interface WorkerJob {
  bundle: PolicyBundle;
  maxMemoryPages?: number;
  /** Entrypoints to evaluate, in order. */
  entrypoints: string[];
}

export type WorkerMessage =
  | { type: "start"; index: number }
  | {
      type: "done";
      index: number;
      value?: unknown;
      error?: string;
      output: string[];
      durationNs: number;
      /** Coverage builds: the lines evaluated so far in this worker (see LoadedBundle.coverage). */
      coverage?: Uint8Array;
    };

async function run(job: WorkerJob): Promise<void> {
  const loader = new PolicyLoader(job.maxMemoryPages === undefined ? {} : { maxMemoryPages: job.maxMemoryPages });
  const loaded = await loader.load(job.bundle);
  job.entrypoints.forEach((entrypoint, index) => {
    parentPort?.postMessage({ type: "start", index } satisfies WorkerMessage);
    const output: string[] = [];
    const started = process.hrtime.bigint();
    let message: WorkerMessage;
    try {
      const value = loaded.evaluate(entrypoint, undefined, { print: (line) => output.push(line) });
      message = { type: "done", index, value, output, durationNs: Number(process.hrtime.bigint() - started) };
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      message = { type: "done", index, error: text, output, durationNs: Number(process.hrtime.bigint() - started) };
    }
    const coverage = loaded.coverage();
    parentPort?.postMessage(coverage ? { ...message, coverage } : message);
  });
}

if (parentPort) await run(workerData as WorkerJob);
