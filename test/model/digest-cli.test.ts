import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../support/run-cli.ts";
import { PROJECT_ROOT, tempDir } from "../support/tmp-repo.ts";

const RELEASE = join(PROJECT_ROOT, "environments/prod/releases/support-agent.yaml");

describe("tollgate digest", () => {
  it("confirms a matching digest", async () => {
    const result = await runCli(["digest", RELEASE]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^artifact: sha256:[0-9a-f]{64} \(matches\)$/m);
  });

  it("prints the digest the changed parts hash to", async () => {
    const temp = await tempDir();
    try {
      const file = join(temp.dir, "r.yaml");
      await writeFile(file, (await readFile(RELEASE, "utf8")).replace('snapshot: "20250929"', 'snapshot: "20251101"'));
      const result = await runCli(["digest", file]);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^artifact: sha256:[0-9a-f]{64} \(file says sha256:[0-9a-f]{64}\)$/m);
    } finally {
      await temp.cleanup();
    }
  });

  it("names the line and field of a malformed part", async () => {
    const temp = await tempDir();
    try {
      const file = join(temp.dir, "r.yaml");
      await writeFile(file, (await readFile(RELEASE, "utf8")).replace("provider: anthropic", "provider: 3"));
      const result = await runCli(["digest", file]);
      assert.equal(result.code, 1);
      const line =
        (await readFile(RELEASE, "utf8")).split("\n").findIndex((l) => l.includes("provider: anthropic")) + 1;
      assert.match(
        result.stderr,
        new RegExp(`r\\.yaml:${line}:15: must be string \\(field artifact\\.model\\.provider\\)`),
      );
    } finally {
      await temp.cleanup();
    }
  });
});
