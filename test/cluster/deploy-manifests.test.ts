/** deploy/ must be valid Kubernetes objects that fit together: bindings name the roles and account that exist, the Service selects the pods. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { parse, parseAllDocuments } from "yaml";
import { leaseSettingsFromEnv } from "../../src/cluster/leader/lease-elector.ts";

const DEPLOY = fileURLToPath(new URL("../../deploy/", import.meta.url));

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Deployment: Deployment as never,
  Role: Role as never,
  RoleBinding: RoleBinding as never,
  Namespace: Namespace as never,
  Service: Service as never,
  ServiceAccount: ServiceAccount as never,
};

function manifests(): Manifest[] {
  const kustomization = parse(readFileSync(join(DEPLOY, "kustomization.yaml"), "utf8")) as { resources: string[] };
  const files = readdirSync(DEPLOY).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
  assert.deepEqual([...kustomization.resources].sort(), files.sort(), "kustomization lists every manifest");
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(DEPLOY, f), "utf8")).map((d) => d.toJS() as Manifest),
  );
}

test("every manifest in deploy/ validates against the Kubernetes schema", () => {
  for (const m of manifests()) {
    const Model = MODELS[m.kind];
    assert.ok(Model, `no schema check for ${m.kind}`);
    assert.doesNotThrow(() => new Model(m as never).validate(), `${m.kind}/${m.metadata.name}`);
  }
});

test("two reconciler replicas, their ServiceAccount, leader election and a /metrics Service fit together", () => {
  const all = manifests();
  const find = (kind: string, name: string): Manifest => {
    const m = all.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(m, `${kind}/${name} is in deploy/`);
    return m;
  };
  const deployment = find("Deployment", "tollgate") as Manifest & {
    spec: {
      replicas: number;
      template: {
        metadata: { labels: Record<string, string> };
        spec: {
          serviceAccountName: string;
          containers: { env: { name: string; value?: string; valueFrom?: unknown }[]; ports: { name: string }[] }[];
        };
      };
    };
  };
  assert.equal(deployment.spec.replicas, 2);
  assert.equal(deployment.spec.template.spec.serviceAccountName, "tollgate");
  find("ServiceAccount", "tollgate");

  for (const binding of all.filter((m) => m.kind === "RoleBinding") as (Manifest & {
    roleRef: { name: string };
    subjects: { name: string; namespace: string }[];
  })[]) {
    const role = find("Role", binding.roleRef.name);
    assert.equal(
      role.metadata.namespace,
      binding.metadata.namespace,
      "a RoleBinding grants a Role of its own namespace",
    );
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "tollgate", namespace: "tollgate" }]);
  }

  const service = find("Service", "tollgate-metrics") as Manifest & {
    spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
  };
  const podLabels = deployment.spec.template.metadata.labels;
  assert.ok(
    Object.entries(service.spec.selector).every(([k, v]) => podLabels[k] === v),
    "the metrics Service selects the reconciler pods",
  );
  const container = deployment.spec.template.spec.containers[0]!;
  assert.ok(container.ports.some((p) => p.name === service.spec.ports[0]!.targetPort));

  // The leader-election settings the pods get are the ones the elector reads, naming the Lease the Role allows.
  const env: Record<string, string> = { TOLLGATE_LEASE_NAMESPACE: "tollgate", TOLLGATE_IDENTITY: "tollgate-5f7c-x" };
  for (const e of container.env) if (e.value !== undefined) env[e.name] = e.value;
  const settings = leaseSettingsFromEnv(env);
  const leaseRole = find("Role", "tollgate-leader-election") as Manifest & { rules: { resourceNames?: string[] }[] };
  assert.ok(settings && leaseRole.rules.some((r) => r.resourceNames?.includes(settings.name)));
});
