import { resolve } from "node:path";
import { Command } from "commander";
import pino from "pino";
import { type ClusterApplier, ClusterMetrics, kubernetesParts, type LeaseElector } from "../cluster/index.ts";
import { authFromEnv, GitRepo, identityFromEnv } from "../gitops/index.ts";
import { type Environment, formatDuration, parseDuration, UserError } from "../model/index.ts";
import { PolicyAtHead, PolicyLoader } from "../policy/index.ts";
import {
  formatTick,
  Reconciler,
  ReconcilerMetrics,
  runLoop,
  SimulatedWorld,
  startStatusServer,
  type TickResult,
  WebhookNotifier,
} from "../reconcile/index.ts";
import { Dashboard, LiveFeed } from "../serve/index.ts";
import { configuredSigner } from "../signing/index.ts";
import { createTelemetrySource, type TelemetrySource } from "../telemetry/index.ts";
import { branchOption, envOption, repoOption, serviceOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";
import { durationArg, portArg, positiveIntegerArg, UsageError } from "./options.ts";
import { COMMIT_URL_ENV, TOKEN_ENV } from "./serve.ts";

interface ReconcileOptions {
  repo: string;
  branch: string;
  workdir?: string;
  env?: string;
  service?: string;
  once?: boolean;
  /** Milliseconds. */
  interval?: number;
  webhook: string[];
  listen: number;
  simulate?: boolean;
  concurrency: number;
  policyFailureGrace: string;
  dashboard: boolean;
  signingKey?: string;
}

export function reconcileCommand(ctx: CommandContext): Command {
  return new Command("reconcile")
    .description(
      "decide every rollout from git and telemetry, record each decision as a commit, apply the result to the clusters",
    )
    .addOption(repoOption("the GitOps repository: a local clone, or an http(s) URL to clone", { url: true }))
    .addOption(branchOption("the branch holding the desired state", "main"))
    .option("--workdir <dir>", "where a remote repository is cloned (default .tollgate/repo)")
    .option(
      "--signing-key <path>",
      "sign decision commits with this key: an Ed25519 SSH key or OpenPGP key file, or a mounted Secret folder (also TOLLGATE_SIGNING_KEY)",
    )
    .addOption(envOption())
    .addOption(serviceOption())
    .option("--once", "one tick, then exit (default)")
    .option(
      "--interval <duration>",
      "tick every DURATION (e.g. 30s, at least 100ms) until stopped; serves /metrics, /healthz and the dashboard",
      durationArg({ min: 100 }),
    )
    .option(
      "--webhook <url>",
      "POST every decision to this URL (repeatable; also TOLLGATE_WEBHOOKS, comma-separated)",
      collect,
      [],
    )
    .option("--listen <port>", "port of /metrics, /healthz and the dashboard in loop mode", portArg, 9090)
    .option("--no-dashboard", "serve only /metrics and /healthz in loop mode, not the dashboard's pages")
    .option("--concurrency <n>", "services decided and applied at once", positiveIntegerArg(), 8)
    .option(
      "--policy-failure-grace <duration>",
      "in loop mode, /healthz fails once the policy has failed (no decision) for this long",
      "5m",
    )
    .option(
      "--simulate",
      "use the embedded simulated cluster and telemetry instead of Kubernetes and the configured sources",
    )
    .action(async (options: ReconcileOptions) => {
      ctx.exitCode = await reconcile(ctx, options);
    });
}

async function reconcile(ctx: CommandContext, options: ReconcileOptions): Promise<number> {
  if (options.once && options.interval !== undefined) throw new UsageError("--once and --interval exclude each other");
  const intervalMs = options.interval;
  const policyFailureGraceMs = parseDuration(options.policyFailureGrace);
  const logger = pino({ name: "tollgate", level: ctx.env["TOLLGATE_LOG_LEVEL"] ?? "info" }, pino.destination(2));
  // Durable: objects and packs are fsynced before the ref that names them, so a power loss never
  // leaves the branch naming objects that did not reach the disk (cost: bench:reconcile).
  const keyPath = options.signingKey ?? ctx.env["TOLLGATE_SIGNING_KEY"];
  const signer = await configuredSigner(ctx.env, keyPath ? resolve(ctx.cwd, keyPath) : undefined);
  const gitOptions = {
    branch: options.branch,
    identity: identityFromEnv(ctx.env),
    durable: true,
    ...(signer ? { sign: (payload: Buffer) => signer.signGit(payload) } : {}),
  };
  const isUrl = /^https?:\/\//i.test(options.repo);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(options.repo)?.[1];
  if (scheme && !isUrl)
    throw new UsageError(`--repo ${options.repo}: ${scheme}:// is not supported; give an http(s) URL or a local path`);
  const auth = authFromEnv(ctx.env);
  const repo = isUrl
    ? await GitRepo.openOrClone(resolve(ctx.cwd, options.workdir ?? ".tollgate/repo"), {
        ...gitOptions,
        remote: { url: options.repo, ...(auth ? { auth } : {}) },
      })
    : await GitRepo.open(resolve(ctx.cwd, options.repo), gitOptions);

  const clusterMetrics = new ClusterMetrics();
  const world = options.simulate ? new SimulatedWorld({ logger }) : undefined;
  const k8s = world ? undefined : await kubernetesParts();
  const kubernetes = k8s
    ? new k8s.KubernetesApplier({ logger, metrics: clusterMetrics, loadKubeConfig: k8s.defaultKubeConfigLoader() })
    : undefined;
  const sources = new Map<string, Promise<TelemetrySource>>();
  const telemetry = (environment: Environment): Promise<TelemetrySource> => {
    let source = sources.get(environment.name);
    if (!source) {
      source = world
        ? Promise.resolve(world.telemetry(environment))
        : createTelemetrySource(environment, {
            root: resolve(ctx.cwd, isUrl ? "." : options.repo),
            env: ctx.env,
            logger,
          });
      sources.set(environment.name, source);
    }
    return source;
  };
  const webhooks = [
    ...options.webhook,
    ...(ctx.env["TOLLGATE_WEBHOOKS"] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  const notifier = webhooks.length > 0 ? new WebhookNotifier({ urls: webhooks, logger }) : undefined;
  // In loop mode the dashboard shows each tick as it happens; a single tick has no one to show it to.
  const live = intervalMs !== undefined && options.dashboard ? new LiveFeed() : undefined;
  const reconciler = new Reconciler({
    repo,
    policies: new PolicyAtHead(new PolicyLoader()),
    telemetry,
    clusters: (): ClusterApplier => (world ? world.cluster : kubernetes!),
    // gitops clusters that name an engine: its Application / Kustomization tells when a step is served.
    ...(k8s ? { engines: new k8s.KubernetesEngineStatus(k8s.defaultKubeConfigLoader()) } : {}),
    clock: () => new Date(),
    logger,
    ...(options.env ? { environment: options.env } : {}),
    ...(options.service ? { service: options.service } : {}),
    concurrency: options.concurrency,
    ...(notifier ? { onDecision: (d) => void notifier.notify(d) } : {}),
    ...(live ? { onObservation: (o) => live.observe(o) } : {}),
  });
  const metrics = new ReconcilerMetrics();
  // The simulated cluster lives in this process: bring it to what git says before deciding, so that
  // telemetry describes the versions actually running (and `--once` can be run again and again).
  if (world) await reconciler.applyHead();

  if (intervalMs === undefined) {
    const result = await reconciler.tick();
    metrics.record(result);
    printTick(ctx, result);
    const clusterFailed = result.applied.some((a) => !a.ok);
    return result.errors.length > 0 || result.problems.length > 0 || result.conflict || clusterFailed
      ? EXIT_FAILED
      : EXIT_OK;
  }

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  const token = ctx.env[TOKEN_ENV] || undefined;
  const commitUrl = ctx.env[COMMIT_URL_ENV] || undefined;
  const dashboard = live
    ? new Dashboard({
        repo,
        live,
        ...(token ? { token } : {}),
        ...(commitUrl ? { commitUrl } : {}),
        onError: (err, url) => logger.error({ event: "dashboard-failed", url, err }, "a dashboard page failed"),
      })
    : undefined;
  const server = await startStatusServer({
    port: options.listen,
    registries: [metrics.registry, clusterMetrics.registry],
    metrics,
    intervalMs,
    policyFailureGraceMs,
    ...(dashboard ? { pages: (req, res) => dashboard.handle(req, res) } : {}),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE")
      throw new UserError(`--listen ${options.listen}: the port is in use by another program; choose another port`);
    if (error.code === "EACCES")
      throw new UserError(`--listen ${options.listen}: not allowed to listen on this port; choose one above 1023`);
    throw error;
  });
  const leader = await kubernetesParts();
  const lease = leader.leaseSettingsFromEnv(ctx.env);
  let elector: LeaseElector | undefined;
  if (lease) {
    const kubeConfig = leader.defaultKubeConfigLoader()({ name: "leader-election", namespace: lease.namespace });
    elector = new leader.LeaseElector({ kubeConfig, ...lease, logger, metrics: clusterMetrics });
    void elector.run(controller.signal);
  }
  logger.info(
    {
      event: "started",
      interval: formatDuration(intervalMs),
      listen: options.listen,
      leaderElection: Boolean(lease),
      signingKey: signer?.fingerprint ?? null,
    },
    "reconciling until stopped",
  );
  try {
    await runLoop({
      reconciler,
      intervalMs,
      metrics,
      logger,
      signal: controller.signal,
      ...(elector ? { isLeader: () => elector.isLeader() } : {}),
    });
  } finally {
    dashboard?.close();
    live?.close();
    server.close();
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
  }
  return EXIT_OK;
}

function printTick(ctx: CommandContext, result: TickResult): void {
  const { out, err } = formatTick(result);
  for (const line of err) ctx.err(line);
  for (const line of out) ctx.out(line);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
