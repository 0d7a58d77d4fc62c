/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core) over a real decision
 * history made by the reconciler: the overview, its filters, a rollout with its rollback marker and
 * reason, the decision with its audit verdict, the artifact diff followed to the service's history.
 * Screenshots are kept in test-artifacts/dashboard/. axe-core checks every page for WCAG 2 A/AA
 * problems (contrast included).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { buildDecisionHistory, type DecisionHistory } from "../audit/history-fixture.ts";
import { chromiumOrSkip, openPage } from "../support/chromium.ts";
import { keepScreenshot, type Served, serveRepository } from "./support.ts";

const NOW = new Date("2026-11-24T14:00:00Z");
const COMMIT_URL = "https://git.example.com/acme/gitops/commit/{commit}";
let history: DecisionHistory;
let served: Served;

before(async () => {
  history = await buildDecisionHistory(new PolicyLoader());
  served = await serveRepository(history.dir, { clock: () => NOW, commitUrl: COMMIT_URL });
});
after(async () => {
  await served?.close();
  await history?.cleanup();
});

const rows = (page: Page) =>
  page.locator("tr[data-service]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-service")));

/** The page's document, as the functions run inside it see it (this project compiles without DOM types). */
type InPage = { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(name: string): string | null }> } };

/** Waits until the overview shows exactly these services (the filters apply asynchronously). */
async function waitForRows(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction(
    (want) =>
      JSON.stringify(
        Array.from((globalThis as unknown as InPage).document.querySelectorAll("tr[data-service]"), (tr) =>
          tr.getAttribute("data-service"),
        ),
      ) === want,
    JSON.stringify(expected),
  );
  assert.deepEqual(await rows(page), expected);
}

async function axeViolations(page: Page): Promise<string[]> {
  const source = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(source);
  const result = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })",
  )) as { passes: unknown[]; violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
  assert.ok(result.passes.length > 10, `axe ran its rules (${result.passes.length} passed)`);
  return result.violations.map(
    (v) =>
      `${v.id}: ${v.help} (${v.nodes
        .map((n) => n.target.join(" "))
        .slice(0, 3)
        .join("; ")})`,
  );
}

