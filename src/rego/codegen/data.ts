/**
 * The policy's static data, laid out after the runtime's own data: string constants as runtime
 * string values, number literals as runtime number values (parsed at compile time, so evaluation
 * never re-parses them), NUL-terminated file names and the JSON texts of builtins() and
 * entrypoints(). Identical inputs give identical bytes.
 */
import {
  NUMBER_FLOAT,
  NUMBER_INT,
  NUMBER_SIZE,
  SCALAR_SIZE,
  STRING_SIZE,
  T_BOOLEAN,
  T_NULL,
  T_NUMBER,
  T_STRING,
} from "../runtime/layout.ts";

const encoder = new TextEncoder();
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export class DataBuilder {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private readonly strings = new Map<string, number>();
  private readonly numbers = new Map<string, number>();
  private readonly cstrings = new Map<string, number>();
  private scalars: { null: number; true: number; false: number } | undefined;

  constructor(readonly base: number) {}

  /** First address after the data. */
  get end(): number {
    return this.base + this.size;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }

  private append(bytes: Uint8Array, align: number): number {
    const pad = (align - ((this.base + this.size) % align)) % align;
    if (pad) {
      this.chunks.push(new Uint8Array(pad));
      this.size += pad;
    }
    const addr = this.base + this.size;
    this.chunks.push(bytes);
    this.size += bytes.byteLength;
    return addr;
  }

  /** Raw bytes (not NUL-terminated); returns their address. */
  raw(bytes: Uint8Array): number {
    return this.append(bytes, 1);
  }

  /** A NUL-terminated copy of `text` (UTF-8). */
  cstring(text: string): number {
    let addr = this.cstrings.get(text);
    if (addr === undefined) {
      const b = encoder.encode(text);
      const z = new Uint8Array(b.byteLength + 1);
      z.set(b);
      addr = this.append(z, 1);
      this.cstrings.set(text, addr);
    }
    return addr;
  }

  /** A runtime string value. */
  stringValue(text: string): number {
    let addr = this.strings.get(text);
    if (addr === undefined) {
      const bytes = encoder.encode(text);
      const ptr = this.append(bytes, 1);
      const v = new Uint8Array(STRING_SIZE);
      const dv = new DataView(v.buffer);
      v[0] = T_STRING;
      dv.setUint32(4, bytes.byteLength, true);
      dv.setUint32(8, ptr, true);
      addr = this.append(v, 8);
      this.strings.set(text, addr);
    }
    return addr;
  }

  /** A runtime number value for a JSON number literal (same rules as the runtime's parser). */
  numberValue(text: string): number {
    let addr = this.numbers.get(text);
    if (addr !== undefined) return addr;
    const v = new Uint8Array(NUMBER_SIZE);
    const dv = new DataView(v.buffer);
    v[0] = T_NUMBER;
    if (/^-?\d+$/.test(text) && BigInt(text) >= I64_MIN && BigInt(text) <= I64_MAX) {
      v[1] = NUMBER_INT;
      dv.setBigInt64(8, BigInt(text), true);
    } else {
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text))
        throw new Error(`invalid number literal ${JSON.stringify(text)}`);
      const bytes = encoder.encode(text);
      const ptr = this.append(bytes, 1);
      v[1] = NUMBER_FLOAT;
      dv.setUint32(4, ptr, true);
      dv.setFloat64(8, Number(text), true);
      dv.setUint32(16, bytes.byteLength, true);
    }
    addr = this.append(v, 8);
    this.numbers.set(text, addr);
    return addr;
  }

  intValue(n: number): number {
    if (!Number.isSafeInteger(n)) throw new Error(`integer constant out of range: ${n}`);
    return this.numberValue(String(n));
  }

  private scalarValues(): { null: number; true: number; false: number } {
    if (!this.scalars) {
      const make = (type: number, value: number) => {
        const v = new Uint8Array(SCALAR_SIZE);
        v[0] = type;
        v[1] = value;
        return this.append(v, 8);
      };
      this.scalars = { null: make(T_NULL, 0), true: make(T_BOOLEAN, 1), false: make(T_BOOLEAN, 0) };
    }
    return this.scalars;
  }

  nullValue(): number {
    return this.scalarValues().null;
  }

  boolValue(b: boolean): number {
    return b ? this.scalarValues().true : this.scalarValues().false;
  }
}
