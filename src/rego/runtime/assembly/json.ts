// JSON parse and dump. Parse accepts RFC 8259 JSON and returns 0 on any syntax error. Dump writes
// objects with keys in Rego order, sets as arrays, numbers with their exact text.
import { alloc } from "./mem";
import { bufByte, bufBytes, bufLen, bufNew, bufPtr, bufStr } from "./buf";
import {
  FALSE, NULL, T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING, TRUE,
  mkArrayFrom, mkObjectFromEntries, mkObjectFromStringEntries, mkString, objKey, objVal, strLen, strPtr, vecGet, vecLen,
} from "./value";
import { mkFloatText, mkInt, mkNumberText, numFormat } from "./number";

const MAX_DEPTH: i32 = 1000;

let pos: usize = 0;
let end: usize = 0;
let depth: i32 = 0;
let failed: bool = false;
// Elements of the containers being parsed, innermost last: each container pushes its elements
// (u32 value addresses; objects push key, value pairs) and, when it ends, copies them out and
// pops them. The stack moves when it grows, so containers remember offsets from its base.
let stackBase: usize = 0;
let sp: usize = 0;
let stackEnd: usize = 0;

function growStack(): void {
  const size = stackEnd - stackBase;
  const used = sp - stackBase;
  const moved = alloc(size << 1);
  memory.copy(moved, stackBase, used);
  stackBase = moved;
  sp = moved + used;
  stackEnd = moved + (size << 1);
}

// @ts-ignore: decorator
@inline
function push(x: usize): void {
  if (sp + 4 > stackEnd) growStack();
  store<u32>(sp, <u32>x);
  sp += 4;
}

// @ts-ignore: decorator
@inline
function push2(x: usize, y: usize): void {
  if (sp + 8 > stackEnd) growStack();
  store<u32>(sp, <u32>x);
  store<u32>(sp, <u32>y, 4);
  sp += 8;
}

export function jsonParse(ptr: usize, len: u32): usize {
  pos = ptr;
  end = ptr + len;
  depth = 0;
  failed = false;
  const cap: usize = len < 64 ? 64 : len > 65536 ? 65536 : (<usize>len + 7) & ~(<usize>7);
  stackBase = alloc(cap);
  sp = stackBase;
  stackEnd = stackBase + cap;
  skipWs();
  const v = parseValue();
  if (failed || v == 0) return 0;
  skipWs();
  if (pos != end) return 0;
  return v;
}

// @ts-ignore: decorator
@inline
function peek(): u32 {
  return pos < end ? <u32>load<u8>(pos) : 0;
}

// @ts-ignore: decorator
@inline
function skipWs(): void {
  // compact JSON has no whitespace: one comparison
  if (pos < end && load<u8>(pos) <= 32) skipWsSlow();
}

function skipWsSlow(): void {
  while (pos < end) {
    const c = load<u8>(pos);
    if (c == 32 || c == 9 || c == 10 || c == 13) pos++;
    else break;
  }
}

function expectWord(w0: u32, w1: u32, w2: u32, w3: u32, n: u32): bool {
  if (pos + n > end) return false;
  if (load<u8>(pos) != w0 || load<u8>(pos + 1) != w1 || load<u8>(pos + 2) != w2) return false;
  if (n == 4 && load<u8>(pos + 3) != w3) return false;
  pos += n;
  return true;
}

function parseValue(): usize {
  if (failed) return 0;
  const c = peek();
  switch (c) {
    case 123: // {
      return parseObject();
    case 91: // [
      return parseArray();
    case 34: // "
      return parseString();
    case 116: // true
      if (expectWord(116, 114, 117, 101, 4)) return TRUE;
      break;
    case 102: // false
      if (pos + 5 <= end && expectWord(102, 97, 108, 115, 4) && load<u8>(pos) == 101) {
        pos++;
        return FALSE;
      }
      break;
    case 110: // null
      if (expectWord(110, 117, 108, 108, 4)) return NULL;
      break;
    default:
      if (c == 45 || (c >= 48 && c <= 57)) return parseNumber();
  }
  failed = true;
  return 0;
}

// Powers of ten exactly representable as f64 (10^0 .. 10^22).
const POW10 = memory.data<f64>([
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]);

