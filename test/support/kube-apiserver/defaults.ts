/**
 * The defaults the real API server fills in on create for the kinds tollgate writes, so that live
 * objects carry fields no manager set (and a client comparing "is my config a subset of live" has to
 * cope with them).
 */
import { isObject, type JsonObject } from "./fields.ts";

function obj(parent: JsonObject, key: string): JsonObject {
  if (!isObject(parent[key])) parent[key] = {};
  return parent[key] as JsonObject;
}

function defaultPorts(ports: unknown): void {
  if (!Array.isArray(ports)) return;
  for (const p of ports) if (isObject(p)) p["protocol"] ??= "TCP";
}

let nextClusterIp = 10;

export function applyDefaults(kind: string, object: JsonObject): void {
  if (kind === "Deployment") {
    const spec = obj(object, "spec");
    spec["replicas"] ??= 1;
    spec["revisionHistoryLimit"] ??= 10;
    spec["progressDeadlineSeconds"] ??= 600;
    spec["strategy"] ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };
    const podSpec = obj(obj(spec, "template"), "spec");
    podSpec["restartPolicy"] ??= "Always";
    podSpec["dnsPolicy"] ??= "ClusterFirst";
    podSpec["terminationGracePeriodSeconds"] ??= 30;
    podSpec["schedulerName"] ??= "default-scheduler";
    podSpec["securityContext"] ??= {};
    const containers = Array.isArray(podSpec["containers"]) ? podSpec["containers"] : [];
    for (const c of containers) {
      if (!isObject(c)) continue;
      c["imagePullPolicy"] ??= "IfNotPresent";
      c["resources"] ??= {};
      c["terminationMessagePath"] ??= "/dev/termination-log";
      c["terminationMessagePolicy"] ??= "File";
      defaultPorts(c["ports"]);
    }
  }
  if (kind === "HTTPRoute") defaultHttpRoute(obj(object, "spec"));
  if (kind === "Service") {
    const spec = obj(object, "spec");
    spec["type"] ??= "ClusterIP";
    spec["sessionAffinity"] ??= "None";
    spec["clusterIP"] ??= `10.96.0.${nextClusterIp++ % 250}`;
    defaultPorts(spec["ports"]);
    if (Array.isArray(spec["ports"])) {
      for (const p of spec["ports"]) if (isObject(p)) p["targetPort"] ??= p["port"];
    }
  }
}

/** The defaults of the Gateway API standard CRDs (v1.6) for the HTTPRoute fields tests use. */
function defaultHttpRoute(spec: JsonObject): void {
  for (const parent of Array.isArray(spec["parentRefs"]) ? spec["parentRefs"] : []) {
    if (!isObject(parent)) continue;
    parent["group"] ??= "gateway.networking.k8s.io";
    parent["kind"] ??= "Gateway";
  }
  for (const rule of Array.isArray(spec["rules"]) ? spec["rules"] : []) {
    if (!isObject(rule)) continue;
    rule["matches"] ??= [{ path: { type: "PathPrefix", value: "/" } }];
    for (const backend of Array.isArray(rule["backendRefs"]) ? rule["backendRefs"] : []) {
      if (!isObject(backend)) continue;
      backend["group"] ??= "";
      backend["kind"] ??= "Service";
      backend["weight"] ??= 1;
    }
  }
}
