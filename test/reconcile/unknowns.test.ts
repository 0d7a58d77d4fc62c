/**
 * What the reconciler does when it cannot know: telemetry that never arrives, and guardrails that
 * fail at run time. Unknown is never good: it holds (and the hold is recorded, with why), and it
 * never advances or promotes. Real git repositories on disk; telemetry and cluster stand in.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GitRepo } from "../../src/gitops/index.ts";
import type { Environment } from "../../src/model/types.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { ReconcilerMetrics } from "../../src/reconcile/metrics.ts";
import { PolicyAtHead } from "../../src/policy/cache.ts";
import { Reconciler, type TickResult } from "../../src/reconcile/reconciler.ts";
import { SimulatedWorld } from "../../src/reconcile/simulation.ts";
import type { TelemetrySource } from "../../src/telemetry/source.ts";
import { requireGit } from "../support/git-http/repos.ts";
import { artifactOf, FLEET_ENV, serviceNames } from "../support/reconcile/fleet.ts";
import { readDecisions } from "../support/reconcile/history.ts";
import { localFleet } from "../support/reconcile/local-fleet.ts";
import { quietLogger, sharedPolicies, TestClock } from "../support/reconcile/remote-fleet.ts";

/** A telemetry backend that answers, but has no series for the service (e.g. a scrape config never deployed). */
function silentTelemetry(environment: Environment): TelemetrySource {
  const interval = Number.parseInt(environment.telemetry.interval, 10);
  return {
    kind: "file",
    interval,
    fetch: async (request) => {
      const ends: number[] = [];
      for (let t = Math.floor(request.from / interval) * interval + interval; t <= request.to; t += interval)
        ends.push(t);
      return {
        interval,
        records: [],
        problems: (["canary", "baseline"] as const).flatMap((arm) =>
          (["requests", "errors"] as const).map((signal) => ({
            signal,
            arm,
            kind: "missing" as const,
            cause: "no-data" as const,
            reason: `no ${signal} series for ${request.service}`,
            intervals: ends,
          })),
        ),
      };
    },
  };
}

async function reconcilerOn(
  dir: string,
  clock: TestClock,
  options: { telemetry?: (e: Environment) => TelemetrySource; policies?: PolicyAtHead; world: SimulatedWorld },
) {
  const repo = await GitRepo.open(dir, {
    clock: clock.read,
    identity: { name: "tollgate", email: "tollgate@example.com" },
  });
  const reconciler = new Reconciler({
    repo,
    policies: options.policies ?? sharedPolicies,
    telemetry: async (e) => (options.telemetry ?? ((env) => options.world.telemetry(env)))(e),
    clusters: () => options.world.cluster,
    clock: clock.read,
    logger: quietLogger,
  });
  return { repo, reconciler };
}

/** The world's telemetry with the baseline gone from the first interval on (its series vanished). */
function baselineVanished(world: SimulatedWorld): (environment: Environment) => TelemetrySource {
  return (environment) => {
    const inner = world.telemetry(environment);
    return {
      kind: inner.kind,
      interval: inner.interval,
      fetch: async (request, options) => {
        const window = await inner.fetch(request, options);
        const ends = [...new Set(window.records.map((r) => r.t))];
        return {
          interval: window.interval,
          records: window.records.filter((r) => r.arm !== "baseline"),
          problems: [
            ...window.problems,
            ...(["requests", "errors"] as const).map((signal) => ({
              signal,
              arm: "baseline" as const,
              kind: "missing" as const,
              cause: "no-data" as const,
              reason: `no ${signal} series for the baseline of ${request.service}`,
              intervals: ends,
            })),
          ],
        };
      },
    };
  };
}

