/** What a guardrail print(...)s during a tick goes to the reconciler's debug log, with its service and decision. */
import assert from "node:assert/strict";
import { test } from "node:test";
import pino from "pino";
import { GitRepo } from "../../src/gitops/index.ts";
import { PolicyAtHead } from "../../src/policy/cache.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { Reconciler } from "../../src/reconcile/reconciler.ts";
import { SimulatedWorld } from "../../src/reconcile/simulation.ts";
import { requireGit } from "../support/git-http/repos.ts";
import { serviceNames } from "../support/reconcile/fleet.ts";
import { localFleet } from "../support/reconcile/local-fleet.ts";
import { TestClock } from "../support/reconcile/remote-fleet.ts";

test("print in a guardrail: a debug log line naming environment, service, policy and action", async (t) => {
  if (!requireGit(t)) return;
  const [service] = serviceNames(1);
  const printing = [
    "package tollgate.gates",
    "",
    "import rego.v1",
    "",
    "violations contains v if {",
    `  input.service == "${service}"`,
    '  print("checking", input.service)',
    "  false",
    '  v := {"rule": "gates.never", "effect": "hold", "message": "", "values": {}}',
    "}",
    "",
  ].join("\n");
  const fleet = await localFleet({ services: [service!] }, { "policies/printing.rego": printing });
  try {
    await fleet.propose([service!], 2);
    const clock = new TestClock();
    const world = new SimulatedWorld({ seed: 3 });
    const repo = await GitRepo.open(fleet.dir, {
      clock: clock.read,
      identity: { name: "tollgate", email: "tollgate@example.com" },
    });
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: "debug" },
      { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) },
    );
    const reconciler = new Reconciler({
      repo,
      policies: new PolicyAtHead(new PolicyLoader()),
      telemetry: async (e) => world.telemetry(e),
      clusters: () => world.cluster,
      clock: clock.read,
      logger,
    });
    const result = await reconciler.tick();
    assert.deepEqual(result.errors, []);
    const printed = lines.filter((l) => l.event === "policy_print");
    assert.ok(printed.length >= 1, "the print reached the log");
    const [first] = printed;
    assert.equal(first?.msg, `checking ${service}`);
    assert.equal(first?.service, service);
    assert.equal(first?.level, 20);
    assert.equal(typeof first?.environment, "string");
    assert.match(String(first?.policy), /^sha256:/);
    assert.equal(typeof first?.action, "string");
  } finally {
    await fleet.cleanup();
  }
});
