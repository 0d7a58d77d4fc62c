/**
 * A reconciler run as a child process (test/support/reconcile/crash-child.ts) is killed with SIGKILL
 * at 14 moments of its work, and restarted each time: while deciding, while writing evidence, between
 * the commits of one batch, after committing before pushing, while re-publishing a pending commit,
 * in the middle of the push (killed by the server as the pack arrives), after pushing before
 * applying, between services while applying, after a whole tick before recording it, and after
 * committing while a person pushed meanwhile (the local commit must be dropped and decided again).
 * Rollouts of 4 services in waves go on across the crashes. Afterwards the history has every
 * decision exactly once, each on the head it was decided on, every rollout ended once, and git,
 * the reconciler's clone and the cluster agree.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GitRepo } from "../../src/gitops/index.ts";
import { gitCli, hasGit, requireGit } from "../support/git-http/repos.ts";
import type { CrashRunConfig, CrashRunSummary, KillPoint } from "../support/reconcile/crash-child.ts";
import { artifactOf, FAST_ROLLOUT, FLEET_ENV, serviceNames } from "../support/reconcile/fleet.ts";
import { groupBy, historyViolations, readDecisions } from "../support/reconcile/history.ts";
import { type RemoteFleet, START, startRemoteFleet } from "../support/reconcile/remote-fleet.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const SERVICES = serviceNames(4);
const MAX_WAVES = 6;
const CHILD = join(PROJECT_ROOT, "test/support/reconcile/crash-child.ts");

interface Crash {
  name: string;
  killAt?: { point: KillPoint; occurrence: number };
  /** The server kills the child when its push arrives, then serves the push anyway. */
  duringPush?: boolean;
  /** A person pushes while the killed reconciler is down. */
  thenPersonPushes?: boolean;
}

