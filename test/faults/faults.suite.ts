/**
 * The fault suite (`npm run test:faults`, run by .ci/run after `npm test`): a looping reconciler
 * process (test/support/faults/reconciler-child.ts, the library's runLoop as `tollgate reconcile
 * --interval` runs it, with durable writes) works against a real git server (git http-backend
 * behind a TCP proxy) and a real Prometheus scraping a fleet's metrics (behind a proxy that can
 * spoil answers), while a person rolls out new versions of three services in waves. Two tracks of
 * faults run side by side, each kind injected ROUNDS times (3 by default):
 *   git, disk and process: SIGKILL at a random moment (restarted as a Deployment would), the git
 *     server down, pushes of decisions rejected by the remote (a pre-receive hook), EIO and ENOSPC
 *     on every object write (an injected writer), a read-only pack (chattr +i as root, else a
 *     read-only pack folder), a full evidence cap;
 *   telemetry and time: Prometheus down, slow (no answer within the client's 1 s timeout), 5xx,
 *     NaN samples and gaps; the reconciler's clock jumping 30 s forward and back.
 *
 * Nothing here is timed against a speed: a fault stays on until it has bitten (the reconciler met
 * it: a failed tick, a refused write, a spoiled query...) and at least FAULT_TICKS ticks ran under
 * it; the next fault starts once the reconciler has recovered. Time only caps the waiting (hang
 * detectors, generous), so the suite holds at any machine load; it just takes longer.
 *
 * Asserted afterwards:
 * - no decision lost: every decision a tick reported published is on the remote's first-parent
 *   chain, the clone holds nothing the remote lacks, and every wave the person proposed ended
 *   (each service live at the new version, or it rolled back);
 * - none duplicated: no idempotency key twice, each decision on the head it was decided on, steps
 *   only forward, nothing after a rollout ended (historyViolations);
 * - no promotion on missing data: no advance or promote in a tick whose telemetry for that service
 *   had no data of an arm, and every such decision's evidence holds data of both arms;
 * - `git fsck --strict` on the remote and the clone, `tollgate audit` of the remote;
 * - every injection bit, and the reconciler recovered within RECOVERY_TICKS ticks that started
 *   after the fault ended (after a SIGKILL: counted from the kill, the new process included);
 * - storage stays bounded (the clone's packs, whatever the read-only packs did).
 * It prints the figures: injections per kind, decisions, recoveries in ticks and seconds.
 *
 * Scaled down to keep CI short: "the git server down for minutes" is GIT_DOWN_MS (20 s, at least
 * GIT_DOWN_TICKS failed ticks: what a reconciler sees of a long outage is failing ticks, and their
 * count is what is scaled); other faults last FAULT_MIN_MS and FAULT_TICKS ticks at least.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { type FleetExporter, startFleetExporter } from "../support/faults/fleet-exporter.ts";
import { type PrometheusFaults, startPrometheusFaults, TcpProxy } from "../support/faults/proxies.ts";
import type { FaultChildConfig, TickLine } from "../support/faults/reconciler-child.ts";
import { gitCli, hasGit } from "../support/git-http/repos.ts";
import { type PrometheusServer, prometheusSkip, startPrometheus } from "../support/prometheus/server.ts";
import { artifactOf, FLEET_ENV, serviceNames } from "../support/reconcile/fleet.ts";
import { historyViolations, readDecisions, readEvidenceDocuments, readHistory } from "../support/reconcile/history.ts";
import { type RemoteFleet, startRemoteFleet } from "../support/reconcile/remote-fleet.ts";
import { runCli } from "../support/run-cli.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 3);
const SEED = Number(process.env.FAULT_SEED ?? 21);
const SERVICES = serviceNames(3);
const INTERVAL_MS = 2000;
const FAULT_MIN_MS = 4000;
const FAULT_TICKS = 2;
const GIT_DOWN_MS = 20_000;
const GIT_DOWN_TICKS = 5;
/** The recovery bound: recovered by the 3rd tick that starts after the fault ends. */
const RECOVERY_TICKS = 3;
/** Waves the person must see end (a rollout that goes through faults, more than once). */
const MIN_WAVES = 2;
/** Caps on waiting, not speeds: a fault kept on this long without biting, a recovery or wave this late, fails. */
const BITE_CAP_MS = 180_000;
const RECOVERY_CAP_MS = 300_000;
const WAVES_CAP_MS = 600_000;
/** Packs the reconciler's clone may hold at the end (geometric merging keeps them logarithmic). */
const MAX_PACKS = 40;
const CHILD = join(PROJECT_ROOT, "test/support/faults/reconciler-child.ts");

