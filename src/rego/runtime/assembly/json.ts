// JSON parse and dump. Parse accepts RFC 8259 JSON and returns 0 on any syntax error. Dump writes
// objects with keys in Rego order, sets as arrays, numbers with their exact text.
import { alloc } from "./mem";
import { bufByte, bufBytes, bufLen, bufNew, bufPtr, bufStr } from "./buf";
import { compareStrings, strPrefix } from "./compare";
import {
  FALSE, NULL, T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING, TRUE,
  mkArray, mkArrayFrom, mkObject, mkObjectFromStringEntries, mkString, objKey, objVal, strLen, strPtr, vecGet, vecLen,
} from "./value";
import { mkFloatText, mkInt, mkNumberText, numFormat } from "./number";

const MAX_DEPTH: i32 = 1000;

// The parser is one loop over the text with an explicit stack (no recursion), keeping its
// position in locals. Elements of the open containers are on the stack, innermost last:
// arrays push u32 values; objects push 16-byte members (u64 key prefix, see strPrefix; u32 key;
// u32 value), so that sorting the keys mostly compares integers. Below each container's
// elements lies its frame: u32 offset of the enclosing container's elements, u32 its kind.
const K_TOP: u32 = 0;
const K_ARRAY: u32 = 1;
const K_OBJECT: u32 = 2;

// Where the last string or number ended (helpers return the value and leave this).
let after: usize = 0;
// Position and end for the slow paths (escapes, numbers).
let pos: usize = 0;
let end: usize = 0;

// @ts-ignore: decorator
@inline
function skipWs(p: usize, e: usize): usize {
  // compact JSON has no whitespace: one comparison
  while (p < e) {
    const c = load<u8>(p);
    if (c != 32 && c != 10 && c != 13 && c != 9) break;
    p++;
  }
  return p;
}

/** Moves the stack (`used` bytes at `base`) to a new region of `cap` bytes; returns its base. */
function moveStack(base: usize, used: usize, cap: usize): usize {
  const moved = alloc(cap);
  memory.copy(moved, base, used);
  return moved;
}

export function jsonParse(ptr: usize, len: u32): usize {
  let p = ptr;
  const e = ptr + len;
  let cap: usize = len < 64 ? 64 : len > 65536 ? 65536 : (<usize>len + 15) & ~(<usize>15);
  let base = alloc(cap);
  let sp = base;
  let kind = K_TOP;
  let mark: usize = 0;
  let depth: i32 = 0;
  while (true) {
    // a value starts at p
    p = skipWs(p, e);
    if (p >= e) return 0;
    const c = <u32>load<u8>(p);
    let v: usize = 0;
    if (c == 34) {
      v = parseStr(p, e);
      p = after;
    } else if (c == 123 || c == 91) {
      p = skipWs(p + 1, e);
      if (p >= e) return 0;
      const close = c + 2; // } or ]
      if (<u32>load<u8>(p) == close) {
        p++;
        v = c == 123 ? mkObject(0) : mkArray(0);
      } else {
        if (++depth > MAX_DEPTH) return 0;
        if (sp + 24 > base + cap) {
          const used = sp - base;
          base = moveStack(base, used, cap << 1);
          cap <<= 1;
          sp = base + used;
        }
        store<u32>(sp, <u32>mark);
        store<u32>(sp, kind, 4);
        sp += 8;
        mark = sp - base;
        kind = c == 123 ? K_OBJECT : K_ARRAY;
        if (kind == K_OBJECT) {
          const k = parseKey(p, e);
          if (k == 0) return 0;
          p = after;
          store<u64>(sp, strPrefix(strPtr(k), strLen(k)));
          store<u32>(sp, <u32>k, 8);
          sp += 16;
        }
        continue;
      }
    } else if (c == 116) {
      if (p + 4 > e || load<u32>(p) != 0x65757274) return 0; // "true"
      p += 4;
      v = TRUE;
    } else if (c == 102) {
      if (p + 5 > e || load<u32>(p + 1) != 0x65736c61) return 0; // "alse"
      p += 5;
      v = FALSE;
    } else if (c == 110) {
      if (p + 4 > e || load<u32>(p) != 0x6c6c756e) return 0; // "null"
      p += 4;
      v = NULL;
    } else if (c == 45 || (c >= 48 && c <= 57)) {
      pos = p;
      end = e;
      v = parseNumber();
      p = pos;
    }
    if (v == 0) return 0;
    // v is complete: add it to its container, and close the containers that end here
    while (true) {
      if (kind == K_TOP) {
        p = skipWs(p, e);
        return p == e ? v : 0;
      }
      if (kind == K_ARRAY) {
        if (sp + 24 > base + cap) {
          const used = sp - base;
          base = moveStack(base, used, cap << 1);
          cap <<= 1;
          sp = base + used;
        }
        store<u32>(sp, <u32>v);
        sp += 4;
      } else store<u32>(sp - 4, <u32>v);
      p = skipWs(p, e);
      if (p >= e) return 0;
      const d = <u32>load<u8>(p);
      p++;
      if (d == 44) {
        // ,
        if (kind == K_OBJECT) {
          if (sp + 24 > base + cap) {
            const used = sp - base;
            base = moveStack(base, used, cap << 1);
            cap <<= 1;
            sp = base + used;
          }
          const k = parseKey(p, e);
          if (k == 0) return 0;
          p = after;
          store<u64>(sp, strPrefix(strPtr(k), strLen(k)));
          store<u32>(sp, <u32>k, 8);
          sp += 16;
        }
        break; // the next element
      }
      const start = base + mark;
      if (kind == K_ARRAY) {
        if (d != 93) return 0;
        v = mkArrayFrom(start, <u32>((sp - start) >> 2));
      } else {
        if (d != 125) return 0;
        v = objectFromMembers(start, <u32>((sp - start) >> 4));
      }
      sp = start - 8;
      mark = <usize>load<u32>(sp);
      kind = load<u32>(sp, 4);
      depth--;
    }
  }
  unreachable();
}

