/** `print` and template strings through the compiler and the unmodified SDK. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { compile, RegoCompileError } from "../../src/rego/index.ts";
import { BuiltinHost } from "../../src/rego/builtins/index.ts";

async function run(
  text: string,
  entrypoint: string,
  input: unknown = {},
): Promise<{ value: unknown; lines: string[] }> {
  const { wasm } = compile([{ path: "p.rego", text }], { entrypoints: [entrypoint] });
  const lines: string[] = [];
  const host = new BuiltinHost();
  const policy = await loadPolicy(wasm, undefined, host.functions);
  host.begin({ print: (line) => lines.push(line) });
  const rows = policy.evaluate(input, entrypoint) as { result: unknown }[];
  return { value: rows[0]?.result, lines };
}

describe("print", () => {
  test("writes its arguments as OPA does, <undefined> for undefined ones, and never fails the body", async () => {
    const { value, lines } = await run(
      'package p\nallow if {\n  print("user", input.user, input.missing, {"a": [1, {2}]}, set())\n  input.user == "ann"\n}\n',
      "p/allow",
      { user: "ann" },
    );
    assert.equal(value, true);
    assert.deepEqual(lines, ['user ann <undefined> {"a": [1, {2}]} set()']);
  });

  test("prints once per solution in iterations and comprehensions, and in functions", async () => {
    const { value, lines } = await run(
      'package p\nf(x) := y if {\n  y := x * 2\n  print("f", x, y)\n}\nq := [z | some v in [1, 2]; z := f(v)]\n',
      "p/q",
    );
    assert.deepEqual(value, [2, 4]);
    assert.deepEqual(lines, ["f 1 2", "f 2 4"]);
  });
});

describe("template strings", () => {
  test("interpolate values in Rego syntax, strings as they are, undefined as <undefined>", async () => {
    const { value } = await run(
      'package p\nname := "ann"\ns := $"hi {name}: {[1, "a"]} {input.nope} \\{x} {1 + 2}"\n',
      "p/s",
    );
    assert.equal(value, 'hi ann: [1, "a"] <undefined> {x} 3');
  });

  test("an expression with several values is a conflict at run time", async () => {
    await assert.rejects(
      run('package p\ns := $"{[1, 2][_]}"\n', "p/s"),
      /template-strings must not produce multiple outputs/,
    );
  });

  test("bad template strings are parse errors at the right place", () => {
    const error = (text: string): string => {
      try {
        compile([{ path: "p.rego", text }], { entrypoints: ["p"] });
      } catch (e) {
        assert.ok(e instanceof RegoCompileError);
        return e.message;
      }
      assert.fail("expected an error");
    };
    assert.match(error('package p\ns := $"a {x := 1}"\n'), /p\.rego:2:11: rego_parse_error: unexpected assignment/);
    assert.match(error('package p\ns := $"a {1}\n'), /p\.rego:2:12: rego_parse_error: non-terminated string/);
    assert.match(error('package p\ns := $"a \\q"\n'), /p\.rego:2:\d+: rego_parse_error: illegal escape sequence/);
  });
});
