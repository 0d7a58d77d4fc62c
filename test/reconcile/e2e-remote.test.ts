/**
 * End to end through the `tollgate reconcile` command against a real git smart-HTTP remote: a tick
 * with `--once` clones the remote and finds nothing to do; a person pushes two new releases; the
 * command runs as a loop (`--interval 1s`, its own process, the simulated cluster and telemetry
 * living as long as it does) until one release is promoted and the other rolled back; a last
 * `--once` tick finds nothing more to do. A fresh `git clone` by plain git
 * must then read well: subjects, reasons, evidence, trailers, and the files they describe.
 *
 * The command's clock is the real one, so the environments here count in seconds. Nothing is timed:
 * the test waits for outcomes, with a generous cap.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { evidencePath } from "../../src/model/evidence.ts";
import { shortDigest } from "../../src/model/artifact-digest.ts";
import type { Release, Status } from "../../src/model/types.ts";
import { gitCli, hasGit, requireGit } from "../support/git-http/repos.ts";
import { artifactOf, type FleetOptions } from "../support/reconcile/fleet.ts";
import { historyViolations, readDecisions } from "../support/reconcile/history.ts";
import { gitAsync, type RemoteFleet, startRemoteFleet } from "../support/reconcile/remote-fleet.ts";
import { runCli } from "../support/run-cli.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

/** A fast environment on the real clock: 1 s intervals, steps of a few seconds. */
function fastEnvironment(name: string, services: string[], extra: Partial<FleetOptions> = {}): FleetOptions {
  return {
    name,
    services,
    telemetry: {
      source: "simulated",
      interval: "1s",
      missingGrace: "20s",
      missingLimit: "1m",
      simulated: { seed: 5, requestsPerSecond: 1000 },
    },
    steps: [
      { weight: 20, minDuration: "3s", maxDuration: "8s" },
      { weight: 100, minDuration: "3s", maxDuration: "8s" },
    ],
    analysisMinDuration: "6s",
    freezeAfterRollback: "10m",
    ...extra,
  };
}

const HEALTHY = { environment: "canary", service: "support-agent" };
// Every canary in `strict` overspends its deploy budget of 50 cents within seconds: rolled back.
const DOOMED = { environment: "strict", service: "retrieval-api" };
const SETTLE_CAP_MS = 120_000;