function parseNumber(): usize {
  const start = pos;
  const neg = load<u8>(pos) == 45;
  if (neg) pos++;
  // The digits (integer and fraction) accumulate in `m` while there are at most 18 of them.
  let m: u64 = 0;
  let digits: u32 = 0;
  if (peek() == 48) {
    pos++;
    digits = 1;
  } else {
    while (pos < end) {
      const d = <u32>load<u8>(pos) - 48;
      if (d > 9) break;
      if (digits < 18) m = m * 10 + <u64>d;
      digits++;
      pos++;
    }
    if (digits == 0) {
      failed = true;
      return 0;
    }
  }
  let c = peek();
  if (c != 46 && c != 101 && c != 69) {
    if (digits <= 18) return mkInt(neg ? -(<i64>m) : <i64>m);
    return mkNumberText(start, <u32>(pos - start));
  }
  let scale: i32 = 0; // value = m * 10^scale while digits <= 18
  if (c == 46) {
    pos++;
    const fracStart = pos;
    while (pos < end) {
      const d = <u32>load<u8>(pos) - 48;
      if (d > 9) break;
      if (digits < 18) {
        m = m * 10 + <u64>d;
        scale--;
      }
      digits++;
      pos++;
    }
    if (pos == fracStart) {
      failed = true;
      return 0;
    }
    c = peek();
  }
  if (c == 101 || c == 69) {
    pos++;
    const s = peek();
    let expNeg = false;
    if (s == 43 || s == 45) {
      expNeg = s == 45;
      pos++;
    }
    const expStart = pos;
    let e: i32 = 0;
    while (pos < end) {
      const d = <u32>load<u8>(pos) - 48;
      if (d > 9) break;
      if (e < 100000) e = e * 10 + <i32>d;
      pos++;
    }
    if (pos == expStart) {
      failed = true;
      return 0;
    }
    scale += expNeg ? -e : e;
  }
  const len = <u32>(pos - start);
  // Exact fast path (Clinger): m and 10^|scale| are exact doubles, so one operation rounds
  // correctly. Otherwise the general conversion.
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    const x = <f64>m;
    const f = scale >= 0 ? x * load<f64>(POW10 + (<usize>scale << 3)) : x / load<f64>(POW10 + (<usize>(-scale) << 3));
    return mkFloatText(neg ? -f : f, start, len);
  }
  return mkNumberText(start, len);
}

function hexDigit(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>(c - 48);
  if (c >= 97 && c <= 102) return <i32>(c - 87);
  if (c >= 65 && c <= 70) return <i32>(c - 55);
  return -1;
}

