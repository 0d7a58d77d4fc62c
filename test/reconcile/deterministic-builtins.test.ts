/**
 * A guardrail that reads the clock (time.now_ns) and draws a random number (rand.intn) gives the
 * same decision in reconcile and when audit re-derives it: the clock is the decision's recorded
 * `now`, the random draw is recorded in the evidence and replayed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { auditHistory } from "../../src/audit/audit.ts";
import { GitRepo, readEvidence } from "../../src/gitops/index.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { PolicyAtHead } from "../../src/policy/cache.ts";
import { Reconciler } from "../../src/reconcile/reconciler.ts";
import { SimulatedWorld } from "../../src/reconcile/simulation.ts";
import { requireGit } from "../support/git-http/repos.ts";
import { serviceNames } from "../support/reconcile/fleet.ts";
import { readDecisions } from "../support/reconcile/history.ts";
import { localFleet } from "../support/reconcile/local-fleet.ts";
import { quietLogger, TestClock } from "../support/reconcile/remote-fleet.ts";

test("time.now_ns and rand.intn in a guardrail: the same decision in reconcile and in audit", async (t) => {
  if (!requireGit(t)) return;
  const [service] = serviceNames(1);
  const clockRule = [
    "package tollgate.gates",
    "",
    "import rego.v1",
    "",
    "violations contains v if {",
    `  input.service == "${service}"`,
    "  v := {",
    '    "rule": "gates.clock",',
    '    "effect": "hold",',
    '    "message": sprintf("held at %d ns, draw %d", [time.now_ns(), rand.intn("draw", 1000000000)]),',
    '    "values": {},',
    "  }",
    "}",
    "",
  ].join("\n");
  const fleet = await localFleet({ services: [service!] }, { "policies/clock.rego": clockRule });
  try {
    await fleet.propose([service!], 2);
    const clock = new TestClock();
    const world = new SimulatedWorld({ seed: 3 });
    const repo = await GitRepo.open(fleet.dir, {
      clock: clock.read,
      identity: { name: "tollgate", email: "tollgate@example.com" },
    });
    const reconciler = new Reconciler({
      repo,
      policies: new PolicyAtHead(new PolicyLoader()),
      telemetry: async (e) => world.telemetry(e),
      clusters: () => world.cluster,
      clock: clock.read,
      logger: quietLogger,
    });
    const result = await reconciler.tick();
    assert.deepEqual(result.errors, []);
    const [held] = readDecisions(fleet.dir).filter((d) => d.service === service);
    assert.ok(held, "the clock rule's hold was committed");
    const nowNs = BigInt(clock.read().getTime()) * 1_000_000n;
    assert.match(held.body, new RegExp(`held at ${nowNs} ns, draw \\d+`), "time.now_ns is the decision's clock");
    const evidence = (await readEvidence(repo.treeAt(held.commit), held.evidence)).document as {
      policy: { nondeterministic?: Record<string, Record<string, unknown>> };
    };
    const draws = evidence.policy.nondeterministic?.["rand.intn"];
    assert.ok(draws && Object.keys(draws).length === 1, "the draw is recorded in the evidence");

    // Audit later, with the wall clock elsewhere: the re-derived decision is the same.
    clock.advance(86_400);
    const report = await auditHistory(repo, { loader: new PolicyLoader() });
    assert.deepEqual(report.failures, []);
    assert.ok(report.decisions >= 1);
  } finally {
    await fleet.cleanup();
  }
});
