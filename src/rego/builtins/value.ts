/**
 * Rego values as host builtins see them, and their "tagged JSON" wire form (see
 * runtime/assembly/host.ts): plain JSON, except that a set is {"\u0000set":[...]} and an object
 * with a non-string key (or a key starting with NUL) is {"\u0000obj":[[k,v],...]}.
 *
 * Numbers: safe integers and finite floats are JS numbers, other integers are bigints (exact),
 * and anything else (1e400) keeps its text as a NumberText. Objects whose keys are all strings
 * are plain JS objects; others are RegoObjects. Sets are RegoSets (elements in Rego order).
 */

export class RegoSet {
  constructor(readonly items: Value[]) {}
}

export class RegoObject {
  constructor(readonly entries: [Value, Value][]) {}
}

export class NumberText {
  constructor(readonly text: string) {}
}

export type Value =
  | null
  | boolean
  | number
  | bigint
  | NumberText
  | string
  | Value[]
  | RegoSet
  | RegoObject
  | { [key: string]: Value };

export type Obj = { [key: string]: Value };

export function isNumber(v: Value): v is number | bigint | NumberText {
  return typeof v === "number" || typeof v === "bigint" || v instanceof NumberText;
}

/** A plain object with string keys (not an array, set or RegoObject). */
export function isObject(v: Value): v is Obj {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof RegoSet) &&
    !(v instanceof RegoObject) &&
    !(v instanceof NumberText)
  );
}

/** OPA's type names, as in its error messages. */
export function typeName(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return "boolean";
  if (isNumber(v)) return "number";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "array";
  if (v instanceof RegoSet) return "set";
  return "object";
}

const SET_TAG = "\u0000set";
const OBJ_TAG = "\u0000obj";

/** Builds an object from entries, a plain object when every key is a string. */
export function makeObject(entries: readonly [Value, Value][]): Obj | RegoObject {
  if (entries.every(([k]) => typeof k === "string" && !k.startsWith("\u0000"))) {
    const o: Obj = {};
    for (const [k, v] of entries) setKey(o, k as string, v);
    return o;
  }
  return new RegoObject([...entries]);
}

/** Sets a key, also "__proto__" (as an own property). */
export function setKey(o: Obj, k: string, v: Value): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Entries of any object value. */
export function objectEntries(v: Obj | RegoObject): [Value, Value][] {
  return v instanceof RegoObject ? v.entries : Object.entries(v);
}

// ---------------------------------------------------------------- decoding

/** Parses tagged JSON (as the runtime writes it: valid, compact). */
export function decode(text: string, exactNumbers = false): Value {
  const p = new Decoder(text, exactNumbers);
  const v = p.value();
  if (p.pos !== text.length) throw new Error("tagged JSON: trailing characters");
  return v;
}

class Decoder {
  pos = 0;
  constructor(
    private readonly s: string,
    /** Numbers not written as plain integers stay NumberTexts. */
    private readonly exactNumbers = false,
  ) {}

  value(): Value {
    const s = this.s;
    this.ws();
    const c = s.charCodeAt(this.pos);
    if (c === 34) return this.string();
    if (c === 91) {
      this.pos++;
      const out: Value[] = [];
      this.ws();
      if (s.charCodeAt(this.pos) === 93) {
        this.pos++;
        return out;
      }
      for (;;) {
        out.push(this.value());
        this.ws();
        const d = s.charCodeAt(this.pos++);
        if (d === 93) return out;
        if (d !== 44) throw new Error("tagged JSON: expected , or ]");
      }
    }
    if (c === 123) {
      this.pos++;
      const o: Obj = {};
      this.ws();
      if (s.charCodeAt(this.pos) === 125) {
        this.pos++;
        return o;
      }
      let first = true;
      for (;;) {
        this.ws();
        const k = this.string();
        this.ws();
        if (s.charCodeAt(this.pos++) !== 58) throw new Error("tagged JSON: expected :");
        const v = this.value();
        this.ws();
        const d = s.charCodeAt(this.pos++);
        if (first && d === 125 && (k === SET_TAG || k === OBJ_TAG) && Array.isArray(v)) {
          if (k === SET_TAG) return new RegoSet(v);
          return makeObject(v.map((pair) => [(pair as Value[])[0]!, (pair as Value[])[1]!]));
        }
        first = false;
        setKey(o, k, v);
        if (d === 125) return o;
        if (d !== 44) throw new Error("tagged JSON: expected , or }");
      }
    }
    if (s.startsWith("true", this.pos)) {
      this.pos += 4;
      return true;
    }
    if (s.startsWith("false", this.pos)) {
      this.pos += 5;
      return false;
    }
    if (s.startsWith("null", this.pos)) {
      this.pos += 4;
      return null;
    }
    return this.number();
  }

