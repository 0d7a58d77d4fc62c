/**
 * The API server's audit log: every request of the admin and of tollgate, with verb, resource, user,
 * the authorizer's decision and the response code, and for Leases the objects written. Tests read
 * it to see exactly which calls tollgate made and what the server answered.
 */
import { readFileSync } from "node:fs";

export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; subresource?: string };
  responseStatus?: { code?: number; reason?: string; message?: string };
  requestObject?: unknown;
  responseObject?: unknown;
  annotations?: Record<string, string>;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  userAgent?: string;
}

export class AuditLog {
  constructor(readonly file: string) {}

  /** Audit policy: request and response bodies for Leases in `leaseNamespace`, metadata for the users' other calls. */
  static policy(users: string[], leaseNamespace: string): string {
    const list = JSON.stringify(users);
    return [
      "apiVersion: audit.k8s.io/v1",
      "kind: Policy",
      'omitStages: ["RequestReceived"]',
      "rules:",
      "  - level: RequestResponse",
      `    users: ${list}`,
      `    namespaces: ["${leaseNamespace}"]`,
      '    resources: [{ group: "coordination.k8s.io", resources: ["leases"] }]',
      "  - level: Metadata",
      `    users: ${list}`,
      "  - level: None",
      "",
    ].join("\n");
  }

  /** Where the log ends now: events after it are `since(mark)`. */
  mark(): number {
    return this.read().length;
  }

  /** Events logged after `mark` (all when omitted), once the server has written those of the requests already answered. */
  async since(mark = 0, filter: (e: AuditEvent) => boolean = () => true): Promise<AuditEvent[]> {
    // A response reaches the client just before its audit event is written.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return this.read().slice(mark).filter(filter);
  }

  private read(): AuditEvent[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .filter((line) => line.endsWith("}"))
      .map((line) => JSON.parse(line) as AuditEvent);
  }
}
