/** rego.metadata.rule() and rego.metadata.chain(): METADATA comment blocks as constants. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { BuiltinHost } from "../../src/rego/builtins/index.ts";
import { compile } from "../../src/rego/index.ts";

async function evaluate(sources: string[], entrypoint: string): Promise<unknown> {
  const { wasm } = compile(
    sources.map((text, i) => ({ path: `m${i}.rego`, text })),
    { entrypoints: [entrypoint] },
  );
  const host = new BuiltinHost();
  const policy = await loadPolicy(wasm, undefined, host.functions);
  host.begin({});
  return (policy.evaluate({}, entrypoint) as { result: unknown }[])[0]?.result;
}

const MODULE = `# METADATA
# description: guardrails
# scope: subpackages
package acme.gates

# METADATA
# scope: document
# title: the gate
deny := "x" if false

# METADATA
# title: Denied when frozen
# authors:
# - Ann Admin <ann@example.com>
# - Bo
# related_resources:
# - https://example.com/freeze
deny := rego.metadata.rule()

untitled := rego.metadata.rule()

chain := rego.metadata.chain()
`;

test("rego.metadata.rule() is the calling rule's own annotations, in OPA's normal form", async () => {
  assert.deepEqual(await evaluate([MODULE], "acme/gates/deny"), {
    scope: "rule",
    title: "Denied when frozen",
    authors: [{ name: "Ann Admin", email: "ann@example.com" }, { name: "Bo" }],
    related_resources: [{ ref: "https://example.com/freeze" }],
  });
  assert.deepEqual(await evaluate([MODULE], "acme/gates/untitled"), {});
});

test("rego.metadata.chain() goes from the rule out to the packages around it", async () => {
  const other = "# METADATA\n# title: all of acme\n# scope: subpackages\npackage acme\n";
  assert.deepEqual(await evaluate([MODULE, other], "acme/gates/chain"), [
    { path: ["acme", "gates", "chain"] },
    { path: ["acme", "gates"], annotations: { description: "guardrails", scope: "subpackages" } },
    { path: ["acme"], annotations: { title: "all of acme", scope: "subpackages" } },
  ]);
});
