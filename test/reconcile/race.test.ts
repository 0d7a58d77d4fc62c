/**
 * Two reconcilers race on one git http-backend remote over 50 rollouts (10 services, 5 waves of new
 * releases, 3 bad ones a wave), each on its own clone, ticking at the same moments of one simulated
 * world while a person pushes the next wave and the server delays requests at random to widen
 * every race window. Whatever interleaving happens, the history must hold: no idempotency key twice,
 * every decision published on the head it was decided on, one outcome per rollout, and a final
 * state (git and cluster) that is exactly what the waves call for.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GitRepo } from "../../src/gitops/index.ts";
import type { Reconciler, TickResult } from "../../src/reconcile/reconciler.ts";
import { SimulatedWorld } from "../../src/reconcile/simulation.ts";
import { gitCli, hasGit, requireGit } from "../support/git-http/repos.ts";
import { artifactOf, FAST_ROLLOUT, FLEET_ENV, serviceNames } from "../support/reconcile/fleet.ts";
import { groupBy, historyViolations, readDecisions } from "../support/reconcile/history.ts";
import { fleetReconciler, type RemoteFleet, startRemoteFleet, TestClock } from "../support/reconcile/remote-fleet.ts";

const SERVICES = serviceNames(10);
const WAVES = 5;
const BAD_PER_WAVE = 3;
const TICK_SECONDS = 10;
const MAX_ROUNDS = 20 * WAVES;
/** Unmistakably bad (+25 points of errors): rolled back in its first step, whatever the interleaving. */
const BROKEN = { errorRateAdd: 0.25 };

/** The services whose release of this wave misbehaves (a different three each wave). */
function badIn(wave: number): Set<string> {
  return new Set(
    Array.from({ length: BAD_PER_WAVE }, (_, k) => SERVICES[(wave * BAD_PER_WAVE + k) % SERVICES.length]!),
  );
}

