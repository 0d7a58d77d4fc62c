/**
 * Partial input parsing: the analysis of which input paths a policy can read
 * (codegen/input-paths.ts) and `opa_eval` building only those (runtime json.ts jsonParseNeeded).
 * The oracle is the same policy compiled with `wholeInput` (the whole input is built): results
 * and rejections of invalid JSON must be identical.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { neededInputPaths, type InputPathNode } from "../../src/rego/codegen/input-paths.ts";
import { compileToIR } from "../../src/rego/index.ts";
import { type LoadedPolicy, errorText, load } from "./ir-helpers.ts";

/** The tree as nested plain objects: `"*"` for whole subtrees, `"<any>"` for the `any` node. */
function shape(n: InputPathNode | undefined): unknown {
  if (n === undefined) return "whole input";
  if (n.whole) return "*";
  const out: Record<string, unknown> = {};
  for (const [k, c] of n.children) out[k] = shape(c);
  if (n.any) out["<any>"] = shape(n.any);
  return out;
}

function irOf(text: string) {
  return compileToIR([{ path: "t.rego", text: `package t\n${text}` }], { entrypoints: ["t/p"] });
}

function treeOf(text: string): unknown {
  return shape(neededInputPaths(irOf(text)));
}

async function pair(text: string): Promise<{ pruned: LoadedPolicy; whole: LoadedPolicy }> {
  const ir = irOf(text);
  return { pruned: await load(ir), whole: await load(ir, { wholeInput: true }) };
}

/** The outcome of evaluating JSON text: the result set, or the error. */
function outcome(policy: LoadedPolicy, json: string): string {
  const bytes = new TextEncoder().encode(json);
  try {
    return JSON.stringify(policy.evaluate(bytes.buffer.slice(0, bytes.byteLength), "t/p"));
  } catch (e) {
    return `error: ${typeof e === "string" ? e : e instanceof Error ? e.message : String(e)}`;
  }
}

const bigUnrelated = {
  a: { b: { c: 1 }, other: Array.from({ length: 300 }, (_, i) => ({ i, s: `x\u00e9\\"${i}`, f: i / 7 })) },
  junk: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `n${i}`, nested: { deep: [[[i]]], t: true, n: null } })),
};

describe("input path analysis", () => {
  it("names only the constant paths a policy reads", () => {
    assert.deepEqual(treeOf("p := input.a.b"), { a: { b: "*" } });
    assert.deepEqual(treeOf('p if { input.a.b == 1; input.a.c.d == "x" }'), { a: { b: "*", c: { d: "*" } } });
    // a rule value read through another rule and a function argument
    assert.deepEqual(treeOf("q := input.x\nf(v) := v.y\np := f(q)"), { x: { y: "*" } });
  });

  it("keeps every member of what is iterated or looked up by a variable", () => {
    assert.deepEqual(treeOf('p if { some e in input.xs; e.name == "a" }'), { xs: { "<any>": { name: "*" } } });
    assert.deepEqual(treeOf("p := input.m[input.k].v"), { k: "*", m: { "<any>": { v: "*" } } });
    // a named member is also any member: it needs both subtrees
    assert.deepEqual(treeOf("p := [input.m.a.x, input.m[_].y]"), {
      m: { a: { x: "*", y: "*" }, "<any>": { y: "*" } },
    });
  });

  it("falls back to the whole input when input is used as a value", () => {
    assert.equal(treeOf("p := count(input)"), "whole input");
    assert.equal(treeOf("p := input"), "whole input");
    assert.equal(treeOf('p := input == {"a": 1}'), "whole input");
    assert.equal(treeOf("p := object.get(input, [\"a\"], 0)"), "whole input");
    assert.equal(treeOf("f(x) := x\np := f(input)"), "whole input");
    assert.equal(treeOf('p := x if x := data.t.q with input as {"a": input}\nq := input.a.b'), "whole input");
  });

  it("builds whole what is used as a value below the root", () => {
    assert.deepEqual(treeOf("p := count(input.a.xs)"), { a: { xs: "*" } });
    assert.deepEqual(treeOf('p := object.get(input.a, "b", 0)'), { a: "*" });
    assert.deepEqual(treeOf("p := {k | some k, _ in input.a}"), { a: { "<any>": {} } });
  });
});

