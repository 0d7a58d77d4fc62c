/**
 * The flags many commands share, built here so that each is spelled, parsed and defaulted the same
 * way everywhere; a command says only what the flag means for it (the description). Add one with
 * `command.addOption(envOption())`; test/cli/help.test.ts keeps the help.
 */
import { Option } from "commander";
import { zonedTimeArg } from "./options.ts";

interface Required {
  /** The command cannot run without it (commander says so before the action). */
  readonly required?: boolean;
}

function made(option: Option, { required }: Required = {}): Option {
  return required ? option.makeOptionMandatory() : option;
}

/** `--repo <path>` (default `.`); `<path|url>` for commands that can clone a remote. */
export function repoOption(description = "the GitOps repository", { url = false }: { url?: boolean } = {}): Option {
  return new Option(`--repo ${url ? "<path|url>" : "<path>"}`, description).default(".");
}

/** `--branch <name>`, with the branch a command reads by default (none for a branch it creates). */
export function branchOption(description: string, defaultBranch?: string): Option {
  const option = new Option("--branch <name>", description);
  return defaultBranch === undefined ? option : option.default(defaultBranch);
}

/** `--env <env>`. */
export function envOption(description = "only this environment", required?: Required): Option {
  return made(new Option("--env <env>", description), required);
}

/** `--service <service>`. */
export function serviceOption(description = "only this service", required?: Required): Option {
  return made(new Option("--service <service>", description), required);
}

/** `--json`: machine-readable output instead of text. */
export function jsonOption(description = "print the result as JSON"): Option {
  return new Option("--json", description);
}

/** `--now <time>`: a moment with a zone, checked as the option is parsed (see `resolveNow`). */
export function nowOption(description: string): Option {
  return new Option("--now <time>", description).argParser(zonedTimeArg);
}

/** `--since <ref|date>`: where a command starts reading history. */
export function sinceOption(description: string): Option {
  return new Option("--since <ref|date>", description);
}
