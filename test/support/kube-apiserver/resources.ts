/**
 * The API resources the stand-in serves and the discovery documents describing them, shaped as a
 * real API server returns them (APIVersions, APIGroupList, APIResourceList).
 */

export interface ResourceType {
  group: string; // "" for the core group
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: string[];
  /** metadata.generation is kept and bumped on spec changes. */
  generation: boolean;
  shortNames?: string[];
}

const STANDARD_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const RESOURCES: ResourceType[] = [
  {
    group: "",
    version: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    singular: "configmap",
    namespaced: true,
    verbs: STANDARD_VERBS,
    generation: false,
    shortNames: ["cm"],
  },
  {
    group: "",
    version: "v1",
    kind: "Service",
    plural: "services",
    singular: "service",
    namespaced: true,
    verbs: STANDARD_VERBS,
    generation: false,
    shortNames: ["svc"],
  },
  {
    group: "",
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    singular: "namespace",
    namespaced: false,
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    generation: false,
    shortNames: ["ns"],
  },
  {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    singular: "deployment",
    namespaced: true,
    verbs: STANDARD_VERBS,
    generation: true,
    shortNames: ["deploy"],
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    plural: "leases",
    singular: "lease",
    namespaced: true,
    verbs: STANDARD_VERBS,
    generation: false,
  },
  {
    group: "gateway.networking.k8s.io",
    version: "v1",
    kind: "HTTPRoute",
    plural: "httproutes",
    singular: "httproute",
    namespaced: true,
    verbs: STANDARD_VERBS,
    generation: true,
  },
];

export function groupVersion(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}

export function apiVersionOf(r: ResourceType): string {
  return groupVersion(r.group, r.version);
}

/** `deployments.apps` / `configmaps`: how the API server names a resource in messages. */
export function qualifiedResource(r: ResourceType): string {
  return r.group === "" ? r.plural : `${r.plural}.${r.group}`;
}

/** `Deployment.apps` / `ConfigMap`: how the API server names a kind in validation messages. */
export function qualifiedKind(r: ResourceType): string {
  return r.group === "" ? r.kind : `${r.kind}.${r.group}`;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function coreVersions(serverAddress: string): object {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function groupList(): object {
  const groups = [...new Set(RESOURCES.filter((r) => r.group !== "").map((r) => r.group))];
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: groups.map((name) => {
      const versions = [...new Set(RESOURCES.filter((r) => r.group === name).map((r) => r.version))].map((version) => ({
        groupVersion: `${name}/${version}`,
        version,
      }));
      return { name, versions, preferredVersion: versions[0] };
    }),
  };
}

export function resourceList(group: string, version: string): object | undefined {
  const served = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of served) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    });
    if (r.kind === "Deployment" || r.kind === "HTTPRoute") {
      resources.push({
        name: `${r.plural}/status`,
        singularName: "",
        namespaced: true,
        kind: r.kind,
        verbs: ["get", "patch", "update"],
      });
    }
    if (r.kind === "Deployment") {
      resources.push({
        name: `${r.plural}/scale`,
        singularName: "",
        namespaced: true,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: ["get", "patch", "update"],
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion(group, version), resources };
}
