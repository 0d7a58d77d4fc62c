import assert from "node:assert/strict";
import { test } from "node:test";
import { compile, RegoCompileError } from "../../src/rego/index.ts";

function policyWithBody(expressions: number): string {
  const body = Array.from({ length: expressions }, (_, i) => `  input.a${i} == ${i}`).join("\n");
  return `package deep\n\nshort if input.x == 1\n\nallow if {\n${body}\n}\n`;
}

test("a body longer than the compiler's stack is a compile error naming the rule, not a crash", () => {
  assert.throws(
    () => compile([{ path: "deep.rego", text: policyWithBody(5_000) }], { entrypoints: ["deep/allow"] }),
    (error: unknown) => {
      assert.ok(error instanceof RegoCompileError, String(error));
      assert.equal(
        error.message,
        "deep.rego:5:1: rego_compile_error: rule too long to compile (its body has 5000 expressions, " +
          "more than the compiler's stack allows): split it into smaller rules",
      );
      return true;
    },
  );
});

test("a body of a hundred expressions compiles", () => {
  const result = compile([{ path: "deep.rego", text: policyWithBody(100) }], { entrypoints: ["deep/allow"] });
  assert.ok(result.wasm.length > 0);
});