type FaultKind =
  | "sigkill"
  | "git-down"
  | "push-rejected"
  | "disk-eio"
  | "disk-enospc"
  | "read-only-pack"
  | "evidence-cap"
  | "prometheus-down"
  | "prometheus-slow"
  | "prometheus-5xx"
  | "prometheus-nan"
  | "prometheus-gaps"
  | "clock-forward"
  | "clock-back";

const GIT_TRACK: FaultKind[] = [
  "sigkill",
  "git-down",
  "push-rejected",
  "disk-eio",
  "disk-enospc",
  "read-only-pack",
  "evidence-cap",
];
const TELEMETRY_TRACK: FaultKind[] = [
  "prometheus-down",
  "prometheus-slow",
  "prometheus-5xx",
  "prometheus-nan",
  "prometheus-gaps",
  "clock-forward",
  "clock-back",
];

/** Problem causes a spoiled Prometheus makes the source report (any other cause is not the fault's). */
const FAULT_CAUSES = new Set([
  "unreachable",
  "timeout",
  "http-error",
  "malformed-response",
  "non-finite",
  "gap",
  "no-data",
]);

interface Injection {
  kind: FaultKind;
  start: number;
  end: number;
  bit: boolean;
  /** How the fault was made, where there is a choice (read-only pack). */
  how?: string;
  recoveryTicks?: number;
  /** From the end of the fault (from the kill, for a SIGKILL) to the end of the recovering tick. */
  recoveryMs?: number;
}

type Tick = Exclude<TickLine, { event: "start" }>;

/** The reconciler process, restarted whenever it exits (as a Deployment would), until stopped. */
class Supervised {
  private child: ChildProcess | undefined;
  private stopping = false;
  private killed = new Set<number>();
  restarts = 0;
  /** Exits the suite did not cause, with the end of their stderr. */
  readonly unexpectedExits: string[] = [];
  private stderr = "";

  constructor(private readonly configFile: string) {}

