/**
 * A stand-in Kubernetes API server for tests: HTTPS on loopback, the real REST paths, verbs, content
 * types and Status errors for everything tollgate does (discovery, get/list/create/update/delete,
 * server-side apply with field managers and conflicts, merge patch, resourceVersion preconditions,
 * bearer-token authentication, RBAC, Leases). Objects live in memory, every stored object is validated
 * against the Kubernetes schemas, and every request is recorded for assertions.
 *
 * A tiny Deployment "controller" fills in status (observedGeneration, ready replicas) after each
 * change, at once (`auto`) or when the test says so (`manual`), so readiness waits can be tested.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import { applyDefaults } from "./defaults.ts";
import {
  changedFields,
  clone,
  decodePath,
  deepEqual,
  deleteAt,
  describePath,
  fieldSet,
  getAt,
  isElement,
  isObject,
  type JsonObject,
  mergeApplied,
  toFieldsV1,
} from "./fields.ts";
import { applyMergePatch } from "./merge-patch.ts";
import { allows, type NamespacedRules } from "./rbac.ts";
import {
  apiVersionOf,
  coreVersions,
  findResource,
  groupList,
  groupVersion,
  type ResourceType,
  resourceList,
  RESOURCES,
} from "./resources.ts";
import {
  ApiError,
  alreadyExists,
  applyConflict,
  badRequest,
  custom,
  deleted,
  type FieldConflict,
  forbidden,
  invalid,
  invalidOptions,
  methodNotAllowed,
  modifiedConflict,
  namespaceNotFound,
  notFound,
  pathNotFound,
  preconditionFailed,
  unauthorized,
  unsupportedMediaType,
} from "./status.ts";
import { testCertificates } from "./tls.ts";
import { decodeProblem, validateObject, validateUpdate } from "./validate.ts";

export interface StandInUser {
  /** User name as RBAC messages show it, e.g. `system:serviceaccount:tollgate:tollgate`. */
  name: string;
  /** What the user may do: everything, or the rules of Roles bound to it per namespace. */
  grants: NamespacedRules[] | "all";
}

export interface StandInOptions {
  /** Bearer token → user. Requests without a known token get 401. */
  users: Record<string, StandInUser>;
  /** Namespaces that exist (writes elsewhere get 404 like a real server). */
  namespaces?: string[];
  /** `auto`: Deployments become ready right after each change; `manual`: only when the test calls rollOut. */
  controller?: "auto" | "manual";
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  user?: string;
  /** Parsed body: JSON, or YAML for apply patches. */
  body?: unknown;
  status: number;
}

/** A response forced onto matching requests (e.g. a 409 or a 500), before normal handling. */
export interface Fault {
  method?: string;
  pathIncludes?: string;
  status: number;
  reason: string;
  message: string;
  /** How many matching requests get the fault. */
  times: number;
}

interface ManagedEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fields: Set<string>;
}

interface Stored {
  object: JsonObject;
  managed: ManagedEntry[];
}

interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function nowRfc3339(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

function without<T extends JsonObject>(object: T, ...keys: string[]): JsonObject {
  const out: JsonObject = { ...object };
  for (const k of keys) delete out[k];
  return out;
}

function metadataOf(object: JsonObject): JsonObject {
  if (!isObject(object["metadata"])) object["metadata"] = {};
  return object["metadata"] as JsonObject;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specPart(object: JsonObject): JsonObject {
  return without(object, "metadata", "status", "apiVersion", "kind");
}

function comparable(object: JsonObject): JsonObject {
  return { ...object, metadata: without(metadataOf(clone(object)), "managedFields") };
}

export class KubeApiStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  private readonly store = new Map<string, Stored>();
  private readonly namespaces: Set<string>;
  private readonly users: Record<string, StandInUser>;
  private controllerMode: "auto" | "manual";
  private revision = 1;
  private server!: Server;
  url = "";
  caPem = "";

  private constructor(options: StandInOptions) {
    this.users = options.users;
    this.namespaces = new Set(options.namespaces ?? ["default"]);
    this.controllerMode = options.controller ?? "auto";
  }

  static async start(options: StandInOptions): Promise<KubeApiStandIn> {
    const standIn = new KubeApiStandIn(options);
    const certs = testCertificates();
    standIn.caPem = certs.caPem;
    standIn.server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
      standIn.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error instanceof Error ? error.stack : error));
      });
    });
    await new Promise<void>((resolve) => standIn.server.listen(0, "127.0.0.1", resolve));
    standIn.url = `https://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    return standIn;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig (YAML) for this server with the given token, as a user's file would be. */
  kubeconfig(options: { token: string; context: string; namespace?: string }): string {
    const ca = Buffer.from(this.caPem).toString("base64");
    return [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `  - name: ${options.context}`,
      "    cluster:",
      `      server: ${this.url}`,
      `      certificate-authority-data: ${ca}`,
      "users:",
      `  - name: ${options.context}-user`,
      "    user:",
      `      token: ${options.token}`,
      "contexts:",
      `  - name: ${options.context}`,
      "    context:",
      `      cluster: ${options.context}`,
      `      user: ${options.context}-user`,
      ...(options.namespace ? [`      namespace: ${options.namespace}`] : []),
      `current-context: ${options.context}`,
      "",
    ].join("\n");
  }

  // ---- test-side access -------------------------------------------------------------------------

  /** The stored object (with managedFields rendered), or undefined. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const r = RESOURCES.find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
    if (!r) throw new Error(`stand-in serves no ${apiVersion} ${kind}`);
    const stored = this.store.get(this.key(r, namespace, name));
    return stored ? this.render(r, stored) : undefined;
  }

  /** Every stored object of a kind in a namespace, by name. */
  list(apiVersion: string, kind: string, namespace: string): JsonObject[] {
    const r = RESOURCES.find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
    if (!r) throw new Error(`stand-in serves no ${apiVersion} ${kind}`);
    const prefix = this.key(r, namespace, "");
    return [...this.store.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, s]) => this.render(r, s));
  }

  /** Requests that could change state (everything but GET). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  setControllerMode(mode: "auto" | "manual"): void {
    this.controllerMode = mode;
    if (mode === "auto") for (const key of this.store.keys()) this.reconcileDeployment(key);
  }

  /** Manual controller: mark a Deployment's current generation rolled out with `ready` ready pods (default: all). */
  rollOut(namespace: string, name: string, ready?: number): void {
    const r = findResource("apps", "v1", "deployments")!;
    this.reconcileDeployment(this.key(r, namespace, name), ready, true);
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const query = Object.fromEntries(url.searchParams.entries());
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
    const contentType = req.headers["content-type"]?.split(";")[0]?.trim();
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query,
      ...(contentType ? { contentType } : {}),
      status: 0,
    };
    this.requests.push(record);
    let status = 200;
    let body: unknown;
    try {
      const user = this.authenticate(req);
      record.user = user.name;
      if (text !== "") record.body = this.parseBody(text, contentType);
      this.injectFault(record);
      [status, body] = this.route(record, user, req.headers["user-agent"]);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status = error.status.code;
      body = error.status;
    }
    record.status = status;
    res.writeHead(status, { "content-type": "application/json", "audit-id": randomUUID() });
    res.end(JSON.stringify(body));
  }

  private authenticate(req: IncomingMessage): StandInUser {
    const header = req.headers.authorization;
    const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
    const user = token !== undefined ? this.users[token] : undefined;
    if (!user) throw unauthorized();
    return user;
  }

  private parseBody(text: string, contentType: string | undefined): unknown {
    try {
      return contentType === "application/apply-patch+yaml" ? parseYaml(text) : JSON.parse(text);
    } catch (error) {
      throw badRequest(`error decoding request body: ${(error as Error).message}`);
    }
  }

  private injectFault(record: RecordedRequest): void {
    const fault = this.faults.find(
      (f) =>
        f.times > 0 &&
        (!f.method || f.method === record.method) &&
        (!f.pathIncludes || record.path.includes(f.pathIncludes)),
    );
    if (!fault) return;
    fault.times -= 1;
    throw custom(fault.status, fault.reason, fault.message);
  }

  private route(record: RecordedRequest, user: StandInUser, userAgent: string | undefined): [number, unknown] {
    const parts = record.path.split("/").filter((p) => p !== "");
    if (record.method === "GET") {
      if (record.path === "/version")
        return [200, { major: "1", minor: "34", gitVersion: "v1.34.0-tollgate-stand-in" }];
      if (record.path === "/api") return [200, coreVersions(this.url.replace("https://", ""))];
      if (record.path === "/apis") return [200, groupList()];
      if (parts[0] === "api" && parts.length === 2) return [200, this.discovery("", parts[1]!)];
      if (parts[0] === "apis" && parts.length === 3) return [200, this.discovery(parts[1]!, parts[2]!)];
    }
    const target = this.parseTarget(parts);
    const manager = record.query["fieldManager"] ?? (userAgent ?? "unknown").split("/")[0]!;
    const { resource: r, namespace, name } = target;
    if (target.subresource) throw pathNotFound();
    const verb = this.verbOf(record.method, name);
    this.authorize(user, verb, r, namespace, name);
    switch (verb) {
      case "get":
        return [200, this.read(r, namespace, name!)];
      case "list":
        return [200, this.listObjects(r, namespace, record.query["labelSelector"])];
      case "create":
        return this.create(r, namespace, record.body, manager, record.query);
      case "update":
        return this.update(r, namespace, name!, record.body, manager, record.query);
      case "patch":
        return this.patch(r, namespace, name!, record, user, manager);
      case "delete":
        return this.remove(r, namespace, name!, record);
      default:
        throw methodNotAllowed();
    }
  }

  private discovery(group: string, version: string): object {
    const doc = resourceList(group, version);
    if (!doc) throw pathNotFound();
    return doc;
  }

  private parseTarget(parts: string[]): Target {
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === "api" && parts.length >= 3) [group, version, rest] = ["", parts[1]!, parts.slice(2)];
    else if (parts[0] === "apis" && parts.length >= 4) [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
    else throw pathNotFound();
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = decodeURIComponent(rest[1]!);
      rest = rest.slice(2);
    }
    const resource = findResource(group, version, rest[0]!);
    if (!resource || resource.namespaced !== (namespace !== undefined)) throw pathNotFound();
    return {
      resource,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(rest[1] !== undefined ? { name: decodeURIComponent(rest[1]) } : {}),
      ...(rest[2] !== undefined ? { subresource: rest[2] } : {}),
    };
  }

  private verbOf(method: string, name: string | undefined): string {
    if (method === "GET") return name === undefined ? "list" : "get";
    if (method === "POST" && name === undefined) return "create";
    if (method === "PUT" && name !== undefined) return "update";
    if (method === "PATCH" && name !== undefined) return "patch";
    if (method === "DELETE" && name !== undefined) return "delete";
    throw methodNotAllowed();
  }

  private authorize(
    user: StandInUser,
    verb: string,
    r: ResourceType,
    namespace: string | undefined,
    name: string | undefined,
  ): void {
    const attributes = {
      verb,
      group: r.group,
      resource: r.plural,
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
    };
    if (!allows(user.grants, attributes)) throw forbidden(r, verb, user.name, namespace, name);
  }

  // ---- storage -------------------------------------------------------------------------------------

  private key(r: ResourceType, namespace: string | undefined, name: string): string {
    return `${groupVersion(r.group, r.version)}/${r.plural}/${namespace ?? ""}/${name}`;
  }

  private render(r: ResourceType, stored: Stored): JsonObject {
    const object = clone(stored.object);
    const metadata = metadataOf(object);
    metadata["managedFields"] = stored.managed
      .filter((m) => m.fields.size > 0)
      .map((m) => ({
        manager: m.manager,
        operation: m.operation,
        apiVersion: m.apiVersion,
        time: m.time,
        fieldsType: "FieldsV1",
        fieldsV1: toFieldsV1(m.fields),
      }));
    return { apiVersion: apiVersionOf(r), kind: r.kind, ...object };
  }

  private read(r: ResourceType, namespace: string | undefined, name: string): JsonObject {
    const stored = this.store.get(this.key(r, namespace, name));
    if (!stored) throw notFound(r, name);
    return this.render(r, stored);
  }

  private listObjects(r: ResourceType, namespace: string | undefined, selector: string | undefined): object {
    const prefix = `${groupVersion(r.group, r.version)}/${r.plural}/${namespace ?? ""}/`;
    const requirements = (selector ?? "")
      .split(",")
      .filter((s) => s !== "")
      .map((s) => {
        const negated = s.includes("!=");
        const [k, v] = s.split(negated ? "!=" : /==?/);
        return { key: k!.trim(), value: (v ?? "").trim(), negated };
      });
    const items = [...this.store.entries()]
      .filter(([k]) => namespace === undefined || k.startsWith(prefix))
      .map(([, s]) => this.render(r, s))
      .filter((o) => {
        const labels = (metadataOf(o)["labels"] ?? {}) as Record<string, string>;
        return requirements.every((q) => (labels[q.key] === q.value) !== q.negated);
      })
      .map((o) => without(o, "apiVersion", "kind"));
    return {
      kind: `${r.kind}List`,
      apiVersion: apiVersionOf(r),
      metadata: { resourceVersion: String(this.revision) },
      items,
    };
  }

  private requireNamespace(namespace: string | undefined): void {
    if (namespace !== undefined && !this.namespaces.has(namespace)) throw namespaceNotFound(namespace);
  }

  /** Apply configurations must name apiVersion and kind; create and update bodies default them from the URL. */
  private checkIdentity(
    r: ResourceType,
    body: unknown,
    namespace: string | undefined,
    name: string | undefined,
    requireTypeMeta = false,
  ): JsonObject {
    if (!isObject(body)) throw badRequest(`the body of the request must be a ${r.kind} object`);
    if (requireTypeMeta && (body["apiVersion"] === undefined || body["kind"] === undefined)) {
      throw badRequest(`${body["kind"] === undefined ? "kind" : "apiVersion"} must be set in an apply configuration`);
    }
    body = { apiVersion: apiVersionOf(r), kind: r.kind, ...body };
    if (!isObject(body)) throw badRequest("unreachable");
    if (body["apiVersion"] !== apiVersionOf(r) || body["kind"] !== r.kind) {
      throw badRequest(
        `the API version in the data (${String(body["apiVersion"])}) and kind (${String(body["kind"])}) do not match the request (${apiVersionOf(r)} ${r.kind})`,
      );
    }
    const metadata = metadataOf(body);
    if (metadata["namespace"] !== undefined && metadata["namespace"] !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    if (name !== undefined && metadata["name"] !== undefined && metadata["name"] !== name) {
      throw badRequest(
        `the name of the object (${String(metadata["name"])}) does not match the name on the URL (${name})`,
      );
    }
    const problem = decodeProblem(r, body);
    if (problem) throw badRequest(problem);
    return body;
  }

  private validate(r: ResourceType, name: string, object: JsonObject, before?: JsonObject): void {
    const errors = validateObject(r, object);
    if (before) errors.push(...validateUpdate(r, before, object));
    if (errors.length > 0) throw invalid(r, name, errors);
  }

  private dryRun(query: Record<string, string>): boolean {
    return query["dryRun"] === "All";
  }

  private create(
    r: ResourceType,
    namespace: string | undefined,
    body: unknown,
    manager: string,
    query: Record<string, string>,
    operation: "Apply" | "Update" = "Update",
  ): [number, JsonObject] {
    const object = clone(this.checkIdentity(r, body, namespace, undefined));
    const metadata = metadataOf(object);
    const name = metadata["name"];
    if (typeof name !== "string" || name === "") {
      throw invalid(r, "", [
        { field: "metadata.name", type: "Required value", detail: "name or generateName is required" },
      ]);
    }
    this.requireNamespace(namespace);
    const key = this.key(r, namespace, name);
    if (this.store.has(key)) throw alreadyExists(r, name);
    // An apply owns what it sent; a plain create (an Update) also owns the defaults the server adds.
    const sent = fieldSet(object);
    applyDefaults(r.kind, object);
    const fields = operation === "Apply" ? sent : fieldSet(object);
    delete object["status"];
    this.validate(r, name, object);
    Object.assign(metadata, {
      ...(namespace !== undefined ? { namespace } : {}),
      uid: randomUUID(),
      resourceVersion: "",
      creationTimestamp: nowRfc3339(),
      ...(r.generation ? { generation: 1 } : {}),
    });
    delete metadata["managedFields"];
    const stored: Stored = {
      object: without(object, "apiVersion", "kind"),
      managed: [{ manager, operation, apiVersion: apiVersionOf(r), time: nowRfc3339(), fields }],
    };
    if (this.dryRun(query)) return [201, this.render(r, stored)];
    this.commit(r, key, stored);
    return [201, this.render(r, stored)];
  }

  private commit(r: ResourceType, key: string, stored: Stored): void {
    this.revision += 1;
    metadataOf(stored.object)["resourceVersion"] = String(this.revision);
    this.store.set(key, stored);
    if (r.kind === "Deployment" && this.controllerMode === "auto") setImmediate(() => this.reconcileDeployment(key));
  }

  /** Stores `next` as the new version of `stored` if anything changed; bumps generation on spec changes. */
  private write(
    r: ResourceType,
    key: string,
    stored: Stored,
    next: JsonObject,
    managed: ManagedEntry[],
    query: Record<string, string>,
  ): [number, JsonObject] {
    const before = stored.object;
    // The real server defaults every write, not only creates (an applied HTTPRoute rule gets its matches).
    applyDefaults(r.kind, next);
    const sameManagers =
      managed.length === stored.managed.length &&
      managed.every(
        (m, i) =>
          m.manager === stored.managed[i]!.manager &&
          deepEqual([...m.fields].sort(), [...stored.managed[i]!.fields].sort()),
      );
    if (deepEqual(comparable(next), comparable(before)) && sameManagers) return [200, this.render(r, stored)];
    const metadata = metadataOf(next);
    if (r.generation && !deepEqual(specPart(next), specPart(before))) {
      metadata["generation"] = Number(metadataOf(before)["generation"] ?? 1) + 1;
    }
    const updated: Stored = { object: next, managed };
    if (this.dryRun(query)) return [200, this.render(r, updated)];
    this.commit(r, key, updated);
    return [200, this.render(r, updated)];
  }

  /** Server-owned metadata survives every write whatever the client sent. */
  private keepServerFields(before: JsonObject, next: JsonObject): void {
    const b = metadataOf(before);
    const n = metadataOf(next);
    for (const k of ["uid", "creationTimestamp", "generation", "resourceVersion", "namespace", "name"]) {
      if (b[k] === undefined) delete n[k];
      else n[k] = b[k];
    }
    delete n["managedFields"];
    if (before["status"] !== undefined) next["status"] = clone(before["status"]);
    else delete next["status"];
  }

  private updateOwnership(stored: Stored, next: JsonObject, manager: string, apiVersion: string): ManagedEntry[] {
    const changed = changedFields(stored.object, next);
    const managed = stored.managed.map((m) => ({
      ...m,
      fields: new Set([...m.fields].filter((f) => !changed.has(f))),
    }));
    if (changed.size === 0) return stored.managed;
    const present = fieldSet(next);
    const mine = [...changed].filter((f) => present.has(f));
    let entry = managed.find((m) => m.manager === manager && m.operation === "Update");
    if (!entry) {
      entry = { manager, operation: "Update", apiVersion, time: nowRfc3339(), fields: new Set() };
      managed.push(entry);
    }
    entry.time = nowRfc3339();
    for (const f of mine) entry.fields.add(f);
    return managed.filter((m) => m.fields.size > 0);
  }

  private update(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    manager: string,
    query: Record<string, string>,
  ): [number, JsonObject] {
    const object = clone(this.checkIdentity(r, body, namespace, name));
    const key = this.key(r, namespace, name);
    const stored = this.store.get(key);
    if (!stored) throw notFound(r, name);
    const precondition = metadataOf(object)["resourceVersion"];
    if (
      precondition !== undefined &&
      precondition !== "" &&
      precondition !== metadataOf(stored.object)["resourceVersion"]
    ) {
      throw modifiedConflict(r, name);
    }
    const next = without(object, "apiVersion", "kind");
    this.keepServerFields(stored.object, next);
    this.validate(r, name, this.render(r, { object: next, managed: [] }), this.render(r, stored));
    return this.write(r, key, stored, next, this.updateOwnership(stored, next, manager, apiVersionOf(r)), query);
  }

  private patch(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    record: RecordedRequest,
    user: StandInUser,
    manager: string,
  ): [number, JsonObject] {
    const { query } = record;
    const isApply = record.contentType === "application/apply-patch+yaml";
    if (record.contentType !== "application/merge-patch+json" && !isApply) {
      throw unsupportedMediaType(record.contentType ?? "none");
    }
    if (!isApply && query["force"] !== undefined) {
      throw invalidOptions("PatchOptions", "meta.k8s.io", [
        { field: "force", type: "Forbidden", detail: "may not be specified for non-apply patch" },
      ]);
    }
    if (isApply && !query["fieldManager"]) {
      throw invalidOptions("PatchOptions", "meta.k8s.io", [
        { field: "fieldManager", type: "Required value", detail: "is required for apply patch" },
      ]);
    }
    const key = this.key(r, namespace, name);
    const stored = this.store.get(key);
    if (isApply) {
      const config = this.checkIdentity(r, record.body, namespace, name, true);
      if (!stored) {
        // Creating through apply is also authorized as `create`.
        this.authorize(user, "create", r, namespace, name);
        return this.create(
          r,
          namespace,
          { ...config, metadata: { ...metadataOf(config), name } },
          manager,
          query,
          "Apply",
        );
      }
      return this.apply(r, key, stored, config, manager, query["force"] === "true", query);
    }
    if (!stored) throw notFound(r, name);
    if (!isObject(record.body)) throw badRequest("a merge patch must be a JSON object");
    const precondition = isObject(record.body["metadata"]) ? record.body["metadata"]["resourceVersion"] : undefined;
    if (precondition !== undefined && precondition !== metadataOf(stored.object)["resourceVersion"])
      throw modifiedConflict(r, name);
    const next = applyMergePatch(stored.object, record.body) as JsonObject;
    this.keepServerFields(stored.object, next);
    const decode = decodeProblem(r, next);
    if (decode) throw badRequest(decode);
    this.validate(r, name, this.render(r, { object: next, managed: [] }), this.render(r, stored));
    return this.write(r, key, stored, next, this.updateOwnership(stored, next, manager, apiVersionOf(r)), query);
  }

  /** Server-side apply onto an existing object: conflicts, forced takeover, removal of fields no longer applied. */
  private apply(
    r: ResourceType,
    key: string,
    stored: Stored,
    config: JsonObject,
    manager: string,
    force: boolean,
    query: Record<string, string>,
  ): [number, JsonObject] {
    const name = String(metadataOf(stored.object)["name"]);
    const applied = fieldSet(config);
    const conflicts: FieldConflict[] = [];
    const managed = stored.managed.map((m) => ({ ...m, fields: new Set(m.fields) }));
    for (const other of managed) {
      if (other.manager === manager && other.operation === "Apply") continue;
      for (const f of applied) {
        if (!other.fields.has(f)) continue;
        const path = decodePath(f);
        if (isElement(path) || deepEqual(getAt(stored.object, path), getAt(config, path))) continue;
        if (force) other.fields.delete(f);
        else conflicts.push({ manager: other.manager, apiVersion: other.apiVersion, field: describePath(path) });
      }
    }
    if (conflicts.length > 0) throw applyConflict(conflicts);

    let mine = managed.find((m) => m.manager === manager && m.operation === "Apply");
    const next = clone(stored.object);
    if (mine) {
      // Fields this manager applied before but no longer does are removed, unless someone else owns them too.
      for (const f of mine.fields) {
        if (applied.has(f)) continue;
        if (managed.some((m) => m !== mine && m.fields.has(f))) continue;
        deleteAt(next, decodePath(f));
      }
    } else {
      mine = { manager, operation: "Apply", apiVersion: apiVersionOf(r), time: nowRfc3339(), fields: new Set() };
      managed.push(mine);
    }
    const merged = mergeApplied(next, without(config, "apiVersion", "kind"), []) as JsonObject;
    this.keepServerFields(stored.object, merged);
    const fieldsChanged = !deepEqual([...mine.fields].sort(), [...applied].sort());
    mine.fields = applied;
    if (fieldsChanged || !deepEqual(comparable(merged), comparable(stored.object))) mine.time = nowRfc3339();
    this.validate(r, name, this.render(r, { object: merged, managed: [] }), this.render(r, stored));
    return this.write(
      r,
      key,
      stored,
      merged,
      managed.filter((m) => m.fields.size > 0),
      query,
    );
  }

  /**
   * DELETE with DeleteOptions from the body or the query: preconditions (uid, resourceVersion) are
   * checked against the stored object (409 on a mismatch, as the real storage layer words it) and the
   * propagation policy must be one the server knows. Dependents (ReplicaSets, pods) are not modelled,
   * so every policy deletes at once and answers with a Success Status.
   */
  private remove(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    record: RecordedRequest,
  ): [number, object] {
    const options = isObject(record.body) ? record.body : {};
    const policy = options["propagationPolicy"] ?? record.query["propagationPolicy"];
    if (policy !== undefined && policy !== "Foreground" && policy !== "Background" && policy !== "Orphan") {
      throw invalidOptions("DeleteOptions", "meta.k8s.io", [
        {
          field: "propagationPolicy",
          type: "Unsupported value",
          value: policy,
          detail: 'supported values: "Foreground", "Background", "Orphan"',
        },
      ]);
    }
    const key = this.key(r, namespace, name);
    const stored = this.store.get(key);
    if (!stored) throw notFound(r, name);
    const preconditions = isObject(options["preconditions"]) ? options["preconditions"] : {};
    const meta = metadataOf(stored.object);
    for (const [field, label] of [
      ["uid", "UID"],
      ["resourceVersion", "ResourceVersion"],
    ] as const) {
      const wanted = preconditions[field];
      if (wanted !== undefined && wanted !== null && wanted !== meta[field]) {
        throw preconditionFailed(r, name, label, String(wanted), String(meta[field]));
      }
    }
    if (this.dryRun(record.query)) return [200, deleted(r, name, String(meta["uid"]))];
    this.store.delete(key);
    this.revision += 1;
    return [200, deleted(r, name, String(metadataOf(stored.object)["uid"]))];
  }

  // ---- controller ---------------------------------------------------------------------------------

  private reconcileDeployment(key: string, ready?: number, force = false): void {
    const stored = this.store.get(key);
    if (!stored || !key.startsWith("apps/v1/deployments/")) return;
    if (this.controllerMode === "manual" && !force) return;
    const object = stored.object;
    const spec = (object["spec"] ?? {}) as JsonObject;
    const replicas = Number(spec["replicas"] ?? 1);
    const readyCount = Math.min(ready ?? replicas, replicas);
    const status: JsonObject = { observedGeneration: metadataOf(object)["generation"] };
    // Like the Go types, zero counts are left out.
    if (replicas > 0) Object.assign(status, { replicas, updatedReplicas: replicas });
    if (readyCount > 0) Object.assign(status, { readyReplicas: readyCount, availableReplicas: readyCount });
    if (readyCount < replicas) status["unavailableReplicas"] = replicas - readyCount;
    status["conditions"] = [
      {
        type: "Available",
        status: readyCount >= replicas ? "True" : "False",
        reason: readyCount >= replicas ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        message:
          readyCount >= replicas
            ? "Deployment has minimum availability."
            : "Deployment does not have minimum availability.",
      },
    ];
    if (deepEqual(object["status"], status)) return;
    const next = { ...clone(object), status };
    this.revision += 1;
    metadataOf(next)["resourceVersion"] = String(this.revision);
    this.store.set(key, { object: next, managed: stored.managed });
  }
}
