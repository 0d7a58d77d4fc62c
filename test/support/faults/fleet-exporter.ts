/**
 * Every signal tollgate's default Prometheus queries read (requests, errors, tasks, interventions,
 * latency and cost histograms), for the canary and baseline of several services, on a loopback
 * port for a real Prometheus to scrape. Each scrape first adds one interval of healthy traffic
 * (the same rates for both arms, with a little seeded noise), so every rollout is judged healthy.
 */
import { createServer, type Server } from "node:http";
import { Counter, Histogram, Registry } from "prom-client";

export interface FleetExporter {
  /** host:port for a scrape config. */
  target: string;
  stop(): Promise<void>;
}

export async function startFleetExporter(services: readonly string[], namespace: string): Promise<FleetExporter> {
  const registry = new Registry();
  const labelNames = ["service", "namespace", "tollgate_dev_arm", "pod"];
  const counter = (name: string) => new Counter({ name, help: name, labelNames, registers: [registry] });
  const requests = counter("tollgate_requests_total");
  const errors = counter("tollgate_request_errors_total");
  const tasks = counter("tollgate_tasks_total");
  const interventions = counter("tollgate_interventions_total");
  const latency = new Histogram({
    name: "tollgate_request_duration_ms",
    help: "latency",
    labelNames,
    buckets: [50, 100, 200, 400, 800, 1600],
    registers: [registry],
  });
  const cost = new Histogram({
    name: "tollgate_task_cost_usd",
    help: "cost per task",
    labelNames,
    buckets: [0.005, 0.01, 0.02, 0.04, 0.08],
    registers: [registry],
  });
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const traffic = () => {
    for (const service of services)
      for (const arm of ["canary", "baseline"] as const) {
        const labels = { service, namespace, tollgate_dev_arm: arm, pod: `${service}-${arm}-0` };
        const n = 200 + Math.floor(random() * 20);
        requests.inc(labels, n);
        errors.inc(labels, Math.floor(n * 0.01 + random() * 2));
        tasks.inc(labels, Math.floor(n / 2));
        interventions.inc(labels, random() < 0.5 ? 1 : 0);
        for (let i = 0; i < 20; i++) latency.observe(labels, 80 + random() * 300);
        for (let i = 0; i < 10; i++) cost.observe(labels, 0.01 + random() * 0.02);
      }
  };
  traffic();
  const server: Server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