  start(): void {
    this.stderr = "";
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, this.configFile], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, TOLLGATE_LOG_LEVEL: "error" },
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    child.once("exit", (code, signal) => {
      if (this.stopping) return;
      if (!this.killed.has(child.pid ?? -1))
        this.unexpectedExits.push(`exit ${code ?? signal}: ${this.stderr.trim().split("\n").slice(-3).join(" | ")}`);
      this.restarts++;
      setTimeout(() => this.start(), 200);
    });
    this.child = child;
  }

  kill(): void {
    if (this.child?.pid) this.killed.add(this.child.pid);
    this.child?.kill("SIGKILL");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A seeded generator, so a failing run can be told again (FAULT_SEED). */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function readTicks(log: string): Tick[] {
  let text: string;
  try {
    text = readFileSync(log, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TickLine)
    .filter((l): l is Tick => l.event !== "start");
}

/** Whether `tick` counts towards a recovery from `kind` (ticks failing for another track's fault do not). */
function countsFor(kind: FaultKind, tick: Tick): boolean {
  if (kind.startsWith("prometheus-")) return Object.keys(tick.telemetry).length > 0;
  if (kind.startsWith("clock-")) return tick.event === "tick";
  return true;
}

/** Whether the reconciler is back to normal from `kind` in `tick`. */
function recoveredIn(kind: FaultKind, tick: Tick): boolean {
  if (kind.startsWith("prometheus-"))
    return Object.values(tick.telemetry).every((seen) => !seen.causes.some((c) => FAULT_CAUSES.has(c)));
  if (kind.startsWith("clock-")) return tick.offset === 0;
  return tick.event === "tick" && tick.errors.length === 0;
}

/** The recovery from `injection`: the recovering tick's number and time, if it came. */
function recoveryOf(injection: Injection, ticks: readonly Tick[]): { ticks: number; ms: number } | undefined {
  const from = injection.kind === "sigkill" ? injection.start : injection.end;
  const after = ticks
    .filter((l) => l.started > from && countsFor(injection.kind, l))
    .sort((a, b) => a.started - b.started);
  const index = after.findIndex((l) => recoveredIn(injection.kind, l));
  return index === -1 ? undefined : { ticks: index + 1, ms: after[index]!.at - from };
}

function canRun(): string | false {
  if (!hasGit()) {
    if (process.env.CI === "true") throw new Error("git is not installed");
    return "git is not installed";
  }
  return prometheusSkip();
}

describe("fault suite: a looping reconciler against real git and Prometheus servers", { skip: canRun() }, () => {
  it("loses and duplicates no decision, never promotes on missing data, and recovers from every fault", async (t) => {
    const started = Date.now();
    const loadAtStart = loadavg()[0]!;
    const random = seeded(SEED);
    let exporter: FleetExporter | undefined;
    let prometheus: PrometheusServer | undefined;
    let faults: PrometheusFaults | undefined;
    let promTcp: TcpProxy | undefined;
    let gitTcp: TcpProxy | undefined;
    let fleet: RemoteFleet | undefined;
    let reconciler: Supervised | undefined;
    let config: FaultChildConfig | undefined;
    const readOnly = new Set<string>();
    // The person's loop runs while this is true; whatever happens, the finally block ends it.
    let running = true;
    let person: Promise<void> | undefined;
    try {
      exporter = await startFleetExporter(SERVICES, "agents");
      prometheus = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalS: 1 });
      faults = await startPrometheusFaults(prometheus.url);
      promTcp = await TcpProxy.start(faults.port);
      fleet = await startRemoteFleet({
        services: SERVICES,
        telemetry: {
          source: "prometheus",
          interval: "2s",
          missingGrace: "20s",
          missingLimit: "1m",
          prometheus: { url: promTcp.baseUrl, timeout: "1s", retries: 1 },
        },
        steps: [
          { weight: 50, minDuration: "6s", maxDuration: "12s" },
          { weight: 100, minDuration: "6s", maxDuration: "12s" },
        ],
        analysisMinDuration: "8s",
        freezeAfterRollback: "5s",
        // Other guardrails to run the suite with (e.g. a deliberately broken copy, to see it fail).
        ...(process.env.FAULT_POLICIES ? { policies: process.env.FAULT_POLICIES } : {}),
      });
      const remote = fleet;
      gitTcp = await TcpProxy.start(Number(new URL(remote.server.baseUrl).port));
      const control = join(remote.root, "control");
      mkdirSync(control, { recursive: true });
      const setControl = (name: string, value: string) => writeFileSync(join(control, name), value);
      const rejectedPushes = rejectDecisionPushes(remote.bare, control);
      config = {
        url: `${gitTcp.baseUrl}/gitops.git`,
        workdir: join(remote.root, "reconciler"),
        control,
        log: join(remote.root, "ticks.ndjson"),
        intervalMs: INTERVAL_MS,
      };
      const log = config.log;
      const packDir = join(config.workdir, ".git", "objects", "pack");
      const configFile = join(remote.root, "child.json");
      writeFileSync(configFile, JSON.stringify(config));
      reconciler = new Supervised(configFile);
      reconciler.start();
      const child = reconciler;

      // The person: a new version of every service once the previous wave has ended (its lastGood is
      // then what serves, as `tollgate check` requires).
      let version = 1;
      let wavesEnded = 0;
      person = (async () => {
        while (running) {
          version++;
          await remote.propose(SERVICES, version);
          while (running && !waveEnded(remote.bare, version)) await sleep(1000);
          if (waveEnded(remote.bare, version)) wavesEnded++;
        }
      })();

      const injections: Injection[] = [];
      const inject = async (kind: FaultKind): Promise<void> => {
        const injection: Injection = { kind, start: Date.now(), end: Date.now(), bit: false };
        injections.push(injection);
        const during = () => readTicks(log).filter((l) => l.started >= injection.start);
        /** Keeps the fault on until it bit and ran long enough (or the cap), then turns it off. */
        const hold = async (
          on: () => void | Promise<void>,
          bitten: (ticks: Tick[]) => boolean,
          off: () => void | Promise<void>,
          least = { ms: FAULT_MIN_MS, ticks: FAULT_TICKS },
        ) => {
          injection.start = Date.now();
          await on();
          for (;;) {
            const ticks = during();
            injection.bit = bitten(ticks);
            const enough = Date.now() - injection.start >= least.ms && ticks.length >= least.ticks;
            if ((injection.bit && enough) || Date.now() - injection.start > BITE_CAP_MS) break;
            await sleep(250);
          }
          await off();
        };
        const failed = (ticks: Tick[]) => ticks.some((l) => l.event === "tick-failed" || l.errors.length > 0);
        const causes = (ticks: Tick[]) =>
          ticks.flatMap((l) => Object.values(l.telemetry).flatMap((seen) => seen.causes));
        switch (kind) {
          case "sigkill":
            await sleep(random() * 1.5 * INTERVAL_MS);
            injection.start = Date.now();
            child.kill();
            injection.bit = true;
            break;
          case "git-down":
            await hold(
              () => gitTcp!.down(),
              (ticks) => ticks.filter((l) => l.event === "tick-failed" || l.errors.length > 0).length >= GIT_DOWN_TICKS,
              () => gitTcp!.up(),
              { ms: GIT_DOWN_MS, ticks: GIT_DOWN_TICKS },
            );
            break;
          case "push-rejected": {
            const before = rejectedPushes();
            await hold(
              () => setControl("reject-pushes", "yes"),
              () => rejectedPushes() > before,
              () => setControl("reject-pushes", ""),
            );
            break;
          }
          case "disk-eio":
          case "disk-enospc":
            await hold(
              () => setControl("disk", kind === "disk-eio" ? "EIO" : "ENOSPC"),
              (ticks) => ticks.some((l) => l.diskFaults > 0),
              () => setControl("disk", ""),
            );
            break;
          case "read-only-pack": {
            const kept = () => packFiles(packDir, /\.keep$/).length;
            const before = kept();
            await hold(
              () => {
                injection.how = makeReadOnly(packDir, readOnly);
              },
              (ticks) => kept() > before || failed(ticks),
              () => {
                // The packs made read-only so far, and the ones written since, stay as they are: only
                // what the injection changed is undone.
                for (const path of [...readOnly]) if (undoReadOnly(path)) readOnly.delete(path);
              },
            );
            break;
          }
          case "evidence-cap":
            await hold(
              // A rollout's start (no telemetry yet, about 5 KB) still fits; a decision carrying a step's records does not.
              () => setControl("evidence-cap", "8192"),
              (ticks) =>
                ticks.some((l) => (l.event === "tick" ? l.errors : [l.error]).some((e) => /evidence document/.test(e))),
              () => setControl("evidence-cap", ""),
            );
            break;
          case "prometheus-down":
            await hold(
              () => promTcp!.down(),
              (ticks) => causes(ticks).includes("unreachable"),
              () => promTcp!.up(),
            );
            break;
          case "prometheus-slow":
          case "prometheus-5xx":
          case "prometheus-nan":
          case "prometheus-gaps": {
            const mode = kind.slice("prometheus-".length) as PrometheusFaults["fault"];
            const before = faults!.spoiled;
            await hold(
              () => {
                faults!.fault = mode;
              },
              (ticks) => faults!.spoiled > before && causes(ticks).some((c) => FAULT_CAUSES.has(c)),
              () => {
                faults!.fault = "ok";
              },
            );
            break;
          }
          case "clock-forward":
          case "clock-back":
            await hold(
              () => setControl("clock-offset", kind === "clock-forward" ? "30000" : "-30000"),
              (ticks) => ticks.some((l) => l.offset !== 0),
              () => setControl("clock-offset", "0"),
            );
            break;
        }
        injection.end = Date.now();
        // The next fault waits for this one's recovery (or the cap: then recovery is missing and fails).
        const deadline = Date.now() + RECOVERY_CAP_MS;
        while (!recoveryOf(injection, readTicks(log)) && Date.now() < deadline) await sleep(250);
      };

      // Let the first wave start before the faults do.
      await waitFor(() => readTicks(log).some((l) => l.event === "tick"), RECOVERY_CAP_MS, "a first tick");
      const track = async (kinds: FaultKind[]) => {
        for (let round = 0; round < ROUNDS; round++) for (const kind of kinds) await inject(kind);
      };
      await Promise.all([track(GIT_TRACK), track(TELEMETRY_TRACK)]);
      const faultsEnded = Date.now();

      // Drain: at least MIN_WAVES waves ended, then the last one ends and the clone catches up.
      try {
        await waitFor(() => wavesEnded >= MIN_WAVES, WAVES_CAP_MS, `${MIN_WAVES} waves to end`);
        running = false;
        await person;
        await waitFor(
          () => waveEnded(remote.bare, version) && cloneMatches(config!.workdir, remote.bare),
          WAVES_CAP_MS,
          "the last wave to end",
        );
      } catch (error) {
        const statuses = SERVICES.map((service) =>
          gitCli(remote.bare, "show", `main:environments/${FLEET_ENV}/status/${service}.yaml`),
        );
        process.stdout.write(
          `version ${version}, waves ended ${wavesEnded}\n${statuses.join("\n---\n")}\nlast ticks:\n${readTicks(log)
            .slice(-10)
            .map((l) => JSON.stringify(l))
            .join("\n")}\n${gitCli(remote.bare, "log", "--oneline", "-15")}\n`,
        );
        throw error;
      }
      await child.stop();
      const ticks = readTicks(log);
      for (const injection of injections) {
        const recovery = recoveryOf(injection, ticks);
        if (recovery) {
          injection.recoveryTicks = recovery.ticks;
          injection.recoveryMs = recovery.ms;
        }
      }

      // The figures.
      const decisions = readDecisions(remote.bare);
      const packs = packFiles(packDir, /\.pack$/);
      const lines = figures(injections, ticks, {
        decisions: decisions.length,
        waves: wavesEnded,
        restarts: child.restarts,
        unexpectedExits: child.unexpectedExits,
        packs: packs.length,
        seconds: (Date.now() - started) / 1000,
        faultSeconds: (faultsEnded - started) / 1000,
        load: [loadAtStart, loadavg()[0]!],
      });
      for (const line of lines) {
        t.diagnostic(line);
        process.stdout.write(`${line}\n`);
      }

      // None duplicated, each on the head it was decided on, steps only forward.
      assert.deepEqual(historyViolations(remote.bare), []);

      // None lost: what ticks reported published is on the remote's first-parent chain, under its key.
      const chain = new Set(readHistory(remote.bare).map((c) => c.commit));
      const byCommit = new Map(decisions.map((d) => [d.commit, d]));
      for (const l of ticks)
        if (l.event === "tick")
          for (const d of l.decisions) {
            assert.ok(
              chain.has(d.commit),
              `${d.service} ${d.action} ${d.commit.slice(0, 12)} was reported but is not on main`,
            );
            assert.equal(byCommit.get(d.commit)?.idempotencyKey, d.key, `${d.commit.slice(0, 12)}: idempotency key`);
          }
      assert.ok(cloneMatches(config.workdir, remote.bare), "the clone holds nothing the remote lacks");
      assert.ok(waveEnded(remote.bare, version), "the last wave ended");
      assert.ok(wavesEnded >= MIN_WAVES, `waves ended: ${wavesEnded}`);

      // No promotion on missing data: not in a tick that saw none of an arm, and never without both arms in evidence.
      for (const l of ticks)
        if (l.event === "tick")
          for (const d of l.decisions)
            if (d.action === "promote" || (d.action === "advance" && (d.step ?? -1) >= 0))
              assert.ok(
                !l.telemetry[d.service]?.blind,
                `${d.service} ${d.action} ${d.commit.slice(0, 12)} in a tick that had no data of an arm`,
              );
      const evidence = readEvidenceDocuments(remote.bare, decisions);
      decisions.forEach((d, i) => {
        const observed = d.action === "promote" || (d.action === "advance" && d.step !== undefined && d.step >= 0);
        if (!observed) return;
        const records = ((evidence[i] as { telemetry?: { records?: { arm: string; requests?: number }[] } }).telemetry
          ?.records ?? []) as { arm: string; requests?: number }[];
        for (const arm of ["canary", "baseline"])
          assert.ok(
            records.some((r) => r.arm === arm && (r.requests ?? 0) > 0),
            `${d.commit.slice(0, 12)} ${d.subject}: no ${arm} data in its evidence`,
          );
      });

      // git fsck --strict and tollgate audit, on the remote and on the reconciler's clone.
      gitCli(remote.bare, "fsck", "--strict", "--no-progress");
      gitCli(config.workdir, "fsck", "--strict", "--no-progress");
      const audit = await runCli(["audit", "--repo", remote.bare]);
      assert.equal(audit.code, 0, audit.stdout + audit.stderr);

      // Every fault bit; every recovery within the bound; storage bounded.
      for (const injection of injections) {
        const at = `${injection.kind} at +${((injection.start - started) / 1000).toFixed(0)} s`;
        assert.ok(
          injection.bit,
          `${at} never bit (kept on ${((injection.end - injection.start) / 1000).toFixed(0)} s)`,
        );
        assert.ok(
          (injection.recoveryTicks ?? Number.POSITIVE_INFINITY) <= RECOVERY_TICKS,
          `${at}: recovered at tick ${injection.recoveryTicks ?? "never"} after it ended, bound ${RECOVERY_TICKS}`,
        );
      }
      assert.ok(packs.length <= MAX_PACKS, `${packs.length} packs in the clone, at most ${MAX_PACKS}`);
    } catch (error) {
      if (reconciler)
        process.stdout.write(
          `reconciler restarts: ${reconciler.restarts}; unexpected exits:\n${reconciler.unexpectedExits.join("\n")}\n`,
        );
      throw error;
    } finally {
      running = false;
      await person?.catch(() => undefined);
      for (const path of readOnly) undoReadOnly(path);
      await reconciler?.stop();
      await fleet?.close();
      await gitTcp?.close();
      await promTcp?.close();
      await faults?.close();
      await prometheus?.stop();
      await exporter?.stop();
    }
  });
});

