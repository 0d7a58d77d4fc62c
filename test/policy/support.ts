import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type LoadedBundle, PolicyLoader } from "../../src/policy/loader.ts";
import type { PolicyDecision, PolicyInput } from "../../src/policy/types.ts";

export const POLICY_DIR = fileURLToPath(new URL("../../policies/", import.meta.url));
export const EXAMPLES_DIR = fileURLToPath(new URL("../../policies/examples/", import.meta.url));

let guardrails: Promise<LoadedBundle> | undefined;

/** The repository's guardrails compiled once per test process. */
export function loadGuardrails(): Promise<LoadedBundle> {
  guardrails ??= new PolicyLoader().loadDirectory(POLICY_DIR, undefined, "policies/");
  return guardrails;
}

export interface Example {
  name: string;
  input: PolicyInput;
  decision: PolicyDecision;
}

export function readExamples(): Example[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith(".input.json"))
    .sort()
    .map((file) => {
      const name = file.replace(".input.json", "");
      const read = (suffix: string) => JSON.parse(readFileSync(`${EXAMPLES_DIR}${name}${suffix}`, "utf8")) as unknown;
      return { name, input: read(".input.json") as PolicyInput, decision: read(".decision.json") as PolicyDecision };
    });
}