/** An object key at `p` (after whitespace) and its colon; `after` is where its value starts. */
// @ts-ignore: decorator
@inline
function parseKey(p: usize, e: usize): usize {
  p = skipWs(p, e);
  if (p >= e || load<u8>(p) != 34) return 0;
  const k = parseStr(p, e);
  if (k == 0) return 0;
  p = skipWs(after, e);
  if (p >= e || load<u8>(p) != 58) return 0;
  after = p + 1;
  return k;
}

/**
 * Builds an object from `n` 16-byte members on the parse stack (in text order): sorted by key,
 * the last of duplicate keys winning.
 */
function objectFromMembers(m: usize, n: u32): usize {
  if (n > 32) {
    // large objects: the general merge sort
    const entries = alloc(<usize>n << 3);
    for (let i: u32 = 0; i < n; i++) store<u64>(entries + (<usize>i << 3), load<u64>(m + (<usize>i << 4), 8));
    return mkObjectFromStringEntries(entries, n);
  }
  const o = mkObject(n);
  const dst = <usize>load<u32>(o, 12);
  // stable insertion sort of the members by key prefix, then by the whole key on a tie
  let dup = false;
  for (let i: u32 = 1; i < n; i++) {
    const x = load<u64>(m + (<usize>i << 4));
    const kv = load<u64>(m + (<usize>i << 4), 8);
    let j = i;
    while (j > 0) {
      const y = load<u64>(m + (<usize>(j - 1) << 4));
      if (y < x) break;
      if (y == x) {
        const c = compareStrings(<usize>load<u32>(m + (<usize>(j - 1) << 4), 8), <usize>(<u32>kv));
        if (c <= 0) {
          if (c == 0) dup = true;
          break;
        }
      }
      store<u64>(m + (<usize>j << 4), y);
      store<u64>(m + (<usize>j << 4), load<u64>(m + (<usize>(j - 1) << 4), 8), 8);
      j--;
    }
    store<u64>(m + (<usize>j << 4), x);
    store<u64>(m + (<usize>j << 4), kv, 8);
  }
  let k: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const kv = load<u64>(m + (<usize>i << 4), 8);
    if (dup && k != 0 && load<u64>(m + (<usize>i << 4)) == load<u64>(m + (<usize>(i - 1) << 4))
      && compareStrings(<usize>load<u32>(dst + (<usize>(k - 1) << 3)), <usize>(<u32>kv)) == 0) {
      store<u64>(dst + (<usize>(k - 1) << 3), kv); // the later member wins
      continue;
    }
    store<u64>(dst + (<usize>k << 3), kv);
    k++;
  }
  store<u32>(o, k, 4);
  return o;
}

// @ts-ignore: decorator
@inline
function peek(): u32 {
  return pos < end ? <u32>load<u8>(pos) : 0;
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
      return 0;
    }
    c = peek();
  }
  if (c == 101 || c == 69) {
    const mantEnd = pos;
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
      return 0;
    }
    if (!binaryExponentInRange(start, mantEnd, expNeg ? -e : e)) return 0;
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

/** OPA's limit on a number's binary exponent (ast.maxNumberExp): beyond it a number is invalid. */
const MAX_BINARY_EXPONENT: f64 = 100000;

/**
 * Whether the mantissa text [from, to) times 10^exp has a binary exponent within OPA's limit
 * (zero always has). The magnitude comes from the leading 17 significant digits: exact enough
 * for a limit that is arbitrary anyway.
 */