/**
 * A pre-receive hook on the remote that refuses any push bringing a commit by tollgate while
 * `control/reject-pushes` is non-empty (the person's pushes pass). Returns a counter of refusals.
 */
function rejectDecisionPushes(bare: string, control: string): () => number {
  const flag = join(control, "reject-pushes");
  const count = join(control, "rejected");
  const hook = join(bare, "hooks", "pre-receive");
  mkdirSync(join(bare, "hooks"), { recursive: true });
  writeFileSync(
    hook,
    `#!/bin/sh
[ -s '${flag}' ] || exit 0
while read old new ref; do
  if git log --format=%cn "$old..$new" | grep -qx tollgate; then
    echo x >> '${count}'
    echo "decisions are not accepted now (injected fault)" >&2
    exit 1
  fi
done
`,
  );
  chmodSync(hook, 0o755);
  return () => (existsSync(count) ? readFileSync(count, "utf8").split("\n").filter(Boolean).length : 0);
}

/** Every service of the fleet is live at `version` (or rolled it back), with nothing in flight. */
function waveEnded(bare: string, version: number): boolean {
  return SERVICES.every((service) => {
    let status: { phase?: string; liveDigest?: string; rejected?: { digest: string }[] };
    try {
      status = parse(gitCli(bare, "show", `main:environments/${FLEET_ENV}/status/${service}.yaml`)) as typeof status;
    } catch {
      return false;
    }
    const digest = artifactOf(service, version).digest;
    const ended = status.liveDigest === digest || (status.rejected ?? []).some((r) => r.digest === digest);
    return ended && status.phase !== "progressing";
  });
}

