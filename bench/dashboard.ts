/**
 * The dashboard's overview at fleet scale: 1,000 services in three environments (dev → staging →
 * prod), in every state the overview shows (steady, rolling out, frozen after a rollback, blocked,
 * pending), five owning teams. Measured in the same run:
 *  - load:        reading and validating the whole desired state at the head with no parse cache
 *                 (the baseline: what any reader of the state at a commit pays first);
 *  - load, moved: the same after a commit changed one status file (parse cache warm: a tick landed);
 *  - render:      the overview's HTML from a loaded state (grouping, filtering, markup);
 *  - GET /:       the whole HTTP request on loopback, the state cached for the head;
 *  - GET /, moved: the request right after the head moved (state loaded again, then rendered);
 *  - browser:     headless Chromium loading the page until it is laid out and painted, and applying
 *                 a filter (the script fetches the filtered content and swaps it in).
 * Goal: the overview of 1,000 services in under a second.
 *
 *   npm run bench:dashboard
 *   npm run bench:dashboard -- --services 2000 --repeats 7 --json
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { GitRepo } from "../src/gitops/index.ts";
import { loadRepository } from "../src/model/repository.ts";
import type { DecisionAction, Environment, Release, Status } from "../src/model/types.ts";
import { Dashboard, startDashboardServer } from "../src/serve/index.ts";
import { fleet } from "../src/serve/fleet.ts";
import { frame } from "../src/serve/html.ts";
import { overviewPage } from "../src/serve/pages/overview.ts";
import { chromiumExecutable, openPage } from "../test/support/chromium.ts";
import { artifactOf, fleetEnvironment, releaseOf, serviceNames, yamlText } from "../test/support/reconcile/fleet.ts";

const { values } = parseArgs({
  options: {
    services: { type: "string", default: "1000" },
    repeats: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
  },
});
const count = Number(values.services);
const repeats = Number(values.repeats);
const NOW = new Date("2026-11-24T12:00:00Z");
const TEAMS = ["agents", "search", "billing", "support", "platform"];

const dir = await mkdtemp(join(tmpdir(), "tollgate-bench-dashboard-"));
try {
  const services = serviceNames(count);
  await writeRepository(dir, services);
  const repo = await GitRepo.open(dir);
  let head = (await repo.head())!;

  const load = await timed(async () => {
    await loadRepository(repo.treeAt(head), { cache: null });
  });
  const { state, problems } = await repo.stateAt(head);
  if (problems.length > 0) throw new Error(`the generated repository is invalid: ${problems[0]!.message}`);
  let html = "";
  const render = await timed(async () => {
    html = frame(overviewPage(fleet(state, problems, NOW), {}, "main"), { branch: "main", head });
  });
  const loadMoved = await timed(async () => {
    head = touchOneStatus(dir, head);
    await repo.stateAt(head);
  });

  const dashboard = new Dashboard({ repo, clock: () => NOW });
  const server = await startDashboardServer(dashboard, { host: "127.0.0.1", port: 0 });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
  try {
    await (await fetch(url)).text();
    const get = await timed(async () => {
      await (await fetch(url)).text();
    });
    const getMoved = await timed(async () => {
      head = touchOneStatus(dir, head);
      await (await fetch(url)).text();
    });
    const browser = await measureBrowser(url);
    const rows: [string, number[]][] = [
      ["load (baseline)", load],
      ["load, head moved", loadMoved],
      ["render", render],
      ["GET /", get],
      ["GET /, head moved", getMoved],
      ...(browser
        ? ([
            ["browser: load and paint", browser.paint],
            ["browser: apply a filter", browser.filter],
          ] as [string, number[]][])
        : []),
    ];
    const base = median(load);
    const report = {
      services: count,
      cells: count * 3,
      htmlBytes: Buffer.byteLength(html),
      repeats,
      medianMs: Object.fromEntries(rows.map(([name, ms]) => [name, round(median(ms))])),
      ratioToLoad: Object.fromEntries(rows.map(([name, ms]) => [name, round(median(ms) / base, 3)])),
      browser: browser ? "chromium" : "not installed: browser rows left out",
    };
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      process.stdout.write(
        `overview of ${count} services × 3 environments (${(report.htmlBytes / 1024).toFixed(0)} KiB of HTML), median of ${repeats}:\n`,
      );
      for (const [name, ms] of rows)
        process.stdout.write(
          `  ${name.padEnd(26)} ${median(ms).toFixed(1).padStart(8)} ms   ×${(median(ms) / base).toFixed(2)} of load\n`,
        );
      if (!browser) process.stdout.write("  (chromium not installed: browser rows left out)\n");
    }
  } finally {
    dashboard.close();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function timed(run: () => Promise<void>): Promise<number[]> {
  await run(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await run();
    out.push(performance.now() - started);
  }
  return out;
}

async function measureBrowser(url: string): Promise<{ paint: number[]; filter: number[] } | undefined> {
  const executable = chromiumExecutable();
  if (!executable) return undefined;
  const opened = await openPage(executable, url, { width: 1280, height: 900 }, { offline: false });
  try {
    const { page } = opened;
    const painted = () => page.evaluate("new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))");
    const paint = await timed(async () => {
      await page.goto(url, { waitUntil: "load" });
      await painted();
    });
    let team = 0;
    const filter = await timed(async () => {
      const value = TEAMS[team++ % TEAMS.length]!;
      await page.selectOption('select[name="team"]', value);
      await page.locator(`tr[data-team="${value}"]`).first().waitFor();
      await page.locator(`tr[data-service]:not([data-team="${value}"])`).first().waitFor({ state: "detached" });
      await painted();
    });
    return { paint, filter };
  } finally {
    await opened.close();
  }
}

/** One commit changing one status file's lastDecision time: a tick that landed. */
function touchOneStatus(root: string, head: string): string {
  const file = join(root, "environments/dev/status/svc-000.yaml");
  execFileSync(
    "sh",
    [
      "-c",
      `sed -i 's/^  at: .*/  at: ${new Date(Date.now()).toISOString()}/' ${file} && git add -A && git commit -qm tick`,
    ],
    {
      cwd: root,
      env: gitEnv(),
    },
  );
  const moved = execFileSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  if (moved === head) throw new Error("the head did not move");
  return moved;
}

