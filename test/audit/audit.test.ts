import assert from "node:assert/strict";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import type { AuditReport, CheckName } from "../../src/audit/types.ts";
import { encodeEvidence } from "../../src/gitops/index.ts";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import type { Release } from "../../src/model/types.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { git } from "../support/gitops-repo.ts";
import { runCli } from "../support/run-cli.ts";
import { buildDecisionHistory, copyHistory, type DecisionHistory, gitAt } from "./history-fixture.ts";

let history: DecisionHistory;
const copies: Array<() => Promise<void>> = [];

before(async () => {
  history = await buildDecisionHistory(new PolicyLoader());
});
after(async () => {
  await Promise.all(copies.map((c) => c()));
  await history?.cleanup();
});

async function audit(dir: string, ...args: string[]): Promise<{ code: number; report: AuditReport; text: string }> {
  const json = await runCli(["audit", "--repo", dir, "--json", ...args]);
  assert.equal(json.stderr, "", json.stderr);
  const text = await runCli(["audit", "--repo", dir, ...args]);
  assert.equal(json.code, text.code);
  return { code: json.code, report: JSON.parse(json.stdout) as AuditReport, text: text.stdout };
}

/** A copy of the history with a branch `tampered` at `commit`, checked out with a clean work tree. */
async function tamperAt(commit: string): Promise<string> {
  const copy = await copyHistory(history);
  copies.push(copy.cleanup);
  git(copy.dir, "checkout", "-q", "-B", "tampered", commit);
  git(copy.dir, "reset", "-q", "--hard");
  return copy.dir;
}

function failedChecks(report: AuditReport, commit?: string): Set<CheckName> {
  return new Set(report.failures.filter((f) => commit === undefined || f.commit === commit).map((f) => f.check));
}

const decision = (action: string, service: string) => {
  const found = history.decisions.find((d) => d.action === action && d.service === service);
  assert.ok(found, `the history has a ${action} of ${service}: ${JSON.stringify(history.decisions)}`);
  return found;
};

const amend = (dir: string, at = new Date("2026-11-24T12:00:00Z"), ...extra: string[]) =>
  gitAt(dir, at, "commit", "-q", "-a", "--amend", ...(extra.length > 0 ? extra : ["--no-edit"]));

describe("tollgate audit over a reconciler-produced history", () => {
  it("verifies every decision with 0 failures (advances, a rollback, a block in the freeze, promotions, a merged prod pull request with approvals)", async () => {
    const { code, report, text } = await audit(history.dir);
    // The exact interleaving depends on how fast the simulated steps complete (and support-agent
    // holds while retrieval-api, which it depends on, rolls out).
    const actions = history.decisions.map((d) => d.action);
    const agent = history.decisions.filter((d) => d.service === "support-agent").map((d) => d.action);
    assert.deepEqual(
      agent.filter((a) => a !== "hold").slice(0, 3),
      ["advance", "rollback", "block"],
      actions.join(", "),
    );
    assert.equal(actions.filter((a) => a === "promote").length, 2, actions.join(", "));
    assert.equal(code, 0, text);
    assert.deepEqual(report.failures, []);
    assert.equal(report.decisions, history.decisions.length);
    for (const c of report.commits.filter((c) => c.kind === "decision")) {
      assert.deepEqual(
        Object.fromEntries(Object.entries(c.checks).map(([k, v]) => [k, v.state])),
        { evidence: "pass", policy: "pass", decision: "pass", transition: "pass", message: "pass" },
        c.subject,
      );
    }
    const merge = report.commits.find((c) => c.kind === "change");
    assert.ok(merge, "the merged prod pull request is checked");
    assert.equal(merge.checks.approvals?.state, "pass");
    assert.equal(merge.checks["outside-tollgate"]?.state, "pass");
    assert.match(text, /every check passed/);
    assert.match(
      text,
      /^COMMIT\s+TIME \(UTC\)\s+SERVICE\s+ACTION\s+EVIDENCE\s+POLICY\s+DECISION\s+TRANSITION\s+MESSAGE/m,
    );
    assert.match(text, /dev\/support-agent\s+rollback\s+ok\s+ok\s+ok\s+ok\s+ok/);
  });

  it("filters by environment, service and --since (ref or date)", async () => {
    const onlyAgent = await audit(history.dir, "--env", "dev", "--service", "support-agent");
    assert.equal(onlyAgent.code, 0);
    assert.deepEqual(
      onlyAgent.report.commits.map((c) => c.action),
      history.decisions.filter((d) => d.service === "support-agent").map((d) => d.action),
    );
    const rollback = decision("rollback", "support-agent");
    const since = await audit(history.dir, "--since", rollback.commit, "--service", "retrieval-api");
    const after = history.decisions.slice(history.decisions.indexOf(rollback) + 1);
    assert.deepEqual(
      since.report.commits.map((c) => c.action),
      after.filter((d) => d.service === "retrieval-api").map((d) => d.action),
    );
    assert.ok(since.report.commits.length > 0);
    const none = await audit(history.dir, "--since", "2027-01-01");
    assert.equal(none.report.decisions, 0);
    const prod = await audit(history.dir, "--env", "prod");
    assert.equal(prod.report.decisions, 0);
    assert.equal(prod.report.commits.length, 1, "the merged prod change");
  });
});

