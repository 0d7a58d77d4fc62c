/**
 * Builtins the host implements, through the compiler, the unmodified SDK and the policy loader:
 * values cross the host boundary exactly (sets, big integers), errors name the builtin, the rule
 * and the file:line with OPA's code, out-of-scope builtins are compile errors, and a module whose
 * builtins() the host does not provide fails at load.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { buildBundle } from "../../src/policy/bundle.ts";
import { PolicyCompileError } from "../../src/policy/compiler.ts";
import { PolicyEvaluationError, PolicyLoader, PolicyLoadError } from "../../src/policy/loader.ts";
import { BuiltinHost } from "../../src/rego/builtins/host.ts";
import { allBuiltins } from "../../src/rego/builtins/catalog.ts";
import { compile } from "../../src/rego/index.ts";

const loader = new PolicyLoader();

async function policyOf(text: string, entrypoints: string[], strict = false) {
  const wasm = compile([{ path: "lib/policy.rego", text }], { entrypoints, strictBuiltinErrors: strict }).wasm;
  const host = new BuiltinHost();
  return { policy: await loadPolicy(wasm, undefined, host.functions), host };
}

test("only the three network builtins are out of scope", () => {
  assert.deepEqual(
    allBuiltins()
      .filter((b) => b.outOfScope)
      .map((b) => `${b.name}: ${b.outOfScope}`),
    ["http.send: network access", "net.lookup_ip_addr: network access", "providers.aws.sign_req: network access"],
  );
});

test("calling http.send is a compile error naming it, also as a with value", () => {
  const text = [
    "package t",
    "",
    'p := http.send({"method": "get", "url": "https://example.com"})',
    "",
    "q if count([1]) == 1 with count as http.send",
    "",
  ].join("\n");
  assert.throws(
    () => buildBundle([{ path: "t.rego", text }], ["t/p"], "policies/"),
    (e: unknown) =>
      e instanceof PolicyCompileError &&
      e.message ===
        [
          "policies/t.rego:3:6: rego_type_error: http.send is not available: network access",
          "policies/t.rego:5:22: rego_type_error: http.send is not available: network access",
        ].join("\n"),
  );
});

test("sets, objects with non-string keys and big integers cross the host boundary exactly", async () => {
  const { policy } = await policyOf(
    [
      "package t",
      'merged := net.cidr_merge({"10.0.0.0/25", "10.0.0.128/25"})',
      'bytes := units.parse_bytes("10EiB")',
      'same := units.parse_bytes("10EiB") == 11529215046068469760',
      'subset := object.subset({1: {"a", "b"}, "k": [1, 2, 3]}, {1: {"a"}})',
    ].join("\n"),
    ["t/merged", "t/same", "t/subset"],
  );
  assert.deepEqual(policy.evaluate({}, "t/merged"), [{ result: ["10.0.0.0/24"] }]);
  assert.deepEqual(policy.evaluate({}, "t/same"), [{ result: true }]);
  assert.deepEqual(policy.evaluate({}, "t/subset"), [{ result: true }]);
});

test("a failing host builtin is undefined by default and OPA's error in strict mode, naming rule and line", async () => {
  const text = ["package t", "", "p := x if {", '  x := regex.match("(", "a")', "}", ""].join("\n");
  const lenient = await policyOf(text, ["t/p"]);
  assert.deepEqual(lenient.policy.evaluate({}, "t/p"), []);
  const strict = await policyOf(text, ["t/p"], true);
  assert.throws(
    () => strict.policy.evaluate({}, "t/p"),
    (e: unknown) =>
      e ===
      "lib/policy.rego:4: eval_builtin_error: regex.match: error parsing regexp: missing closing ): `(` (in rule data.t.p)",
  );
});

test("a run-time error through the loader says what failed, never [object Object]", async () => {
  const sources = [{ path: "t.rego", text: "package t\n\np := 1 if input.x\n\np := 2 if input.y\n" }];
  const bundle = await loader.load(buildBundle(sources, ["t/p"]));
  assert.throws(
    () => bundle.evaluate("t/p", { x: true, y: true }),
    (e: unknown) =>
      e instanceof PolicyEvaluationError &&
      /failed in policy bundle sha256:[0-9a-f]+: t\.rego:5: eval_conflict_error: complete rules must not produce multiple outputs \(in rule data\.t\.p\)$/.test(
        e.message,
      ),
  );
});

test("a module naming a builtin the host does not provide fails at load", async () => {
  const sources = [{ path: "t.rego", text: 'package t\n\np := semver.compare("1.0.0", input.v)\n' }];
  const bundle = buildBundle(sources, ["t/p"]);
  // the same module, its builtins() renamed to something no host provides
  const wasm = Buffer.from(bundle.wasm);
  const at = wasm.indexOf("tollgate.semver.compare");
  assert.ok(at > 0);
  wasm.write("tollgate.semver.c0mpare", at);
  const renamed = { ...bundle, manifest: { ...bundle.manifest, digest: `${bundle.manifest.digest}-renamed` }, wasm };
  await assert.rejects(
    () => new PolicyLoader().load(renamed),
    (e: unknown) =>
      e instanceof PolicyLoadError &&
      /calls builtins this tollgate does not provide: tollgate\.semver\.c0mpare$/.test(e.message),
  );
});

test("time.now_ns is the decision's clock; rand.intn is fixed per evaluation, recorded and replayed", async () => {
  const sources = [
    {
      path: "t.rego",
      text: 'package t\n\nnow := time.now_ns()\n\nexact := now == 1700000000123456789\n\nr := [rand.intn("a", 1000000), rand.intn("a", 1000000), rand.intn("b", 1000000)]\n',
    },
  ];
  const bundle = await loader.load(buildBundle(sources, ["t/now", "t/exact", "t/r"]));
  assert.equal(bundle.evaluate("t/now", {}, { nowNs: 1_700_000_000_000_000_000n }), 1_700_000_000_000_000_000);
  assert.equal(bundle.evaluate("t/exact", {}, { nowNs: 1_700_000_000_123_456_789n }), true);
  const [a1, a2, b] = bundle.evaluate("t/r", {}) as number[];
  assert.equal(a1, a2);
  const recorded = bundle.nondeterministic();
  assert.deepEqual(Object.keys(recorded["rand.intn"]!).sort(), ['["a",1000000]', '["b",1000000]']);
  const replayed = bundle.evaluate(
    "t/r",
    {},
    { nondeterministic: { "rand.intn": { '["a",1000000]': 7, '["b",1000000]': 8 } } },
  );
  assert.deepEqual(replayed, [7, 7, 8]);
  assert.ok(typeof b === "number");
});
