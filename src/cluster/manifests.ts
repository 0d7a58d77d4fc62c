/**
 * The Kubernetes objects tollgate applies for one service in one namespace. Each function returns
 * exactly the fields tollgate owns (server-side apply configurations): what is left out belongs to
 * someone else.
 */
import type { KubernetesObject, V1ConfigMap, V1Deployment, V1Service } from "@kubernetes/client-node";
import {
  type Artifact,
  artifactDigest,
  canonicalJson,
  type Digest,
  InvalidInputError,
  releaseFile,
} from "../model/index.ts";
import type { Arm } from "./types.ts";

export const FIELD_MANAGER = "tollgate";
export const LABEL_SERVICE = "tollgate.dev/service";
export const LABEL_ARM = "tollgate.dev/arm";
export const LABEL_ARTIFACT = "tollgate.dev/artifact";
/** The environment an object belongs to: environments may share a namespace, and pruning one must not touch another's objects. */
export const LABEL_ENVIRONMENT = "tollgate.dev/environment";
export const ANNOTATION_DIGEST = "tollgate.dev/artifact-digest";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const CONTAINER_NAME = "agent";
const CONFIG_VOLUME = "agent-config";
/** Where the pinned agent configuration appears inside the pods. */
export const CONFIG_MOUNT_PATH = "/etc/tollgate/agent";
/** Key of the ConfigMap entry holding the whole artifact, from which tollgate can rebuild an arm. */
export const ARTIFACT_KEY = "artifact.json";

export interface ManifestOptions {
  /** Pods per service: shared by the arms in replica mode, the stable arm's count in gateway mode. */
  replicas: number;
  /** Port the agent container listens on (named `http`). */
  containerPort: number;
  /** Port of the Services in front of the pods. */
  servicePort: number;
  /** HTTP path of the agent's readiness probe. */
  readinessPath: string;
}

export const DEFAULT_MANIFEST_OPTIONS: ManifestOptions = {
  replicas: 4,
  containerPort: 8080,
  servicePort: 80,
  readinessPath: "/healthz",
};

export interface HttpRouteBackendRef {
  name: string;
  port: number;
  weight: number;
}

/** The part of a Gateway API HTTPRoute tollgate owns: the backends and their weights. */
export interface HttpRoute extends KubernetesObject {
  apiVersion: "gateway.networking.k8s.io/v1";
  kind: "HTTPRoute";
  metadata: { name: string; namespace: string };
  spec: { rules: { backendRefs: HttpRouteBackendRef[] }[] };
}

/** Label values are at most 63 characters of [A-Za-z0-9._-]: the digest's hex, cut to 63. */
export function artifactLabel(digest: Digest): string {
  return digest.replace(/^sha256:/, "").slice(0, 63);
}

export function deploymentName(service: string, arm: Arm): string {
  return `${service}-${arm}`;
}

/** One immutable ConfigMap per artifact, so pods of an old version never see a new configuration. */
export function configMapName(service: string, digest: Digest): string {
  return `${service}-agent-${digest.replace(/^sha256:/, "").slice(0, 10)}`;
}

/** Service in front of both arms (replica mode) or of one arm (gateway backends). */
export function serviceName(service: string, arm?: Arm): string {
  return arm ? `${service}-${arm}` : service;
}

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IMAGE_BY_DIGEST = /@sha256:[0-9a-f]{64}$/;

/** Object names derive from the service name; Kubernetes Service names must start with a letter. */
export function checkService(environment: string, service: string, artifacts: Artifact[]): void {
  const file = releaseFile(environment, service);
  if (!DNS_1035.test(service) || `${service}-canary`.length > 63) {
    throw new InvalidInputError([
      {
        file,
        field: "/service",
        message: `service name "${service}" cannot name Kubernetes objects: it must start with a letter and be at most 56 characters`,
      },
    ]);
  }
  for (const artifact of artifacts) {
    if (!IMAGE_BY_DIGEST.test(artifact.code.image)) {
      throw new InvalidInputError([
        {
          file,
          field: "/artifact/code/image",
          message: `image "${artifact.code.image}" is not pinned by digest (@sha256:...)`,
        },
      ]);
    }
  }
}

/** On every object tollgate creates (not on pod templates or selectors: changing those would roll pods or is forbidden). */
function ownerLabels(environment: string, service: string): Record<string, string> {
  return { [LABEL_MANAGED_BY]: FIELD_MANAGER, [LABEL_ENVIRONMENT]: environment, [LABEL_SERVICE]: service };
}

/** Label selector of every object tollgate created for an environment (in one namespace). */
export function environmentSelector(environment: string): string {
  return `${LABEL_MANAGED_BY}=${FIELD_MANAGER},${LABEL_ENVIRONMENT}=${environment}`;
}

