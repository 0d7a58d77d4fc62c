/** The GitHub Actions workflows `tollgate init` writes (templates/init/dot-github/workflows), read for tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
export interface Workflow {
  on: Record<string, { paths?: string[]; types?: string[] } | null>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

export function readWorkflow(file: string): Workflow {
  return parse(readFileSync(join(PROJECT_ROOT, "templates/init/dot-github/workflows", file), "utf8")) as Workflow;
}

/** The `tollgate ...` command lines of a workflow's run steps, as argument lists. */
export function tollgateCommands(workflow: Workflow): string[][] {
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
  return steps
    .flatMap((s) => (s.run ?? "").split("\n"))
    .map((line) => line.trim())
    .filter((line) => line.startsWith("tollgate "))
    .map((line) => [...line.replace(/ >.*$/, "").matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1));
}