function hex4(): i32 {
  if (pos + 4 > end) return -1;
  let v: i32 = 0;
  for (let i = 0; i < 4; i++) {
    const d = hexDigit(<u32>load<u8>(pos + i));
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  pos += 4;
  return v;
}

export function bufUtf8(b: usize, cp: u32): void {
  if (cp < 0x80) bufByte(b, cp);
  else if (cp < 0x800) {
    bufByte(b, 0xc0 | (cp >> 6));
    bufByte(b, 0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    bufByte(b, 0xe0 | (cp >> 12));
    bufByte(b, 0x80 | ((cp >> 6) & 0x3f));
    bufByte(b, 0x80 | (cp & 0x3f));
  } else {
    bufByte(b, 0xf0 | (cp >> 18));
    bufByte(b, 0x80 | ((cp >> 12) & 0x3f));
    bufByte(b, 0x80 | ((cp >> 6) & 0x3f));
    bufByte(b, 0x80 | (cp & 0x3f));
  }
}

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/** True if one of the 8 bytes of `x` is '"', '\\' or a control character (SWAR). */
// @ts-ignore: decorator
@inline
function hasStringSpecial(x: u64): bool {
  const q = x ^ (ONES * 0x22);
  const bs = x ^ (ONES * 0x5c);
  const special = ((q - ONES) & ~q) | ((bs - ONES) & ~bs) | ((x - ONES * 0x20) & ~x);
  return (special & HIGHS) != 0;
}

function parseString(): usize {
  pos++; // opening quote
  const start = pos;
  // Fast path: no escapes, point into the source text. Skip plain bytes eight at a time.
  while (pos + 8 <= end && !hasStringSpecial(load<u64>(pos))) pos += 8;
  while (pos < end) {
    const c = load<u8>(pos);
    if (c == 34) {
      const v = mkString(start, <u32>(pos - start));
      pos++;
      return v;
    }
    if (c == 92) break;
    if (c < 32) {
      failed = true;
      return 0;
    }
    pos++;
  }
  const b = bufNew(<u32>(pos - start) + 16);
  bufBytes(b, start, <u32>(pos - start));
  while (pos < end) {
    const c = <u32>load<u8>(pos);
    if (c == 34) {
      pos++;
      return mkString(bufPtr(b), bufLen(b));
    }
    if (c < 32) break;
    if (c != 92) {
      bufByte(b, c);
      pos++;
      continue;
    }
    pos++;
    if (pos >= end) break;
    const e = <u32>load<u8>(pos);
    pos++;
    switch (e) {
      case 34: bufByte(b, 34); break;
      case 92: bufByte(b, 92); break;
      case 47: bufByte(b, 47); break;
      case 98: bufByte(b, 8); break;
      case 102: bufByte(b, 12); break;
      case 110: bufByte(b, 10); break;
      case 114: bufByte(b, 13); break;
      case 116: bufByte(b, 9); break;
      case 117: {
        let cp = hex4();
        if (cp < 0) {
          failed = true;
          return 0;
        }
        if (cp >= 0xd800 && cp < 0xdc00) {
          // high surrogate: expect a low one
          if (pos + 6 <= end && load<u8>(pos) == 92 && load<u8>(pos + 1) == 117) {
            const save = pos;
            pos += 2;
            const lo = hex4();
            if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            else {
              pos = save;
              cp = 0xfffd;
            }
          } else cp = 0xfffd;
        } else if (cp >= 0xdc00 && cp < 0xe000) cp = 0xfffd;
        bufUtf8(b, <u32>cp);
        break;
      }
      default:
        failed = true;
        return 0;
    }
  }
  failed = true;
  return 0;
}

function parseArray(): usize {
  if (++depth > MAX_DEPTH) {
    failed = true;
    return 0;
  }
  pos++;
  skipWs();
  if (peek() == 93) {
    pos++;
    depth--;
    return mkArrayFrom(0, 0);
  }
  const mark = sp - stackBase;
  while (true) {
    skipWs();
    const v = parseValue();
    if (v == 0) return 0;
    push(v);
    skipWs();
    const c = peek();
    pos++;
    if (c == 44) continue;
    if (c == 93) break;
    failed = true;
    return 0;
  }
  depth--;
  const start = stackBase + mark;
  const n = <u32>((sp - start) >> 2);
  sp = start;
  return mkArrayFrom(start, n);
}

function parseObject(): usize {
  if (++depth > MAX_DEPTH) {
    failed = true;
    return 0;
  }
  pos++;
  skipWs();
  if (peek() == 125) {
    pos++;
    depth--;
    return mkObjectFromEntries(0, 0);
  }
  const mark = sp - stackBase;
  while (true) {
    skipWs();
    if (peek() != 34) {
      failed = true;
      return 0;
    }
    const k = parseString();
    if (k == 0) return 0;
    skipWs();
    if (peek() != 58) {
      failed = true;
      return 0;
    }
    pos++;
    skipWs();
    const v = parseValue();
    if (v == 0) return 0;
    push2(k, v);
    skipWs();
    const c = peek();
    pos++;
    if (c == 44) continue;
    if (c == 125) break;
    failed = true;
    return 0;
  }
  depth--;
  const start = stackBase + mark;
  const n = <u32>((sp - start) >> 3);
  sp = start;
  return mkObjectFromStringEntries(start, n);
}

// ---- dump ----

const HEXCH = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** Appends `n` bytes as a JSON string literal. `html` escapes <, >, & like Go's json.Marshal. */
export function dumpStringBytes(b: usize, p: usize, n: u32, html: bool): void {
  bufByte(b, 34);
  let run = p;
  let i: u32 = 0;
  if (!html) while (i + 8 <= n && !hasStringSpecial(load<u64>(p + i))) i += 8;
  for (; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    let esc: u32 = 0;
    if (c == 34) esc = 34;
    else if (c == 92) esc = 92;
    else if (c == 10) esc = 110;
    else if (c == 13) esc = 114;
    else if (c == 9) esc = 116;
    else if (c < 32 || (html && (c == 60 || c == 62 || c == 38))) esc = 117;
    else if (html && c == 0xe2 && i + 2 < n && load<u8>(p + i + 1) == 0x80 && (load<u8>(p + i + 2) == 0xa8 || load<u8>(p + i + 2) == 0xa9)) {
      // U+2028 / U+2029
      bufBytes(b, run, <u32>(p + i - run));
      bufStr(b, load<u8>(p + i + 2) == 0xa8 ? "\\u2028" : "\\u2029");
      i += 2;
      run = p + i + 1;
      continue;
    }
    if (esc == 0) continue;
    bufBytes(b, run, <u32>(p + i - run));
    bufByte(b, 92);
    if (esc == 117) {
      bufStr(b, "u00");
      bufByte(b, load<u8>(HEXCH + (c >> 4)));
      bufByte(b, load<u8>(HEXCH + (c & 15)));
    } else bufByte(b, esc);
    run = p + i + 1;
  }
  bufBytes(b, run, <u32>(p + n - run));
  bufByte(b, 34);
}

/**
 * Appends `v` as JSON. Non-string object keys are written as the JSON text of the key inside a
 * string. `html`: escape like Go's json.Marshal.
 */
export function dumpJSON(b: usize, v: usize, html: bool): void {
  switch (load<u8>(v)) {
    case T_NULL:
      bufStr(b, "null");
      return;
    case T_BOOLEAN:
      bufStr(b, load<u8>(v, 1) != 0 ? "true" : "false");
      return;
    case T_NUMBER:
      numFormat(b, v);
      return;
    case T_STRING:
      dumpStringBytes(b, strPtr(v), strLen(v), html);
      return;
    case T_ARRAY:
    case T_SET: {
      bufByte(b, 91);
      const n = vecLen(v);
      for (let i: u32 = 0; i < n; i++) {
        if (i != 0) bufByte(b, 44);
        dumpJSON(b, vecGet(v, i), html);
      }
      bufByte(b, 93);
      return;
    }
    case T_OBJECT: {
      bufByte(b, 123);
      const n = vecLen(v);
      for (let i: u32 = 0; i < n; i++) {
        if (i != 0) bufByte(b, 44);
        const k = objKey(v, i);
        if (load<u8>(k) == T_STRING) dumpStringBytes(b, strPtr(k), strLen(k), html);
        else {
          const kb = bufNew(32);
          dumpJSON(kb, k, html);
          dumpStringBytes(b, bufPtr(kb), bufLen(kb), html);
        }
        bufByte(b, 58);
        dumpJSON(b, objVal(v, i), html);
      }
      bufByte(b, 125);
      return;
    }
  }
}

/**
 * Appends `v` in Rego syntax: sets as {...} or set(), any object keys. `spaced` writes ", " and
 * ": " between elements, as OPA's String() does (used by sprintf).
 */
export function dumpRego(b: usize, v: usize, spaced: bool): void {
  const t = load<u8>(v);
  if (t != T_ARRAY && t != T_SET && t != T_OBJECT) {
    dumpJSON(b, v, false);
    return;
  }
  const n = vecLen(v);
  if (t == T_SET && n == 0) {
    bufStr(b, "set()");
    return;
  }
  bufByte(b, t == T_ARRAY ? 91 : 123);
  for (let i: u32 = 0; i < n; i++) {
    if (i != 0) bufStr(b, spaced ? ", " : ",");
    if (t == T_OBJECT) {
      dumpRego(b, objKey(v, i), spaced);
      bufStr(b, spaced ? ": " : ":");
      dumpRego(b, objVal(v, i), spaced);
    } else dumpRego(b, vecGet(v, i), spaced);
  }
  bufByte(b, t == T_ARRAY ? 93 : 125);
}

/** NUL-terminated JSON text of `v`. */
export function dumpToCString(v: usize): usize {
  const b = bufNew(256);
  dumpJSON(b, v, false);
  bufByte(b, 0);
  return bufPtr(b);
}
