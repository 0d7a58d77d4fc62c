/**
 * Builtins the host implements, through the compiler, the unmodified SDK and the policy loader:
 * values cross the host boundary exactly (sets, big integers), errors name the builtin, the rule
 * and the file:line with OPA's code, out-of-scope builtins are compile errors, and a module whose
 * builtins() the host does not provide fails at load.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { main } from "../../src/cli/main.ts";
import { buildBundle } from "../../src/policy/bundle.ts";
import { runPolicyTests } from "../../src/policy/test-runner.ts";
import { PolicyCompileError } from "../../src/policy/compiler.ts";
import { PolicyEvaluationError, PolicyLoader, PolicyLoadError } from "../../src/policy/loader.ts";
import { BuiltinHost } from "../../src/rego/builtins/host.ts";
import { allBuiltins } from "../../src/rego/builtins/catalog.ts";
import { abortText, compile } from "../../src/rego/index.ts";
import { opaForTest } from "../support/opa/index.ts";

const loader = new PolicyLoader();

async function policyOf(text: string, entrypoints: string[], strict = false) {
  const wasm = compile([{ path: "lib/policy.rego", text }], { entrypoints, strictBuiltinErrors: strict }).wasm;
  const host = new BuiltinHost();
  return { policy: await loadPolicy(wasm, undefined, host.functions), host };
}

test("only the two network builtins are out of scope", () => {
  assert.deepEqual(
    allBuiltins()
      .filter((b) => b.outOfScope)
      .map((b) => `${b.name}: ${b.outOfScope}`),
    ["http.send: network access", "net.lookup_ip_addr: network access"],
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

test("a builtin error with non-ASCII text reads back as written (abortText)", async () => {
  const text = ["package t", "", "p := x if {", '  x := uri.parse("http://example.com:٣٤/")', "}", ""].join("\n");
  const { policy } = await policyOf(text, ["t/p"], true);
  let thrown: unknown;
  assert.throws(() => {
    try {
      policy.evaluate({}, "t/p");
    } catch (error) {
      thrown = error;
      throw error;
    }
  });
  assert.match(abortText(thrown), /uri\.parse: parse "http:\/\/example\.com:٣٤\/": invalid port ":٣٤" after host/);
});

test("providers.aws.sign_req signs as OPA does, and takes only an integer-written timestamp", async () => {
  const text = [
    "package t",
    'req := {"method": "get", "url": "http://example.com"}',
    'config := {"aws_access_key": "AK", "aws_secret_access_key": "SK", "aws_service": "s3", "aws_region": "us-east-1"}',
    "signed := providers.aws.sign_req(req, config, 1451311705000000000)",
    "refused := providers.aws.sign_req(req, config, 1.451311705e18)",
    "",
  ].join("\n");
  const { policy } = await policyOf(text, ["t/signed", "t/refused"]);
  const [{ result }] = policy.evaluate({}, "t/signed") as [{ result: { headers: Record<string, string> } }];
  assert.deepEqual(Object.keys(result.headers).sort(), ["Authorization", "host", "x-amz-content-sha256", "x-amz-date"]);
  assert.equal(result.headers["x-amz-date"], "20151228T140825Z");
  assert.equal(result.headers["x-amz-content-sha256"], createHash("sha256").update("").digest("hex"));
  assert.match(
    result.headers.Authorization!,
    /^AWS4-HMAC-SHA256 Credential=AK\/20151228\/us-east-1\/s3\/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=[0-9a-f]{64}$/,
  );
  assert.deepEqual(policy.evaluate({}, "t/refused"), []);
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
      /failed in policy bundle sha256:[0-9a-f]+: t\.rego:5: eval_conflict_error: rule data\.t\.p produced conflicting values$/.test(
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

test("every builtin family gives OPA's values in policy test (src/rego/builtins/tests)", async () => {
  const dir = resolve(import.meta.dirname, "../../src/rego/builtins/tests");
  const report = await runPolicyTests(dir, "src/rego/builtins/tests/");
  const failures = report.results.filter((r) => r.outcome !== "pass").map((r) => `${r.name}: ${r.detail}`);
  assert.deepEqual(failures, []);
  assert.ok(report.passed >= 16, `only ${report.passed} tests ran`);
});

test("policy eval and policy test take --strict-builtin-errors: the error names builtin, rule and line", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-strict-"));
  try {
    await writeFile(join(dir, "p.rego"), 'package t\n\np := semver.compare("1.0.0", input.v)\n');
    await writeFile(join(dir, "p_test.rego"), 'package t\n\ntest_bad_version if p == 0 with input.v as "1"\n');
    await writeFile(join(dir, "input.json"), '{"v": "1"}');
    const run = async (args: string[]) => {
      const out: string[] = [];
      const code = await main(args, { cwd: dir, out: (s) => out.push(s), err: (s) => out.push(s) });
      return { code, text: out.join("\n") };
    };
    const lenient = await run(["policy", "eval", "-p", ".", "-e", "t/p", "-i", "input.json"]);
    assert.equal(lenient.code, 1);
    assert.match(lenient.text, /t\/p is undefined for this input/);
    const strict = await run(["policy", "eval", "-p", ".", "-e", "t/p", "-i", "input.json", "--strict-builtin-errors"]);
    assert.equal(strict.code, 1);
    assert.match(
      strict.text,
      /p\.rego:3: eval_builtin_error: semver\.compare: operand 2: string "1" is not a valid SemVer \(in rule data\.t\.p\)/,
    );
    const test = await run(["policy", "test", ".", "--strict-builtin-errors"]);
    assert.equal(test.code, 2);
    assert.match(test.text, /data\.t\.test_bad_version: ERROR .*\n.*eval_builtin_error: semver\.compare: operand 2/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the family tests hold for the real opa too (the values are OPA's)", async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  const dir = resolve(import.meta.dirname, "../../src/rego/builtins/tests");
  const { stdout } = await promisify(execFile)(opa.bin, ["test", dir, "--format", "json"], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const results = JSON.parse(stdout) as { name: string; fail?: boolean; error?: unknown }[];
  assert.ok(results.length >= 16);
  assert.deepEqual(
    results.filter((r) => r.fail || r.error).map((r) => r.name),
    [],
  );
});
