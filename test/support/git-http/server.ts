/**
 * A real git smart-HTTP server for tests: Debian's `git http-backend` (the CGI program that ships
 * with git), run for each request behind a small Node HTTP server on a free loopback port.
 * Optional HTTP Basic auth; a hook runs before each request so tests can make the remote move at
 * exactly the wrong moment.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface GitHttpRequest {
  method: string;
  /** e.g. `/remote.git/info/refs` */
  path: string;
  /** `git-upload-pack` (fetch) or `git-receive-pack` (push), when the request names one. */
  service: string | undefined;
}

export interface GitHttpServerOptions {
  /** Folder holding the bare repositories, served as `/<name>`. */
  root: string;
  auth?: { username: string; password: string };
  /** Runs before each request is handed to git; may delay it or change the repositories. */
  beforeRequest?: (request: GitHttpRequest) => void | Promise<void>;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  url(repository: string): string;
  /** Every request served, in order. */
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

/** Where git keeps `git-http-backend`, or undefined when git is not installed. */
export function gitHttpBackendPath(): string | undefined {
  const result = spawnSync("git", ["--exec-path"], { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  return join(result.stdout.trim(), "git-http-backend");
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const backend = gitHttpBackendPath();
  if (!backend) throw new Error("git is not installed: cannot start git http-backend");
  const requests: GitHttpRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const service = url.searchParams.get("service") ?? /\/(git-(?:upload|receive)-pack)$/.exec(url.pathname)?.[1];
    const request: GitHttpRequest = { method: req.method ?? "GET", path: url.pathname, service: service ?? undefined };
    let user: string | undefined;
    if (options.auth) {
      user = checkBasicAuth(req.headers.authorization, options.auth);
      if (!user) {
        req.resume();
        res.writeHead(401, { "www-authenticate": 'Basic realm="tollgate-test"', "content-type": "text/plain" });
        res.end("authentication required\n");
        return;
      }
    }
    requests.push(request);
    await options.beforeRequest?.(request);
    // The client went away while the hook ran: its request body is gone with it.
    if (req.destroyed) return;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: options.root,
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_PROTOCOL: "HTTP/1.1",
      REQUEST_METHOD: request.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ""),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      // http-backend only accepts pushes from an authenticated user (or with http.receivepack set).
      REMOTE_USER: user ?? "tollgate-test",
    };
    if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
    if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
    if (req.headers["git-protocol"]) env.GIT_PROTOCOL = String(req.headers["git-protocol"]);
    const child = spawn(backend!, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    req.pipe(child.stdin);
    child.stdin.on("error", () => {});
    // A client that dies mid-request never ends the body, and the backend would wait for the rest
    // of it forever (keeping the test process alive): stop it, the request did not happen.
    req.on("close", () => {
      if (!req.readableEnded) child.kill("SIGKILL");
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await relayCgiResponse(child.stdout, res);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    if (code !== 0 && stderr) process.stderr.write(`git http-backend exited ${code}: ${stderr}\n`);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    url: (repository) => `${baseUrl}/${repository}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function checkBasicAuth(header: string | undefined, auth: { username: string; password: string }): string | undefined {
  const match = /^Basic (.+)$/i.exec(header ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return user === auth.username && password === auth.password ? user : undefined;
}

/** Reads the CGI header block (`Status:` and headers), then streams the body through. */
function relayCgiResponse(stdout: NodeJS.ReadableStream, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    let headersDone = false;
    const onData = (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf("\r\n\r\n");
      const lf = head.indexOf("\n\n");
      const end = crlf !== -1 && (lf === -1 || crlf < lf) ? crlf : lf;
      if (end === -1) return;
      const separator = end === crlf ? 4 : 2;
      const headerText = head.subarray(0, end).toString("latin1");
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon === -1) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      headersDone = true;
      const rest = head.subarray(end + separator);
      if (rest.length > 0) res.write(rest);
    };
    stdout.on("data", onData);
    stdout.on("error", reject);
    stdout.on("end", () => {
      if (!headersDone) res.writeHead(502, { "content-type": "text/plain" });
      res.end();
      resolve();
    });
  });
}
