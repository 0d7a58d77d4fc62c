import { canonicalJson, formatFieldPath } from "../../model/index.ts";

/** One changed setting: its field path and the values before and after (undefined: absent). */
export interface SettingChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

/**
 * The settings that differ between two parsed files, as deep as objects go; lists are compared item
 * by item when they keep their length, else reported whole (a reader wants "freezes: [a] → [a, b]").
 */
export function diffSettings(before: unknown, after: unknown, path: (string | number)[] = []): SettingChange[] {
  if (
    canonicalJson(before ?? null) === canonicalJson(after ?? null) &&
    (before === undefined) === (after === undefined)
  )
    return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffSettings(before[k], after[k], [...path, k]));
  }
  if (
    Array.isArray(before) &&
    Array.isArray(after) &&
    before.length === after.length &&
    before.every((b, i) => isRecord(b) && isRecord(after[i]))
  ) {
    return before.flatMap((b, i) => diffSettings(b, after[i], [...path, i]));
  }
  return [
    {
      field: formatFieldPath(path),
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    },
  ];
}

/** `approvals.required: 2 → 1`, `windows.freezes: added [...]`. */
export function describeSetting(change: SettingChange): string {
  if (change.before === undefined) return `${change.field}: set to ${formatValue(change.after)}`;
  if (change.after === undefined) return `${change.field}: removed (was ${formatValue(change.before)})`;
  return `${change.field}: ${formatValue(change.before)} → ${formatValue(change.after)}`;
}

export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number"))
    return `[${value.join(", ")}]`;
  return JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
