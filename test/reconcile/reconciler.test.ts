import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { auditHistory } from "../../src/audit/audit.ts";
import { loadRepository } from "../../src/model/repository.ts";
import type { Release } from "../../src/model/types.ts";
import type { EvidenceDocument } from "../../src/decision/evidence.ts";
import type { TickResult } from "../../src/reconcile/reconciler.ts";
import { PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { exampleGitopsRepo, git, proposeRelease } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";

async function setup(env: string, service: string, options: { maxEvidenceBytes?: number } = {}) {
  const repo = await exampleGitopsRepo();
  const { gitRepo, world, reconciler, advance } = await simulatedReconciler(repo.dir, {
    environment: env,
    service,
    ...options,
  });
  const tick = () => reconciler.tick();
  const statusOf = async () => {
    const head = await gitRepo.head();
    const { state } = await loadRepository(gitRepo.treeAt(head!));
    return {
      status: state.environments.get(env)!.statuses.get(service),
      release: state.environments.get(env)!.releases.get(service)!,
    };
  };
  return { repo, world, gitRepo, tick, advance, statusOf };
}

/** Ticks every 10 s until the service settles (promoted or rolled back) or the cap. */
async function runUntilSettled(s: Awaited<ReturnType<typeof setup>>, maxTicks = 400): Promise<TickResult[]> {
  const results: TickResult[] = [];
  for (let i = 0; i < maxTicks; i++) {
    const r = await s.tick();
    results.push(r);
    const { status } = await s.statusOf();
    if (status?.phase === "promoted" || status?.phase === "rolled-back") {
      if (r.decisions.some((d) => d.change.action === "promote" || d.change.action === "rollback")) return results;
    }
    s.advance(10);
  }
  return results;
}

describe("reconciler end to end (local repository, simulated cluster and telemetry)", () => {
  it("rolls a healthy release out step by step and promotes it, one commit per decision", async () => {
    const s = await setup("dev", "retrieval-api");
    try {
      const next = await proposeRelease(s.repo.dir, "dev", "retrieval-api", (p) => ({
        ...p,
        index: { buildId: "kb-2026-11-21.1", digest: `sha256:${"1".repeat(64)}` },
      }));
      const results = await runUntilSettled(s);
      const actions = results.flatMap((r) => r.decisions.map((d) => d.change.action));
      assert.deepEqual(
        actions,
        ["advance", "advance", "promote"],
        `decisions: ${results.flatMap((r) => r.decisions.map((d) => `${d.change.action}: ${d.change.why}`)).join("; ")}`,
      );
      const { status, release } = await s.statusOf();
      assert.equal(status?.phase, "promoted");
      assert.equal(status?.liveDigest, next.digest);
      assert.equal(release.lastGood?.digest, next.digest);
      assert.equal(s.world.cluster.deployedVersions("dev", "retrieval-api")?.stableDigest, next.digest);
      const log = git(s.repo.dir, "log", "--format=%s", "-4");
      assert.match(
        log,
        new RegExp(`^promote\\(dev/retrieval-api\\): [0-9a-f]{12} → ${next.digest.slice(7, 19)}$`, "m"),
      );
      assert.match(log, /^advance\(dev\/retrieval-api\): /m);
      const trailers = git(
        s.repo.dir,
        "log",
        "-1",
        "--format=%(trailers:key=Tollgate-Decision,key=Tollgate-Evidence,key=Tollgate-Policy)",
      );
      assert.match(
        trailers,
        /Tollgate-Decision: promote\nTollgate-Policy: sha256:[0-9a-f]{64}\nTollgate-Evidence: sha256:[0-9a-f]{64}/,
      );
      // Each step change carries the telemetry so far into the status: later decisions read and
      // store only what came after, and the spend still covers the whole rollout.
      const [, second, promotion] = results.flatMap((r) => r.decisions).map((d) => d.change);
      const secondTelemetry = (second!.evidence as EvidenceDocument).telemetry!;
      const carried = second!.status.earlierTelemetry;
      assert.equal(carried?.through, secondTelemetry.now);
      const promotionEvidence = promotion!.evidence as EvidenceDocument;
      const stored = promotionEvidence.telemetry!.records;
      assert.ok(
        stored.length > 0 && stored.every((r) => r.t > carried!.through),
        "the promotion's evidence holds only records after the carried point",
      );
      const canarySpend = [...secondTelemetry.records, ...stored]
        .filter((r) => r.arm === "canary")
        .reduce((sum, r) => sum + (r.costUsd?.sum ?? 0), 0);
      assert.ok(canarySpend > 0, "the simulation reports cost");
      const deployUsd = promotionEvidence.policy.input.spend?.deployUsd;
      assert.ok(
        deployUsd !== undefined && Math.abs(deployUsd - canarySpend) <= canarySpend * 1e-5,
        `spend ${deployUsd} covers the whole rollout (${canarySpend})`,
      );
      // A further tick over unchanged state makes no commit.
      const before = await s.gitRepo.head();
      s.advance(10);
      const idle = await s.tick();
      assert.equal(idle.decisions.length, 0);
      assert.equal(await s.gitRepo.head(), before);
    } finally {
      await s.repo.cleanup();
    }
  });

  it("rolls back a canary whose error rate is 2 points worse: pointer flip, digest rejected, service frozen", async () => {
    const s = await setup("dev", "support-agent");
    try {
      const bad = await proposeRelease(s.repo.dir, "dev", "support-agent", (p) => ({
        ...p,
        prompts: { digest: `sha256:${"2".repeat(64)}` },
      }));
      s.world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
      const results = await runUntilSettled(s);
      const actions = results.flatMap((r) => r.decisions.map((d) => d.change.action));
      assert.deepEqual(
        actions,
        ["advance", "rollback"],
        `decisions: ${results.flatMap((r) => r.decisions.map((d) => `${d.change.action}: ${d.change.why}`)).join("; ")}`,
      );
      const rollback = results.flatMap((r) => r.decisions).at(-1)!;
      assert.match(rollback.change.why, /error.rate/);
      const { status, release } = await s.statusOf();
      assert.equal(status?.phase, "rolled-back");
      assert.notEqual(release.artifact.digest, bad.digest, "the release points back at the last good artifact");
      assert.equal(release.artifact.digest, status?.liveDigest);
      assert.equal(status?.rejected?.at(-1)?.digest, bad.digest);
      assert.ok(status?.frozenUntil);
      assert.equal(
        s.world.cluster.deployedVersions("dev", "support-agent")?.canaryDigest,
        undefined,
        "canary scaled down",
      );
    } finally {
      await s.repo.cleanup();
    }
  });

  it("records a rollback even when its evidence is over the cap: without the records, which audit names", async () => {
    const s = await setup("dev", "support-agent", { maxEvidenceBytes: 24 * 1024 });
    try {
      const bad = await proposeRelease(s.repo.dir, "dev", "support-agent", (p) => ({
        ...p,
        prompts: { digest: `sha256:${"9".repeat(64)}` },
      }));
      s.world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
      const results = await runUntilSettled(s);
      assert.deepEqual(
        results.flatMap((r) => r.errors),
        [],
      );
      const rollback = results.flatMap((r) => r.decisions).find((d) => d.change.action === "rollback");
      assert.ok(rollback, "the rollback was committed");
      const full = (rollback.change.evidence as EvidenceDocument).telemetry!;
      assert.ok(full.records.length > 0);
      const stored = JSON.parse(
        git(
          s.repo.dir,
          "show",
          `${rollback.commit}:evidence/sha256/${rollback.evidence.slice(7, 9)}/${rollback.evidence.slice(7)}.json`,
        ),
      ) as EvidenceDocument;
      assert.deepEqual([stored.telemetry!.records.length, stored.telemetry!.recordsOmitted], [0, full.records.length]);
      assert.equal((await s.statusOf()).status?.phase, "rolled-back");
      const report = await auditHistory(s.gitRepo, { service: "support-agent" });
      assert.deepEqual(
        report.failures.map((f) => [f.commit.slice(0, 12), f.check]),
        [[rollback.commit.slice(0, 12), "decision"]],
        JSON.stringify(report.failures),
      );
      assert.match(
        JSON.stringify(report.failures[0]),
        /omits its \d+ telemetry records \(the document was over the evidence cap when this rollback was recorded\)/,
      );
    } finally {
      await s.repo.cleanup();
    }
  });

  it("a service whose evidence is over the cap is an error of its own: the other services' decisions go on", async () => {
    // Found by the fault suite (a full evidence cap): one oversized evidence document failed the
    // whole tick, so no service of any environment got a decision again until a person stepped in.
    const repo = await exampleGitopsRepo();
    try {
      const { reconciler, world, advance } = await simulatedReconciler(repo.dir, {
        environment: "dev",
        maxEvidenceBytes: 16 * 1024,
      });
      await proposeRelease(repo.dir, "dev", "support-agent", (p) => ({
        ...p,
        prompts: { digest: `sha256:${"3".repeat(64)}` },
      }));
      const bad = await proposeRelease(repo.dir, "dev", "retrieval-api", (p) => ({
        ...p,
        index: { buildId: "kb-x", digest: `sha256:${"d".repeat(64)}` },
      }));
      world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
      const results: TickResult[] = [];
      for (let i = 0; i < 12; i++) {
        results.push(await reconciler.tick());
        advance(10);
      }
      const decisions = results.flatMap((r) => r.decisions.map((d) => `${d.change.service} ${d.change.action}`));
      assert.ok(decisions.includes("retrieval-api rollback"), decisions.join(", "));
      const errors = results.flatMap((r) => r.errors);
      assert.ok(errors.length > 0);
      for (const e of errors) {
        assert.equal(`${e.environment}/${e.service}`, "dev/support-agent");
        assert.match(e.message, /evidence document is \d+ bytes, over the 16384-byte limit/);
      }
    } finally {
      await repo.cleanup();
    }
  });

  it("a person setting the release back to the live artifact mid-rollout withdraws the canary, recorded and audited", async () => {
    const s = await setup("dev", "retrieval-api");
    try {
      const before = await s.statusOf();
      const live = before.release.artifact;
      const canary = await proposeRelease(s.repo.dir, "dev", "retrieval-api", (p) => ({
        ...p,
        index: { buildId: "kb-c", digest: `sha256:${"c".repeat(64)}` },
      }));
      await s.tick();
      s.advance(30);
      await s.tick();
      assert.equal((await s.statusOf()).status?.canaryDigest, canary.digest);
      // The person reverts the release file, as `git revert` of the release commit would.
      await proposeRelease(
        s.repo.dir,
        "dev",
        "retrieval-api",
        () => {
          const { digest: _digest, ...parts } = live;
          return parts;
        },
        { lastGood: before.release.lastGood },
      );
      s.advance(10);
      const result = await s.tick();
      assert.deepEqual(
        result.decisions.map((d) => [d.change.action, d.change.reasons?.map((r) => r.rule)]),
        [["rollback", ["tollgate.reverted"]]],
      );
      assert.match(
        result.decisions[0]!.change.why,
        new RegExp(
          `set back to the live ${live.digest.slice(7, 19)} during the rollout of ${canary.digest.slice(7, 19)}; that rollout is abandoned and its canary withdrawn`,
        ),
      );
      const { status, release } = await s.statusOf();
      assert.equal(status?.phase, "promoted");
      assert.equal(status?.liveDigest, live.digest);
      assert.equal(status?.canaryDigest, undefined);
      assert.equal(status?.frozenUntil, undefined, "nothing was judged bad: no freeze");
      assert.deepEqual(status?.rejected, before.status?.rejected, "nothing was judged bad: nothing rejected");
      assert.deepEqual(
        release,
        { ...before.release, lastGood: before.release.lastGood },
        "the release stays as the person set it",
      );
      assert.equal(
        s.world.cluster.deployedVersions("dev", "retrieval-api")?.canaryDigest,
        undefined,
        "canary withdrawn",
      );
      assert.match(
        git(s.repo.dir, "log", "-1", "--format=%s").trim(),
        new RegExp(`^rollback\\(dev/retrieval-api\\): ${live.digest.slice(7, 19)} → ${live.digest.slice(7, 19)}$`),
      );
      s.advance(10);
      assert.equal((await s.tick()).decisions.length, 0, "steady afterwards");
      const report = await auditHistory(s.gitRepo, { service: "retrieval-api" });
      assert.deepEqual(report.failures, [], JSON.stringify(report.failures));
      assert.equal(report.decisions, 2);
    } finally {
      await s.repo.cleanup();
    }
  });

  it("a step marked confirm waits for a person's confirmation in git, recorded once, then advances naming who confirmed", async () => {
    const s = await setup("dev", "retrieval-api");
    try {
      const envFile = join(s.repo.dir, "environments/dev/environment.yaml");
      await writeFile(
        envFile,
        (await readFile(envFile, "utf8")).replace(
          "- { weight: 50, minDuration: 2m, maxDuration: 10m }",
          "- { weight: 50, minDuration: 2m, maxDuration: 10m, confirm: true }",
        ),
      );
      git(s.repo.dir, "commit", "-q", "-am", "dev: step 1 needs a person's confirmation");
      const next = await proposeRelease(s.repo.dir, "dev", "retrieval-api", (p) => ({
        ...p,
        index: { buildId: "kb-confirm", digest: `sha256:${"e".repeat(64)}` },
      }));
      const decisions: { action: string; rules: string[]; why: string }[] = [];
      for (let i = 0; i < 90; i++) {
        for (const d of (await s.tick()).decisions)
          decisions.push({
            action: d.change.action,
            rules: (d.change.reasons ?? []).map((r) => r.rule),
            why: d.change.why,
          });
        s.advance(10);
      }
      assert.deepEqual(
        decisions.map((d) => [d.action, d.rules]),
        [
          ["advance", ["progress.start"]],
          ["hold", ["progress.awaiting_confirmation"]],
        ],
        JSON.stringify(decisions),
      );
      assert.match(
        decisions[1]!.why,
        new RegExp(
          `step 1 of 2 \\(50% of traffic\\) is complete \\(.+\\) and waits for a person's confirmation: record one in the release's confirmations for ${next.digest.slice(0, 19)}, step 1`,
        ),
      );
      assert.equal((await s.statusOf()).status?.step, 0, "still at step 1");

      // Alice confirms in git; the next tick advances and says so.
      git(s.repo.dir, "reset", "-q", "--hard");
      const releaseFile = join(s.repo.dir, "environments/dev/releases/retrieval-api.yaml");
      const release = parse(await readFile(releaseFile, "utf8")) as Release;
      release.confirmations = [{ by: "alice", at: "2026-11-24T10:20:00Z", digest: next.digest, step: 1 }];
      await writeFile(releaseFile, stringify(release, { lineWidth: 0 }));
      git(s.repo.dir, "commit", "-q", "-am", "Confirm step 1 of retrieval-api in dev");
      const confirmed = await s.tick();
      assert.deepEqual(
        confirmed.decisions.map((d) => d.change.action),
        ["advance"],
      );
      assert.match(confirmed.decisions[0]!.change.why, /; confirmed by alice; moving to 100%$/);
      const report = await auditHistory(s.gitRepo, { service: "retrieval-api" });
      assert.deepEqual(report.failures, [], JSON.stringify(report.failures));
    } finally {
      await s.repo.cleanup();
    }
  });

  it("a person changing the desired release mid-rollout supersedes the rollout cleanly", async () => {
    const s = await setup("dev", "retrieval-api");
    try {
      const first = await proposeRelease(s.repo.dir, "dev", "retrieval-api", (p) => ({
        ...p,
        index: { buildId: "kb-a", digest: `sha256:${"a".repeat(64)}` },
      }));
      await s.tick();
      s.advance(30);
      await s.tick();
      const during = (await s.statusOf()).status;
      assert.equal(during?.phase, "progressing");
      assert.equal(during?.canaryDigest, first.digest);
      const second = await proposeRelease(
        s.repo.dir,
        "dev",
        "retrieval-api",
        (p) => ({ ...p, index: { buildId: "kb-b", digest: `sha256:${"b".repeat(64)}` } }),
        { lastGood: (await s.statusOf()).release.lastGood },
      );
      s.advance(10);
      const result = await s.tick();
      assert.deepEqual(
        result.decisions.map((d) => d.change.action),
        ["advance"],
      );
      assert.equal(result.decisions[0]!.change.reasons?.[0]?.rule, "tollgate.superseded");
      assert.match(
        result.decisions[0]!.change.why,
        /the desired release changed during the rollout of [0-9a-f]{12}; that rollout is abandoned/,
      );
      const after = (await s.statusOf()).status;
      assert.equal(after?.canaryDigest, second.digest);
      assert.equal(after?.step, 0);
      assert.equal(after?.rollouts, 2);
      assert.equal(s.world.cluster.deployedVersions("dev", "retrieval-api")?.canaryDigest, second.digest);
    } finally {
      await s.repo.cleanup();
    }
  });
});
