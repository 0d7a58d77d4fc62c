import assert from "node:assert/strict";
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Explanation } from "../../src/audit/explain.ts";
import type { ReplayReport } from "../../src/audit/replay.ts";
import { REPORT_CSP } from "../../src/audit/report-html.ts";
import { shortDigest } from "../../src/model/artifact-digest.ts";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { chromiumOrSkip, openPage } from "../support/chromium.ts";
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

const decision = (action: string, service: string) =>
  history.decisions.find((d) => d.action === action && d.service === service)!;

describe("tollgate explain", () => {
  it("explains a rollback: deployed artifact, metrics, the rule that fired, the git change, what the clusters were told", async () => {
    const rollback = decision("rollback", "support-agent");
    const { code, stdout, stderr } = await runCli(["explain", rollback.commit.slice(0, 12), "--repo", history.dir]);
    assert.equal(stderr, "");
    assert.equal(code, 0, stdout);
    const bad = shortDigest(history.bad.digest);
    const lines = stdout.split("\n");
    assert.match(lines[0]!, /^rollback dev\/support-agent at 2026-11-24 10:\d\d:\d\d UTC \(commit [0-9a-f]{12}\)$/);
    assert.match(stdout, new RegExp(`canary  ${bad} at step 1 of 2 \\(50% of traffic\\), rollout 1`));
    assert.match(stdout, /- prompts: [0-9a-f]{12} → 222222222222/);
    const errorRow = lines.find((l) => /^\s+error_rate\s/.test(l));
    assert.ok(errorRow, stdout);
    assert.match(
      errorRow,
      /error_rate\s+\d\.\d\d%\s+\d\.\d\d%\s+×\d+\.\d{3} \[\d+\.\d{3}, (∞|\d+\.\d{3})\]\s+\S+ of \S+\s+\d+\/\d+\s+fail \(regression\)/,
    );
    assert.match(stdout, /the policy answered rollback\n {2}- rollback\.\S+: /);
    assert.match(
      stdout,
      new RegExp(
        `environments/dev/releases/support-agent\\.yaml: artifact ${bad} → [0-9a-f]{12} \\(the pointer flip back to the last good artifact\\)`,
      ),
    );
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

  it("explains a block: the freeze after the rollback", async () => {
    const { code, stdout } = await runCli([
      "explain",
      decision("block", "support-agent").commit,
      "--repo",
      history.dir,
    ]);
    assert.equal(code, 0, stdout);
    assert.match(
      stdout,
      /the policy answered block\n {2}- gates\.frozen_after_rollback: support-agent is frozen after a rollback until /,
    );
    assert.match(stdout, /phase rolled-back → blocked/);
    assert.match(
      stdout,
      /before: stable [0-9a-f]{12} serves all traffic; no canary runs\n {2}after: {2}stable [0-9a-f]{12} serves all traffic; no canary runs/,
    );
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
    const { code, stdout } = await runCli([
      "replay",
      "--policy",
      join(policies.dir, "same"),
      "--repo",
      history.dir,
      "--fail-on-change",
    ]);
    assert.equal(code, 0, stdout);
    assert.match(
      stdout,
      new RegExp(
        `Replayed ${history.decisions.length} recorded decision\\(s\\) with .*: 0 would differ in action, 0 in reasons only\\.`,
      ),
    );
  });

  it("a tighter budget rule would have rolled back retrieval-api: listed with time, recorded action and the rule", async () => {
    const dir = join(policies.dir, "tight");
    await cp(join(history.dir, "policies"), dir, { recursive: true });
    const budgets = join(dir, "budgets.rego");
    const text = await readFile(budgets, "utf8");
    assert.match(text, /budget := input\.environment\.budgets\.spendPerDeployUsd\n/);
    await writeFile(
      budgets,
      text.replace(
        /budget := input\.environment\.budgets\.spendPerDeployUsd\n/,
        "budget := input.environment.budgets.spendPerDeployUsd / 100\n",
      ),
    );

    const { code, stdout } = await runCli(["replay", "--policy", dir, "--repo", history.dir]);
    assert.equal(code, 0, stdout);
    const advance = history.decisions.filter((d) => d.service === "retrieval-api")[1]!;
    assert.equal(advance.action, "advance");
    assert.match(
      stdout,
      new RegExp(
        `would have rolled back dev/retrieval-api at 2026-11-24 10:\\d\\d UTC \\(recorded: advance, commit ${advance.commit.slice(0, 12)}\\): budgets\\.deploy_spend: deploy spend \\$[\\d.]+ is over the budget of \\$4\\.00 per deploy`,
      ),
    );
    assert.match(stdout, /would have rolled back dev\/retrieval-api at .* \(recorded: promote, /);
    assert.match(stdout, /Same action, other reasons:\n- .* dev\/support-agent rollback .*budgets\.deploy_spend/);

    const failing = await runCli([
      "replay",
      "--policy",
      dir,
      "--repo",
      history.dir,
      "--fail-on-change",
      "--json",
      "--service",
      "retrieval-api",
    ]);
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

describe("tollgate report", () => {
  it("writes a self-contained page: CSP, inline SVG, no reference to anything outside it", async () => {
    const out = join(policies.dir, "support-agent.html");
    const { code, stdout } = await runCli([
      "report",
      "--repo",
      history.dir,
      "--env",
      "dev",
      "--service",
      "support-agent",
      "--rollout",
      "1",
      "--out",
      out,
    ]);
    assert.equal(code, 0, stdout);
    assert.match(
      stdout,
      /wrote .*support-agent\.html: rollout 1 of dev\/support-agent, \d+ decision\(s\), \d chart\(s\), outcome rollback/,
    );
    const html = await readFile(out, "utf8");
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;/,
    );
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(|\ssrc=|\shref=/i);
    const urls = html.match(/https?:\/\/[^\s"'<)]+/g) ?? [];
    assert.deepEqual(
      [...new Set(urls)],
      ["http://www.w3.org/2000/svg"],
      "only the SVG namespace, which is a name, not a fetch",
    );
    const again = await runCli([
      "report",
      "--repo",
      history.dir,
      "--env",
      "dev",
      "--service",
      "support-agent",
      "--rollout",
      "1",
    ]);
    assert.equal(again.stdout, html.endsWith("\n") ? html : `${html}\n`, "the same rollout gives the same bytes");
    const latest = await runCli([
      "report",
      "--repo",
      history.dir,
      "--env",
      "dev",
      "--service",
      "support-agent",
      "--out",
      join(policies.dir, "latest.html"),
    ]);
    assert.match(
      latest.stdout,
      /rollout 2 of dev\/support-agent, \d+ decision\(s\), \d chart\(s\), outcome promote/,
      "the latest rollout: the fix, blocked in the freeze, then rolled out",
    );
  });

  it("renders in headless Chromium: a chart per metric with both arms, step and decision markers, the decision table, the artifact diff; nothing fetched", async (t) => {
    const executable = chromiumOrSkip(t);
    if (!executable) return;
    const out = join(policies.dir, "retrieval-api.html");
    const { code } = await runCli([
      "report",
      "--repo",
      history.dir,
      "--env",
      "dev",
      "--service",
      "retrieval-api",
      "--out",
      out,
    ]);
    assert.equal(code, 0);
    const url = pathToFileURL(out).href;
    const opened = await openPage(executable, url);
    try {
      const { page } = opened;
      assert.deepEqual(opened.requests, [url], "the page fetched nothing but itself");
      assert.deepEqual(opened.consoleProblems, []);
      assert.equal(await page.title(), "retrieval-api in dev: rollout 1");
      const charts = await page
        .locator("svg[data-metric]")
        .evaluateAll((svgs) => svgs.map((s) => s.getAttribute("data-metric")));
      for (const metric of ["error_rate", "latency_mean", "latency_p99", "cost_per_task"])
        assert.ok(charts.includes(metric), `chart ${metric} in ${charts.join(", ")}`);
      const retrieval = history.decisions.filter((d) => d.service === "retrieval-api");
      for (const metric of charts) {
        const chart = page.locator(`svg[data-metric="${metric}"]`);
        const box = await chart.boundingBox();
        assert.ok(box && box.width > 700 && box.height > 200, `${metric} is laid out (${JSON.stringify(box)})`);
        const points = async (arm: string) =>
          (
            await chart
              .locator(`polyline[data-arm="${arm}"]`)
              .evaluateAll((ls) => ls.map((l) => Number(l.getAttribute("data-points"))))
          ).reduce((a, b) => a + b, 0);
        assert.ok((await points("canary")) > 10, `${metric}: canary line`);
        if (metric !== "throughput") assert.ok((await points("baseline")) > 10, `${metric}: baseline line`);
        assert.deepEqual(
          await chart
            .locator('g[data-marker="decision"]')
            .evaluateAll((gs) => gs.map((g) => g.getAttribute("data-action"))),
          retrieval.map((d) => d.action),
        );
        assert.equal(await chart.locator('line[data-marker="step"]').count(), 2, `${metric}: two steps (50%, 100%)`);
      }
      const canaryStroke = await page
        .locator('svg[data-metric="error_rate"] polyline[data-arm="canary"]')
        .first()
        .evaluate(
          (l) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string } }).getComputedStyle(l).stroke,
        );
      assert.equal(canaryStroke, "rgb(225, 87, 89)");
      const rows = await page
        .locator('table[data-table="decisions"] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")));
      assert.deepEqual(
        rows,
        retrieval.map((d) => d.action),
      );
      assert.match(await page.locator('table[data-table="decisions"]').innerText(), /progress\.promote/);
      assert.match(
        await page.locator('pre[data-diff="artifact"]').innerText(),
        /- index: kb-[\d.-]+ → kb-2026-11-21\.1/,
      );
      assert.match(
        await page.locator("header").innerText(),
        new RegExp(
          `→ ${shortDigest(history.good.digest)} · began 2026-11-24 10:00:00 UTC · 3 decision\\(s\\) · outcome promote`,
        ),
      );

      const png = await page.locator('svg[data-metric="error_rate"]').screenshot();
      assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
      assert.equal(png.readUInt32BE(16), 760, "screenshot width is the chart's");
      const full = await page.screenshot({ fullPage: true });
      assert.ok(full.readUInt32BE(20) > 2000, "the whole report is several screens tall");
    } finally {
      await opened.close();
    }
  });

  it("the browser check can fail: a page with an outside image is seen fetching it, and the report's CSP blocks it", async (t) => {
    const executable = chromiumOrSkip(t);
    if (!executable) return;
    const plain = join(policies.dir, "control.html");
    await writeFile(plain, '<!doctype html><html><body><img src="http://127.0.0.1:9/pixel.png"></body></html>');
    const opened = await openPage(executable, pathToFileURL(plain).href);
    try {
      assert.ok(opened.requests.includes("http://127.0.0.1:9/pixel.png"), `requests: ${opened.requests.join(", ")}`);
      assert.notEqual(
        opened.failures.get("http://127.0.0.1:9/pixel.png"),
        "csp",
        "without a CSP the browser tries to fetch it",
      );
    } finally {
      await opened.close();
    }
    const guarded = join(policies.dir, "control-csp.html");
    await writeFile(
      guarded,
      `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}"></head><body><img src="http://127.0.0.1:9/pixel.png"></body></html>`,
    );
    const blocked = await openPage(executable, pathToFileURL(guarded).href);
    try {
      assert.equal(blocked.failures.get("http://127.0.0.1:9/pixel.png"), "csp", "the report's policy blocks the load");
      assert.ok(
        blocked.consoleProblems.some((m) => /Content Security Policy/.test(m)),
        blocked.consoleProblems.join("\n"),
      );
    } finally {
      await blocked.close();
    }
  });

  it("names the rollouts there are when asked for one that is not", async () => {
    const { code, stderr } = await runCli([
      "report",
      "--repo",
      history.dir,
      "--env",
      "dev",
      "--service",
      "support-agent",
      "--rollout",
      "7",
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /dev\/support-agent has no rollout 7; rollouts in this history: 1, 2/);
    const none = await runCli(["report", "--repo", history.dir, "--env", "prod", "--service", "support-agent"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no decisions about prod\/support-agent in this history/);
  });
});
