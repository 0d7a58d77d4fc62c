/**
 * A tiny HTTP server on a free loopback port that answers the Prometheus query API the way a real
 * one cannot be made to: HTTP 5xx, malformed JSON, or no answer at all (slower than any timeout).
 * It also keeps the requests it saw, so tests can check retries and credentials.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export type Fault = "5xx" | "malformed" | "slow" | "empty";

export interface SeenRequest {
  path: string;
  authorization?: string;
  body: string;
}

export interface FaultServer {
  url: string;
  seen: SeenRequest[];
  stop(): Promise<void>;
}

const EMPTY_MATRIX = JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } });

export async function startFaultServer(fault: Fault): Promise<FaultServer> {
  const seen: SeenRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      seen.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      switch (fault) {
        case "5xx":
          res
            .writeHead(503, { "content-type": "text/plain" })
            .end("upstream connect error or disconnect/reset before headers");
          return;
        case "malformed":
          res
            .writeHead(200, { "content-type": "application/json" })
            .end('{"status":"success","data":{"resultType":"matrix","result":[{"metric":');
          return;
        case "slow":
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        case "empty":
          res.writeHead(200, { "content-type": "application/json" }).end(EMPTY_MATRIX);
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("fault server has no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