/** The reconciler's branch is the remote's (nothing committed locally and never published). */
function cloneMatches(workdir: string, bare: string): boolean {
  try {
    return gitCli(workdir, "rev-parse", "main").trim() === gitCli(bare, "rev-parse", "main").trim();
  } catch {
    return false;
  }
}

function packFiles(dir: string, name: RegExp): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^pack-[0-9a-f]+\./.test(f) && name.test(f))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * Makes the clone's packs impossible to remove: immutable (`chattr +i`, as root), or else the pack
 * folder read-only (which stops a user who is not root). Notes in `undo` what to set back; says how.
 */
function makeReadOnly(packDir: string, undo: Set<string>): string {
  if (process.getuid?.() === 0) {
    const made = packFiles(packDir, /\.(pack|idx)$/).filter((f) => run("chattr", "+i", f));
    for (const f of made) undo.add(`immutable:${f}`);
    if (made.length > 0) return "chattr +i";
  }
  chmodSync(packDir, 0o555);
  undo.add(`folder:${packDir}`);
  return "read-only pack folder";
}

function undoReadOnly(entry: string): boolean {
  const [how, path] = [entry.slice(0, entry.indexOf(":")), entry.slice(entry.indexOf(":") + 1)];
  if (how === "immutable") return run("chattr", "-i", path);
  chmodSync(path, 0o755);
  return true;
}

