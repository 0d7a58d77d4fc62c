/** The oracle itself: the pinned `opa` builds, reports its version and evaluates a query. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { test } from "node:test";
import { opaForTest } from "../support/opa/index.ts";

const run = promisify(execFile);

test("the pinned opa builds, is the pinned version and evaluates a query", { timeout: 60 * 60_000 }, async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  const { stdout: version } = await run(opa.bin, ["version"]);
  assert.match(version, new RegExp(`^Version: ${opa.version.slice(1).replaceAll(".", "\\.")}$`, "m"));
  const { stdout } = await run(opa.bin, ["eval", "--format", "json", "x := 1 + 2"]);
  const out = JSON.parse(stdout) as { result: { bindings: { x: number } }[] };
  assert.equal(out.result[0]?.bindings.x, 3);
  assert.ok(existsSync(opa.casesDir), `OPA's own cases are not at ${opa.casesDir}`);
});
