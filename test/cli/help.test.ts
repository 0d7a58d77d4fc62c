/**
 * The `--help` of every command and subcommand, compared with test/cli/help.txt: a change to an
 * option (its flags, wording or default) shows up here as a reviewed change of that file. Write
 * the file anew with `TOLLGATE_UPDATE_HELP=1 node --import tsx --test test/cli/help.test.ts`.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { COMMANDS } from "../../src/cli/commands.ts";
import type { CommandContext } from "../../src/cli/context.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const SNAPSHOT = new URL("./help.txt", import.meta.url);
const ctx: CommandContext = { out() {}, err() {}, cwd: PROJECT_ROOT, env: {}, exitCode: 0 };

/** `tollgate <path> --help` for a command and each of its subcommands, at a fixed width. */
function helpTexts(command: Command, path: string): string[] {
  command.configureHelp({ helpWidth: 100 });
  const own = `$ tollgate ${path} --help\n${command.helpInformation()}`;
  return [own, ...command.commands.flatMap((sub) => helpTexts(sub, `${path} ${sub.name()}`))];
}

async function everyHelp(): Promise<string> {
  const texts: string[] = [];
  for (const entry of COMMANDS) texts.push(...helpTexts((await entry.load())(ctx), entry.name));
  return texts.join("\n");
}

describe("--help of every command", () => {
  it("is what test/cli/help.txt says", async () => {
    const help = await everyHelp();
    if (process.env.TOLLGATE_UPDATE_HELP === "1") writeFileSync(SNAPSHOT, help);
    assert.equal(help, readFileSync(SNAPSHOT, "utf8"));
  });

  it("describes each common flag the same way in every command that takes it", async () => {
    const seen = new Map<string, Set<string>>();
    const visit = (command: Command) => {
      for (const option of command.options) {
        const name = option.long ?? option.flags;
        const forms = seen.get(name) ?? new Set<string>();
        forms.add(option.flags);
        seen.set(name, forms);
      }
      command.commands.forEach(visit);
    };
    for (const entry of COMMANDS) visit((await entry.load())(ctx));
    for (const flag of ["--branch", "--env", "--service", "--json", "--now"]) {
      assert.ok(seen.has(flag), `some command takes ${flag}`);
      assert.equal(seen.get(flag)!.size, 1, `${flag} is written one way: ${[...seen.get(flag)!].join(" | ")}`);
    }
  });
});