  private ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else return;
    }
  }

  private string(): string {
    const s = this.s;
    const start = this.pos;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(i);
      if (Number.isNaN(c)) throw new Error("tagged JSON: unterminated string");
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
      } else i++;
    }
    this.pos = i + 1;
    const raw = s.slice(start, i + 1);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  private number(): Value {
    const s = this.s;
    const start = this.pos;
    let i = start;
    while (i < s.length && /[-+0-9.eE]/.test(s[i]!)) i++;
    if (i === start) throw new Error(`tagged JSON: unexpected character at ${start}`);
    this.pos = i;
    const text = s.slice(start, i);
    if (this.exactNumbers && !/^-?\d+$/.test(text)) return new NumberText(text);
    return parseNumber(text);
  }
}

/** A number from its JSON text, as described above. */
export function parseNumber(text: string): number | bigint | NumberText {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  const f = Number(text);
  if (!Number.isFinite(f)) {
    // an integral value written with an exponent is still exact as a bigint
    const m = /^(-?)(\d+)(?:\.(\d+))?[eE]\+?(\d+)$/.exec(text);
    if (m) {
      const frac = m[3] ?? "";
      const exp = Number(m[4]);
      if (exp >= frac.length && exp < 100_000) return BigInt(`${m[1]}${m[2]}${frac}${"0".repeat(exp - frac.length)}`);
    }
    return new NumberText(text);
  }
  return f;
}

// ---------------------------------------------------------------- encoding

/** The tagged JSON of `v`; `tagged` is set if it uses a tag (the runtime must then untag it). */
export function encode(v: Value): { text: string; tagged: boolean } {
  const state = { tagged: false };
  return { text: enc(v, state), tagged: state.tagged };
}

function enc(v: Value, state: { tagged: boolean }): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "string":
      return JSON.stringify(v);
    case "number":
      return formatNumber(v);
    case "bigint":
      return v.toString();
  }
  if (v instanceof NumberText) return v.text;
  if (Array.isArray(v)) return `[${v.map((x) => enc(x, state)).join(",")}]`;
  if (v instanceof RegoSet) {
    state.tagged = true;
    return `{"\\u0000set":[${v.items.map((x) => enc(x, state)).join(",")}]}`;
  }
  if (v instanceof RegoObject) {
    state.tagged = true;
    return `{"\\u0000obj":[${v.entries.map(([k, x]) => `[${enc(k, state)},${enc(x, state)}]`).join(",")}]}`;
  }
  const keys = Object.keys(v);
  if (keys.some((k) => k.startsWith("\u0000"))) return enc(new RegoObject(Object.entries(v)), state);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${enc(v[k]!, state)}`).join(",")}}`;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a JSON number: ${n}`);
  if (Number.isInteger(n)) return Object.is(n, -0) ? "0" : BigInt(n).toString();
  return String(n);
}

// ---------------------------------------------------------------- Rego ordering and equality

const TYPE_ORDER: Record<string, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 };

/** Rego's total order (null < boolean < number < string < array < object < set). */
export function compareValues(a: Value, b: Value): number {
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return TYPE_ORDER[ta]! - TYPE_ORDER[tb]!;
  switch (ta) {
    case "null":
      return 0;
    case "boolean":
      return Number(a) - Number(b);
    case "number":
      return compareNumbers(a as number | bigint | NumberText, b as number | bigint | NumberText);
    case "string":
      return compareUtf8(a as string, b as string);
    case "array":
      return compareLists(a as Value[], b as Value[]);
    case "set":
      return compareLists((a as RegoSet).items, (b as RegoSet).items);
    default: {
      const ea = sortedEntries(a as Obj | RegoObject);
      const eb = sortedEntries(b as Obj | RegoObject);
      for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
        const c = compareValues(ea[i]![0], eb[i]![0]) || compareValues(ea[i]![1], eb[i]![1]);
        if (c !== 0) return c;
      }
      return ea.length - eb.length;
    }
  }
}

function compareLists(a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function sortedEntries(o: Obj | RegoObject): [Value, Value][] {
  return [...objectEntries(o)].sort((x, y) => compareValues(x[0], y[0]));
}

function compareNumbers(a: number | bigint | NumberText, b: number | bigint | NumberText): number {
  const x = a instanceof NumberText ? Number(a.text) : a;
  const y = b instanceof NumberText ? Number(b.text) : b;
  if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === "bigint" || typeof y === "bigint") {
    const fx = Number(x);
    const fy = Number(y);
    if (fx !== fy) return fx < fy ? -1 : 1;
    if (Number.isInteger(Number(x)) && Number.isInteger(Number(y))) {
      const bx = BigInt(x);
      const by = BigInt(y);
      return bx < by ? -1 : bx > by ? 1 : 0;
    }
    return 0;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Strings compare bytewise in UTF-8, which is code point order (not UTF-16 order). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

export function equalValues(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0;
}

/** A set of `items`, sorted and deduplicated. */
export function makeSet(items: readonly Value[]): RegoSet {
  const sorted = [...items].sort(compareValues);
  const out: Value[] = [];
  for (const x of sorted) if (out.length === 0 || compareValues(out[out.length - 1]!, x) !== 0) out.push(x);
  return new RegoSet(out);
}