describe("partial input parsing", () => {
  it("a policy reading input.a.b gives the same answer with huge unrelated subtrees", async () => {
    const { pruned, whole } = await pair("p := input.a.b");
    assert.deepEqual(pruned.evaluate(bigUnrelated, "t/p"), [{ result: { c: 1 } }]);
    for (const input of [bigUnrelated, { a: [1, 2] }, { a: { b: null } }, { b: 1 }, [1, { a: 2 }], "a", 3, null]) {
      assert.deepEqual(pruned.evaluate(input, "t/p"), whole.evaluate(input, "t/p"), JSON.stringify(input).slice(0, 80));
    }
  });

  it("dynamic access, iteration and with give the same answers as the whole input", async () => {
    const policies = [
      "p := input.m[input.k]",
      "p := [k | some k, _ in input.m]",
      "p := [v.y | some v in input.m]",
      "p := count(input.m)",
      "p := input.m.a.x + count(input.m)",
      "p := x if x := data.t.q with input.m.a as 5\nq := [input.m.a, input.m.b, input.k]",
      'p := x if x := data.t.q with input.m as {"z": 1}\nq := input.m',
      "p := x if x := data.t.q with input.k as input.m\nq := input.k.a",
      // two bodies assign the same rule: their values are compared (a conflict if they differ)
      "p := input.m.a if input.k\np := input.m.b if input.k",
      "p contains v.x if some v in input.m",
      'p if { input.m.a; not input.m.c }',
      "p := is_object(input.m)",
      "p := [x | walk(input.m, [_, x])]",
      "default p := 0\np := input.m.a.x if input.k == \"a\"",
    ];
    const inputs = [
      { m: { a: { x: 1, y: 2 }, b: { y: 3 } }, k: "a" },
      { m: { a: { x: 1 }, c: false }, k: "c" },
      { m: [{ y: 1 }, { y: 2, x: 3 }], k: 0 },
      { m: "str", k: "a" },
      { k: "b" },
      {},
    ];
    for (const text of policies) {
      const { pruned, whole } = await pair(text);
      for (const input of inputs) {
        const json = JSON.stringify(input);
        assert.equal(outcome(pruned, json), outcome(whole, json), `${text} on ${json}`);
      }
    }
  });

  it("invalid JSON is rejected wherever it is, also in skipped subtrees", async () => {
    const { pruned, whole } = await pair("p := input.a.b");
    const invalid = [
      '{"a": {"b": 1}, "x": [1, 2,]}',
      '{"a": {"b": 1}, "x": {"y": }}',
      '{"x": {"y" 1}, "a": {"b": 1}}',
      '{"x": "unterminated, "a": {"b": 1}}',
      '{"x": "bad \\q escape", "a": {"b": 1}}',
      '{"x": "bad \\u12G4", "a": {"b": 1}}',
      '{"x": "ctl \u0001", "a": {"b": 1}}',
      '{"x": 01, "a": {"b": 1}}',
      '{"x": -, "a": {"b": 1}}',
      '{"x": 1., "a": {"b": 1}}',
      '{"x": 1e, "a": {"b": 1}}',
      '{"x": tru, "a": {"b": 1}}',
      '{"x": nul, "a": {"b": 1}}',
      '{"x": [1, 2}, "a": {"b": 1}}',
      '{"x": {"y": 1], "a": {"b": 1}}',
      '{"x": {"y": 1}, "a": {"b": 1}',
      '{"a": {"b": 1, "c": [}}',
      '{"a": {"b": 1}} x',
      // nesting deeper than the parser's limit of 1000 non-empty containers
      `{"a": {"b": 1}, "x": ${"[".repeat(1001)}${"]".repeat(1001)}}`,
      `{"a": {"b": 1}, "x": ${"[1,".repeat(1000)}1${"]".repeat(1000)}}`,
    ];
    for (const json of invalid) {
      assert.match(outcome(whole, json), /^error: .*not valid JSON/, json.slice(0, 60));
      assert.equal(outcome(pruned, json), outcome(whole, json), json.slice(0, 60));
    }
    const valid = [
      '{"x": [1, 2], "a": {"b": 1}}',
      ' { "x" : { "y" : [ ] , "z" : { } } , "a" : { "b" : "\\u00e9\\ud83d\\ude00\\n" } } ',
      '{"x": "\\ud800 lone \\"q\\" \\/ \\b\\f\\r\\t", "a": {"b": -0.5e-3}}',
      '{"x": [-0, 0.25, 1E+2, 12345678901234567890, true, false, null], "a": {"b": 1E400}}',
      '{"a": {"x": 1}, "a": {"b": 2}}',
      `{"a": {"b": 1}, "x": ${"[".repeat(1000)}${"]".repeat(1000)}}`,
      `{"a": {"b": 1}, "x": ${"[1,".repeat(999)}1${"]".repeat(999)}}`,
      `{"a": {"b": 1}, "x": ${"[1,".repeat(998)}1${"]".repeat(998)}}`,
      `{"a": {"b": 1}, "x": ${'{"k":'.repeat(998)}1${"}".repeat(998)}}`,
    ];
    for (const json of valid) {
      assert.doesNotMatch(outcome(whole, json), /^error/, json.slice(0, 60));
      assert.equal(outcome(pruned, json), outcome(whole, json), json.slice(0, 60));
    }
  });

  it("the whole input is still built for opa_json_parse (data) and the eval-context path", async () => {
    const { pruned } = await pair("p := [input.a.b, count(data.d)]");
    pruned.setData({ d: { x: 1, y: 2 } });
    assert.deepEqual(pruned.evaluate({ a: { b: 1 }, c: 2 }, "t/p"), [{ result: [1, 2] }]);
    assert.match(errorText(() => pruned.evaluate(new TextEncoder().encode('{"c": [}').buffer, "t/p")), /not valid JSON/);
  });
});
