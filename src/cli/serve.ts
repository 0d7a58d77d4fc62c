/**
 * `tollgate serve [--repo PATH|URL] [--branch NAME] [--listen ADDR] [--commit-url URL] [--now TIME]`:
 * the live dashboard of a repository's history, until stopped. A URL is cloned (into --workdir) and
 * fetched every --fetch-interval. TOLLGATE_DASHBOARD_TOKEN, when set, is the bearer token it asks for.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { authFromEnv, GitRepo, redactUrl } from "../gitops/index.ts";
import { formatDuration, parseDuration, UserError } from "../model/index.ts";
import { Dashboard, parseListen, startDashboardServer } from "../serve/index.ts";
import { branchOption, nowOption, repoOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_OK } from "./exit-codes.ts";
import { resolveNow } from "./now.ts";

export const TOKEN_ENV = "TOLLGATE_DASHBOARD_TOKEN";
export const COMMIT_URL_ENV = "TOLLGATE_COMMIT_URL";

interface ServeCliOptions {
  repo: string;
  branch: string;
  workdir?: string;
  listen: string;
  fetchInterval: string;
  commitUrl?: string;
  now?: string;
}

export function serveCommand(ctx: CommandContext): Command {
  return new Command("serve")
    .description(
      "serve the live dashboard of the repository's history (read-only): every environment and service, rollouts with their charts, decisions with their evidence and audit",
    )
    .addOption(repoOption("the GitOps repository: a local clone, or an http(s) URL to clone and follow", { url: true }))
    .addOption(branchOption("the branch whose history is shown", "main"))
    .option("--workdir <dir>", "where a remote repository is cloned (default .tollgate/serve-repo)")
    .option("--listen <addr>", "PORT or HOST:PORT to listen on (0.0.0.0:8080 inside a cluster)", "127.0.0.1:8080")
    .option("--fetch-interval <duration>", "how often a remote repository is fetched", "10s")
    .option("--commit-url <url>", `link decisions to the git host: a URL with {commit} (also ${COMMIT_URL_ENV})`)
    .addOption(nowOption("show ages as at this moment (default: the clock, or TOLLGATE_NOW)"))
    .action(async (options: ServeCliOptions) => {
      ctx.exitCode = await serve(ctx, options);
    });
}

async function serve(ctx: CommandContext, options: ServeCliOptions): Promise<number> {
  const listen = parseListen(options.listen);
  const fetchMs = parseDuration(options.fetchInterval);
  const isUrl = /^https?:\/\//.test(options.repo);
  const auth = authFromEnv(ctx.env);
  const repo = isUrl
    ? await GitRepo.openOrClone(resolve(ctx.cwd, options.workdir ?? ".tollgate/serve-repo"), {
        branch: options.branch,
        remote: { url: options.repo, ...(auth ? { auth } : {}) },
      })
    : await GitRepo.open(resolve(ctx.cwd, options.repo), { branch: options.branch });
  const follow = isUrl ? await followRemote(repo, fetchMs, ctx) : undefined;
  const head = await repo.head();
  if (!head)
    throw new UserError(
      `${redactUrl(options.repo)}: branch ${options.branch} has no commits (choose one with --branch)`,
    );

  const fixedNow = options.now || ctx.env["TOLLGATE_NOW"] ? resolveNow(options.now, ctx.env) : undefined;
  const commitUrl = options.commitUrl ?? ctx.env[COMMIT_URL_ENV];
  if (commitUrl !== undefined && !/^https?:\/\/\S*\{commit\}/.test(commitUrl))
    throw new UserError(`--commit-url ${commitUrl}: expected an http(s) URL with {commit} where the commit id goes`);
  const token = ctx.env[TOKEN_ENV] || undefined;
  const dashboard = new Dashboard({
    repo,
    ...(fixedNow ? { clock: () => fixedNow } : {}),
    ...(token ? { token } : {}),
    ...(commitUrl ? { commitUrl } : {}),
    onError: (error, url) =>
      ctx.err(`serve: ${url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  });
  const server = await startDashboardServer(dashboard, listen);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : listen.port;
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  ctx.out(
    `dashboard of ${options.branch} in ${isUrl ? redactUrl(options.repo) : resolve(ctx.cwd, options.repo)} at http://${host}:${port}/${token ? ` (token from ${TOKEN_ENV})` : ""}${isUrl ? `, fetched every ${formatDuration(fetchMs)}` : ""}; stop with Ctrl-C`,
  );

  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  follow?.stop();
  dashboard.close();
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  return EXIT_OK;
}

/** Fetches the remote now (a failure ends the command) and then every `ms`, moving the local branch to it. */
async function followRemote(repo: GitRepo, ms: number, ctx: CommandContext): Promise<{ stop(): void }> {
  const pull = async () => {
    const fetched = await repo.fetchRemote();
    const local = await repo.head();
    if (fetched && fetched !== local) await repo.updateBranch(local, fetched);
  };
  await pull();
  let failing = false;
  const timer = setInterval(() => {
    pull().then(
      () => {
        if (failing) ctx.err("serve: fetching works again");
        failing = false;
      },
      (error: unknown) => {
        if (!failing)
          ctx.err(
            `serve: fetch failed (retrying every ${formatDuration(ms)}): ${error instanceof Error ? error.message : String(error)}`,
          );
        failing = true;
      },
    );
  }, ms);
  return { stop: () => clearInterval(timer) };
}
