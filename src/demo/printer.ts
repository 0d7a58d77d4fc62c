/** How the demo talks: section titles, narration, live rollout progress and decisions. */
import type { WrittenDecision } from "../gitops/index.ts";
import { shortDigest } from "../model/index.ts";
import type { ServiceObservation } from "../reconcile/index.ts";

const tty = process.stdout.isTTY === true;
const paint = (code: string) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint("1");
export const dim = paint("2");
const red = paint("31");
const green = paint("32");
const yellow = paint("33");
const cyan = paint("36");

const ACTION_COLOUR: Record<string, (s: string) => string> = {
  advance: cyan,
  promote: green,
  rollback: red,
  block: red,
  hold: yellow,
};

export class Printer {
  #lastProgress = new Map<string, number>();

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  section(title: string): void {
    this.write("");
    this.write(bold(`━━ ${title}`));
  }

  say(text: string): void {
    this.write(`   ${text}`);
  }

  block(text: string): void {
    for (const line of text.trimEnd().split("\n")) this.write(`   ${dim("│")} ${line}`);
  }

  /** A progress line for a rollout under way, at most once per simulated minute per service. */
  progress(o: ServiceObservation): void {
    if (o.situation.kind !== "rolling-out" || !o.status) return;
    const key = `${o.environment}/${o.service}`;
    const minute = Math.floor(o.now.getTime() / 60_000);
    if (this.#lastProgress.get(key) === minute) return;
    this.#lastProgress.set(key, minute);
    const verdicts = Object.entries(o.analysis?.metrics ?? {})
      .map(([name, j]) => `${name} ${symbol(j?.verdict, j?.reason)}`)
      .join("  ");
    const spend = o.spend ? `  spend $${o.spend.deployUsd.toFixed(2)}` : "";
    const step = `step ${(o.status.step ?? 0) + 1} at ${String(o.status.weight ?? 0).padStart(3)}%`;
    this.write(
      `   ${clock(o.now)}  ${key.padEnd(24)} ${step}  ${verdicts || dim("waiting for data")}${spend}  ${dim(`→ ${o.decision.action}`)}`,
    );
  }

  decision(d: WrittenDecision, now: Date): void {
    const c = d.change;
    const colour = ACTION_COLOUR[c.action] ?? ((s: string) => s);
    this.write(
      `   ${clock(now)}  ${colour(bold(c.action.toUpperCase().padEnd(8)))} ${c.environment}/${c.service}  ${shortDigest(c.from?.digest)} → ${shortDigest(c.to.digest)}  ${dim(`commit ${d.commit.slice(0, 10)}`)}`,
    );
    this.write(`              ${c.why}`);
  }
}

function symbol(verdict: string | undefined, reason: string | undefined): string {
  if (verdict === "pass") return green("✓");
  if (verdict === "fail") return red("✗");
  if (reason === "no-baseline") return dim("n/a");
  return yellow("…");
}

/** Wall-clock time of the accelerated world, HH:MM:SS UTC. */
export function clock(d: Date): string {
  return dim(d.toISOString().slice(11, 19));
}
