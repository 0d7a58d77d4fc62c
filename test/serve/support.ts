/**
 * The dashboard in this process on a loopback port, and where browser tests keep their screenshots
 * (test-artifacts/dashboard/, or $TOLLGATE_TEST_ARTIFACTS/dashboard/).
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { GitRepo } from "../../src/gitops/index.ts";
import { Dashboard, type DashboardOptions, startDashboardServer } from "../../src/serve/index.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

export const ARTIFACTS_DIR = join(
  process.env["TOLLGATE_TEST_ARTIFACTS"] ?? join(PROJECT_ROOT, "test-artifacts"),
  "dashboard",
);

export interface Served {
  url: string;
  dashboard: Dashboard;
  server: Server;
  close(): Promise<void>;
}

export async function serveRepository(dir: string, options: Omit<DashboardOptions, "repo"> = {}): Promise<Served> {
  const repo = await GitRepo.open(dir);
  const dashboard = new Dashboard({ repo, onError: (error) => console.error(error), ...options });
  const server = await startDashboardServer(dashboard, { host: "127.0.0.1", port: 0 });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    dashboard,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

/** A full-page screenshot kept as a test artifact; returns its path. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = join(ARTIFACTS_DIR, `${name}.png`);
  await writeFile(file, await page.screenshot({ fullPage: true }));
  return file;
}

/** GET a path; the body as text. */
export async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { headers, redirect: "manual" });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** `tollgate serve ARGS...` as its own process: the URL it prints, and a clean stop (its exit code). */
export async function startServeCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; output: () => string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin/tollgate.js"), "serve", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = / at (http:\/\/[^\s/]+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      void exited.then((code) => reject(new Error(`tollgate serve exited ${code}: ${out}`)));
    });
    return {
      url,
      output: () => out,
      stop: async () => {
        child.kill("SIGTERM");
        return exited;
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}