function run(command: string, ...args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(500);
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
}

function figures(
  injections: readonly Injection[],
  ticks: readonly Tick[],
  run: {
    decisions: number;
    waves: number;
    restarts: number;
    unexpectedExits: readonly string[];
    packs: number;
    seconds: number;
    faultSeconds: number;
    load: [number, number];
  },
): string[] {
  const done = ticks.filter((l) => l.event === "tick");
  const lines = [
    `fault suite: ${run.seconds.toFixed(0)} s wall (faults for ${run.faultSeconds.toFixed(0)} s), seed ${SEED}, ${ROUNDS} rounds, ${SERVICES.length} services, load average ${run.load[0].toFixed(1)} at start, ${run.load[1].toFixed(1)} at end`,
    `decisions committed: ${run.decisions}; waves rolled out: ${run.waves}; ticks: ${done.length} completed (${done.filter((l) => l.errors.length > 0).length} with service errors), ${ticks.length - done.length} failed; reconciler restarts: ${run.restarts} (${run.unexpectedExits.length} not by SIGKILL); packs in the clone: ${run.packs}`,
    ...run.unexpectedExits.map((e) => `  unexpected exit: ${e}`),
    `recovery bound: the ${RECOVERY_TICKS}rd tick started after a fault ends (after a kill: from the kill)`,
    "fault                       injected  bit  held s (median)  recovery ticks (max)  recovery s (median / max)  decisions during",
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  for (const kind of [...GIT_TRACK, ...TELEMETRY_TRACK]) {
    const mine = injections.filter((i) => i.kind === kind);
    if (mine.length === 0) continue;
    const recoveries = mine.map((i) => (i.recoveryMs ?? Number.NaN) / 1000);
    const during = mine.reduce(
      (n, i) =>
        n + done.filter((l) => l.at >= i.start && l.started <= i.end).reduce((m, l) => m + l.decisions.length, 0),
      0,
    );
    const how = [...new Set(mine.map((i) => i.how).filter(Boolean))].join(", ");
    lines.push(
      [
        `${kind}${how ? ` (${how})` : ""}`.padEnd(27),
        String(mine.length).padStart(8),
        String(mine.filter((i) => i.bit).length).padStart(4),
        median(mine.map((i) => (i.end - i.start) / 1000))
          .toFixed(1)
          .padStart(16),
        String(Math.max(...mine.map((i) => i.recoveryTicks ?? Number.NaN))).padStart(21),
        `${median(recoveries).toFixed(1)} / ${Math.max(...recoveries).toFixed(1)}`.padStart(26),
        String(during).padStart(17),
      ].join(" "),
    );
  }
  return lines;
}
