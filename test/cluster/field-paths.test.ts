import assert from "node:assert/strict";
import { test } from "node:test";
import { valueAtFieldPath } from "../../src/cluster/kubernetes/objects.ts";

const deployment = {
  metadata: { labels: { "tollgate.dev/artifact": "a-1", app: "support", "tollgate.dev": "short" } },
  spec: {
    replicas: 4,
    template: { spec: { containers: [{ name: "sidecar" }, { name: "agent", image: "registry.example/agent:1" }] } },
  },
};

test("field paths as the API server writes them in conflicts resolve to the live value", () => {
  assert.equal(valueAtFieldPath(deployment, ".spec.replicas"), 4);
  assert.equal(
    valueAtFieldPath(deployment, '.spec.template.spec.containers[name="agent"].image'),
    "registry.example/agent:1",
  );
  assert.equal(valueAtFieldPath(deployment, ".metadata.labels.app"), "support");
  // Keys with dots are not quoted by the server: the longest key that exists wins.
  assert.equal(valueAtFieldPath(deployment, ".metadata.labels.tollgate.dev/artifact"), "a-1");
  assert.equal(valueAtFieldPath(deployment, ".metadata.labels.tollgate.dev"), "short");
  assert.equal(valueAtFieldPath(deployment, ".metadata.labels.missing.key"), undefined);
  assert.equal(valueAtFieldPath(deployment, '.spec.template.spec.containers[name="none"].image'), undefined);
});