const CRASHES: Crash[] = [
  { name: "between two commits of one batch", killAt: { point: "commit-written", occurrence: 2 } },
  { name: "while writing evidence", killAt: { point: "evidence-written", occurrence: 1 } },
  { name: "after the trees, before the commit", killAt: { point: "objects-written", occurrence: 1 } },
  { name: "after committing, before pushing", killAt: { point: "ref-updated", occurrence: 1 } },
  { name: "while re-publishing the pending commit", killAt: { point: "before-push", occurrence: 1 } },
  { name: "in the middle of the push", duringPush: true },
  { name: "after pushing, before the tick goes on", killAt: { point: "pushed", occurrence: 1 } },
  { name: "after publishing, before applying", killAt: { point: "published", occurrence: 1 } },
  { name: "between services while applying", killAt: { point: "applied", occurrence: 2 } },
  { name: "while deciding (reading telemetry)", killAt: { point: "telemetry", occurrence: 2 } },
  { name: "right after fetching", killAt: { point: "fetched", occurrence: 2 } },
  { name: "after a whole tick, before recording it", killAt: { point: "tick-done", occurrence: 1 } },
  {
    name: "after committing, while a person pushes",
    killAt: { point: "ref-updated", occurrence: 1 },
    thenPersonPushes: true,
  },
  { name: "before the first commit of a tick", killAt: { point: "commit-written", occurrence: 1 } },
];

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe("a reconciler killed with SIGKILL and restarted", () => {
  let fleet: RemoteFleet;

  before(async () => {
    if (!hasGit()) return;
    fleet = await startRemoteFleet({ services: SERVICES, ...FAST_ROLLOUT });
  });
  after(async () => {
    await fleet?.close();
  });

  it(`dies at ${CRASHES.length} points; every decision is recorded exactly once and the state converges`, {
    timeout: 600_000,
  }, async (t) => {
    if (!requireGit(t)) return;
    const workdir = join(fleet.root, "reconciler");
    const stateFile = join(fleet.root, "clock.json");
    const broken: string[] = [];
    let wave = 0;
    const waveDigests = () => Object.fromEntries(SERVICES.map((s) => [s, artifactOf(s, wave + 1).digest]));
    const nextWave = async () => {
      wave++;
      // One broken release a wave, a different service each time.
      broken.push(artifactOf(SERVICES[wave % SERVICES.length]!, wave + 1).digest);
      await fleet.propose(SERVICES, wave + 1, {
        message: `Wave ${wave}: release version ${wave + 1} of every service`,
      });
    };

    let child: ReturnType<typeof spawn> | undefined;
    let killOnPush = false;
    fleet.onRequest = async (request) => {
      if (!killOnPush || request.method !== "POST" || request.service !== "git-receive-pack") return;
      killOnPush = false;
      child?.kill("SIGKILL");
      // Let the dying client's request body arrive (or not) before git sees it.
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    let runs = 0;
    const run = async (crash?: Crash): Promise<ChildResult> => {
      runs++;
      const config: CrashRunConfig = {
        url: fleet.url,
        workdir,
        stateFile,
        start: START.toISOString(),
        tickSeconds: 10,
        environment: FLEET_ENV,
        wave: waveDigests(),
        broken,
        seed: 23,
        maxTicks: 40,
        ...(crash?.killAt ? { killAt: crash.killAt } : {}),
      };
      const configFile = join(fleet.root, `run-${runs}.json`);
      await writeFile(configFile, JSON.stringify(config));
      killOnPush = crash?.duringPush === true;
      child = spawn(process.execPath, ["--import", "tsx", CHILD, configFile], {
        cwd: PROJECT_ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr!.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      return new Promise((resolve) => child!.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
    };

    await nextWave();
    const killed: string[] = [];
    for (const crash of CRASHES) {
      for (;;) {
        const result = await run(crash);
        if (result.signal === "SIGKILL") {
          killed.push(crash.name);
          if (crash.thenPersonPushes)
            await fleet.commitFile(
              "NOTES.md",
              `Notes written while the reconciler was down (${crash.name}).\n`,
              "Notes: the reconciler is down",
            );
          break;
        }
        assert.equal(result.code, 0, `run ${runs} (${crash.name}) failed:\n${result.stderr}${result.stdout}`);
        // The wave settled before this crash point came up: the next wave gives it another chance.
        assert.ok(wave < MAX_WAVES, `"${crash.name}" never came up in ${MAX_WAVES} waves`);
        await nextWave();
      }
    }
    const last = await run();
    assert.equal(last.code, 0, `the last run finishes the wave:\n${last.stderr}${last.stdout}`);
    const summary = JSON.parse(last.stdout) as CrashRunSummary;
    assert.deepEqual(
      killed,
      CRASHES.map((c) => c.name),
      "every crash happened",
    );
    t.diagnostic(`${killed.length} kills over ${runs} runs and ${wave} waves`);

    // The history.
    gitCli(fleet.bare, "fsck", "--strict", "--no-progress");
    assert.deepEqual(historyViolations(fleet.bare), []);
    const decisions = readDecisions(fleet.bare);
    const byRollout = groupBy(decisions, (d) => `${d.service}@${d.artifact}`);
    const live = new Map(SERVICES.map((s) => [s, artifactOf(s, 1).digest]));
    assert.equal(byRollout.size, wave * SERVICES.length, "every release of every wave was rolled out");
    for (const [rollout, list] of byRollout) {
      const actions = list.map((d) => (d.step === undefined ? d.action : `${d.action}@${d.step}`));
      assert.equal(
        list.filter((d) => d.action === "advance" && d.step === undefined).length,
        1,
        `${rollout} started once: ${actions}`,
      );
      const ends = list.filter((d) => d.action === "promote" || d.action === "rollback");
      assert.equal(ends.length, 1, `${rollout} ended once: ${actions}`);
      if (broken.includes(list[0]!.artifact))
        assert.equal(ends[0]!.action, "rollback", `a broken release is never promoted: ${actions}`);
      if (ends[0]!.action === "promote") live.set(list[0]!.service, list[0]!.artifact);
    }

    // Git, the reconciler's clone and the cluster agree.
    const bare = await GitRepo.open(fleet.bare);
    const head = (await bare.head())!;
    assert.equal(summary.head, head, "nothing is left pending in the reconciler's clone");
    assert.equal(await (await GitRepo.open(workdir)).head(), head);
    const { state } = await bare.stateAt(head);
    const env = state.environments.get(FLEET_ENV)!;
    for (const s of SERVICES) {
      assert.equal(env.releases.get(s)!.artifact.digest, live.get(s), `${s}: release`);
      assert.equal(env.statuses.get(s)!.liveDigest, live.get(s), `${s}: status`);
      assert.deepEqual(summary.deployed[s], { stableDigest: live.get(s), canaryWeight: 0 }, `${s}: cluster`);
    }
  });
});
