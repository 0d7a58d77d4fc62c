/**
 * Fault injection between the reconciler and the real servers it talks to:
 * - TcpProxy: forwards TCP to a server; `down()` stops listening (connections are refused, as to a
 *   server that is down) and cuts open ones; `up()` listens on the same port again.
 * - PrometheusFaults: an HTTP proxy in front of a real Prometheus whose answers a test can spoil:
 *   HTTP 5xx, no answer at all (slower than any timeout), every sample NaN, or only one sample in four
 *   kept (gaps: with 1 s scrapes, one sample in 4 s).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createConnection, createServer, type Server, type Socket } from "node:net";

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly targetPort: number,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const proxy = new TcpProxy(targetPort, port);
    await proxy.up();
    return proxy;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = createConnection({ host: "127.0.0.1", port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  close(): Promise<void> {
    return this.down();
  }
}

export type PrometheusFault = "ok" | "5xx" | "slow" | "nan" | "gaps";

export interface PrometheusFaults {
  url: string;
  port: number;
  fault: PrometheusFault;
  /** Queries answered with a fault (or left hanging) so far. */
  readonly spoiled: number;
  close(): Promise<void>;
}

interface Series {
  values?: [number, string][];
  value?: [number, string];
}

export async function startPrometheusFaults(prometheusUrl: string): Promise<PrometheusFaults> {
  const hanging = new Set<ServerResponse>();
  const state: { fault: PrometheusFault; spoiled: number } = { fault: "ok", spoiled: 0 };
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void answer(req, Buffer.concat(chunks), res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      });
    });
  });
  async function answer(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const fault = state.fault;
    if (fault !== "ok") state.spoiled++;
    if (fault === "5xx") {
      res.writeHead(503, { "content-type": "text/plain" }).end("upstream unavailable");
      return;
    }
    if (fault === "slow") {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    const upstream = await fetch(`${prometheusUrl}${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      headers: { "content-type": req.headers["content-type"] ?? "application/x-www-form-urlencoded" },
      ...(req.method === "POST" ? { body } : {}),
    });
    let text = await upstream.text();
    if ((fault === "nan" || fault === "gaps") && upstream.ok) {
      const parsed = JSON.parse(text) as { data?: { result?: Series[] } };
      for (const series of parsed.data?.result ?? []) {
        if (fault === "nan") {
          for (const point of series.values ?? []) point[1] = "NaN";
          if (series.value) series.value[1] = "NaN";
        } else if (series.values) {
          series.values = series.values.filter((_, i) => i % 4 === 0);
        }
      }
      text = JSON.stringify(parsed);
    }
    res.writeHead(upstream.status, { "content-type": "application/json" }).end(text);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get fault() {
      return state.fault;
    },
    get spoiled() {
      return state.spoiled;
    },
    set fault(fault: PrometheusFault) {
      state.fault = fault;
      if (fault !== "slow") for (const res of hanging) res.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