describe("tollgate reconcile end to end against a git http-backend remote", () => {
  let fleet: RemoteFleet;
  let loop: ChildProcess | undefined;

  before(async () => {
    if (!hasGit()) return;
    fleet = await startRemoteFleet([
      fastEnvironment(HEALTHY.environment, [HEALTHY.service]),
      fastEnvironment(DOOMED.environment, [DOOMED.service], { budgets: { spendPerDeployUsd: 0.5 } }),
    ]);
  });
  after(async () => {
    if (loop && loop.exitCode === null) loop.kill("SIGKILL");
    await fleet?.close();
  });

  it("promotes one release and rolls back another, and plain git log tells the story", async (t) => {
    if (!requireGit(t)) return;
    const workdir = join(fleet.root, "reconciler");
    const env = {
      ...process.env,
      TOLLGATE_LOG_LEVEL: "info",
      TOLLGATE_GIT_AUTHOR_NAME: "tollgate-e2e",
      TOLLGATE_GIT_AUTHOR_EMAIL: "tollgate-e2e@example.com",
    };
    const good = artifactOf(HEALTHY.service, 2);
    const bad = artifactOf(DOOMED.service, 2);
    const before = { good: artifactOf(HEALTHY.service, 1), bad: artifactOf(DOOMED.service, 1) };
    const once = (args: string[] = []) =>
      runCli(["reconcile", "--repo", fleet.url, "--workdir", workdir, "--simulate", "--once", ...args], {
        cwd: fleet.root,
        env: { ...env, TOLLGATE_LOG_LEVEL: "silent" },
      });

    // One tick over a steady state: the remote is cloned, nothing is decided, nothing is pushed.
    const seeded = fleet.head();
    const idle = await once();
    assert.equal(idle.code, 0, idle.stderr);
    assert.match(
      idle.stdout,
      /^0 decision\(s\) committed; 2 service\(s\) applied to 2\/2 cluster target\(s\); head [0-9a-f]{12}/m,
    );
    assert.equal(fleet.head(), seeded);

    await fleet.propose([HEALTHY.service], 2, {
      environment: HEALTHY.environment,
      message: `Release ${HEALTHY.service} 2.0 to ${HEALTHY.environment}`,
    });
    await fleet.propose([DOOMED.service], 2, {
      environment: DOOMED.environment,
      message: `Release ${DOOMED.service} 2.0 to ${DOOMED.environment}`,
    });

    // The loop runs both rollouts. (It must start them itself: the simulated cluster lives as long
    // as the process does, and a rollout whose canary the simulation never saw deployed has no
    // canary telemetry to judge.)
    loop = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, "bin/tollgate.js"),
        "reconcile",
        "--repo",
        fleet.url,
        "--workdir",
        workdir,
        "--simulate",
        "--interval",
        "1s",
        "--listen",
        "0",
      ],
      { cwd: fleet.root, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let logs = "";
    loop.stdout!.on("data", (c: Buffer) => {
      logs += c.toString();
    });
    loop.stderr!.on("data", (c: Buffer) => {
      logs += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => loop!.on("exit", (code) => resolve(code)));
    const settled = await waitFor(SETTLE_CAP_MS, () => {
      const actions = readDecisions(fleet.bare).map((d) => `${d.environment}/${d.service}:${d.action}`);
      return actions.includes("canary/support-agent:promote") && actions.includes("strict/retrieval-api:rollback");
    });
    loop.kill("SIGTERM");
    const code = await exited;
    assert.ok(
      settled,
      `not settled within ${SETTLE_CAP_MS / 1000}s; decisions: ${gitCli(fleet.bare, "log", "--format=%s", "main")}\nlogs:\n${logs.slice(-4000)}`,
    );
    assert.equal(code, 0, `the loop stops cleanly on SIGTERM\n${logs.slice(-2000)}`);
    const events = logs
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map(
        (l) =>
          JSON.parse(l) as {
            event?: string;
            environment?: string;
            service?: string;
            action?: string;
            commit?: string;
            reasons?: string[];
          },
      );
    const decided = events.filter((e) => e.event === "decision");
    assert.ok(
      decided.some(
        (e) =>
          e.environment === "canary" &&
          e.service === "support-agent" &&
          e.action === "promote" &&
          /^[0-9a-f]{40}$/.test(e.commit ?? ""),
      ),
      "one JSON log event per decision",
    );
    assert.ok(
      decided.some(
        (e) => e.environment === "strict" && e.action === "rollback" && e.reasons?.includes("budgets.deploy_spend"),
      ),
    );

    // A further tick over the settled state decides nothing and pushes nothing.
    const settledHead = fleet.head();
    const again = await once();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^0 decision\(s\) committed/m);
    assert.equal(fleet.head(), settledHead);

    // A fresh clone by plain git, over the same HTTP remote.
    const clone = join(fleet.root, "auditor");
    await gitAsync(fleet.root, "clone", "-q", fleet.url, clone);
    gitCli(clone, "fsck", "--strict", "--no-progress");
    const oneline = gitCli(clone, "log", "--format=%s");
    const subjects = oneline.trim().split("\n").reverse();
    const arrow = (from: string, to: string) => `${shortDigest(from)} → ${shortDigest(to)}`;
    const expected = {
      start: `advance(canary/support-agent): ${arrow(before.good.digest, good.digest)}`,
      promote: `promote(canary/support-agent): ${arrow(before.good.digest, good.digest)}`,
      rollback: `rollback(strict/retrieval-api): ${arrow(bad.digest, before.bad.digest)}`,
    };
    for (const subject of Object.values(expected))
      assert.ok(subjects.includes(subject), `git log lacks "${subject}":\n${oneline}`);
    assert.ok(subjects.indexOf(expected.start) < subjects.indexOf(expected.promote));
    assert.deepEqual(
      subjects.filter((s) => s.includes("canary/support-agent")).map((s) => s.split("(")[0]),
      ["advance", "advance", "promote"],
      `the healthy rollout is start, step 2, promote:\n${oneline}`,
    );
    assert.equal(subjects.filter((s) => /^(promote|rollback)\(strict/.test(s)).length, 1);
    assert.match(
      oneline,
      /^Release support-agent 2\.0 to canary$/m,
      "the person's commits stay in the history, unchanged",
    );

    // Every decision commit, as git itself parses it.
    const promote = gitCli(clone, "log", "-1", "--format=%B", `--grep=^promote(canary`);
    assert.match(
      promote,
      /^promote\(canary\/support-agent\): [0-9a-f]{12} → [0-9a-f]{12}\n\n.+\n/,
      "subject, blank line, one line of why",
    );
    assert.match(promote, /^Artifact diff [0-9a-f]{12} → [0-9a-f]{12} \(1 of 5 parts changed\):$/m);
    assert.match(promote, /^- code: /m);
    const rollback = gitCli(clone, "log", "-1", "--format=%B", "--grep=^rollback(strict");
    assert.match(rollback, /^deploy spend \$[\d.]+ is over the budget of \$0\.50* per deploy$/m);
    // The spend check needs no analysis: under load the first tick after the start may come while
    // the error-rate stream is still in its warm-up, and then its line says so.
    assert.match(rollback, /^Evidence:\n- error_rate: baseline ([\d.]+%|no data), canary ([\d.]+%|no data)/m);
    assert.match(rollback, /^Reasons:\n- budgets\.deploy_spend: /m);
    for (const grep of ["^promote(canary", "^rollback(strict"]) {
      const trailers = gitCli(clone, "log", "-1", "--format=%(trailers:only=true,unfold=true)", `--grep=${grep}`);
      for (const key of [
        "Tollgate-Decision",
        "Tollgate-Environment",
        "Tollgate-Service",
        "Tollgate-Artifact",
        "Tollgate-Policy",
        "Tollgate-Evidence",
        "Tollgate-Idempotency-Key",
      ]) {
        assert.match(trailers, new RegExp(`^${key}: \\S+$`, "m"), `${grep}: git finds the ${key} trailer\n${trailers}`);
      }
      // The evidence the trailer names is in the commit, under its digest.
      const evidence = /^Tollgate-Evidence: (\S+)$/m.exec(trailers)![1]!;
      const commit = gitCli(clone, "log", "-1", "--format=%H", `--grep=${grep}`).trim();
      const document = JSON.parse(gitCli(clone, "show", `${commit}:${evidencePath(evidence)}`)) as {
        decidedOn: string;
        decision: { action: string };
      };
      // Decided on the commit's parent, or on an earlier head when another decision of the same
      // tick was committed first (the second is then written on top of the first).
      const parent = gitCli(clone, "rev-parse", `${commit}^`).trim();
      if (document.decidedOn !== parent) {
        gitCli(clone, "merge-base", "--is-ancestor", document.decidedOn, parent);
        assert.match(gitCli(clone, "log", "-1", "--format=%s", parent), /^\w+\(/, "the commit between is a decision");
      }
      assert.equal(document.decision.action, grep.slice(1, grep.indexOf("(")));
    }
    assert.match(
      gitCli(clone, "log", "-1", "--format=%an <%ae>", "--grep=^promote(canary"),
      /^tollgate-e2e <tollgate-e2e@example\.com>$/m,
      "the configured identity signs decisions",
    );
    assert.deepEqual(historyViolations(clone), []);

    // The files in the clone say what the decisions say.
    const read = async <T>(path: string) => parse(await readFile(join(clone, path), "utf8")) as T;
    const goodStatus = await read<Status>("environments/canary/status/support-agent.yaml");
    const goodRelease = await read<Release>("environments/canary/releases/support-agent.yaml");
    assert.equal(goodStatus.phase, "promoted");
    assert.equal(goodStatus.liveDigest, good.digest);
    assert.equal(goodRelease.lastGood?.digest, good.digest);
    const badStatus = await read<Status>("environments/strict/status/retrieval-api.yaml");
    const badRelease = await read<Release>("environments/strict/releases/retrieval-api.yaml");
    assert.equal(badStatus.phase, "rolled-back");
    assert.equal(badRelease.artifact.digest, before.bad.digest, "the pointer flipped back to the last good artifact");
    assert.equal(badStatus.rejected?.at(-1)?.digest, bad.digest);
    assert.ok(existsSync(join(clone, evidencePath(badStatus.lastDecision!.evidence!))));
  });
});

async function waitFor(capMs: number, done: () => boolean): Promise<boolean> {
  const until = Date.now() + capMs;
  while (Date.now() < until) {
    if (done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return done();
}
