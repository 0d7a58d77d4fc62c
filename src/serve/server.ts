/**
 * The dashboard's HTTP handler: read-only pages over the history of one branch, server-sent events
 * when the branch moves or the reconciler ticks, an optional bearer token. Mounted by `tollgate
 * serve` on its own server, and by `tollgate reconcile --interval` beside /metrics and /healthz.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { collectRollout, explainDecision } from "../audit/index.ts";
import { type GitRepo, parseDecisionMessage } from "../gitops/index.ts";
import { UserError } from "../model/index.ts";
import type { OverviewState } from "../reconcile/index.ts";
import { TokenCheck } from "./auth.ts";
import { DASHBOARD_JS } from "./client.ts";
import { type FleetFilter, fleet, OVERVIEW_STATES, promotionOrder } from "./fleet.ts";
import { DASHBOARD_CSP, frame, type PageBody, paths } from "./html.ts";
import type { LiveFeed } from "./live.ts";
import { decisionPage } from "./pages/decision.ts";
import { overviewPage } from "./pages/overview.ts";
import { loginPage, messagePage } from "./pages/plain.ts";
import { rolloutPage } from "./pages/rollout.ts";
import { servicePage } from "./pages/service.ts";
import { Snapshots } from "./snapshots.ts";
import { DASHBOARD_CSS } from "./style.ts";

export interface DashboardOptions {
  repo: GitRepo;
  /** The commit shown; default the repository's branch head. */
  head?: () => Promise<string | null>;
  /** The moment ages are shown at; default the system clock. */
  clock?: () => Date;
  /** Require this bearer token (or a session from /login); default open. */
  token?: string;
  /** Link to a commit on the git host: a URL with `{commit}` where the commit id goes. */
  commitUrl?: string;
  /** The reconciler's latest look at each service, when it runs in this process. */
  live?: LiveFeed;
  /** How often the branch head is looked at while someone follows the page live; default 1 s. */
  watchMs?: number;
  /** Told about requests that failed inside tollgate (the page says only that it failed). */
  onError?: (error: unknown, url: string) => void;
}

interface Answer {
  status: number;
  body: PageBody;
  headers?: Record<string, string>;
}

