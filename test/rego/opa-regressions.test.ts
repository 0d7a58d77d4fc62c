/**
 * Language bugs found against OPA, each a small program with the answer OPA gives (checked here
 * against the real opa as well, when it is available): the value of `data.p`, or the compile
 * error OPA reports.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { BuiltinHost } from "../../src/rego/builtins/index.ts";
import { compile, RegoCompileError } from "../../src/rego/index.ts";
import { opaEvaluate, opaForTest, startOpaServer } from "../support/opa/index.ts";

interface Case {
  name: string;
  module: string;
  /** The value of data.p OPA gives, or the message of the compile error it reports. */
  want: { value: unknown } | { error: string };
}

const CASES: Case[] = [
  {
    name: "data[k] with k a constant other than the package is no recursion",
    module: 'package p\n\nr contains v if {\n\tk := "q"\n\tv := data[k]\n}\n\ns := data[k] if k := "q"\n',
    want: { value: { r: [] } },
  },
  {
    name: "some foo; foo == xs[foo]: the reference binds foo before the comparison reads it",
    module:
      "package p\n\nxs := [0, 5, 2]\n\nr contains foo if {\n\tsome foo\n\tfoo == xs[foo]\n}\n\ns contains foo if foo != xs[foo]\n",
    want: { value: { xs: [0, 5, 2], r: [0, 2], s: [1] } },
  },
  {
    name: "a variable of a comprehension does not count as referenced above in the enclosing body",
    module:
      "package p\n\nu := ys if {\n\tys := [x | x = 1]\n\tx := 2\n}\n\nv := ys if {\n\tys := {x | some x in [1]}\n\tx := 2\n}\n",
    want: { value: { u: [1], v: [1] } },
  },
  {
    name: "{k: [a]} = {k: [v]} with k bound unifies the values",
    module: 'package p\n\nr := a if {\n\tk := "x"\n\tv := 1\n\t{k: [a]} = {k: [v]}\n}\n',
    want: { value: { r: 1 } },
  },
  {
    name: "[false, _] := f(x) is an error: a pattern of := cannot hold a scalar",
    module: "package p\n\nf(x) := [false, x]\n\nr if {\n\t[false, _] := f(1)\n}\n",
    want: { error: "cannot assign to boolean" },
  },
  {
    name: "[x, 1] := [2, 1] is an error too",
    module: "package p\n\nr if {\n\t[x, 1] := [2, 1]\n}\n",
    want: { error: "cannot assign to number" },
  },
  {
    name: "some y then y := ... says declared above",
    module: "package p\n\nr contains y if {\n\tsome y\n\ty := 1\n}\n",
    want: { error: "var y declared above" },
  },
];

async function tollgateValue(module: string): Promise<{ value: unknown } | { error: string }> {
  let wasm: Uint8Array;
  try {
    ({ wasm } = compile([{ path: "p.rego", text: module }], { entrypoints: ["p"] }));
  } catch (error) {
    if (error instanceof RegoCompileError) return { error: error.problems.map((p) => p.message).join("; ") };
    throw error;
  }
  const host = new BuiltinHost();
  const policy = await loadPolicy(wasm, undefined, host.functions);
  host.begin({});
  const rows = policy.evaluate({}, "p") as { result: unknown }[];
  return { value: rows[0]?.result };
}

/** Sets are JSON arrays in any order: compare them sorted. */
function normal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normal).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x)]));
  }
  return v;
}

for (const c of CASES) {
  test(c.name, async () => {
    const got = await tollgateValue(c.module);
    if ("error" in c.want) {
      assert.ok("error" in got, `compiled, giving ${JSON.stringify(got)}`);
      assert.match(got.error, new RegExp(c.want.error.replace(/[[\]{}()]/g, "\\$&")));
    } else {
      assert.deepEqual(normal("value" in got ? got.value : got), normal(c.want.value));
    }
  });
}

test("the real opa gives the same answers", async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  const server = await startOpaServer(opa.bin);
  try {
    for (const [i, c] of CASES.entries()) {
      const got = await opaEvaluate(server, `case${i}`, c.module, "p", {});
      if ("error" in c.want) {
        assert.equal(got.kind, "compile_error", c.name);
        assert.match((got as { message: string }).message, new RegExp(c.want.error.replace(/[[\]{}()]/g, "\\$&")));
      } else {
        assert.equal(got.kind, "value", `${c.name}: ${JSON.stringify(got)}`);
        assert.deepEqual(normal((got as { value: unknown }).value), normal(c.want.value), c.name);
      }
    }
  } finally {
    await server.stop();
  }
});
