/**
 * A reconciler's cold start, in a fresh process: from the process's start to the desired state of
 * the whole repository read and validated, and then to the policy compiled (ready to decide).
 * Prints one JSON line (ColdStart) on stdout.
 *
 *   node --import tsx bench/support/reconcile-cold-start.ts '<ColdStartRequest as JSON>'
 */
import { GitRepo } from "../../src/gitops/index.ts";
import { loadRepository } from "../../src/model/repository.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { PolicyAtHead } from "../../src/policy/cache.ts";

export interface ColdStartRequest {
  repository: string;
}

export interface ColdStart {
  /** Process start to tollgate's modules loaded. */
  importedMs: number;
  /** ...to the desired state read and validated. */
  loadedMs: number;
  /** ...to the policy compiled: ready for the first tick. */
  readyMs: number;
  cpuMs: number;
  files: number;
  maxRssKiB: number;
}

const importedMs = performance.now();
const request = JSON.parse(process.argv[2]!) as ColdStartRequest;
const repo = await GitRepo.open(request.repository);
const tree = repo.treeAt((await repo.head())!);
const loaded = await loadRepository(tree);
if (loaded.problems.length > 0) throw new Error(`bench repository has problems: ${loaded.problems[0]!.message}`);
const loadedMs = performance.now();
await new PolicyAtHead(new PolicyLoader()).load(tree);
const readyMs = performance.now();
const cpu = process.cpuUsage();
const result: ColdStart = {
  importedMs,
  loadedMs,
  readyMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  files: loaded.filesRead,
  maxRssKiB: process.resourceUsage().maxRSS,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