const SECURITY_HEADERS = {
  "content-security-policy": DASHBOARD_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const HEX_COMMIT = /^[0-9a-f]{7,40}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class Dashboard {
  readonly #snapshots: Snapshots;
  readonly #auth: TokenCheck | undefined;
  readonly #clients = new Set<ServerResponse>();
  #watch: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastHead: string | null | undefined;
  readonly #unsubscribe: (() => void) | undefined;

  constructor(private readonly options: DashboardOptions) {
    this.#snapshots = new Snapshots(options.repo);
    this.#auth = options.token ? new TokenCheck(options.token) : undefined;
    this.#unsubscribe = options.live?.subscribe((keys) => this.broadcast("tick", { keys }));
  }

  /** Answers any request (unknown paths get a 404 page). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    try {
      await this.route(req, res, url);
    } catch (error) {
      this.options.onError?.(error, url.pathname);
      if (!res.headersSent) {
        const message =
          error instanceof UserError ? error.message : "the page could not be made; the server's log says why";
        this.send(
          req,
          res,
          { status: error instanceof UserError ? 422 : 500, body: messagePage("Could not show this", message) },
          null,
        );
      } else res.end();
    }
  }

  /** Ends live connections and timers. */
  close(): void {
    clearInterval(this.#watch);
    clearInterval(this.#heartbeat);
    this.#watch = this.#heartbeat = undefined;
    this.#unsubscribe?.();
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (path === "/assets/dashboard.css") return this.asset(res, "text/css; charset=utf-8", DASHBOARD_CSS);
    if (path === "/assets/dashboard.js") return this.asset(res, "text/javascript; charset=utf-8", DASHBOARD_JS);
    if (path === "/login") return this.login(req, res, url);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...SECURITY_HEADERS, allow: "GET, HEAD", "content-type": "text/plain" });
      res.end("the dashboard is read-only\n");
      return;
    }
    if (this.#auth && !this.#auth.allows(req)) return this.unauthorized(req, res, url);
    if (path === "/events") return this.events(req, res);

    const head = await this.head();
    const answer = await this.page(path, url.searchParams, head);
    this.send(req, res, answer, head);
  }

  private async page(path: string, query: URLSearchParams, head: string | null): Promise<Answer> {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (!head)
      return { status: 404, body: messagePage("No history", `branch ${this.options.repo.branch} has no commits yet`) };
    const now = (this.options.clock ?? (() => new Date()))();
    const { state, problems } = await this.#snapshots.state(head);

    if (parts.length === 0) {
      const filter = filterOf(query);
      return { status: 200, body: overviewPage(fleet(state, problems, now, filter), filter, this.options.repo.branch) };
    }
    if (parts[0] === "services" && parts.length === 2 && NAME.test(parts[1]!)) {
      const service = parts[1]!;
      const view = fleet(state, problems, now, {});
      const row = view.rows.find((r) => r.service === service);
      const decisions = (await this.#snapshots.decisions(head)).filter((d) => d.service === service);
      if (!row && decisions.length === 0)
        return notFound(`no service ${service} at ${this.options.repo.branch} or in its history`);
      return {
        status: 200,
        body: servicePage({
          service,
          ...(row?.team ? { team: row.team } : {}),
          environments: promotionOrder(state),
          cells: row?.cells ?? new Map(),
          state,
          decisions,
        }),
      };
    }
    if (
      parts[0] === "rollouts" &&
      (parts.length === 3 || parts.length === 4) &&
      NAME.test(parts[1]!) &&
      NAME.test(parts[2]!)
    ) {
      const [, environment, service, n] = parts as [string, string, string, string?];
      const number = n === undefined ? undefined : Number(n);
      if (number !== undefined && !(Number.isInteger(number) && number > 0)) return notFound(`no rollout "${n}"`);
      let rollout: Awaited<ReturnType<typeof collectRollout>>;
      try {
        rollout = await collectRollout(this.options.repo, environment, service, number);
      } catch (error) {
        if (error instanceof UserError) return notFound(error.message);
        throw error;
      }
      const now_ = fleet(state, problems, now, { environment })
        .rows.find((r) => r.service === service)
        ?.cells.get(environment);
      const live = this.options.live?.latest(environment, service);
      return { status: 200, body: rolloutPage({ rollout, ...(now_ ? { now: now_ } : {}), ...(live ? { live } : {}) }) };
    }
    if (parts[0] === "decisions" && parts[1] === "by-evidence" && parts.length === 3 && DIGEST.test(parts[2]!)) {
      const found = (await this.#snapshots.decisions(head)).find((d) => d.evidence === parts[2]);
      if (!found) return notFound(`no decision with evidence ${parts[2]} in this history`);
      return {
        status: 303,
        body: messagePage("See the decision", paths.decision(found.commit)),
        headers: { location: paths.decision(found.commit) },
      };
    }
    if (parts[0] === "decisions" && parts.length === 2 && HEX_COMMIT.test(parts[1]!)) return this.decision(parts[1]!);
    return notFound(`nothing at ${path}`);
  }

  private async decision(ref: string): Promise<Answer> {
    const { repo } = this.options;
    let commit: string;
    try {
      commit = await repo.resolve(ref);
    } catch {
      return notFound(`no commit ${ref} in this repository`);
    }
    const raw = await repo.store.readCommit(commit).catch(() => undefined);
    if (!raw) return notFound(`no commit ${ref} in this repository`);
    const parsed = parseDecisionMessage(raw.message);
    if (parsed.kind === "not-a-decision") return notFound(`commit ${commit.slice(0, 12)} is not a tollgate decision`);
    if (parsed.kind === "malformed")
      return {
        status: 422,
        body: messagePage(
          "A malformed decision",
          `commit ${commit.slice(0, 12)} says it is a decision but: ${parsed.problems.join("; ")}`,
        ),
      };
    const started = performance.now();
    const explanation = await explainDecision(repo, commit);
    const auditMs = performance.now() - started;
    const rollout = Number(/\/r(\d+)\.(?:\d+|pre)\//.exec(parsed.message.trailers.idempotencyKey)?.[1] ?? Number.NaN);
    return {
      status: 200,
      body: decisionPage({
        explanation,
        message: parsed.message,
        rawMessage: raw.message,
        ...(Number.isInteger(rollout) ? { rollout } : {}),
        ...(this.options.commitUrl ? { commitUrl: this.options.commitUrl.replaceAll("{commit}", commit) } : {}),
        auditMs,
      }),
    };
  }

  private head(): Promise<string | null> {
    return this.options.head ? this.options.head() : this.options.repo.head();
  }

  private send(req: IncomingMessage, res: ServerResponse, answer: Answer, head: string | null): void {
    const fragment = req.headers["x-tollgate-fragment"] === "1";
    const body = fragment
      ? JSON.stringify({ title: answer.body.title, main: answer.body.main, head })
      : frame(answer.body, { branch: this.options.repo.branch, head });
    res.writeHead(answer.status, {
      ...SECURITY_HEADERS,
      ...answer.headers,
      "content-type": fragment ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
      "cache-control": "no-store",
      vary: "x-tollgate-fragment",
      "content-length": Buffer.byteLength(body),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  private asset(res: ServerResponse, type: string, text: string): void {
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": type, "cache-control": "no-cache" });
    res.end(text);
  }

  private unauthorized(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.headers["x-tollgate-fragment"] === "1" || url.pathname === "/events") {
      res.writeHead(401, {
        ...SECURITY_HEADERS,
        "www-authenticate": 'Bearer realm="tollgate"',
        "content-type": "text/plain",
      });
      res.end("a token is needed\n");
      return;
    }
    this.send(
      req,
      res,
      {
        status: 401,
        body: loginPage(url.pathname + url.search, false),
        headers: { "www-authenticate": 'Bearer realm="tollgate"' },
      },
      null,
    );
  }

  private async login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === "GET" || req.method === "HEAD")
      return this.send(req, res, { status: 200, body: loginPage(safeNext(url.searchParams.get("next")), false) }, null);
    if (req.method !== "POST" || !this.#auth) {
      res.writeHead(405, { ...SECURITY_HEADERS, allow: "GET, HEAD", "content-type": "text/plain" });
      res.end("nothing to sign in to\n");
      return;
    }
    const form = new URLSearchParams(await readBody(req, 4096));
    const next = safeNext(form.get("next"));
    if (!this.#auth.matches(form.get("token") ?? ""))
      return this.send(req, res, { status: 401, body: loginPage(next, true) }, null);
    const secure = req.headers["x-forwarded-proto"] === "https" || "encrypted" in req.socket;
    res.writeHead(303, { ...SECURITY_HEADERS, location: next, "set-cookie": this.#auth.sessionCookie(secure) });
    res.end();
  }

  private async events(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    res.write("retry: 2000\n\n");
    this.#clients.add(res);
    req.on("close", () => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.stopWatching();
    });
    const head = await this.head();
    this.#lastHead = head;
    res.write(event("head", { head }));
    this.startWatching();
  }

  private startWatching(): void {
    this.#watch ??= setInterval(() => void this.lookAtHead(), this.options.watchMs ?? 1000);
    this.#heartbeat ??= setInterval(() => {
      for (const client of this.#clients) client.write(": still here\n\n");
    }, 15_000);
  }

  private stopWatching(): void {
    clearInterval(this.#watch);
    clearInterval(this.#heartbeat);
    this.#watch = this.#heartbeat = undefined;
  }

  private async lookAtHead(): Promise<void> {
    try {
      const head = await this.head();
      if (head !== this.#lastHead) {
        this.#lastHead = head;
        this.broadcast("head", { head });
      }
    } catch (error) {
      this.options.onError?.(error, "/events");
    }
  }

  private broadcast(name: string, data: unknown): void {
    const text = event(name, data);
    for (const client of this.#clients) client.write(text);
  }
}

/** `tollgate serve`'s own server: every request goes to the dashboard. */
export function startDashboardServer(dashboard: Dashboard, listen: { host: string; port: number }): Promise<Server> {
  const server = createServer((req, res) => void dashboard.handle(req, res));
  server.on("close", () => dashboard.close());
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/** `8080`, `:8080`, `127.0.0.1:8080`, `[::1]:8080` (default host 127.0.0.1). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new UserError(`--listen ${text}: expected PORT or HOST:PORT (e.g. 8080, 0.0.0.0:8080)`);
  const host = m[1] ? m[1].replace(/^\[|\]$/g, "") : "127.0.0.1";
  return { host, port };
}

function filterOf(query: URLSearchParams): FleetFilter {
  const state = query.get("state");
  const text = (name: string) => query.get(name)?.trim() || undefined;
  const environment = text("env");
  const team = text("team");
  const service = text("service");
  return {
    ...(environment ? { environment } : {}),
    ...(team ? { team } : {}),
    ...(state && (OVERVIEW_STATES as readonly string[]).includes(state) ? { state: state as OverviewState } : {}),
    ...(service ? { service: service.toLowerCase() } : {}),
  };
}

function notFound(message: string): Answer {
  return { status: 404, body: messagePage("Not found", message) };
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Only paths of this dashboard: never another host (`//evil`, `https://...`). */
function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new UserError("the form is too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
