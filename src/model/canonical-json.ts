/**
 * Canonical JSON: object keys sorted by UTF-16 code units (as JavaScript sorts strings), no
 * insignificant whitespace, strings escaped as JSON.stringify does, numbers in JavaScript's shortest
 * round-trip form. `undefined` object members are omitted. The same value always gives the same bytes.
 *
 * Built by appending to one string (no intermediate arrays per object): evidence documents of
 * thousands of telemetry values are encoded on every decision.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, false);
}

/**
 * The canonical JSON of what `JSON.parse(JSON.stringify(value))` would give, without building that
 * copy: non-finite numbers and `undefined` array items become null, `toJSON` is honoured. For
 * documents holding analysis values (an analysis without data has NaN levels, an e-value can
 * overflow) that are stored as JSON and compared after reading back.
 */
export function canonicalJsonOfStringified(value: unknown): string {
  return encode(value, true);
}

function encode(value: unknown, lenient: boolean): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) {
        if (lenient) return "null";
        throw new TypeError(`canonical JSON cannot encode ${value}`);
      }
      // For finite numbers String() is JSON.stringify's form (-0 included: both give "0").
      return String(value);
    case "object": {
      if (value === null) return "null";
      if (lenient && typeof (value as { toJSON?: unknown }).toJSON === "function")
        return encode((value as { toJSON(): unknown }).toJSON(), true);
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const item = value[i];
          out +=
            lenient && (item === undefined || typeof item === "function" || typeof item === "symbol")
              ? "null"
              : encode(item, lenient);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      // Array#sort without a comparator orders strings by UTF-16 code units.
      const keys = Object.keys(record).sort();
      let out = "{";
      for (const key of keys) {
        const member = record[key];
        if (member === undefined || (lenient && (typeof member === "function" || typeof member === "symbol"))) continue;
        if (out.length > 1) out += ",";
        out += `${quote(key)}:${encode(member, lenient)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
}

/** Characters JSON.stringify escapes: quote, backslash, controls, and (lone) surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}
