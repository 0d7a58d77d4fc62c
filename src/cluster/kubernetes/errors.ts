/**
 * Turning what @kubernetes/client-node throws (ApiException with a Status body, or a fetch error when
 * the server cannot be reached) into a ClusterFailure whose message names the cluster.
 */
import { ApiException } from "@kubernetes/client-node";
import type { ClusterFailure, ClusterFailureKind } from "../types.ts";

/** An API server's Status object, as far as tollgate reads it. */
export interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

/** A failure in one cluster, carrying the cluster's name in its message. */
export class ClusterError extends Error {
  readonly failure: ClusterFailure;
  constructor(failure: ClusterFailure) {
    super(failure.message);
    this.name = "ClusterError";
    this.failure = failure;
  }
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
]);

/** The Status body of an ApiException (client-node hands it over as text or as parsed JSON). */
export function statusOf(error: unknown): StatusBody | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  if (typeof body === "string") {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === "object" && parsed !== null ? (parsed as StatusBody) : { message: body };
    } catch {
      return { message: body };
    }
  }
  return typeof body === "object" && body !== null ? (body as StatusBody) : undefined;
}

export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function kindFor(status: number): ClusterFailureKind {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 409) return "conflict";
  if (status === 400 || status === 422 || status === 415) return "invalid";
  return "server";
}

function networkCode(error: unknown): string | undefined {
  let cur: unknown = error;
  for (let depth = 0; depth < 4 && typeof cur === "object" && cur !== null; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK_CODES.has(code) || code.startsWith("ERR_TLS") || code.startsWith("CERT_")))
      return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Describes any error from a call to the cluster's API server. */
export function describeClusterError(cluster: string, server: string, error: unknown): ClusterFailure {
  if (error instanceof ClusterError) return error.failure;
  const prefix = `cluster "${cluster}"`;
  if (error instanceof ApiException) {
    const status = statusOf(error);
    const kind = kindFor(error.code);
    let detail = status?.message ?? `HTTP ${error.code}`;
    if (kind === "unauthorized")
      detail = `the API server at ${server} rejected the credentials (401 ${status?.message ?? "Unauthorized"}); check the kubeconfig user's token or certificate`;
    if (kind === "forbidden") detail = `permission denied (403): ${detail}${missingPermission(detail)}`;
    // A cause's message does not repeat its field on a real server: `Invalid value: -1: must be ...`.
    const causes =
      status?.details?.causes
        ?.map((c) =>
          c.field && c.message && !c.message.startsWith(c.field) ? `${c.field}: ${c.message}` : (c.message ?? c.field),
        )
        .filter(Boolean) ?? [];
    if (kind === "invalid" && causes.length > 0 && !detail.includes(String(causes[0])))
      detail += ` (${causes.join("; ")})`;
    return { kind, message: `${prefix}: ${detail}`, httpStatus: error.code };
  }
  const code = networkCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (isTimeout(error)) {
    return {
      kind: "unreachable",
      message: `${prefix}: the API server at ${server} did not answer in time (request timed out)`,
    };
  }
  if (code !== undefined) {
    return {
      kind: "unreachable",
      message: `${prefix}: cannot reach the API server at ${server} (${code}): ${message}`,
    };
  }
  return { kind: "server", message: `${prefix}: ${message}` };
}

/**
 * What RBAC lacks, from the authorizer's message (`User "..." cannot patch resource "deployments" in
 * API group "apps" in the namespace "agents"`), and which of deploy/'s Roles grants it.
 */
function missingPermission(message: string): string {
  const denied = /cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?/.exec(message);
  if (!denied) return "";
  const [, verb, resource, group] = denied;
  const qualified = group ? `${resource}.${group}` : resource;
  const role = resource === "leases" ? "deploy/role-leader-election.yaml" : "deploy/role-workloads.yaml";
  return `; tollgate needs "${verb}" on ${qualified} there, as granted by the Role in ${role}`;
}

function isTimeout(error: unknown): boolean {
  let cur: unknown = error;
  for (let depth = 0; depth < 4 && typeof cur === "object" && cur !== null; depth++) {
    const { name, type } = cur as { name?: unknown; type?: unknown };
    if (name === "AbortError" || name === "TimeoutError" || type === "aborted") return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** Failures worth another try within the same call. */
export function isTransient(failure: ClusterFailure): boolean {
  return failure.kind === "unreachable" || failure.kind === "conflict" || failure.kind === "server";
}
