import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

async function run(args: string[], cwd = REPO): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { cwd, out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
  return { code, out, err };
}

test("tollgate policy test prints failures and closes with the counts; exit 2 on a failure", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-cli-"));
  try {
    await writeFile(join(dir, "p.rego"), "package p\n\nimport rego.v1\n\nallow if input.ok\n");
    await writeFile(
      join(dir, "p_test.rego"),
      'package p_test\n\nimport rego.v1\n\nimport data.p\n\ntest_ok if p.allow with input as {"ok": true}\n',
    );
    const passing = await run(["policy", "test", "."], dir);
    assert.equal(passing.code, 0, passing.out);
    assert.deepEqual(passing.out.trim().split("\n"), ["-".repeat(80), "PASS: 1/1"]);
    await writeFile(
      join(dir, "q_test.rego"),
      'package q_test\n\nimport rego.v1\n\nimport data.p\n\ntest_denied if p.allow with input as {"ok": false}\n',
    );
    const failing = await run(["policy", "test", "."], dir);
    assert.equal(failing.code, 2);
    const lines = failing.out.trim().split("\n");
    assert.equal(lines[0], "q_test.rego:7:");
    assert.match(lines[1] ?? "", /^data\.q_test\.test_denied: FAIL \(.+\)$/);
    assert.deepEqual(lines.slice(-2), ["PASS: 1/2", "FAIL: 1/2"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("tollgate policy eval gives an example's documented decision", async () => {
  const input = "policies/examples/live-cost-regression.input.json";
  const { code, out } = await run(["policy", "eval", "-e", "tollgate/decision", "--input", input]);
  assert.equal(code, 0);
  const expected = JSON.parse(
    await readFile(join(REPO, "policies/examples/live-cost-regression.decision.json"), "utf8"),
  ) as unknown;
  assert.deepEqual(JSON.parse(out), expected);
});

test("tollgate policy build writes a bundle and prints its digest; eval can use it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-cli-"));
  try {
    const out = join(dir, "bundle");
    const built = await run(["policy", "build", "policies", "--out", out]);
    assert.equal(built.code, 0, built.err);
    const digest = built.out.trim().split("\n").at(-1) ?? "";
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    const again = await run(["policy", "build", "policies", "--out", out]);
    assert.equal(again.out.trim().split("\n").at(-1), digest);
    const input = join(REPO, "policies/examples/check-admissible.input.json");
    const evaluated = await run(["policy", "eval", "-e", "tollgate/decision", "--bundle", out, "--input", input]);
    assert.equal((JSON.parse(evaluated.out) as { action: string }).action, "advance");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("bad Rego, a missing input file and undefined results exit 1 with a clear message", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-cli-"));
  try {
    await writeFile(join(dir, "bad.rego"), "package bad\n\nimport rego.v1\n\np if {\n\tq(\n}\n");
    const bad = await run(["policy", "build", "."], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /bad\.rego:\d+:\d+: /);
    assert.doesNotMatch(bad.err, /\n\s+at /);
    await writeFile(join(dir, "bad.rego"), "package ok\n\nimport rego.v1\n\np := input.x\n");
    const missing = await run(["policy", "eval", "-e", "ok/p", "-p", ".", "--input", "nope.json"], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nope\.json: no such file/);
    await writeFile(join(dir, "in.json"), '{"y": 1}');
    const undefinedResult = await run(["policy", "eval", "-e", "ok/p", "-p", ".", "--input", "in.json"], dir);
    assert.equal(undefinedResult.code, 1);
    assert.match(undefinedResult.err, /ok\/p is undefined/);
    const usage = await run(["policy", "eval"], dir);
    assert.equal(usage.code, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
