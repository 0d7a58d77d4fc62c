/**
 * One server process of the test cluster (etcd, kube-apiserver), started under watchdog.sh so that it
 * ends with the test process, its output kept in a log file for error messages.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const WATCHDOG = join(import.meta.dirname, "watchdog.sh");

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port from the loopback interface");
  return address.port;
}

export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    binary: string,
    args: string[],
    readonly logFile: string,
  ) {
    const log = openSync(logFile, "a");
    try {
      this.child = spawn(WATCHDOG, [binary, ...args], { stdio: ["pipe", log, log] });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      });
    });
  }

  /** The watchdog's process id (the server is its only child). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Process ids of the watchdog's children: the server (and the watchdog's input watcher). */
  children(): number[] {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return [];
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** The last lines of the server's output, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no output)";
    }
  }

  /** Polls `ready` until it resolves true; fails naming the server and its last output if it exits or times out. */
  async waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited (code ${this.exitCode}) before ${what}:\n${this.tail()}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline)
        throw new Error(`${this.name} was not ${what} within ${timeoutMs / 1000}s:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Ends the server (the watchdog stops it when its input closes) and waits until it has exited. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.running) return;
    const children = this.children();
    this.child.stdin?.end();
    const timer = setTimeout(() => {
      for (const pid of children) killQuietly(pid);
      this.child.kill("SIGKILL");
    }, timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
