/**
 * Decision-commit latency as the repository grows: a small repository (the baseline, measured in the
 * same run) against 10k and 100k files. For each size: reading the whole desired state at HEAD
 * (cold: every file parsed), writing one decision commit with its compare-and-swap ref update (plain
 * and durable), a batch of decisions under one ref update (one pack, as the reconciler writes a
 * tick), reading the state again with warm caches, cloning from a git http-backend remote, pushing
 * one decision with a lease, and the reconciler's whole round.
 *
 *   npm run bench:git                 # sizes 10000 and 100000
 *   npm run bench:git -- --sizes 10000 --commits 20
 *
 * Repositories are generated with `git fast-import` (the benchmark may use the git CLI; src/ never does).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { commitDecisionWithRetry, type HeadState } from "../src/reconcile/transaction.ts";
import type { DecisionChange } from "../src/gitops/decision-commit.ts";
import { writeDecisionCommit } from "../src/gitops/decision-commit.ts";
import { pushWithLease } from "../src/git/push.ts";
import { GitRepo } from "../src/gitops/repo.ts";
import { parseCache } from "../src/model/parse-cache.ts";
import { loadRepository } from "../src/model/repository.ts";
import { decisionAt } from "../test/gitops/fixtures.ts";
import { buildRepository, serviceNames } from "./support/git-repository.ts";
import { startGitHttpServer } from "../test/support/git-http/server.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    commits: { type: "string", default: "30" },
    batch: { type: "string", default: "100" },
    json: { type: "boolean", default: false },
  },
});
const sizes = values.sizes.split(",").map(Number);
const commits = Number(values.commits);
const batch = Number(values.batch);

/** Services per environment in the generated repositories (3 environments, 2 files each). */
const SERVICES = 1000;

interface Row {
  files: number;
  services: number;
  buildMs: number;
  loadStateMs: number;
  commitMedianMs: number;
  commitP95Ms: number;
  durableCommitMedianMs: number;
  batchPerDecisionMs: number;
  loadStateWarmMs: number;
  cloneMs: number;
  pushMedianMs: number;
  roundMedianMs: number;
}

const root = await mkdtemp(join(tmpdir(), "tollgate-bench-git-"));
const server = await startGitHttpServer({ root });
try {
  const rows: Row[] = [];
  rows.push(await measure("baseline", 0));
  for (const size of sizes) rows.push(await measure(`files-${size}`, size));
  report(rows);
} finally {
  await server.close();
  await rm(root, { recursive: true, force: true });
}

async function measure(name: string, files: number): Promise<Row> {
  const bare = join(root, `${name}.git`);
  const started = performance.now();
  const services = files === 0 ? 0 : SERVICES;
  await buildRepository(bare, { files, services });
  const buildMs = performance.now() - started;
  const fileCount = Number(
    spawnSync("git", ["-C", bare, "ls-tree", "-r", "--name-only", "main"], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
    }).stdout.split("\n").length - 1,
  );

  let minute = 0;
  const clock = () => new Date(Date.UTC(2026, 10, 20, 10, 0, minute++));
  const repo = await GitRepo.open(bare, { clock });
  const loadStart = performance.now();
  const head = await headState(repo, null);
  const loadStateMs = performance.now() - loadStart;
  // What a running reconciler has: every file of the head parsed once (sizes share no parses).
  parseCache.clear();
  await repo.stateAt(head.commit!);
  if (head.loaded.problems.length > 0)
    throw new Error(`generated repository has problems: ${head.loaded.problems[0]!.message}`);
  const targets = services === 0 ? ["support-agent"] : serviceNames(services);

  // One decision, one ref update: the reconciler's unit of work.
  const single = async (target: GitRepo, index: number) => {
    const base = (await target.head())!;
    const change = decisionFor(head, targets[index % targets.length]!, index);
    const t0 = performance.now();
    const written = await writeDecisionCommit(target, base, change);
    await target.updateBranch(base, written.commit);
    return performance.now() - t0;
  };
  const plain: number[] = [];
  for (let i = 0; i < commits; i++) plain.push(await single(repo, i));
  const durableRepo = await GitRepo.open(bare, { clock, durable: true });
  const durable: number[] = [];
  for (let i = 0; i < Math.min(commits, 10); i++) durable.push(await single(durableRepo, commits + i));

  // A tick's worth of decisions as one chain of commits under one ref update, the way the reconciler
  // writes them: one object batch, stored as one pack before the branch moves.
  const batchBase = (await repo.head())!;
  const batchStart = performance.now();
  let tip = batchBase;
  const objects = repo.store.batch();
  for (let i = 0; i < batch; i++)
    tip = (await writeDecisionCommit(repo, tip, decisionFor(head, targets[i % targets.length]!, 10_000 + i), objects))
      .commit;
  await objects.flush();
  await repo.updateBranch(batchBase, tip);
  const batchPerDecisionMs = (performance.now() - batchStart) / batch;

  // The state again, as on the next tick: files parsed before (or written by the batch) come from the parse cache.
  const warmStart = performance.now();
  await repo.stateAt(tip);
  const loadStateWarmMs = performance.now() - warmStart;

  // Publishing: clone over HTTP, then one commit pushed with a lease.
  const cloneStart = performance.now();
  const clone = await GitRepo.clone(join(root, `${name}.clone`), { clock, remote: { url: server.url(`${name}.git`) } });
  const cloneMs = performance.now() - cloneStart;
  const pushes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const base = (await clone.head())!;
    const written = await writeDecisionCommit(clone, base, decisionFor(head, targets[i % targets.length]!, 20_000 + i));
    await clone.updateBranch(base, written.commit);
    const t0 = performance.now();
    await pushWithLease(clone, base);
    pushes.push(performance.now() - t0);
  }
  // The whole round the reconciler makes: sync, load, decide, commit, push.
  const rounds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const outcome = await commitDecisionWithRetry(clone, (h) =>
      decisionFor(h, targets[i % targets.length]!, 30_000 + i),
    );
    if (outcome.kind !== "committed") throw new Error(`round did not commit: ${outcome.kind}`);
    rounds.push(performance.now() - t0);
  }
  await rm(join(root, `${name}.clone`), { recursive: true, force: true });
  await rm(bare, { recursive: true, force: true });
  return {
    files: fileCount,
    services: services * 3 || 6,
    buildMs,
    loadStateMs,
    commitMedianMs: quantile(plain, 0.5),
    commitP95Ms: quantile(plain, 0.95),
    durableCommitMedianMs: quantile(durable, 0.5),
    batchPerDecisionMs,
    loadStateWarmMs,
    cloneMs,
    pushMedianMs: quantile(pushes, 0.5),
    roundMedianMs: quantile(rounds, 0.5),
  };
}

