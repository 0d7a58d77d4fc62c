/**
 * Reading and server-side applying single objects. An apply is first made without `force`: if someone
 * else (a person with kubectl, another controller) took over a field tollgate owns, the server answers
 * 409 naming the field and its new manager. That is drift: it is reported, then the apply is repeated
 * with `force` to take the field back.
 */
import { type KubernetesObject, type KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../manifests.ts";
import type { DriftFinding } from "../types.ts";
import { httpStatusOf, statusOf } from "./errors.ts";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
}

export function refOf(object: KubernetesObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? "v1",
    kind: object.kind ?? "",
    metadata: { name: object.metadata?.name ?? "", namespace: object.metadata?.namespace ?? "" },
  };
}

/** The live object, or undefined when it does not exist. */
export async function readObject<T extends KubernetesObject>(
  api: KubernetesObjectApi,
  ref: ObjectRef,
): Promise<T | undefined> {
  try {
    return await api.read<T>(ref);
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw error;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Whether every field of `desired` has the same value in `live` (fields the server or others added
 * are ignored). Lists of named elements match by name, so an injected sidecar does not count.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (isRecord(desired)) {
    if (!isRecord(live)) return false;
    return Object.entries(desired).every(([k, v]) => v === undefined || isSubset(v, live[k]));
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return false;
    const named = desired.every((d) => isRecord(d) && typeof d["name"] === "string");
    if (named) {
      return desired.every((d) => {
        const match = live.find((l) => isRecord(l) && l["name"] === (d as Record<string, unknown>)["name"]);
        return match !== undefined && isSubset(d, match);
      });
    }
    return desired.length === live.length && desired.every((d, i) => isSubset(d, live[i]));
  }
  return desired === live;
}

/** Resolves an API server field path such as `.spec.template.spec.containers[name="agent"].image`. */
export function valueAtFieldPath(root: unknown, path: string): unknown {
  const tokens = path.match(/\.[^.[]+|\[[^\]]*\]/g) ?? [];
  let cur: unknown = root;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith(".")) {
      if (!isRecord(cur)) return undefined;
      // The server does not quote keys: `.metadata.labels.tollgate.dev/arm` names the key
      // `tollgate.dev/arm`. Take the longest run of dotted tokens that is a key here.
      let key = token.slice(1);
      let end = i;
      for (let j = i + 1, joined = key; j < tokens.length && tokens[j]!.startsWith("."); j++) {
        joined += tokens[j];
        if (joined in cur) {
          key = joined;
          end = j;
        }
      }
      cur = cur[key];
      i = end;
      continue;
    }
    if (!Array.isArray(cur)) return undefined;
    const keys = token
      .slice(1, -1)
      .split(",")
      .map((pair) => {
        const eq = pair.indexOf("=");
        const raw = pair.slice(eq + 1);
        let value: unknown = raw;
        try {
          value = JSON.parse(raw);
        } catch {
          // an unquoted value stays a string
        }
        return [pair.slice(0, eq), value] as const;
      });
    cur = cur.find((e) => isRecord(e) && keys.every(([k, v]) => e[k] === v));
  }
  return cur;
}

export interface ApplyOutcome<T> {
  object: T;
  drift: DriftFinding[];
}

/** Server-side apply with field manager `tollgate`; conflicts become drift findings, then are forced. */
export async function applyObject<T extends KubernetesObject>(
  api: KubernetesObjectApi,
  desired: T,
  live: KubernetesObject | undefined,
): Promise<ApplyOutcome<T>> {
  try {
    const object = await api.patch<T>(
      desired,
      undefined,
      undefined,
      FIELD_MANAGER,
      false,
      PatchStrategy.ServerSideApply,
    );
    return { object, drift: [] };
  } catch (error) {
    const causes = statusOf(error)?.details?.causes?.filter((c) => c.reason === "FieldManagerConflict") ?? [];
    if (httpStatusOf(error) !== 409 || causes.length === 0) throw error;
    const drift = causes.map((cause): DriftFinding => {
      const field = cause.field ?? "";
      const manager = /conflict with "([^"]+)"/.exec(cause.message ?? "")?.[1];
      return {
        kind: desired.kind ?? "",
        name: desired.metadata?.name ?? "",
        field,
        ...(manager !== undefined ? { manager } : {}),
        expected: valueAtFieldPath(desired, field),
        actual: valueAtFieldPath(live, field),
      };
    });
    const object = await api.patch<T>(
      desired,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
    return { object, drift };
  }
}