describe("unknown is never good", () => {
  it("telemetry that never arrives holds the rollout (recorded once it is overdue), never advances it, and rolls back at the limit", async (t) => {
    if (!requireGit(t)) return;
    const fleet = await localFleet({ services: ["quiet-agent"] });
    try {
      await fleet.propose(["quiet-agent"], 2);
      const clock = new TestClock();
      const world = new SimulatedWorld({ seed: 1 });
      const { reconciler } = await reconcilerOn(fleet.dir, clock, { telemetry: silentTelemetry, world });
      const ticks: { at: number; result: TickResult }[] = [];
      // missingGrace 1m, missingLimit 5m: tick every 10 s for 6 minutes.
      for (let second = 0; second <= 360; second += 10) {
        ticks.push({ at: second, result: await reconciler.tick() });
        clock.advance(10);
      }
      const decided = ticks.flatMap(({ at, result }) =>
        result.decisions.map((d) => ({
          at,
          action: d.change.action,
          rules: (d.change.reasons ?? []).map((r) => r.rule),
        })),
      );
      const summary = decided.map((d) => `${d.at}s ${d.action} ${d.rules.join(",")}`).join("\n");
      t.diagnostic(summary.replaceAll("\n", "; "));
      assert.equal(decided[0]?.action, "advance", summary);
      assert.equal(decided[0]?.at, 0, "starting a rollout needs no telemetry");
      const rest = decided.slice(1);
      assert.ok(
        !rest.some((d) => d.action === "advance" || d.action === "promote"),
        `nothing moves forward without telemetry:\n${summary}`,
      );
      const holds = rest.filter((d) => d.action === "hold");
      assert.ok(holds.length >= 1, `a hold is recorded:\n${summary}`);
      // Holds are news only when overdue: telemetry missing past its grace, or too little data past the step's cap.
      const overdue = (d: (typeof holds)[number]) =>
        (d.rules.includes("rollback.telemetry_missing_grace") && d.at > 60 && d.at <= 300) ||
        (d.rules.includes("rollback.insufficient_data") && d.at >= 60);
      assert.ok(holds.every(overdue), `holds name the missing telemetry, between grace and limit:\n${summary}`);
      const end = rest.at(-1)!;
      assert.equal(end.action, "rollback", `past the limit the policy rolls back:\n${summary}`);
      assert.ok(end.rules.includes("rollback.telemetry_missing_limit") && end.at > 300, summary);
      assert.deepEqual(world.cluster.deployedVersions(FLEET_ENV, "quiet-agent")?.canaryWeight, 0, "the canary is gone");

      // Plain git: no commit between the start and the first overdue hold (a routine wait is not news).
      const subjects = readDecisions(fleet.dir).map((d) => d.subject.split("(")[0]);
      assert.deepEqual(
        subjects,
        decided.map((d) => d.action),
      );
    } finally {
      await fleet.cleanup();
    }
  });

  it("a policy that fails at run time is no decision: logged as an error, nothing committed, never promotes", async (t) => {
    if (!requireGit(t)) return;
    const [healthy, broken] = serviceNames(2);
    // A second, conflicting value of the decision for one service: a run-time conflict error, in a
    // rule that would otherwise have promoted it straight away.
    const sabotage = `package tollgate\n\nimport rego.v1\n\ndecision := {"action": "promote", "mode": input.mode, "reasons": [], "violations": []} if input.service == "${broken}"\n`;
    const fleet = await localFleet({ services: [healthy!, broken!] }, { "policies/sabotage.rego": sabotage });
    try {
      await fleet.propose([healthy!, broken!], 2);
      const clock = new TestClock();
      const world = new SimulatedWorld({ seed: 2 });
      const { repo, reconciler } = await reconcilerOn(fleet.dir, clock, {
        world,
        policies: new PolicyAtHead(new PolicyLoader()),
      });
      const metrics = new ReconcilerMetrics();
      for (let second = 0; second <= 240; second += 10) {
        const result = await reconciler.tick();
        metrics.record(result);
        assert.equal(result.errors.length, 1, "one error per tick, for the broken service");
        const [error] = result.errors;
        assert.equal(error!.stage, "policy");
        assert.equal(error!.service, broken);
        assert.match(
          error!.message,
          /^the policy failed for .+, so nothing is decided or committed: .*eval_conflict_error: rule data\.tollgate\.decision produced conflicting values$/,
        );
        clock.advance(10);
      }
      assert.ok(metrics.policyFailingSince !== undefined, "the failure is tracked for /healthz");
      const counted = (await metrics.errors.get()).values.find((v) => v.labels.stage === "policy")?.value;
      assert.equal(counted, 25, "each failed tick is counted as a policy error");
      const decisions = readDecisions(fleet.dir);
      const summary = decisions.map((d) => d.subject).join("\n");
      assert.deepEqual(
        decisions.filter((d) => d.service === healthy).map((d) => d.action),
        ["advance", "advance", "promote"],
        `the other service is unaffected:\n${summary}`,
      );
      assert.deepEqual(
        decisions.filter((d) => d.service === broken),
        [],
        `no commit for a policy failure:\n${summary}`,
      );
      const head = await repo.head();
      const { state } = await repo.stateAt(head!);
      const status = state.environments.get(FLEET_ENV)!.statuses.get(broken!);
      assert.equal(status?.lastDecision, undefined, "no decision recorded in the status");
      assert.deepEqual(
        world.cluster.deployedVersions(FLEET_ENV, broken!),
        { stableDigest: artifactOf(broken!, 1).digest, canaryWeight: 0 },
        "no canary was ever started",
      );
    } finally {
      await fleet.cleanup();
    }
  });
  it("a step whose baseline vanished is never advanced or promoted, not even at its cap (issue 21, item 7)", async (t) => {
    if (!requireGit(t)) return;
    const fleet = await localFleet({ services: ["lonely-agent"] });
    try {
      await fleet.propose(["lonely-agent"], 2);
      const clock = new TestClock();
      const world = new SimulatedWorld({ seed: 4 });
      const { reconciler } = await reconcilerOn(fleet.dir, clock, { telemetry: baselineVanished(world), world });
      const decided: string[] = [];
      // The step's cap is 1m; missingLimit 5m: six minutes of ticks.
      for (let second = 0; second <= 360; second += 10) {
        const result = await reconciler.tick();
        for (const d of result.decisions)
          decided.push(`${second}s ${d.change.action} ${(d.change.reasons ?? []).map((r) => r.rule).join(",")}`);
        clock.advance(10);
      }
      t.diagnostic(decided.join("; "));
      assert.match(decided[0] ?? "", /^0s advance/);
      const later = decided.slice(1);
      assert.ok(
        later.every((d) => !/ (advance|promote) /.test(d)),
        `nothing moves forward without a baseline:\n${decided.join("\n")}`,
      );
      assert.ok(later.length > 0, "the hold or rollback is recorded");
    } finally {
      await fleet.cleanup();
    }
  });
  it("a last step whose telemetry went away as it began is never promoted, not even at its minimum", async (t) => {
    // Found by the fault suite (Prometheus down): at full weight nothing is judged against a
    // baseline, so with no canary data at all the backstops "held" and the last step promoted at
    // its minimum (20 s), well within the missing-data grace (1m).
    if (!requireGit(t)) return;
    const fleet = await localFleet({ services: ["lonely-agent"] });
    try {
      await fleet.propose(["lonely-agent"], 2);
      const clock = new TestClock();
      const world = new SimulatedWorld({ seed: 4 });
      let down = false;
      const telemetry = (environment: Environment): TelemetrySource => {
        const inner = world.telemetry(environment);
        return {
          kind: inner.kind,
          interval: inner.interval,
          fetch: (request, options) =>
            down ? silentTelemetry(environment).fetch(request, options) : inner.fetch(request, options),
        };
      };
      const { reconciler } = await reconcilerOn(fleet.dir, clock, { telemetry, world });
      const decided: string[] = [];
      for (let second = 0; second <= 240; second += 10) {
        const result = await reconciler.tick();
        for (const d of result.decisions) {
          decided.push(`${second}s ${d.change.action} ${(d.change.reasons ?? []).map((r) => r.rule).join(",")}`);
          if (d.change.action === "advance" && d.change.step === 0) down = true;
        }
        clock.advance(10);
      }
      t.diagnostic(decided.join("; "));
      assert.ok(down, `the rollout reached its last step:\n${decided.join("\n")}`);
      assert.ok(!decided.some((d) => / promote /.test(d)), `no promotion without canary data:\n${decided.join("\n")}`);
      assert.ok(
        decided.some((d) => /rollback\.(insufficient_data|telemetry_missing)/.test(d)),
        `the hold (or rollback) names the missing data:\n${decided.join("\n")}`,
      );
    } finally {
      await fleet.cleanup();
    }
  });
});
