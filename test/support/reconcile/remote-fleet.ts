/**
 * A fleet repository published on a real git smart-HTTP remote (git http-backend on loopback), the
 * person who proposes releases through a plain git clone, and reconcilers that work on their own
 * clones of the remote: the parts the reconciler reliability tests are made of.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { GitRepo, type GitopsHooks, type WrittenDecision } from "../../../src/gitops/index.ts";
import { PolicyLoader } from "../../../src/policy/loader.ts";
import { PolicyAtHead } from "../../../src/policy/cache.ts";
import { Reconciler } from "../../../src/reconcile/reconciler.ts";
import type { SimulatedWorld } from "../../../src/reconcile/simulation.ts";
import type { RetryOptions } from "../../../src/reconcile/transaction.ts";
import { createSeededBareRepo, gitCli } from "../git-http/repos.ts";
import { type GitHttpRequest, type GitHttpServer, startGitHttpServer } from "../git-http/server.ts";
import { tempDir } from "../tmp-repo.ts";
import { FLEET_ENV, type FleetOptions, writeFleet, writeReleases } from "./fleet.ts";

export const START = new Date("2026-11-24T10:00:00Z");

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public now: Date = START) {}
  readonly read = (): Date => this.now;
  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }
}

export interface RemoteFleet {
  root: string;
  server: GitHttpServer;
  /** The bare repository the server serves. */
  bare: string;
  url: string;
  /** Runs before every request the server receives (set and clear it freely). */
  onRequest: ((request: GitHttpRequest) => void | Promise<void>) | undefined;
  /**
   * A person proposes `version` of these services: edits the release files in their clone,
   * commits and pushes (pulling with rebase first, and again when a reconciler pushed in between).
   * Returns the commit.
   */
  propose(
    services: readonly string[],
    version: number,
    options?: { environment?: string; message?: string },
  ): Promise<string>;
  /** A person commits one file (any path outside environments/ leaves the desired state as it is) and pushes. */
  commitFile(path: string, text: string, message: string): Promise<string>;
  /** The remote's main. */
  head(): string;
  close(): Promise<void>;
}

/** Publishes one fleet environment (or several, in one repository) on a fresh loopback git server. */
export async function startRemoteFleet(options: FleetOptions | FleetOptions[]): Promise<RemoteFleet> {
  const temp = await tempDir("tollgate-reconcile-");
  const environments = Array.isArray(options) ? options : [options];
  const bare = await createSeededBareRepo(temp.dir, "gitops.git", async (work) => {
    for (const environment of environments) await writeFleet(work, environment);
  });
  const human = join(temp.dir, "human");
  gitCli(temp.dir, "clone", "-q", bare, human);
  let onRequest: RemoteFleet["onRequest"];
  const server = await startGitHttpServer({ root: temp.dir, beforeRequest: (r) => onRequest?.(r) });
  return {
    root: temp.dir,
    server,
    bare,
    url: server.url("gitops.git"),
    get onRequest() {
      return onRequest;
    },
    set onRequest(hook) {
      onRequest = hook;
    },
    propose: async (services, version, { environment, message } = {}) => {
      await gitAsync(human, "pull", "-q", "--rebase", "origin", "main");
      await writeReleases(human, services, version, environment);
      return commitAndPush(
        human,
        message ??
          `Release version ${version} of ${services.length === 1 ? services[0] : `${services.length} services`} to ${environment ?? FLEET_ENV}`,
      );
    },
    commitFile: async (path, text, message) => {
      await gitAsync(human, "pull", "-q", "--rebase", "origin", "main");
      await writeFile(join(human, path), text);
      await gitAsync(human, "add", path);
      return commitAndPush(human, message);
    },
    head: () => gitCli(bare, "rev-parse", "main").trim(),
    close: async () => {
      await server.close();
      await temp.cleanup();
    },
  };
}

/**
 * Runs git without blocking the event loop. Use it for anything that talks to the loopback HTTP
 * remote: the server lives in this process, so a synchronous git call against it never returns.
 */
export function gitAsync(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      {
        cwd,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(" ")}: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** Commits what is staged or changed as Dana Dev and pushes, rebasing onto whatever was pushed meanwhile. */
async function commitAndPush(clone: string, message: string): Promise<string> {
  await gitAsync(
    clone,
    "-c",
    "user.name=Dana Dev",
    "-c",
    "user.email=dana@example.com",
    "commit",
    "-q",
    "-a",
    "-m",
    message,
  );
  for (let attempt = 1; ; attempt++) {
    try {
      await gitAsync(clone, "push", "-q", "origin", "main");
      return (await gitAsync(clone, "rev-parse", "HEAD")).trim();
    } catch (error) {
      if (attempt >= 10) throw error;
      await gitAsync(clone, "pull", "-q", "--rebase", "origin", "main");
    }
  }
}

/** Compiled once per process: every reconciler of a test shares the compiled guardrails. */
export const sharedPolicies = new PolicyAtHead(new PolicyLoader());

export const quietLogger: Logger = pino({ level: "silent" });

export interface FleetReconcilerOptions {
  url: string;
  /** Where this reconciler keeps its clone. */
  workdir: string;
  world: SimulatedWorld;
  clock: () => Date;
  hooks?: GitopsHooks;
  logger?: Logger;
  identity?: { name: string; email: string };
  retry?: RetryOptions;
  onDecision?: (decision: WrittenDecision) => void | Promise<void>;
  concurrency?: number;
  policies?: PolicyAtHead;
}

/** A reconciler over its own clone of the remote, in a simulated world. */
export async function fleetReconciler(
  options: FleetReconcilerOptions,
): Promise<{ repo: GitRepo; reconciler: Reconciler }> {
  const repo = await GitRepo.openOrClone(options.workdir, {
    clock: options.clock,
    identity: options.identity ?? { name: "tollgate", email: "tollgate@example.com" },
    remote: { url: options.url },
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  const reconciler = new Reconciler({
    repo,
    policies: options.policies ?? sharedPolicies,
    telemetry: async (environment) => options.world.telemetry(environment),
    clusters: () => options.world.cluster,
    clock: options.clock,
    logger: options.logger ?? quietLogger,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.onDecision ? { onDecision: options.onDecision } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  return { repo, reconciler };
}