/** The state at the head; `cache: null` parses every file (the first load of a process). */
async function headState(repo: GitRepo, cache?: null): Promise<HeadState> {
  const commit = (await repo.head())!;
  const tree = repo.treeAt(commit);
  const loaded = await loadRepository(tree, cache === null ? { cache: null } : {});
  return { commit, tree, loaded, attempt: 1, sync: { head: commit, publishedPending: null, discarded: null } };
}

/** An "advance" of `service` in staging with a distinct step, so every decision has its own key. */
function decisionFor(head: HeadState, service: string, n: number): DecisionChange {
  return decisionAt(head, {
    environment: "staging",
    service,
    action: "advance",
    step: n,
    at: new Date(Date.UTC(2026, 10, 20, 10, 0, n % 60)).toISOString().replace(".000", ""),
  });
}

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function report(rows: Row[]): void {
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const base = rows[0]!;
  const fmt = (ms: number, baseMs: number, isBase: boolean) =>
    isBase ? `${ms.toFixed(1)} ms` : `${ms.toFixed(1)} ms (×${(ms / baseMs).toFixed(2)})`;
  console.log(
    `decision commit latency (isomorphic-git, ${commits} single commits per size, batch of ${batch}); ratios are to the baseline repository of the same run\n`,
  );
  for (const row of rows) {
    const isBase = row === base;
    console.log(
      `${isBase ? "baseline" : "repository"}: ${row.files} files, ${row.services} services (generated in ${(row.buildMs / 1000).toFixed(1)} s)`,
    );
    console.log(`  load desired state (cold)    ${fmt(row.loadStateMs, base.loadStateMs, isBase)}`);
    console.log(
      `  one decision commit (median) ${fmt(row.commitMedianMs, base.commitMedianMs, isBase)}   p95 ${row.commitP95Ms.toFixed(1)} ms`,
    );
    console.log(`  same, durable (fsync)        ${fmt(row.durableCommitMedianMs, base.durableCommitMedianMs, isBase)}`);
    console.log(`  per decision, batch (1 pack) ${fmt(row.batchPerDecisionMs, base.batchPerDecisionMs, isBase)}`);
    console.log(`  load state again (warm)      ${fmt(row.loadStateWarmMs, base.loadStateWarmMs, isBase)}`);
    console.log(`  clone over HTTP              ${fmt(row.cloneMs, base.cloneMs, isBase)}`);
    console.log(`  push one decision (median)   ${fmt(row.pushMedianMs, base.pushMedianMs, isBase)}`);
    console.log(
      `  full round (median of 3)     ${fmt(row.roundMedianMs, base.roundMedianMs, isBase)}   sync + load + decide + commit + push`,
    );
  }
}
