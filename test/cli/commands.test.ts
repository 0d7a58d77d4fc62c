/**
 * The command table: `tollgate --help` lists every command from it without importing them, and
 * each entry loads the module of the command it names. `--version` reports the runtime.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { COMMANDS } from "../../src/cli/commands.ts";
import type { CommandContext } from "../../src/cli/context.ts";
import { runCli } from "../support/run-cli.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const ctx: CommandContext = { out() {}, err() {}, cwd: PROJECT_ROOT, env: {}, exitCode: 0 };

describe("the command table", () => {
  it("loads, for every entry, the command it names", async () => {
    assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length, "names are unique");
    for (const entry of COMMANDS) {
      const command = (await entry.load())(ctx);
      assert.equal(command.name(), entry.name);
      assert.ok(command.description().length > 0, `${entry.name} describes itself for its own --help`);
    }
  });

  it("--help lists every command with its summary", async () => {
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    for (const entry of COMMANDS) {
      assert.match(
        help.stdout,
        new RegExp(`^ {2}${entry.name} +${entry.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"),
      );
    }
  });

  it("runs the command named, and `help COMMAND` shows its own help", async () => {
    const help = await runCli(["help", "validate"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: tollgate validate \[options\] \[repo\]/);
    const run = await runCli(["validate", PROJECT_ROOT]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });

  it("--version prints the version and the digest of the Rego runtime", async () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const result = await runCli([flag]); // in a clone, builds the runtime first if it is stale
      assert.equal(result.code, 0, result.stderr);
      const wasm = readFileSync(join(PROJECT_ROOT, "build/rego-runtime.wasm"));
      assert.equal(
        result.stdout,
        `tollgate ${version}\nrego runtime sha256:${createHash("sha256").update(wasm).digest("hex")}\n`,
      );
    }
  });
});
