import type { Command } from "commander";
import type { CommandContext } from "./context.ts";

/**
 * A top-level command: its name and one-line summary (what `tollgate --help` lists), and its
 * module, imported only when the command runs so that start-up loads only what it needs.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<(ctx: CommandContext) => Command>;
}

/** Every top-level command, one module each, in the order `--help` lists them. Add new commands here. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "init",
    summary: "start a new GitOps repository for tollgate",
    load: async () => (await import("./init/index.ts")).initCommand,
  },
  {
    name: "validate",
    summary: "check every file against its schema and cross-file rules",
    load: async () => (await import("./validate.ts")).validateCommand,
  },
  {
    name: "digest",
    summary: "print the artifact digest of a release file's five parts",
    load: async () => (await import("./digest.ts")).digestCommand,
  },
  {
    name: "telemetry",
    summary: "read canary and baseline telemetry the way the reconciler does",
    load: async () => (await import("./telemetry-fetch.ts")).telemetryCommand,
  },
  {
    name: "promote",
    summary: "propose the digest verified upstream, on a new branch",
    load: async () => (await import("./promote.ts")).promoteCommand,
  },
  {
    name: "check",
    summary: "judge a pull request by the promotion gates",
    load: async () => (await import("./check.ts")).checkCommand,
  },
  {
    name: "confirm",
    summary: "confirm a rollout step marked confirm, on a new branch",
    load: async () => (await import("./confirm.ts")).confirmCommand,
  },
  {
    name: "attest",
    summary: "sign an eval run as a release attestation, on a new branch",
    load: async () => (await import("./attest.ts")).attestCommand,
  },
  {
    name: "policy",
    summary: "build, evaluate and test Rego policies compiled to WebAssembly",
    load: async () => (await import("./policy.ts")).policyCommand,
  },
  {
    name: "reconcile",
    summary: "decide rollouts, commit each decision, apply it to clusters",
    load: async () => (await import("./reconcile.ts")).reconcileCommand,
  },
  {
    name: "status",
    summary: "where every service stands in each environment",
    load: async () => (await import("./status.ts")).statusCommand,
  },
  {
    name: "audit",
    summary: "re-verify every decision in the repository's history",
    load: async () => (await import("./audit.ts")).auditCommand,
  },
  {
    name: "explain",
    summary: "explain one decision commit: evidence, policy input and result",
    load: async () => (await import("./explain.ts")).explainCommand,
  },
  {
    name: "replay",
    summary: "which past decisions other policies would change",
    load: async () => (await import("./replay.ts")).replayCommand,
  },
  {
    name: "report",
    summary: "write a self-contained HTML report of a rollout",
    load: async () => (await import("./report.ts")).reportCommand,
  },
  {
    name: "serve",
    summary: "serve the live dashboard of the repository's history",
    load: async () => (await import("./serve.ts")).serveCommand,
  },
  {
    name: "analyze",
    summary: "run the canary judge over recorded scenario files",
    load: async () => (await import("./analyze.ts")).analyzeCommand,
  },
  {
    name: "demo",
    summary: "the whole loop on a temporary repository, in accelerated time",
    load: async () => (await import("./demo.ts")).demoCommand,
  },
];
