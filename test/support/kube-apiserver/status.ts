/**
 * Failures as the API server reports them: a `Status` object with the HTTP code, a machine reason and
 * a message worded like the real server's.
 */
import { qualifiedKind, qualifiedResource, type ResourceType } from "./resources.ts";

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusObject {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

/** Thrown inside request handling; the server turns it into the Status response. */
export class ApiError extends Error {
  readonly status: StatusObject;
  constructor(status: StatusObject) {
    super(status.message);
    this.status = status;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusObject["details"]): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

export function unauthorized(): ApiError {
  return failure(401, "Unauthorized", "Unauthorized");
}

export function forbidden(
  r: ResourceType,
  verb: string,
  user: string,
  namespace: string | undefined,
  name?: string,
): ApiError {
  const subject = name === undefined ? qualifiedResource(r) : `${qualifiedResource(r)} "${name}"`;
  const where = namespace ? ` in the namespace "${namespace}"` : " at the cluster scope";
  return failure(
    403,
    "Forbidden",
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${r.plural}" in API group "${r.group}"${where}`,
    { ...(name !== undefined ? { name } : {}), group: r.group, kind: r.plural },
  );
}

export function notFound(r: ResourceType, name: string): ApiError {
  return failure(404, "NotFound", `${qualifiedResource(r)} "${name}" not found`, {
    name,
    group: r.group,
    kind: r.plural,
  });
}

export function namespaceNotFound(namespace: string): ApiError {
  return failure(404, "NotFound", `namespaces "${namespace}" not found`, { name: namespace, kind: "namespaces" });
}

export function pathNotFound(): ApiError {
  return failure(404, "NotFound", "the server could not find the requested resource");
}

export function alreadyExists(r: ResourceType, name: string): ApiError {
  return failure(409, "AlreadyExists", `${qualifiedResource(r)} "${name}" already exists`, {
    name,
    group: r.group,
    kind: r.plural,
  });
}

export function modifiedConflict(r: ResourceType, name: string): ApiError {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: r.group, kind: r.plural },
  );
}

/**
 * A DELETE whose precondition (`uid` or `resourceVersion`) does not match the stored object. The real
 * server names the kind here, not the resource (`Deployment.apps`, details.kind `Deployment`).
 */
export function preconditionFailed(
  r: ResourceType,
  name: string,
  label: "UID" | "ResourceVersion",
  wanted: string,
  actual: string,
): ApiError {
  const why = label === "UID" ? "deleted and then recreated" : "modified";
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedKind(r)} "${name}": the ${label} in the precondition (${wanted}) does not match the ${label} in record (${actual}). The object might have been ${why}`,
    { name, ...(r.group ? { group: r.group } : {}), kind: r.kind },
  );
}

export interface FieldConflict {
  manager: string;
  apiVersion: string;
  field: string;
}

/**
 * An apply that would take fields another manager owns. As the real server words it: one conflict
 * on one line; several grouped by manager (sorted), each field on its own line. The details carry
 * only the causes.
 */
export function applyConflict(conflicts: FieldConflict[]): ApiError {
  const who = (c: FieldConflict): string => `"${c.manager}" using ${c.apiVersion}`;
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${who(conflicts[0]!)}: ${conflicts[0]!.field}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(who(c), [...(byManager.get(who(c)) ?? []), c.field]);
    const lines = [...byManager.keys()]
      .sort()
      .flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((f) => `- ${f}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return failure(409, "Conflict", message, {
    causes: conflicts.map((c) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${who(c)}`,
      field: c.field,
    })),
  });
}

export interface FieldError {
  field: string;
  /** "Invalid value", "Required value", "Forbidden", "Not found", "Duplicate value", "Unsupported value". */
  type: string;
  detail: string;
  value?: unknown;
}

const CAUSE_REASONS: Record<string, string> = {
  "Invalid value": "FieldValueInvalid",
  "Required value": "FieldValueRequired",
  Forbidden: "FieldValueForbidden",
  "Not found": "FieldValueNotFound",
  "Duplicate value": "FieldValueDuplicate",
  "Unsupported value": "FieldValueNotSupported",
};

/** `Invalid value: -1: must be ...`: a cause's message; the Status message prefixes the field. */
function describeCause(e: FieldError): string {
  const value = e.value === undefined ? "" : ` ${JSON.stringify(e.value)}`;
  return `${e.type}:${value}${e.detail ? `${value ? ":" : ""} ${e.detail}` : ""}`;
}

function describe(e: FieldError): string {
  return `${e.field}: ${describeCause(e)}`;
}

function causes(errors: FieldError[]): StatusCause[] {
  return errors.map((e) => ({
    reason: CAUSE_REASONS[e.type] ?? "FieldValueInvalid",
    message: describeCause(e),
    field: e.field,
  }));
}

export function invalid(r: ResourceType, name: string, errors: FieldError[]): ApiError {
  const parts = errors.map(describe);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return failure(422, "Invalid", `${qualifiedKind(r)} "${name}" is invalid: ${list}`, {
    name,
    // The core group is left out, as the real server does.
    ...(r.group ? { group: r.group } : {}),
    kind: r.kind,
    causes: causes(errors),
  });
}

/** Invalid request options, e.g. `PatchOptions` of group `meta.k8s.io`. */
export function invalidOptions(kind: string, group: string, errors: FieldError[]): ApiError {
  const parts = errors.map(describe);
  return failure(422, "Invalid", `${kind}.${group} "" is invalid: ${parts.join(", ")}`, {
    group,
    kind,
    causes: causes(errors),
  });
}

export function badRequest(message: string): ApiError {
  return failure(400, "BadRequest", message);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
  );
}

export function methodNotAllowed(): ApiError {
  return failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

export function custom(code: number, reason: string, message: string): ApiError {
  return failure(code, reason, message);
}

export function deleted(r: ResourceType, name: string, uid: string): object {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name, group: r.group, kind: r.plural, uid },
  };
}
