import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkProgram, PASSES, runPasses } from "../../src/rego/check/index.ts";
import type { Program } from "../../src/rego/check/program.ts";
import { RegoCompileError } from "../../src/rego/errors.ts";
import { parseModule, parseQuery } from "../../src/rego/syntax/parser.ts";
import { bodyToString } from "../../src/rego/syntax/print.ts";

function check(files: Record<string, string>, query?: string): Program {
  const modules = Object.entries(files).map(([path, text]) => parseModule(path, text));
  const queries = query ? [{ name: "q", body: parseQuery("q", query), loc: { file: "q", line: 1, col: 1 } }] : [];
  return checkProgram(modules, queries);
}

function errors(files: Record<string, string>, query?: string): string {
  try {
    check(files, query);
  } catch (error) {
    assert.ok(error instanceof RegoCompileError, String(error));
    return error.message;
  }
  assert.fail("expected compile errors");
}

function ruleBody(p: Program, path: string, i = 0): string {
  const set = p.ruleSets.get(JSON.stringify(path.split(".")));
  assert.ok(set, `no rule set ${path}`);
  return bodyToString(set.rules[i]!.body);
}

describe("rego compile passes", () => {
  test("rule names and imports resolve to data references; locals shadow them", () => {
    const p = check({
      "a.rego": "package a\nimport data.lib.helper\nq := 1\np if { q == 1; helper(q) }\nr if { q := 2; q > 1 }\n",
      "lib.rego": "package lib\nhelper(x) if x > 0\n",
    });
    assert.equal(ruleBody(p, "a.p"), "equal(data.a.q, 1); data.lib.helper(data.a.q)");
    assert.equal(ruleBody(p, "a.r"), "__local0__ = 2; gt(__local0__, 1)");
  });

  test("bodies are reordered so variables are bound before use", () => {
    const p = check({ "a.rego": "package a\np if { x > 1; y = x + 1; x = input.n }\n" });
    assert.equal(ruleBody(p, "a.p"), "x = input.n; gt(x, 1); y = plus(x, 1)");
  });

  test("closures wait for the outer variables they use", () => {
    const p = check({
      "a.rego": "package a\np := n if { n := count([y | y := xs[_]; y > m]); m = 1; xs = input.xs }\n",
    });
    assert.equal(
      ruleBody(p, "a.p"),
      "m = 1; xs = input.xs; __local1__ = count([__local0__ | __local0__ = xs[$0]; gt(__local0__, m)])",
    );
    assert.match(
      errors({ "a.rego": "package a\np if { [1 | m > 0]; m := 1 }\n" }),
      /rego_unsafe_var_error: var m is unsafe/,
    );
  });

  test("some x in xs becomes iteration; every keeps its own locals", () => {
    const p = check({ "a.rego": "package a\np if { some x in input.xs; every y in x { y > 0 } }\n" });
    assert.equal(
      ruleBody(p, "a.p"),
      "input.xs[$some1] = __local0__; every __local2__ in __local0__ { gt(__local2__, 0) }",
    );
  });

  test("unsafe variables are reported with their source names and positions", () => {
    const msg = errors({ "a.rego": "package a\np if {\n  x := y + 1\n}\nq[z] := 1 if true\n" });
    assert.match(msg, /a\.rego:3:3: rego_unsafe_var_error: var y is unsafe/);
    assert.match(msg, /a\.rego:5:1: rego_unsafe_var_error: var z is unsafe/);
  });

  test("negation needs its variables bound", () => {
    assert.match(errors({ "a.rego": "package a\np if { not input.x[i] }\n" }), /var i is unsafe/);
  });

  test("recursion is rejected", () => {
    const msg = errors({ "a.rego": "package a\np if q\nq if p\n" });
    assert.match(msg, /rego_recursion_error: rule data\.a\.p is recursive: data\.a\.p -> data\.a\.q -> data\.a\.p/);
    assert.match(errors({ "f.rego": "package f\nf(x) := f(x - 1)\n" }), /rule data\.f\.f is recursive/);
  });

  test("unknown functions and wrong argument counts are type errors", () => {
    assert.match(
      errors({ "a.rego": "package a\np if nosuch(1)\n" }),
      /a\.rego:2:6: rego_type_error: undefined function nosuch/,
    );
    assert.match(errors({ "a.rego": "package a\np if count(1, 2, 3)\n" }), /count: too many arguments/);
    assert.match(errors({ "a.rego": "package a\nf(x) := x\np if f(1, 2, 3)\n" }), /data\.a\.f: too many arguments/);
    assert.match(
      errors({ "a.rego": "package a\nq := 1\np if q(1)\n" }),
      /a\.rego:3:6: rego_type_error: data\.a\.q is not a function/,
    );
  });

  test("literal arguments of the wrong type are type errors", () => {
    assert.match(
      errors({ "a.rego": "package a\np if count(1) > 0\n" }),
      /a\.rego:2:12: rego_type_error: count: invalid argument 1: want array or object or set or string, got number/,
    );
    assert.match(
      errors({ "a.rego": 'package a\np := x if x := "a" + 1\n' }),
      /plus: invalid argument 1: want number, got string/,
    );
    check({ "a.rego": "package a\np := {1} - 1 if true\nq := count(input.x)\n" });
  });

  test("conflicting rule kinds and multiple defaults", () => {
    assert.match(errors({ "a.rego": "package a\np := 1\np contains 2\n" }), /conflicting rules data\.a\.p found/);
    assert.match(
      errors({ "a.rego": "package a\ndefault p := 1\ndefault p := 2\n" }),
      /multiple default rules data\.a\.p found/,
    );
    assert.match(
      errors({ "a.rego": "package a\np := 1\np.q := 2\n" }),
      /rule data\.a\.p conflicts with \[data\.a\.p\.q\]/,
    );
  });

  test("assignment errors", () => {
    assert.match(errors({ "a.rego": "package a\np if { x := 1; x := 2 }\n" }), /var x assigned above/);
    assert.match(errors({ "a.rego": "package a\np if { x = 1; x := 2 }\n" }), /var x referenced above/);
    assert.match(errors({ "a.rego": "package a\np if { input.x := 1 }\n" }), /cannot assign to ref/);
  });

  test("with targets must be input, data or a function", () => {
    assert.match(
      errors({ "a.rego": "package a\np if { true with foo as 1 }\n" }),
      /with keyword target must reference existing input, data, or a function/,
    );
    check({ "a.rego": "package a\np if { count([]) == 1 with count as 1 }\n" });
  });

  test("with cannot replace part of a rule's value; replacing data is not reading it", () => {
    assert.match(
      errors({ "a.rego": 'package a\np := {"x": 1}\nq := y if y := p with data.a.p.x as 5\n' }),
      /a\.rego:3:18: rego_compile_error: with keyword cannot partially replace virtual document\(s\)/,
    );
    check({ "a.rego": 'package a\nq := 1\np := x if x := data.a.q with data.a as {"q": 9}\n' });
  });

  test("query variables are reported by their source names", () => {
    const p = check({ "a.rego": "package a\np := 1\n" }, "x := data.a.p; y = x; _ = y");
    assert.deepEqual(p.queries[0]!.resultVars, [
      ["__local0__", "x"],
      ["y", "y"],
    ]);
  });
});

describe("the compile passes", () => {
  const mod = (text: string) => [parseModule("p.rego", text)];

  test("run as a named list; stopAfter ends the run after that pass", () => {
    assert.deepEqual(
      PASSES.map((p) => p.name),
      [
        "resolveRefs",
        "rewritePrintCalls",
        "rewriteLocalVars",
        "setRuleTree",
        "checkCalls",
        "checkSafety",
        "checkRecursion",
      ],
    );
    const text = "package p\nq if print(input.x)\nr := count(1)\n";
    const printed = runPasses(mod(text), [], { stopAfter: "rewritePrintCalls" });
    assert.equal(printed.ruleSets, undefined, "setRuleTree did not run");
    assert.equal(bodyToString(printed.modules[0]!.rules[0]!.body), "internal.print([{$print0 | $print0 = input.x}])");
    // The type error is found by checkCalls, which a run stopping at setRuleTree does not reach.
    assert.ok(runPasses(mod(text), [], { stopAfter: "setRuleTree" }).ruleSets);
    assert.throws(() => runPasses(mod(text), []), /count/);
    assert.throws(() => runPasses(mod(text), [], { stopAfter: "nope" }), /no compile pass named nope/);
  });
});
