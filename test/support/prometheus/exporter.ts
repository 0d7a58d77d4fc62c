/**
 * A small metrics endpoint (prom-client) with tollgate's default metric names for one service,
 * served on a free loopback port for a real Prometheus to scrape. Every scrape first adds a fixed
 * amount of traffic, so each scraped increment is known exactly: canary +10 requests and +1 error,
 * baseline +20 requests and +1 error, per pod per scrape.
 */
import { createServer, type Server } from "node:http";
import { Counter, Histogram, Registry } from "prom-client";

export const PER_SCRAPE = {
  canary: { requests: 10, errors: 1 },
  baseline: { requests: 20, errors: 1 },
} as const;

export interface Exporter {
  /** host:port for a scrape config. */
  target: string;
  scrapes: number;
  stop(): Promise<void>;
}

export async function startExporter(service: string, namespace: string): Promise<Exporter> {
  const registry = new Registry();
  const labelNames = ["service", "namespace", "tollgate_dev_arm", "pod"];
  const requests = new Counter({
    name: "tollgate_requests_total",
    help: "requests",
    labelNames,
    registers: [registry],
  });
  const errors = new Counter({
    name: "tollgate_request_errors_total",
    help: "failed requests",
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "tollgate_request_duration_ms",
    help: "latency",
    labelNames,
    buckets: [50, 100, 250, 500, 1000],
    registers: [registry],
  });
  const state = { scrapes: 0 };
  const traffic = () => {
    for (const arm of ["canary", "baseline"] as const) {
      const labels = { service, namespace, tollgate_dev_arm: arm, pod: `${service}-${arm}-0` };
      requests.inc(labels, PER_SCRAPE[arm].requests);
      errors.inc(labels, PER_SCRAPE[arm].errors);
      for (let i = 0; i < PER_SCRAPE[arm].requests; i++) latency.observe(labels, 40 + 30 * i);
    }
  };
  traffic();
  const server: Server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    state.scrapes++;
    traffic();
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("exporter has no address");
  return {
    target: `127.0.0.1:${address.port}`,
    get scrapes() {
      return state.scrapes;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
