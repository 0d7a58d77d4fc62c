import { parseDocument, stringify } from "yaml";
import type { Release, Status } from "./types.ts";

const STATUS_HEADER = "# Written by tollgate. Do not edit by hand.\n";
const KEY_ORDER = [
  "apiVersion",
  "kind",
  "service",
  "phase",
  "liveDigest",
  "canaryDigest",
  "rollouts",
  "step",
  "weight",
  "rolloutStartedAt",
  "stepStartedAt",
  "awaitingSync",
  "earlierTelemetry",
  "lastDecision",
  "frozenUntil",
  "rejected",
  "verified",
];

/** A status file's text: fixed key order, so the same status always gives the same bytes. */
export function serializeStatus(status: Status): string {
  return serializeStatusDocument(statusDocument(status));
}

/**
 * The status as its file holds it: the keys in the file's order, undefined members left out, a
 * plain JSON value (what reading the file back gives).
 */
export function statusDocument(status: Status): Status {
  const ordered: Record<string, unknown> = {};
  for (const key of KEY_ORDER) {
    const value = (status as unknown as Record<string, unknown>)[key];
    if (value !== undefined) ordered[key] = value;
  }
  return JSON.parse(JSON.stringify(ordered)) as Status;
}

/** The text of a status document (see `statusDocument`). */
export function serializeStatusDocument(document: Status): string {
  return STATUS_HEADER + stringify(document, { lineWidth: 0 });
}

/**
 * Rewrites a release file to hold `release`, keeping the author's comments and layout where the
 * document's structure allows (fields are replaced in place, new ones appended).
 */
export function updateReleaseText(originalText: string | undefined, release: Release): string {
  if (originalText === undefined) return stringify(release, { lineWidth: 0 });
  const doc = parseDocument(originalText);
  const current = doc.toJS() as Record<string, unknown>;
  for (const [key, value] of Object.entries(release)) {
    if (JSON.stringify(current[key]) !== JSON.stringify(value)) doc.set(key, doc.createNode(value));
  }
  for (const key of Object.keys(current)) {
    if (!(key in release)) doc.delete(key);
  }
  return doc.toString({ lineWidth: 0 });
}
