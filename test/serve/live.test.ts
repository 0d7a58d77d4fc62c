/**
 * The dashboard on the reconciler's own HTTP port (beside /metrics and /healthz): while the
 * reconciler ticks, an open rollout page shows each tick's analysis and then the rollback commit,
 * without being reloaded.
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { after, describe, it } from "node:test";
import { startStatusServer } from "../../src/reconcile/loop.ts";
import { ReconcilerMetrics } from "../../src/reconcile/metrics.ts";
import { Dashboard, LiveFeed } from "../../src/serve/index.ts";
import { PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { chromiumOrSkip, openPage } from "../support/chromium.ts";
import { exampleGitopsRepo, proposeRelease } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";
import { get, keepScreenshot } from "./support.ts";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("the dashboard on the reconciler's port", () => {
  it("follows a rollout live: each tick's analysis, then the rollback, with no reload", async (t) => {
    const executable = chromiumOrSkip(t);
    if (!executable) return;
    const repo = await exampleGitopsRepo();
    cleanups.push(repo.cleanup);
    const live = new LiveFeed(50);
    const sim = await simulatedReconciler(repo.dir, { environment: "dev", onObservation: (o) => live.observe(o) });
    const bad = await proposeRelease(repo.dir, "dev", "support-agent", (p) => ({
      ...p,
      prompts: { digest: `sha256:${"2".repeat(64)}` },
    }));
    sim.world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
    const first = await sim.reconciler.tick();
    assert.deepEqual(
      first.decisions.map((d) => d.change.action),
      ["advance"],
      "the rollout starts",
    );

    const metrics = new ReconcilerMetrics();
    const dashboard = new Dashboard({ repo: sim.gitRepo, live, clock: sim.now, watchMs: 100 });
    const server: Server = await startStatusServer({
      port: 0,
      host: "127.0.0.1",
      registries: [metrics.registry],
      metrics,
      intervalMs: 10_000,
      pages: (req, res) => dashboard.handle(req, res),
    });
    cleanups.push(async () => {
      dashboard.close();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    });
    const address = server.address();
    assert.ok(address && typeof address === "object");
    const url = `http://127.0.0.1:${address.port}`;
    assert.match((await get(`${url}/metrics`)).text, /tollgate_/);
    assert.equal((await get(`${url}/healthz`)).status, 200);

    const opened = await openPage(
      executable,
      `${url}/rollouts/dev/support-agent`,
      { width: 1280, height: 900 },
      { offline: false },
    );
    cleanups.push(opened.close);
    const { page } = opened;
    await page.locator("#live-status", { hasText: "Live: following the branch." }).waitFor();
    await page.evaluate("window.loadedOnce = 'this page was never reloaded'");
    assert.equal(await page.locator('ol[data-timeline="decisions"] li').count(), 1);
    assert.equal(await page.locator("[data-live-tick]").count(), 0);

    // A routine tick commits nothing; the page shows what it saw.
    sim.advance(10);
    const quiet = await sim.reconciler.tick();
    assert.equal(quiet.decisions.length, 0);
    await page.locator(`[data-live-tick="${sim.now().toISOString()}"]`).waitFor({ timeout: 10_000 });
    assert.match(await page.locator("#live-status").innerText(), /^Updated at .*: reconciler tick\.$/);
    await keepScreenshot(page, "live-during");

    // Ticks until the regression is caught: the rollback commit appears in the timeline and the charts.
    let rolledBack = false;
    for (let i = 0; i < 60 && !rolledBack; i++) {
      sim.advance(10);
      rolledBack = (await sim.reconciler.tick()).decisions.some((d) => d.change.action === "rollback");
    }
    assert.ok(rolledBack, "the 2-point error-rate regression is rolled back");
    await page.locator('ol[data-timeline="decisions"] li[data-action="rollback"]').waitFor({ timeout: 10_000 });
    assert.match(
      await page.locator("#live-status").innerText(),
      /^Updated at .*: (new commit [0-9a-f]{12}|reconciler tick)\.$/,
    );
    assert.equal(
      await page.locator('svg[data-metric="error_rate"] g[data-marker="decision"][data-action="rollback"]').count(),
      1,
    );
    assert.match(await page.locator("#now").innerText(), /This rollout ended with\s+rollback/);
    assert.equal(await page.evaluate("window.loadedOnce"), "this page was never reloaded");
    await keepScreenshot(page, "live-after-rollback");
    assert.deepEqual(opened.consoleProblems, []);
  });
});
