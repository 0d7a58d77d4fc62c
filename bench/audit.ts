/**
 * How long `tollgate audit` takes as a decision history grows, against the floor of merely reading
 * it: walking the history and reading and hashing every evidence document (the baseline, measured in
 * the same run). The history is made by the Reconciler over a simulated world: `--rounds` rollouts of
 * dev/support-agent, each a 2-point error-rate regression (advance, then rollback), the next one
 * proposed after the freeze.
 *
 *   npm run bench:audit                    # 20 rounds
 *   npm run bench:audit -- --rounds 50 --json
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { auditHistory } from "../src/audit/audit.ts";
import { GitRepo, listDecisionCommits, readEvidence } from "../src/gitops/index.ts";
import { readPolicySources } from "../src/policy/sources.ts";
import { buildBundle } from "../src/policy/bundle.ts";
import { PolicyLoader } from "../src/policy/loader.ts";
import { DECISION_ENTRYPOINT } from "../src/policy/types.ts";
import { PolicyAtHead } from "../src/policy/cache.ts";
import { Reconciler } from "../src/reconcile/reconciler.ts";
import { SimulatedWorld } from "../src/reconcile/simulation.ts";
import { PROFILES } from "../src/telemetry/simulated/profiles.ts";
import { exampleGitopsRepo, git, proposeRelease } from "../test/support/gitops-repo.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "20" },
    repeats: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const rounds = Number(values.rounds);
const repeats = Number(values.repeats);

const repo = await exampleGitopsRepo();
try {
  const built = performance.now();
  let now = new Date("2026-11-24T10:00:00Z");
  const world = new SimulatedWorld({ seed: 5 });
  const loader = new PolicyLoader();
  const gitRepo = await GitRepo.open(repo.dir, {
    clock: () => now,
    identity: { name: "tollgate", email: "tollgate@example.com" },
  });
  const reconciler = new Reconciler({
    repo: gitRepo,
    policies: new PolicyAtHead(loader),
    telemetry: async (e) => world.telemetry(e),
    clusters: () => world.cluster,
    clock: () => now,
    logger: pino({ level: "silent" }),
    environment: "dev",
    service: "support-agent",
  });
  for (let round = 0; round < rounds; round++) {
    git(repo.dir, "reset", "-q", "--hard", "main");
    const bad = await proposeRelease(repo.dir, "dev", "support-agent", (p) => ({
      ...p,
      prompts: { digest: `sha256:${(round + 1).toString(16).padStart(64, "a")}` },
    }));
    world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
    for (let tick = 0; tick < 60; tick++) {
      const result = await reconciler.tick();
      now = new Date(now.getTime() + 10_000);
      if (result.decisions.some((d) => d.change.action === "rollback")) break;
    }
    now = new Date(now.getTime() + 11 * 60_000); // past the freeze
  }
  const decisions = await listDecisionCommits(gitRepo);
  const buildMs = performance.now() - built;

  const time = async (task: () => Promise<unknown>) => {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      await task();
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };
  const readAll = async () => {
    for (const entry of await listDecisionCommits(gitRepo)) {
      const t = entry.decision?.trailers;
      if (t) JSON.parse(new TextDecoder().decode((await readEvidence(gitRepo.treeAt(entry.oid), t.evidence)).bytes));
    }
  };
  const sources = await readPolicySources("policies", { tests: false });
  const compileMs = await time(async () => buildBundle(sources, [DECISION_ENTRYPOINT], "policies/"));
  const readMs = await time(readAll);
  let failures = -1;
  const auditMs = await time(async () => {
    failures = (await auditHistory(gitRepo, { loader })).failures.length;
  });
  const row = {
    rounds,
    decisions: decisions.length,
    historyBuildMs: Math.round(buildMs),
    readEvidenceMs: Math.round(readMs),
    auditWarmMs: Math.round(auditMs),
    compileMs: Math.round(compileMs),
    auditPerDecisionMs: Number((auditMs / decisions.length).toFixed(1)),
    ratioToReading: Number((auditMs / readMs).toFixed(1)),
    failures,
  };
  if (values.json) console.log(JSON.stringify(row));
  else {
    console.log(
      `audit of ${row.decisions} decisions (${rounds} rollouts): ${row.auditWarmMs} ms with the policies already compiled (+${row.compileMs} ms for the one compile a fresh process adds)`,
    );
    console.log(
      `  ${row.auditPerDecisionMs} ms per decision; ${row.ratioToReading}× the ${row.readEvidenceMs} ms it takes just to read and hash every evidence document`,
    );
    console.log(`  failures: ${failures} (expected 0); history built in ${row.historyBuildMs} ms`);
  }
} finally {
  await repo.cleanup();
}
