import assert from "node:assert/strict";
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Explanation } from "../../src/audit/explain.ts";
import type { ReplayReport } from "../../src/audit/replay.ts";
import { shortDigest } from "../../src/model/artifact-digest.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { git } from "../support/gitops-repo.ts";
import { runCli } from "../support/run-cli.ts";
import { tempDir } from "../support/tmp-repo.ts";
import { buildDecisionHistory, type DecisionHistory } from "./history-fixture.ts";

let history: DecisionHistory;
let policies: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  history = await buildDecisionHistory(new PolicyLoader());
  policies = await tempDir("tollgate-replay-policies-");
});
after(async () => {
  await history?.cleanup();
  await policies?.cleanup();
});

const decision = (action: string, service: string) => history.decisions.find((d) => d.action === action && d.service === service)!;

describe("tollgate explain", () => {
  it("explains a rollback: deployed artifact, metrics, the rule that fired, the git change, what the clusters were told", async () => {
    const rollback = decision("rollback", "support-agent");
    const { code, stdout, stderr } = await runCli(["explain", rollback.commit.slice(0, 12), "--repo", history.dir]);
    assert.equal(stderr, "");
    assert.equal(code, 0, stdout);
    const bad = shortDigest(history.bad.digest);
    const lines = stdout.split("\n");
    assert.match(lines[0]!, /^rollback dev\/support-agent at 2026-11-24 10:00:\d\d UTC \(commit [0-9a-f]{12}\)$/);
    assert.match(stdout, new RegExp(`canary  ${bad} at step 1 of 2 \\(50% of traffic\\), rollout 1`));
    assert.match(stdout, /- prompts: [0-9a-f]{12} → 222222222222/);
    const errorRow = lines.find((l) => /^\s+error_rate\s/.test(l));
    assert.ok(errorRow, stdout);
    assert.match(errorRow, /error_rate\s+\d\.\d\d%\s+\d\.\d\d%\s+×\d+\.\d{3} \[\d+\.\d{3}, (∞|\d+\.\d{3})\]\s+\S+ of \S+\s+\d+\/\d+\s+fail \(regression\)/);
    assert.match(stdout, /the policy answered rollback\n {2}- rollback\.\S+: /);
    assert.match(stdout, new RegExp(`environments/dev/releases/support-agent\\.yaml: artifact ${bad} → [0-9a-f]{12} \\(the pointer flip back to the last good artifact\\)`));
    assert.match(stdout, /environments\/dev\/status\/support-agent\.yaml: phase progressing → rolled-back;/);
    assert.match(stdout, new RegExp(`before: stable [0-9a-f]{12} at 50%, canary ${bad} at 50%`));
    assert.match(stdout, /after: {2}stable [0-9a-f]{12} serves all traffic; no canary runs/);
    assert.match(stdout, /What the clusters were told \(dev-1 \(agents-dev\)\)/);
    assert.match(stdout, /Audit: every check of this decision passed\./);

    const json = await runCli(["explain", rollback.commit, "--repo", history.dir, "--json"]);
    const x = JSON.parse(json.stdout) as Explanation;
    const errorRate = x.observed?.metrics.find((m) => m.metric === "error_rate");
    assert.equal(errorRate?.verdict, "fail");
    assert.ok(errorRate?.effect && errorRate.effect.lower > 1, "the error-rate effect's lower bound is above 1");
    assert.equal(x.policy.answer, "rollback");
    assert.ok(!("canary" in x.clusters.after));
  });

  it("explains the start of a rollout (nothing observed yet) and a promotion", async () => {
    const start = history.decisions[0]!;
    const first = await runCli(["explain", start.commit, "--repo", history.dir]);
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /nothing: no canary was running yet, so no telemetry was read/);
    assert.match(first.stdout, /after: {2}stable [0-9a-f]{12} at 50%, canary [0-9a-f]{12} at 50%/);
    const promote = await runCli(["explain", decision("promote", "retrieval-api").commit, "--repo", history.dir]);
    assert.equal(promote.code, 0, promote.stdout);
    assert.match(promote.stdout, /the policy answered promote/);
    assert.match(promote.stdout, /no-baseline/, "at 100% there is no baseline to compare with");
    assert.match(promote.stdout, new RegExp(`after: {2}stable ${shortDigest(history.good.digest)} serves all traffic`));
  });

  it("refuses a commit that is not a decision, naming it", async () => {
    const first = git(history.dir, "rev-list", "--max-parents=0", "HEAD").trim();
    const { code, stderr } = await runCli(["explain", first, "--repo", history.dir]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`error: ${first.slice(0, 12)} is not a tollgate decision commit`));
    const unknown = await runCli(["explain", "no-such-ref", "--repo", history.dir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown revision "no-such-ref"/);
  });
});

describe("tollgate replay", () => {
  it("the policies that decided replay every decision unchanged", async () => {
    await cp(join(history.dir, "policies"), join(policies.dir, "same"), { recursive: true });
    const { code, stdout } = await runCli(["replay", "--policy", join(policies.dir, "same"), "--repo", history.dir, "--fail-on-change"]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /Replayed 5 recorded decision\(s\) with .*: 0 would differ in action, 0 in reasons only\./);
  });

  it("a tighter budget rule would have rolled back retrieval-api: listed with time, recorded action and the rule", async () => {
    const dir = join(policies.dir, "tight");
    await cp(join(history.dir, "policies"), dir, { recursive: true });
    const budgets = join(dir, "budgets.rego");
    const text = await readFile(budgets, "utf8");
    assert.match(text, /budget := input\.environment\.budgets\.spendPerDeployUsd\n/);
    await writeFile(budgets, text.replace(/budget := input\.environment\.budgets\.spendPerDeployUsd\n/, "budget := input.environment.budgets.spendPerDeployUsd / 100\n"));

    const { code, stdout } = await runCli(["replay", "--policy", dir, "--repo", history.dir]);
    assert.equal(code, 0, stdout);
    const advance = history.decisions.filter((d) => d.service === "retrieval-api")[1]!;
    assert.equal(advance.action, "advance");
    assert.match(stdout, new RegExp(`would have rolled back dev/retrieval-api at 2026-11-24 10:\\d\\d UTC \\(recorded: advance, commit ${advance.commit.slice(0, 12)}\\): budgets\\.deploy_spend: deploy spend \\$[\\d.]+ is over the budget of \\$4\\.00 per deploy`));
    assert.match(stdout, /would have rolled back dev\/retrieval-api at .* \(recorded: promote, /);
    assert.match(stdout, /Same action, other reasons:\n- .* dev\/support-agent rollback .*budgets\.deploy_spend/);

    const failing = await runCli(["replay", "--policy", dir, "--repo", history.dir, "--fail-on-change", "--json", "--service", "retrieval-api"]);
    assert.equal(failing.code, 1);
    const report = JSON.parse(failing.stdout) as ReplayReport;
    assert.deepEqual(
      report.decisions.map((d) => [d.recorded.action, d.replayed.action, d.difference]),
      [
        ["advance", "advance", null],
        ["advance", "rollback", "action"],
        ["promote", "rollback", "action"],
      ],
    );
  });

  it("a policy that does not compile is a clear error", async () => {
    const dir = join(policies.dir, "broken");
    await cp(join(history.dir, "policies"), dir, { recursive: true });
    await writeFile(join(dir, "broken.rego"), "package tollgate.broken\n\nx := [\n");
    const { code, stderr } = await runCli(["replay", "--policy", dir, "--repo", history.dir]);
    assert.equal(code, 1);
    assert.match(stderr, /broken\.rego:\d+:\d+: /);
  });
});
