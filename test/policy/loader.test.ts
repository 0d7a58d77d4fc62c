import assert from "node:assert/strict";
import { test } from "node:test";
import { buildBundle } from "../../src/policy/bundle.ts";
import { PolicyEvaluationError, PolicyLoader } from "../../src/policy/loader.ts";
import { POLICY_DIR, readExamples } from "./support.ts";

test("the loader builds a folder once and evaluates it many times", async () => {
  const loader = new PolicyLoader();
  const first = await loader.loadDirectory(POLICY_DIR);
  const again = await loader.loadDirectory(POLICY_DIR);
  assert.equal(first, again);
  const [example] = readExamples();
  assert.ok(example);
  const decisions = Array.from({ length: 50 }, () => first.decide(example.input));
  for (const d of decisions) assert.deepEqual(d, example.decision);
});

test("bundles are cached by digest", async () => {
  const loader = new PolicyLoader();
  const sources = [{ path: "p.rego", text: "package p\n\nimport rego.v1\n\nanswer := input.x + 1\n" }];
  const a = await loader.load(buildBundle(sources, ["p/answer"]));
  const b = await loader.load(buildBundle(sources, ["p/answer"]));
  assert.equal(a, b);
  assert.equal(a.evaluate("p/answer", { x: 41 }), 42);
  assert.equal(a.evaluate("p/answer", { y: 1 }), undefined);
  assert.throws(() => a.evaluate("p/missing", {}), /entrypoint p\/missing is not in policy bundle/);
});

test("a runaway policy is stopped by the memory cap with a clear error, and the policy stays usable", async () => {
  const loader = new PolicyLoader({ maxMemoryPages: 64 });
  const sources = [
    {
      path: "runaway.rego",
      text: 'package runaway\n\nimport rego.v1\n\nhuge := [sprintf("item %d", [i]) | some i in numbers.range(1, input.n)]\n\nsmall := count(huge)\n',
    },
  ];
  const policy = await loader.load(buildBundle(sources, ["runaway/small"]));
  assert.equal(policy.evaluate("runaway/small", { n: 10 }), 10);
  assert.throws(
    () => policy.evaluate("runaway/small", { n: 50_000_000 }),
    (error: unknown) => error instanceof PolicyEvaluationError && /memory cap of 4 MiB/.test(error.message),
  );
  assert.equal(policy.evaluate("runaway/small", { n: 3 }), 3);
});

test("runtime errors of a policy are reported, not crashed on", async () => {
  const loader = new PolicyLoader();
  const text =
    'package c\n\nimport rego.v1\n\nsize(x) := "big" if x > 1\n\nsize(x) := "huge" if x > 2\n\nv := size(input.n)\n';
  const policy = await loader.load(buildBundle([{ path: "c.rego", text }], ["c/v"]));
  assert.equal(policy.evaluate("c/v", { n: 2 }), "big");
  assert.throws(
    () => policy.evaluate("c/v", { n: 3 }),
    (error: unknown) =>
      error instanceof PolicyEvaluationError && /c\/v failed in policy bundle sha256:/.test(error.message),
  );
  assert.equal(policy.evaluate("c/v", { n: 2 }), "big");
});