function selectorLabels(service: string, arm: Arm): Record<string, string> {
  return { [LABEL_SERVICE]: service, [LABEL_ARM]: arm };
}

function artifactLabels(service: string, arm: Arm, artifact: Artifact): Record<string, string> {
  return { ...selectorLabels(service, arm), [LABEL_ARTIFACT]: artifactLabel(artifact.digest) };
}

/** The pinned agent configuration, one value per key so the agent can read single files. */
export function agentConfigMap(
  environment: string,
  service: string,
  namespace: string,
  artifact: Artifact,
): V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: configMapName(service, artifact.digest),
      namespace,
      labels: { ...ownerLabels(environment, service), [LABEL_ARTIFACT]: artifactLabel(artifact.digest) },
      annotations: { [ANNOTATION_DIGEST]: artifact.digest },
    },
    immutable: true,
    data: {
      "artifact-digest": artifact.digest,
      "code-image": artifact.code.image,
      "code-source-commit": artifact.code.sourceCommit,
      "model-provider": artifact.model.provider,
      "model-name": artifact.model.name,
      "model-snapshot": artifact.model.snapshot,
      "prompts-digest": artifact.prompts.digest,
      "tools-manifest-digest": artifact.tools.manifestDigest,
      "tools-allowed": [...artifact.tools.allowed].sort().join("\n"),
      "index-build-id": artifact.index.buildId,
      "index-digest": artifact.index.digest,
      [ARTIFACT_KEY]: canonicalJson(artifact),
    },
  };
}

/** Reads back the artifact a ConfigMap pins; undefined when it is missing or does not match its digest. */
export function artifactFromConfigMap(configMap: V1ConfigMap): Artifact | undefined {
  const text = configMap.data?.[ARTIFACT_KEY];
  if (!text) return undefined;
  try {
    const artifact = JSON.parse(text) as Artifact;
    return artifactDigest(artifact) === artifact.digest ? artifact : undefined;
  } catch {
    return undefined;
  }
}

export function agentDeployment(
  environment: string,
  service: string,
  namespace: string,
  arm: Arm,
  artifact: Artifact,
  replicas: number,
  options: ManifestOptions,
): V1Deployment {
  const labels = artifactLabels(service, arm, artifact);
  // The digest annotation on the pod template makes a change of any of the five parts (not only the
  // image) roll the pods.
  const annotations = { [ANNOTATION_DIGEST]: artifact.digest };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: deploymentName(service, arm),
      namespace,
      labels: { ...ownerLabels(environment, service), ...labels },
      annotations,
    },
    spec: {
      replicas,
      selector: { matchLabels: selectorLabels(service, arm) },
      template: {
        metadata: { labels, annotations },
        spec: {
          containers: [
            {
              name: CONTAINER_NAME,
              image: artifact.code.image,
              ports: [{ name: "http", containerPort: options.containerPort, protocol: "TCP" }],
              env: [
                { name: "TOLLGATE_SERVICE", value: service },
                { name: "TOLLGATE_ARM", value: arm },
                { name: "TOLLGATE_ARTIFACT_DIGEST", value: artifact.digest },
                { name: "TOLLGATE_AGENT_CONFIG", value: CONFIG_MOUNT_PATH },
              ],
              readinessProbe: { httpGet: { path: options.readinessPath, port: "http" } },
              volumeMounts: [{ name: CONFIG_VOLUME, mountPath: CONFIG_MOUNT_PATH, readOnly: true }],
            },
          ],
          volumes: [{ name: CONFIG_VOLUME, configMap: { name: configMapName(service, artifact.digest) } }],
        },
      },
    },
  };
}

/** Without `arm`: the Service clients use, in front of both arms (replica-ratio split). */
export function agentService(
  environment: string,
  service: string,
  namespace: string,
  options: ManifestOptions,
  arm?: Arm,
): V1Service {
  const selector: Record<string, string> = arm ? selectorLabels(service, arm) : { [LABEL_SERVICE]: service };
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: serviceName(service, arm),
      namespace,
      labels: { ...ownerLabels(environment, service), ...selector },
    },
    spec: {
      selector,
      ports: [{ name: "http", port: options.servicePort, targetPort: "http", protocol: "TCP" }],
    },
  };
}

/** `{{service}}` in the configured route name is the service. */
export function httpRouteName(template: string, service: string): string {
  return template.replaceAll("{{service}}", service);
}

export function httpRouteWeights(
  routeName: string,
  namespace: string,
  service: string,
  canaryWeight: number,
  options: ManifestOptions,
): HttpRoute {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: routeName, namespace },
    spec: {
      rules: [
        {
          backendRefs: [
            { name: serviceName(service, "stable"), port: options.servicePort, weight: 100 - Math.round(canaryWeight) },
            { name: serviceName(service, "canary"), port: options.servicePort, weight: Math.round(canaryWeight) },
          ],
        },
      ],
    },
  };
}