describe("two reconcilers racing on one remote", () => {
  let fleet: RemoteFleet;

  before(async () => {
    if (!hasGit()) return;
    fleet = await startRemoteFleet({ services: SERVICES, ...FAST_ROLLOUT });
  });
  after(async () => {
    await fleet?.close();
  });

  it("50 rollouts: no duplicate or conflicting decision, each decided on the head it was pushed onto, and the state converges", async (t) => {
    if (!requireGit(t)) return;
    const clock = new TestClock();
    const world = new SimulatedWorld({ seed: 17 });
    const retry = { backoffMs: 10, maxBackoffMs: 200, maxAttempts: 8 };
    const make = (name: string) =>
      fleetReconciler({
        url: fleet.url,
        workdir: join(fleet.root, name),
        world,
        clock: clock.read,
        identity: { name, email: `${name}@example.com` },
        retry,
        concurrency: 4,
      });
    const racers: Reconciler[] = [(await make("tollgate-a")).reconciler, (await make("tollgate-b")).reconciler];
    // Random small delays on the server: pushes and ref advertisements overlap far more often.
    fleet.onRequest = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 25));
    const state = await GitRepo.open(fleet.bare);

    const broken = new Set<string>();
    let wave = 0;
    let proposal: Promise<string> | undefined;
    const propose = () => {
      wave++;
      const bad = badIn(wave);
      for (const s of SERVICES) {
        const digest = artifactOf(s, wave + 1).digest;
        if (!bad.has(s)) continue;
        world.behaviour.set(digest, BROKEN);
        broken.add(`${s}@${digest}`);
      }
      return fleet.propose(SERVICES, wave + 1, {
        message: `Wave ${wave}: release version ${wave + 1} of every service`,
      });
    };
    /** Every service's release of this wave was promoted or rolled back, and nothing is in flight. */
    const settled = async () => {
      const { state: repoState } = await state.stateAt((await state.head())!);
      const env = repoState.environments.get(FLEET_ENV)!;
      return SERVICES.every((s) => {
        const status = env.statuses.get(s);
        const digest = artifactOf(s, wave + 1).digest;
        const ended = status?.liveDigest === digest || status?.rejected?.some((r) => r.digest === digest);
        return ended && status?.phase !== "progressing" && status?.liveDigest === env.releases.get(s)!.artifact.digest;
      });
    };

    const results: TickResult[] = [];
    proposal = propose();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // The person's push of a new wave lands while both reconcilers tick.
      const ticks = await Promise.all(racers.map((r) => r.tick()));
      if (proposal) {
        await proposal;
        proposal = undefined;
      }
      results.push(...ticks);
      for (const r of ticks) assert.deepEqual(r.errors, [], `round ${round}: ${JSON.stringify(r.errors)}`);
      clock.advance(TICK_SECONDS);
      if (await settled()) {
        if (wave === WAVES) break;
        proposal = propose();
      }
    }
    assert.equal(wave, WAVES, `every wave was proposed; history:\n${gitCli(fleet.bare, "log", "--format=%s", "main")}`);
    assert.ok(await settled(), `the last wave settled within ${MAX_ROUNDS} rounds`);
    // Once more, after everything settled: nothing left to decide.
    const idle = await Promise.all(racers.map((r) => r.tick()));
    assert.deepEqual(
      idle.map((r) => r.decisions.length),
      [0, 0],
    );

    // The history, as plain git reads it.
    gitCli(fleet.bare, "fsck", "--strict", "--no-progress");
    assert.deepEqual(historyViolations(fleet.bare), []);
    const decisions = readDecisions(fleet.bare);
    const outcomes = groupBy(
      decisions.filter((d) => d.action === "promote" || d.action === "rollback"),
      (d) => `${d.service}@${d.artifact}`,
    );
    assert.equal(outcomes.size, WAVES * SERVICES.length, "every rollout ended");
    // What should run now: per service, the last release that was promoted.
    const live = new Map(SERVICES.map((s) => [s, artifactOf(s, 1).digest]));
    let falseAlarms = 0;
    for (const [rollout, ends] of outcomes) {
      assert.equal(ends.length, 1, `${rollout} ended once, not ${ends.map((d) => d.action).join(", ")}`);
      const end = ends[0]!;
      if (broken.has(rollout)) assert.equal(end.action, "rollback", `a broken release is never promoted: ${end.body}`);
      else if (end.action === "rollback") {
        falseAlarms++;
        t.diagnostic(`healthy ${rollout} rolled back at ${end.commit}: ${end.body.split("\n")[2]}`);
      }
      if (end.action === "promote") live.set(end.service, end.artifact);
    }
    const starts = decisions.filter((d) => d.action === "advance" && d.step === undefined);
    assert.equal(starts.length, WAVES * SERVICES.length, "every rollout started once");

    // It was a race: both published decisions, and the remote moved under them.
    const authors = new Set(
      gitCli(fleet.bare, "log", "--format=%an", "--grep=^Tollgate-Decision:", "main").trim().split("\n"),
    );
    assert.deepEqual([...authors].sort(), ["tollgate-a", "tollgate-b"]);
    const contended = results.filter((r) => r.attempts > 1 || r.skipped > 0 || r.conflict).length;
    assert.ok(contended > 0, "at least one tick found the remote moved or its decision already made");
    t.diagnostic(
      `${decisions.length} decisions over ${results.length / 2} rounds; ${contended} ticks met the other reconciler (retried, skipped or gave up the tick); ${falseAlarms} healthy release(s) rolled back by the analysis`,
    );

    // Git and the cluster agree with what the waves called for.
    const { state: final } = await state.stateAt((await state.head())!);
    const env = final.environments.get(FLEET_ENV)!;
    for (const s of SERVICES) {
      assert.equal(env.releases.get(s)!.artifact.digest, live.get(s), `${s}: release`);
      assert.equal(env.statuses.get(s)!.liveDigest, live.get(s), `${s}: status`);
      const deployed = world.cluster.deployedVersions(FLEET_ENV, s);
      assert.deepEqual(deployed, { stableDigest: live.get(s), canaryWeight: 0 }, `${s}: cluster`);
    }
  });

  it("the history check itself catches a decision carried onto a head it never saw, and a repeated key", async (t) => {
    if (!requireGit(t)) return;
    const copy = join(fleet.root, "tampered");
    gitCli(fleet.root, "clone", "-q", fleet.bare, copy);
    const last = readDecisions(copy).at(-1)!;
    // What a rebasing reconciler would do: replay its decision on top of a newer head.
    gitCli(
      copy,
      "-c",
      "user.name=X",
      "-c",
      "user.email=x@example.com",
      "commit",
      "-q",
      "--allow-empty",
      "-m",
      "Someone else's change",
    );
    gitCli(
      copy,
      "-c",
      "user.name=X",
      "-c",
      "user.email=x@example.com",
      "cherry-pick",
      "--allow-empty",
      "--keep-redundant-commits",
      last.commit,
    );
    const problems = historyViolations(copy);
    assert.ok(
      problems.some((p) => p.includes(`repeats idempotency key ${last.idempotencyKey}`)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => p.includes(`was decided on ${last.decidedOn!.slice(0, 12)} but`)),
      problems.join("\n"),
    );
  });
});