describe("the dashboard in a browser", () => {
  it("overview, filters, a rollout's rollback marker and reason, its decision and artifact diff; only its own origin fetched, no accessibility violations", async (t) => {
    const executable = chromiumOrSkip(t);
    if (!executable) return;
    const opened = await openPage(executable, `${served.url}/`, { width: 1280, height: 900 }, { offline: false });
    const { page } = opened;
    try {
      // The overview of a reconciled history: environments in promotion order, every service.
      assert.equal(await page.title(), "tollgate: overview");
      assert.deepEqual(await page.locator("thead th[data-env]").evaluateAll((ths) => ths.map((th) => th.textContent)), [
        "dev",
        "staging",
        "prod",
      ]);
      assert.deepEqual(await rows(page), ["retrieval-api", "support-agent"]);
      const devCell = page.locator('tr[data-service="support-agent"] td[data-env="dev"]');
      assert.equal(await devCell.getAttribute("data-state"), "steady");
      assert.match(await devCell.innerText(), /last promote \d+h\d+m(\d+s)? ago/);
      const prodCell = page.locator('tr[data-service="support-agent"] td[data-env="prod"]');
      assert.equal(
        await prodCell.getAttribute("data-state"),
        "pending",
        "the merged prod release waits for its reconcile",
      );
      assert.match(await prodCell.innerText(), /waits to be rolled out/);
      assert.deepEqual(await axeViolations(page), [], "overview");
      await keepScreenshot(page, "overview");

      // Filters apply as they change, keep the URL in step, and keep focus in the field being typed in.
      await page.selectOption('select[name="team"]', "ml-platform");
      await waitForRows(page, ["retrieval-api"]);
      assert.match(page.url(), /\?team=ml-platform$/);
      await page.selectOption('select[name="team"]', "");
      await page.selectOption('select[name="state"]', "pending");
      await waitForRows(page, ["support-agent"]);
      assert.equal(await page.locator("td.match").count(), 1, "the pending cell is marked");
      await page.selectOption('select[name="state"]', "");
      await page.selectOption('select[name="env"]', "dev");
      await page.waitForFunction(
        () => (globalThis as unknown as InPage).document.querySelectorAll("thead th[data-env]").length === 1,
      );
      await waitForRows(page, ["retrieval-api", "support-agent"]);
      await page.focus('input[name="service"]');
      await page.keyboard.type("supp");
      await waitForRows(page, ["support-agent"]);
      assert.equal(await page.evaluate("document.activeElement.name"), "service");
      assert.match(page.url(), /\?env=dev&service=supp$/);
      assert.match(await page.locator("#live-status").innerText(), /Updated at .*filter applied/);

      // Into the service's latest rollout in dev, then its first one: the rollback.
      await page.locator('tr[data-service="support-agent"] td[data-env="dev"] a[data-last-decision]').click();
      await page.waitForURL(/\/rollouts\/dev\/support-agent$/);
      assert.equal(await page.title(), "support-agent in dev: rollout 2");
      await page.getByRole("link", { name: "1", exact: true }).click();
      await page.waitForURL(/\/rollouts\/dev\/support-agent\/1$/);
      assert.equal(await page.title(), "support-agent in dev: rollout 1");
      const charts = await page.locator("svg[data-metric]").count();
      assert.ok(charts >= 4, `${charts} charts`);
      assert.equal(
        await page.locator('svg[data-metric] g[data-marker="decision"][data-action="rollback"]').count(),
        charts,
      );
      assert.match(
        await page.locator('figure[data-chart="error_rate"] figcaption').innerText(),
        /canary [\d.]+% at .*baseline [\d.]+% .*rollback at/,
        "the chart's text alternative",
      );
      const rollback = page.locator('ol[data-timeline="decisions"] li[data-action="rollback"]');
      assert.match(await rollback.innerText(), /error_rate failed the canary analysis \(regression\)/);
      assert.match(await page.locator('section#analysis table[data-table="analysis"]').innerText(), /error_rate/);
      assert.deepEqual(await axeViolations(page), [], "rollout");
      await keepScreenshot(page, "rollout-rollback");

      // The decision: what, why, evidence, policy, commit (linked to the host), audit verdict re-derived.
      const commit = history.decisions.find((d) => d.action === "rollback" && d.service === "support-agent")!.commit;
      await rollback.getByRole("link", { name: /^decision / }).click();
      await page.waitForURL(new RegExp(`/decisions/${commit}$`));
      assert.match(await page.locator("h1").innerText(), /rollback\s+dev\/support-agent/);
      assert.match(await page.locator("[data-why]").innerText(), /error_rate failed the canary analysis/);
      assert.match(await page.locator("[data-evidence-lines]").innerText(), /error_rate: baseline .*canary .*→ fail/);
      assert.match(await page.locator("[data-policy]").innerText(), /^sha256:[0-9a-f]{64}$/);
      assert.equal(
        await page.locator("[data-commit-link]").getAttribute("href"),
        COMMIT_URL.replace("{commit}", commit),
      );
      assert.equal(await page.locator("[data-audit]").getAttribute("data-audit"), "pass");
      assert.match(await page.locator("[data-audit]").innerText(), /every check passed/);
      assert.deepEqual(await axeViolations(page), [], "decision");
      await keepScreenshot(page, "decision-rollback");

      // Follow the artifact diff: only the prompts changed; the new digest's history shows it rejected.
      await page.locator('a[data-follow="artifact-diff"]').click();
      assert.equal(new URL(page.url()).hash, "#artifact-diff");
      const changed = await page
        .locator('table[data-table="artifact-diff"] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute("data-part")}:${tr.getAttribute("data-changed")}`));
      assert.deepEqual(changed, ["code:false", "model:false", "prompts:true", "tools:false", "index:false"]);
      await page.locator(`a[data-artifact-link="${history.bad.digest}"]`).click();
      await page.waitForURL(/\/services\/support-agent#artifact-/);
      const row = page.locator(`tr[data-digest="${history.bad.digest}"]`);
      assert.equal(await row.locator('td[data-env="dev"]').getAttribute("data-outcome"), "rollback");
      assert.match(await row.innerText(), /rolled back .*rejected/);
      assert.match(await page.locator("#setbacks").innerText(), /dev: \w+ rejected at .*error_rate failed/);
      assert.deepEqual(await axeViolations(page), [], "service");
      await keepScreenshot(page, "service");

      const foreign = opened.requests.filter((r) => !r.startsWith(`${served.url}/`));
      assert.deepEqual(foreign, [], "nothing but the dashboard's own origin");
      assert.deepEqual(opened.consoleProblems, []);
    } finally {
      await opened.close();
    }
  });
});
