import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { compile, compileToIR, RegoCompileError } from "../../src/rego/index.ts";
import type { Block, Policy, Stmt } from "../../src/rego/ir.ts";
import { childBlocks } from "../../src/rego/ir.ts";

function plan(text: string, entrypoints: string[] = [], queries: { name: string; query: string }[] = []): Policy {
  return compileToIR([{ path: "p.rego", text }], { entrypoints, queries });
}

function allStmts(blocks: readonly Block[]): Stmt[] {
  const out: Stmt[] = [];
  const walk = (b: Block): void => {
    for (const s of b.stmts) {
      out.push(s);
      for (const c of childBlocks(s)) walk(c);
    }
  };
  for (const b of blocks) walk(b);
  return out;
}

function funcNamed(p: Policy, suffix: string) {
  const f = p.funcs.filter((x) => x.name.endsWith(suffix));
  assert.ok(f.length > 0, `no function ${suffix} in ${p.funcs.map((x) => x.name).join(", ")}`);
  return f;
}

describe("rego planner", () => {
  test("an entrypoint plan calls the rule function and adds {result: value}", () => {
    const p = plan('package t\nallow if input.user == "admin"\n', ["t/allow"]);
    assert.equal(p.plans.length, 1);
    assert.equal(p.plans[0]!.name, "t/allow");
    const stmts = allStmts(p.plans[0]!.blocks);
    assert.deepEqual(
      stmts.map((s) => s.type),
      // the rule's result is computed once per plan/function and reused by later references
      [
        "BlockStmt",
        "IsUndefinedStmt",
        "AssignVarStmt",
        "CallStmt",
        "IsDefinedStmt",
        "MakeObjectStmt",
        "ObjectInsertStmt",
        "ResultSetAddStmt",
      ],
    );
    const [fn] = funcNamed(p, "data.t.allow");
    assert.deepEqual(fn!.params, [0, 1]);
    const body = allStmts(fn!.blocks).map((s) => s.type);
    assert.ok(body.includes("AssignVarOnceStmt"));
    assert.ok(body.includes("ReturnLocalStmt"));
  });

  test("a rule read several times in one function is called once there", () => {
    const p = plan("package t\nq := input.x\nr := [q, q + 1] if q > 0\n", ["t/r"]);
    const [fn] = funcNamed(p, "data.t.r");
    const calls = allStmts(fn!.blocks).filter((s) => s.type === "CallStmt" && s.func.endsWith("data.t.q"));
    assert.equal(calls.length, 3, "three guarded call sites");
    const targets = new Set(calls.map((s) => (s.type === "CallStmt" ? s.result : -1)));
    assert.equal(targets.size, 1, "all sites share one result local");
  });

  test("a rule's remembered result is not used under a with that replaces input", async () => {
    const src =
      "package t\nq := input.x\np := [q, y, q] if y := q with input.x as 5\nr := [a, q] if { a := q with count as 7 }\n";
    const { wasm } = compile([{ path: "t.rego", text: src }], { entrypoints: ["t/p", "t/r"] });
    const policy = await loadPolicy(wasm);
    policy.setData({});
    assert.deepEqual(policy.evaluate({ x: 1 }, "t/p"), [{ result: [1, 5, 1] }]);
    assert.deepEqual(policy.evaluate({ x: 2 }, "t/r"), [{ result: [2, 2] }]);
  });

  test("iteration is a scan; partial sets add elements", () => {
    const p = plan("package t\ns contains x if { some x in input.xs; x > 1 }\n", ["t/s"]);
    const [fn] = funcNamed(p, "data.t.s");
    const types = allStmts(fn!.blocks).map((s) => s.type);
    assert.ok(types.includes("ScanStmt"));
    assert.ok(types.includes("SetAddStmt"));
    assert.deepEqual(p.static.builtinFuncs, [{ name: "gt" }]);
  });

  test("with on input replaces and then restores the input local", () => {
    const p = plan("package t\nq := input.x\np := y if { y := q with input.x as 2; input.x == 1 }\n", ["t/p"]);
    const [fn] = funcNamed(p, "data.t.p");
    const withs = allStmts(fn!.blocks).filter((s) => s.type === "WithStmt");
    assert.equal(withs.length, 2);
    assert.equal(withs[0]!.type === "WithStmt" && withs[0]!.local, 0);
    assert.deepEqual(withs[1]!.type === "WithStmt" && withs[1]!.path, []);
  });

  test("a function mock re-plans the rules it affects", () => {
    const p = plan("package t\nf(_) := 1\nq := count([1, 2])\np if { q == 1 with count as f }\nr := q\n", [
      "t/p",
      "t/r",
    ]);
    const qs = funcNamed(p, "data.t.q");
    assert.equal(qs.length, 2, "q planned once plain and once with count mocked");
    const calls = qs.map((f) =>
      allStmts(f.blocks)
        .filter((s) => s.type === "CallStmt")
        .map((s) => (s.type === "CallStmt" ? s.func : "")),
    );
    assert.ok(calls.some((c) => c.includes("count")));
    assert.ok(calls.some((c) => c.some((name) => name.endsWith("data.t.f"))));
  });

  test("ad-hoc queries report their variables", () => {
    const p = plan("package t\np := 7\n", [], [{ name: "q", query: "data.t.p = x" }]);
    const inserts = allStmts(p.plans[0]!.blocks).filter((s) => s.type === "ObjectInsertStmt");
    assert.equal(inserts.length, 1);
    const key = inserts[0]!.type === "ObjectInsertStmt" ? inserts[0]!.key : undefined;
    assert.deepEqual(key && key.type === "string_index" ? p.static.strings[key.value] : undefined, "x");
  });

  test("planning is deterministic", () => {
    const src =
      'package t\nimport rego.v1\np[k] := v if { some k, v in input.o }\ns contains x if x := input.xs[_]\nd := {"a": p, "b": s}\n';
    const a = JSON.stringify(plan(src, ["t/d"]));
    const b = JSON.stringify(plan(src, ["t/d"]));
    assert.equal(a, b);
  });

  test("compile() gives byte-identical Wasm for the same sources, and it runs in the SDK", async () => {
    const src = 'package t\nallow if { some r in input.roles; r == "admin" }\ncount_roles := count(input.roles)\n';
    const a = compile([{ path: "t.rego", text: src }], { entrypoints: ["t/allow", "t/count_roles"] });
    const b = compile([{ path: "t.rego", text: src }], { entrypoints: ["t/allow", "t/count_roles"] });
    assert.deepEqual(Buffer.from(a.wasm), Buffer.from(b.wasm));
    assert.deepEqual(a.entrypoints, { "t/allow": 0, "t/count_roles": 1 });
    const policy = await loadPolicy(a.wasm);
    policy.setData({});
    assert.deepEqual(policy.evaluate({ roles: ["dev", "admin"] }, "t/allow"), [{ result: true }]);
    assert.deepEqual(policy.evaluate({ roles: ["dev"] }, "t/allow"), []);
    assert.deepEqual(policy.evaluate({ roles: ["dev"] }, "t/count_roles"), [{ result: 1 }]);
  });

  test("the order sources are given in does not change the bytes", () => {
    const a = { path: "a.rego", text: "package t\np := q + 1\n" };
    const b = { path: "b.rego", text: "package t\nq := 1\n" };
    const one = compile([a, b], { entrypoints: ["t/p"] }).wasm;
    const two = compile([b, a], { entrypoints: ["t/p"] }).wasm;
    assert.deepEqual(Buffer.from(one), Buffer.from(two));
  });

  test("compile() reports every bad file with file:line:col", () => {
    try {
      compile(
        [
          { path: "a.rego", text: "package a\np if {\n  x > 1\n}\n" },
          { path: "b.rego", text: "package b\nq := [\n" },
        ],
        { entrypoints: ["a/p"] },
      );
      assert.fail("expected RegoCompileError");
    } catch (error) {
      assert.ok(error instanceof RegoCompileError);
      assert.match(error.message, /^b\.rego:3:1: rego_parse_error: /m);
    }
    assert.throws(
      () => compile([{ path: "a.rego", text: "package a\np if {\n  x > 1\n}\n" }], { entrypoints: ["a/p"] }),
      /a\.rego:3:3: rego_unsafe_var_error: var x is unsafe/,
    );
  });

  test("a with value using local variables reaches calls in other rules", async () => {
    const src = "package w\nq if count([]) == 2\np contains x if { some x in [1, 2, 3]; q with count as x }\nr if q\n";
    const { wasm } = compile([{ path: "w.rego", text: src }], { entrypoints: ["w/p", "w/r"] });
    const policy = await loadPolicy(wasm);
    policy.setData({});
    assert.deepEqual(policy.evaluate({}, "w/p"), [{ result: [2] }]);
    assert.deepEqual(policy.evaluate({}, "w/r"), []);
  });
});