function binaryExponentInRange(from: usize, to: usize, exp: i32): bool {
  let intDigits: i32 = 0;
  for (let p = from; p < to && load<u8>(p) != 46; p++) if (load<u8>(p) != 45) intDigits++;
  let power: i32 = intDigits; // of the digit before the next one
  let first: i32 = 0; // power of ten of the first significant digit
  let mant: f64 = 0;
  let used: i32 = 0;
  for (let p = from; p < to; p++) {
    const c = load<u8>(p);
    if (c < 48 || c > 57) continue;
    power--;
    if (used == 0 && c == 48) continue;
    if (used == 0) first = power;
    if (used < 17) {
      mant = mant * 10 + <f64>(c - 48);
      used++;
    }
  }
  if (used == 0) return true;
  const log2 = Math.log2(mant) + <f64>(first - used + 1 + exp) * (Math.LN10 / Math.LN2);
  const binExp = Math.floor(log2) + 1;
  return binExp <= MAX_BINARY_EXPONENT && binExp >= -MAX_BINARY_EXPONENT;
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

/** The high bit of each of the 8 bytes of `x` that is '"', '\\' or a control character; the lowest one is exact (SWAR). */
// @ts-ignore: decorator
@inline
function stringSpecials(x: u64): u64 {
  const q = x ^ (ONES * 0x22);
  const bs = x ^ (ONES * 0x5c);
  return (((q - ONES) & ~q) | ((bs - ONES) & ~bs) | ((x - ONES * 0x20) & ~x)) & HIGHS;
}

/** The string at `p` (its opening quote); `after` is just past its closing quote. 0 if invalid. */
function parseStr(p: usize, e: usize): usize {
  const start = p + 1;
  let q = start;
  // plain bytes eight at a time, then the first special byte (or the end)
  while (q + 8 <= e) {
    const m = stringSpecials(load<u64>(q));
    if (m != 0) {
      q += <usize>(ctz<u64>(m) >> 3);
      break;
    }
    q += 8;
  }
  while (q < e) {
    const c = load<u8>(q);
    if (c == 34 || c == 92 || c < 32) break;
    q++;
  }
  if (q < e && load<u8>(q) == 34) {
    after = q + 1;
    return mkString(start, <u32>(q - start));
  }
  if (q >= e || load<u8>(q) != 92) return 0;
  pos = q;
  end = e;
  const v = parseEscaped(start);
  after = pos;
  return v;
}

/** The rest of a string with escapes: `start` is its first byte, `pos` the first backslash. */
function parseEscaped(start: usize): usize {
  const b = bufNew(<u32>(pos - start) + 16);
  bufBytes(b, start, <u32>(pos - start));
  while (pos < end) {
    const c = <u32>load<u8>(pos);
    if (c == 34) {
      pos++;
      return mkString(bufPtr(b), bufLen(b));
    }
    if (c < 32) return 0;
    if (c != 92) {
      bufByte(b, c);
      pos++;
      continue;
    }
    pos++;
    if (pos >= end) return 0;
    const x = <u32>load<u8>(pos);
    pos++;
    switch (x) {
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
        if (cp < 0) return 0;
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
        return 0;
    }
  }
  return 0;
}

// ---- dump ----

const HEXCH = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** Appends `n` bytes as a JSON string literal. `html` escapes <, >, & like Go's json.Marshal. */
export function dumpStringBytes(b: usize, p: usize, n: u32, html: bool): void {
  bufByte(b, 34);
  let run = p;
  let i: u32 = 0;
  if (!html) {
    while (true) {
      // plain bytes eight at a time, then the first special byte (or the end)
      while (i + 8 <= n) {
        const m = stringSpecials(load<u64>(p + i));
        if (m != 0) {
          i += <u32>(ctz<u64>(m) >> 3);
          break;
        }
        i += 8;
      }
      while (i < n) {
        const c = load<u8>(p + i);
        if (c == 34 || c == 92 || c < 32) break;
        i++;
      }
      if (i >= n) break;
      const c = <u32>load<u8>(p + i);
      bufBytes(b, run, <u32>(p + i - run));
      bufByte(b, 92);
      if (c == 34 || c == 92) bufByte(b, c);
      else if (c == 10) bufByte(b, 110);
      else if (c == 13) bufByte(b, 114);
      else if (c == 9) bufByte(b, 116);
      else {
        bufStr(b, "u00");
        bufByte(b, load<u8>(HEXCH + (c >> 4)));
        bufByte(b, load<u8>(HEXCH + (c & 15)));
      }
      i++;
      run = p + i;
    }
    i = n;
  }
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
