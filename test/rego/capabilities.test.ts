/**
 * `tollgate policy capabilities` against the real opa: the same builtins with the same type
 * signatures, less only the network builtins (and opa's test-only internals); `opa check
 * --capabilities` accepts the repository's guardrails with it and rejects http.send.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { main } from "../../src/cli/main.ts";
import { allBuiltins } from "../../src/rego/builtins/catalog.ts";
import { opaForTest } from "../support/opa/index.ts";

const run = promisify(execFile);

function withoutDescriptions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDescriptions);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== "description")
        .map(([k, x]) => [k, withoutDescriptions(x)]),
    );
  }
  return v;
}

interface Caps {
  builtins: { name: string; decl: unknown; infix?: string }[];
}

async function ours(): Promise<Caps> {
  const out: string[] = [];
  assert.equal(await main(["policy", "capabilities"], { out: (s) => out.push(s) }), 0);
  return JSON.parse(out.join("\n")) as Caps;
}

test("every catalogued builtin but the network ones (and the compiler's helpers) is in the capabilities", async () => {
  const names = new Set((await ours()).builtins.map((b) => b.name));
  for (const b of allBuiltins()) {
    assert.equal(names.has(b.name), b.outOfScope === undefined && b.helper !== true, b.name);
  }
});

test("tollgate's capabilities are opa's, less the network builtins; opa check lints with them", async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  const { stdout } = await run(opa.bin, ["capabilities", "--current"], { maxBuffer: 64 * 1024 * 1024 });
  const theirs = JSON.parse(stdout) as Caps;
  const mine = await ours();
  const byName = new Map(theirs.builtins.map((b) => [b.name, b]));
  for (const b of mine.builtins) {
    const o = byName.get(b.name);
    assert.ok(o, `${b.name} is not an opa builtin`);
    assert.deepEqual(b.decl, withoutDescriptions(o.decl), `${b.name}: type signature`);
    assert.equal(b.infix, o.infix, `${b.name}: infix`);
  }
  const mineNames = new Set(mine.builtins.map((b) => b.name));
  const missing = theirs.builtins.map((b) => b.name).filter((n) => !mineNames.has(n));
  assert.deepEqual(missing.sort(), ["http.send", "internal.test_case", "net.lookup_ip_addr"]);

  const dir = await mkdtemp(join(tmpdir(), "tollgate-caps-"));
  try {
    const file = join(dir, "caps.json");
    await writeFile(file, JSON.stringify(mine));
    await run(opa.bin, ["check", "--capabilities", file, resolve(import.meta.dirname, "../../policies")]);
    await writeFile(
      join(dir, "net.rego"),
      'package net\n\np := http.send({"method": "get", "url": "https://example.com"})\n',
    );
    await assert.rejects(
      () => run(opa.bin, ["check", "--capabilities", file, join(dir, "net.rego")]),
      (e: { stdout?: string; stderr?: string }) => /undefined function http\.send/.test(`${e.stdout}${e.stderr}`),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