describe("tollgate audit detects tampering", () => {
  it("edited evidence: the document no longer hashes to its digest", async () => {
    const rollback = decision("rollback", "support-agent");
    const dir = await tamperAt(rollback.commit);
    const path = git(dir, "show", "--name-only", "--format=", "HEAD")
      .split("\n")
      .find((p) => p.startsWith("evidence/"))!;
    const doc = JSON.parse(await readFile(join(dir, path), "utf8"));
    doc.telemetry.records[0].errors = (doc.telemetry.records[0].errors ?? 0) + 1;
    await writeFile(join(dir, path), JSON.stringify(doc));
    amend(dir);
    const { code, report, text } = await audit(dir, "--branch", "tampered");
    assert.equal(code, 1);
    const head = git(dir, "rev-parse", "HEAD").trim();
    assert.deepEqual([...failedChecks(report)], ["evidence"]);
    assert.match(
      report.failures[0]!.message,
      /hashes to sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64}: the evidence was altered/,
    );
    assert.equal(report.failures[0]!.commit, head);
    assert.match(text, /\[evidence\]/);
  });

  it("forged evidence under a fresh digest (trailer and status updated too): the analysis no longer reproduces", async () => {
    const rollback = decision("rollback", "support-agent");
    const dir = await tamperAt(rollback.commit);
    const oldPath = git(dir, "show", "--name-only", "--format=", "HEAD")
      .split("\n")
      .find((p) => p.startsWith("evidence/"))!;
    const doc = JSON.parse(await readFile(join(dir, oldPath), "utf8"));
    const oldDigest = `sha256:${oldPath.split("/").at(-1)!.replace(".json", "")}`;
    for (const r of doc.telemetry.records) if (r.arm === "canary" && r.errors !== undefined) r.errors = 0;
    const forged = encodeEvidence(doc);
    await rm(join(dir, oldPath));
    await mkdir(dirname(join(dir, forged.path)), { recursive: true });
    await writeFile(join(dir, forged.path), forged.bytes);
    const statusPath = join(dir, "environments/dev/status/support-agent.yaml");
    await writeFile(statusPath, (await readFile(statusPath, "utf8")).replaceAll(oldDigest, forged.digest));
    const message = git(dir, "log", "-1", "--format=%B").replaceAll(oldDigest, forged.digest);
    git(dir, "add", "-A");
    amend(dir, undefined, "-m", message);
    const { code, report } = await audit(dir, "--branch", "tampered");
    assert.equal(code, 1);
    const head = git(dir, "rev-parse", "HEAD").trim();
    assert.deepEqual([...failedChecks(report, head)], ["decision"]);
    assert.match(
      report.failures.find((f) => f.commit === head)!.message,
      /re-running the analysis on the evidence records does not give the stored report|policy input is not what/,
    );
  });

  it("a policy changed after the decision: the decided-on state's policies compile to another digest", async () => {
    const rollback = decision("rollback", "support-agent");
    const dir = await tamperAt(`${rollback.commit}~1`);
    // Rewrite the decided-on commit with a different policy, then replay the decision on top of it.
    const file = join(dir, "policies/budgets.rego");
    await writeFile(file, `${await readFile(file, "utf8")}\n# tightened after the fact\n`);
    amend(dir);
    gitAt(dir, new Date("2026-11-24T12:01:00Z"), "cherry-pick", "--allow-empty", rollback.commit);
    const head = git(dir, "rev-parse", "HEAD").trim();
    const { code, report, text } = await audit(dir, "--branch", "tampered");
    assert.equal(code, 1);
    assert.ok(failedChecks(report, head).has("policy"), text);
    assert.match(
      report.failures.find((f) => f.commit === head && f.check === "policy")!.message,
      /Tollgate-Policy is sha256:[0-9a-f]{64}, but the policies at [0-9a-f]{12} \(the state this was decided on\) compile to sha256:[0-9a-f]{64}/,
    );
  });

  it("a decision commit rewritten by hand: the status is not what the decision says", async () => {
    const rollback = decision("rollback", "support-agent");
    const dir = await tamperAt(rollback.commit);
    const statusPath = join(dir, "environments/dev/status/support-agent.yaml");
    const status = parse(await readFile(statusPath, "utf8"));
    delete status.frozenUntil; // "no freeze after this rollback"
    await writeFile(statusPath, `# Written by tollgate. Do not edit by hand.\n${stringify(status, { lineWidth: 0 })}`);
    amend(dir);
    const { code, report } = await audit(dir, "--branch", "tampered");
    assert.equal(code, 1);
    assert.deepEqual([...failedChecks(report)], ["transition"]);
    assert.match(
      report.failures[0]!.message,
      /environments\/dev\/status\/support-agent\.yaml is not what a rollback at .* makes of the parent's status: line \d+: expected "frozenUntil: /,
    );
  });

  it("a decision commit rewritten by hand: the message was edited", async () => {
    const promote = decision("promote", "retrieval-api");
    const dir = await tamperAt(promote.commit);
    const original = git(dir, "log", "-1", "--format=%B");
    const lines = original.split("\n");
    lines[2] = "promoted after a manual review"; // the line of why
    amend(dir, undefined, "-m", lines.join("\n"));
    const { code, report } = await audit(dir, "--branch", "tampered");
    assert.equal(code, 1);
    assert.deepEqual([...failedChecks(report)], ["message"]);
    assert.match(report.failures[0]!.message, /line 3: expected ".*", found "promoted after a manual review"/);

    // Changing the recorded action (subject and trailer together) is named as well.
    const dir2 = await tamperAt(decision("rollback", "support-agent").commit);
    const hidden = git(dir2, "log", "-1", "--format=%B")
      .replace(/^rollback\(/, "hold(")
      .replace("Tollgate-Decision: rollback", "Tollgate-Decision: hold");
    amend(dir2, undefined, "-m", hidden);
    const second = await audit(dir2, "--branch", "tampered");
    assert.equal(second.code, 1);
    assert.ok(
      second.report.failures.some(
        (f) => f.check === "message" && /Tollgate-Decision is hold, but the evidence records rollback/.test(f.message),
      ),
    );
  });

  it("a prod release changed without approval: by a direct commit, or merged without the approvals", async () => {
    const dir = await tamperAt("main");
    const file = join(dir, "environments/prod/releases/support-agent.yaml");
    const release = parse(await readFile(file, "utf8")) as Release;
    const { digest: _d, ...parts } = release.artifact;
    const artifact = sealArtifact({ ...parts, model: { ...parts.model, snapshot: "20260101" } });
    await writeFile(
      file,
      stringify({ ...release, artifact, lastGood: release.artifact, approvals: [] }, { lineWidth: 0 }),
    );
    gitAt(dir, new Date("2026-11-24T13:00:00Z"), "commit", "-q", "-am", "hotfix: new model in prod");
    const head = git(dir, "rev-parse", "HEAD").trim();
    const { code, report, text } = await audit(dir, "--branch", "tampered");
    assert.equal(code, 1);
    assert.deepEqual([...failedChecks(report, head)].sort(), ["approvals", "outside-tollgate"]);
    assert.match(
      report.failures.find((f) => f.check === "approvals")!.message,
      /the model change to [0-9a-f]{12} needs 2 approval\(s\) from .*alice, bob recorded for that digest; it has 0/,
    );
    assert.match(
      text,
      /\[outside-tollgate\] environments\/prod\/releases\/support-agent\.yaml was modified by a direct commit/,
    );

    // The same change through a merged pull request still needs the recorded approvals.
    const dir2 = await tamperAt("main");
    git(dir2, "checkout", "-q", "-b", "pr");
    await writeFile(
      join(dir2, "environments/prod/releases/support-agent.yaml"),
      stringify(
        {
          ...release,
          artifact,
          lastGood: release.artifact,
          approvals: [{ by: "alice", at: "2026-11-24T12:00:00Z", digest: artifact.digest }],
        },
        { lineWidth: 0 },
      ),
    );
    gitAt(dir2, new Date("2026-11-24T13:00:00Z"), "commit", "-q", "-am", "new model in prod");
    git(dir2, "checkout", "-q", "tampered");
    gitAt(dir2, new Date("2026-11-24T13:01:00Z"), "merge", "-q", "--no-ff", "-m", "Merge pull request #43", "pr");
    const merged = await audit(dir2, "--branch", "tampered");
    assert.equal(merged.code, 1);
    assert.deepEqual([...failedChecks(merged.report)], ["approvals"]);
    assert.match(merged.report.failures[0]!.message, /needs 2 approval\(s\) .* it has 1 \(alice\)/);
  });
});
