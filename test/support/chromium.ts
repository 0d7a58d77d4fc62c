/**
 * Headless Chromium for tests that render pages: Debian's `chromium` package driven by playwright-core
 * (no browser download). Missing Chromium fails the test under CI=true and otherwise skips it loudly.
 */
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { tempDir } from "./tmp-repo.ts";

/** Flags for a quiet, offline, throwaway browser (the user data dir is always a fresh folder). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function chromiumExecutable(): string | undefined {
  const configured = process.env["TOLLGATE_CHROMIUM"];
  if (configured) return existsSync(configured) ? configured : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/** The Chromium binary, or undefined after skipping the test (outside CI) with a loud message. */
export function chromiumOrSkip(t: TestContext): string | undefined {
  const executable = chromiumExecutable();
  if (executable) return executable;
  const message = "chromium is not installed (apt-get install -y chromium; it is listed in .ci/apt-packages)";
  if (process.env["CI"] === "true") throw new Error(message);
  process.stderr.write(`\n*** SKIPPED browser test: ${message} ***\n\n`);
  t.skip(message);
  return undefined;
}

export interface OpenedPage {
  page: Page;
  /** Every URL the page asked for, in order (the page itself first), whether or not it was allowed. */
  requests: string[];
  /** Requests that failed, with the browser's reason (`net::ERR_BLOCKED_BY_CSP`, `net::ERR_CONNECTION_REFUSED`...). */
  failures: Map<string, string>;
  /** Console messages of type error or warning (a blocked load shows here). */
  consoleProblems: string[];
  close(): Promise<void>;
}

/**
 * Opens `url` in a fresh headless Chromium and waits until it has loaded. Offline by default (files);
 * `offline: false` for pages served on loopback, whose requests are recorded all the same.
 */
export async function openPage(
  executable: string,
  url: string,
  viewport = { width: 900, height: 1200 },
  options: { offline?: boolean } = {},
): Promise<OpenedPage> {
  const profile = await tempDir("tollgate-chromium-");
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile.dir, {
      executablePath: executable,
      headless: true,
      args: CHROMIUM_FLAGS.filter((f) => f !== "--headless"),
      viewport,
      offline: options.offline ?? true,
    });
    const requests: string[] = [];
    const consoleProblems: string[] = [];
    const failures = new Map<string, string>();
    context.on("request", (request) => requests.push(request.url()));
    context.on("requestfailed", (request) => failures.set(request.url(), request.failure()?.errorText ?? "failed"));
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") consoleProblems.push(m.text());
    });
    await page.goto(url, { waitUntil: "load" });
    const opened = context;
    return {
      page,
      requests,
      failures,
      consoleProblems,
      close: async () => {
        await opened.close();
        await profile.cleanup();
      },
    };
  } catch (error) {
    await context?.close().catch(() => {});
    await profile.cleanup();
    throw error;
  }
}