async function writeRepository(root: string, services: string[]): Promise<void> {
  const chain: [string, string | null][] = [
    ["dev", null],
    ["staging", "dev"],
    ["prod", "staging"],
  ];
  for (const [name, from] of chain) {
    const base = join(root, "environments", name);
    await mkdir(join(base, "releases"), { recursive: true });
    await mkdir(join(base, "status"), { recursive: true });
    const env: Environment = { ...fleetEnvironment({ name }), promotesFrom: from };
    await writeFile(join(base, "environment.yaml"), yamlText(env));
    await Promise.all(
      services.map(async (service, i) => {
        const { release, status } = serviceIn(service, i + chain.findIndex(([n]) => n === name) * 3);
        await writeFile(join(base, "releases", `${service}.yaml`), yamlText(release));
        await writeFile(join(base, "status", `${service}.yaml`), yamlText(status));
      }),
    );
  }
  const owners = Object.fromEntries(services.map((s, i) => [s, TEAMS[i % TEAMS.length]!]));
  await writeFile(
    join(root, "teams.yaml"),
    yamlText({
      apiVersion: "tollgate.dev/v1",
      kind: "Teams",
      teams: Object.fromEntries(TEAMS.map((t) => [t, [`lead-${t}`]])),
      owners,
    }),
  );
  execFileSync("sh", ["-c", "git init -q -b main && git add -A && git commit -qm 'a fleet'"], {
    cwd: root,
    env: gitEnv(),
  });
}

/** Every state the overview shows, in turn: steady ×6, rolling out, frozen, blocked, pending. */
function serviceIn(service: string, i: number): { release: Release; status: Status } {
  const v1 = artifactOf(service, 1);
  const v2 = artifactOf(service, 2);
  const base = { apiVersion: "tollgate.dev/v1" as const, kind: "Status" as const, service, liveDigest: v1.digest };
  const decided = (action: DecisionAction, rule: string, message: string) => ({
    action,
    at: "2026-11-24T11:40:00Z",
    reasons: [{ rule, message }],
    idempotencyKey: `env/${service}/${v2.digest}/r1.0/${action}`,
  });
  switch (i % 10) {
    case 6:
      return {
        release: releaseOf(service, 2, v1),
        status: {
          ...base,
          phase: "progressing",
          canaryDigest: v2.digest,
          rollouts: 1,
          step: 0,
          weight: 20,
          rolloutStartedAt: "2026-11-24T11:40:00Z",
          stepStartedAt: "2026-11-24T11:40:00Z",
          lastDecision: decided("advance", "progress.start", "start rolling out: step 1 of 2 at 20% of traffic"),
        },
      };
    case 7:
      return {
        release: releaseOf(service, 1, v1),
        status: {
          ...base,
          phase: "rolled-back",
          rollouts: 1,
          frozenUntil: "2026-11-24T15:40:00Z",
          rejected: [
            { digest: v2.digest, at: "2026-11-24T11:40:00Z", reason: "error_rate failed the canary analysis" },
          ],
          lastDecision: decided(
            "rollback",
            "rollback.metric_failed",
            "error_rate failed the canary analysis (regression)",
          ),
        },
      };
    case 8:
      return {
        release: releaseOf(service, 2, v1),
        status: {
          ...base,
          phase: "blocked",
          lastDecision: decided("block", "governance.eval_required", "the model change needs an eval attestation"),
        },
      };
    case 9:
      return { release: releaseOf(service, 2, v1), status: { ...base, phase: "promoted" } };
    default:
      return {
        release: releaseOf(service, 1),
        status: { ...base, phase: "promoted", lastDecision: decided("promote", "progress.promote", "promoted") },
      };
  }
}

function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}
