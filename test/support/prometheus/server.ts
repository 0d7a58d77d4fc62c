/**
 * Starts a real Prometheus (Debian's `prometheus` package) for tests: a free loopback port, a
 * temporary storage folder, optionally data backfilled with `promtool tsdb create-blocks-from
 * openmetrics` and/or scrape targets. `stop()` ends the process and removes the folder.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface PrometheusServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** OpenMetrics text (ending with `# EOF`) backfilled into the storage before start. */
  backfill?: string;
  /** host:port targets scraped at `scrapeIntervalS` (default 1 s), job name `tollgate-test`. */
  scrapeTargets?: string[];
  scrapeIntervalS?: number;
}

const BINARIES = ["prometheus", "promtool"];

/** The path of a binary on PATH, or undefined. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * For `describe(name, { skip: prometheusSkip() }, ...)`: false when Prometheus can run here. A missing
 * binary throws under CI=true (the test file fails) and otherwise skips with a loud message.
 */
export function prometheusSkip(): string | false {
  const missing = BINARIES.filter((b) => !which(b));
  if (missing.length === 0) return false;
  const message = `${missing.join(" and ")} not found: install Debian's prometheus package (apt-get install -y prometheus)`;
  if (process.env.CI === "true") throw new Error(message);
  process.stderr.write(`\n*** SKIPPED: ${message} ***\n\n`);
  return message;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function startPrometheus(options: StartOptions = {}): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-prometheus-"));
  const data = join(dir, "data");
  try {
    if (options.backfill !== undefined) {
      const file = join(dir, "backfill.om");
      await writeFile(file, options.backfill);
      await run("promtool", ["tsdb", "create-blocks-from", "openmetrics", file, data]);
    }
    const interval = `${options.scrapeIntervalS ?? 1}s`;
    const scrape = options.scrapeTargets?.length
      ? `scrape_configs:\n  - job_name: tollgate-test\n    scrape_interval: ${interval}\n    static_configs:\n      - targets: [${options.scrapeTargets.map((t) => JSON.stringify(t)).join(", ")}]\n`
      : "scrape_configs: []\n";
    const config = join(dir, "prometheus.yml");
    await writeFile(config, `global:\n  scrape_interval: ${interval}\n  evaluation_interval: ${interval}\n${scrape}`);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        const child = await launch(config, data, port);
        return {
          url: `http://127.0.0.1:${port}`,
          port,
          stop: async () => {
            await stopProcess(child);
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(config: string, data: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    "prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=30d",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`prometheus exited (${code}) before it was ready:\n${log}`))),
  );
  const deadline = Date.now() + 30_000;
  const ready = (async () => {
    while (Date.now() < deadline) {
      const ok = await fetch(`http://127.0.0.1:${port}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`prometheus on port ${port} was not ready within 30 s:\n${log}`);
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  exited.catch(() => {});
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await done;
  clearTimeout(timer);
}
