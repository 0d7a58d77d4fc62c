/**
 * The real `opa` (built from the Go module pinned in test/support/go-tools/opa) as the oracle of
 * tollgate's Rego compiler: the binary, and the module's own conformance suite, which the Go
 * build leaves in the module cache.
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { goToolForTest } from "../go-tools/index.ts";

const run = promisify(execFile);
const WRAPPER = join(import.meta.dirname, "..", "go-tools", "opa");

interface SkippableContext {
  skip(message?: string): void;
}

/** The pinned version of github.com/open-policy-agent/opa, from the wrapper's go.mod. */
export function pinnedOpaVersion(): string {
  const mod = readFileSync(join(WRAPPER, "go.mod"), "utf8");
  const m = /^\s*require\s+github\.com\/open-policy-agent\/opa\s+(v\S+)/m.exec(mod);
  if (!m) throw new Error(`${WRAPPER}/go.mod does not require github.com/open-policy-agent/opa`);
  return m[1]!;
}

export interface Opa {
  /** Path of the `opa` binary. */
  readonly bin: string;
  /** `v1/test/cases/testdata/v1` of the pinned module: OPA's complete v1 conformance suite. */
  readonly casesDir: string;
  readonly version: string;
}

/** Builds (or finds) `opa` for a test; undefined after a loud skip when Go is missing outside CI. */
export async function opaForTest(t: SkippableContext): Promise<Opa | undefined> {
  const bin = await goToolForTest(t, "opa");
  if (bin === undefined) return undefined;
  const { stdout } = await run("go", ["env", "GOMODCACHE"]);
  const version = pinnedOpaVersion();
  const moduleDir = join(stdout.trim(), "github.com", "open-policy-agent", `opa@${version}`);
  return { bin, version, casesDir: join(moduleDir, "v1", "test", "cases", "testdata", "v1") };
}

export interface OpaServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `opa run --server` on a free loopback port and waits until it answers /health. */
export async function startOpaServer(bin: string): Promise<OpaServer> {
  const port = await freePort();
  const child = spawn(bin, ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`opa run --server exited ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`opa run --server did not answer on ${url} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** What OPA says about one module and query: a value, undefined, or an error's code. */
export type OpaOutcome =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "undefined" }
  | { readonly kind: "error"; readonly code: string; readonly message: string }
  | { readonly kind: "compile_error"; readonly message: string };

/** Loads `module` as policy `id`, reads data at `path` (slash-separated) for `input`, removes it again. */
export async function opaEvaluate(
  server: OpaServer,
  id: string,
  module: string,
  path: string,
  input: unknown,
): Promise<OpaOutcome> {
  const put = await fetch(`${server.url}/v1/policies/${id}`, { method: "PUT", body: module });
  if (!put.ok) return { kind: "compile_error", message: await put.text() };
  try {
    const res = await fetch(`${server.url}/v1/data/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input }),
    });
    const body = (await res.json()) as {
      result?: unknown;
      errors?: { code: string; message: string }[];
      code?: string;
      message?: string;
    };
    if (!res.ok) {
      const first = body.errors?.[0];
      return {
        kind: "error",
        code: first?.code ?? body.code ?? "unknown",
        message: first?.message ?? body.message ?? "",
      };
    }
    return "result" in body ? { kind: "value", value: body.result } : { kind: "undefined" };
  } finally {
    await fetch(`${server.url}/v1/policies/${id}`, { method: "DELETE" });
  }
}

/** What OPA answers to a conformance case: its rows (variable bindings), or why it refused. */
export type OpaCaseOutcome =
  | { readonly kind: "rows"; readonly rows: Record<string, unknown>[] }
  | { readonly kind: "compile_error" | "error"; readonly message: string };

/** Runs a conformance case (data, modules, query, input) on a running `opa run --server`. */
export async function opaRunCase(
  server: OpaServer,
  c: { readonly modules: readonly string[]; readonly query: string; readonly data?: unknown; readonly input?: unknown },
): Promise<OpaCaseOutcome> {
  await fetch(`${server.url}/v1/data`, { method: "PUT", body: JSON.stringify(c.data ?? {}) });
  const ids = c.modules.map((_, i) => `case-module-${i}`);
  try {
    for (const [i, module] of c.modules.entries()) {
      const put = await fetch(`${server.url}/v1/policies/${ids[i]}`, { method: "PUT", body: module });
      if (!put.ok) return { kind: "compile_error", message: await put.text() };
    }
    const res = await fetch(`${server.url}/v1/query`, {
      method: "POST",
      body: JSON.stringify({ query: c.query, ...(c.input === undefined ? {} : { input: c.input }) }),
    });
    const body = (await res.json()) as { result?: Record<string, unknown>[] };
    if (!res.ok) return { kind: "error", message: JSON.stringify(body) };
    // the query's generated variables (`__localN__`) are not part of a case's rows
    const rows = (body.result ?? []).map((row) =>
      Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith("__"))),
    );
    return { kind: "rows", rows };
  } finally {
    for (const id of ids) await fetch(`${server.url}/v1/policies/${id}`, { method: "DELETE" });
  }
}
