// Rego's total order over values: null < boolean < number < string < array < object < set;
// numbers by value, strings bytewise (UTF-8), arrays element-wise then by length, objects by
// (key, value) pairs in key order then by size, sets element-wise in order then by size.
import { T_ARRAY, T_BOOLEAN, T_NUMBER, T_OBJECT, T_SET, T_STRING } from "./value";
import { bufLen, bufNew, bufPtr } from "./buf";
import { alloc } from "./mem";
import { N_INT, numFormat } from "./number";

export function compareBytes(pa: usize, la: u32, pb: usize, lb: u32): i32 {
  const n = la < lb ? la : lb;
  let i: u32 = 0;
  // eight bytes at a time; byte-swapped, the first differing byte decides
  for (; i + 8 <= n; i += 8) {
    const x = load<u64>(pa + i);
    const y = load<u64>(pb + i);
    if (x != y) return bswap<u64>(x) < bswap<u64>(y) ? -1 : 1;
  }
  for (; i < n; i++) {
    const a = load<u8>(pa + i);
    const b = load<u8>(pb + i);
    if (a != b) return a < b ? -1 : 1;
  }
  return la == lb ? 0 : la < lb ? -1 : 1;
}

/**
 * The first (up to) 8 bytes of a string as a number that orders like the bytes: big-endian, the
 * bytes past its end as zeros. Reads 8 bytes unconditionally: mem.ts keeps SLACK bytes
 * addressable after every heap value, and static data lies below the heap.
 */
// @ts-ignore: decorator
@inline
export function strPrefix(p: usize, len: u32): u64 {
  const x = load<u64>(p);
  return bswap<u64>(len >= 8 ? x : x & ((<u64>1 << (<u64>len << 3)) - 1));
}

/**
 * Bytewise order of two strings whose `strPrefix`es are `xa` and `xb` (equal prefixes of strings
 * longer than 8 bytes compare the rest).
 */
// @ts-ignore: decorator
@inline
export function compareStrPrefixed(xa: u64, pa: usize, la: u32, xb: u64, pb: usize, lb: u32): i32 {
  if (xa != xb) return xa < xb ? -1 : 1;
  if (la > 8 && lb > 8) return compareBytes(pa + 8, la - 8, pb + 8, lb - 8);
  return la == lb ? 0 : la < lb ? -1 : 1;
}

/** Bytewise order of string values `a` and `b`. */
// @ts-ignore: decorator
@inline
export function compareStrings(a: usize, b: usize): i32 {
  const pa = <usize>load<u32>(a, 8);
  const la = load<u32>(a, 4);
  const pb = <usize>load<u32>(b, 8);
  const lb = load<u32>(b, 4);
  return compareStrPrefixed(strPrefix(pa, la), pa, la, strPrefix(pb, lb), pb, lb);
}

export function compareNumbers(a: usize, b: usize): i32 {
  if (load<u8>(a, 1) == N_INT && load<u8>(b, 1) == N_INT) {
    const x = load<i64>(a, 8);
    const y = load<i64>(b, 8);
    return x == y ? 0 : x < y ? -1 : 1;
  }
  const x = load<u8>(a, 1) == N_INT ? <f64>load<i64>(a, 8) : load<f64>(a, 8);
  const y = load<u8>(b, 1) == N_INT ? <f64>load<i64>(b, 8) : load<f64>(b, 8);
  if (x < y) return -1;
  if (x > y) return 1;
  if (load<u8>(a, 1) == N_INT || load<u8>(b, 1) == N_INT) {
    // an INT ties with a FLOAT only beyond 2^53 or at a literal such as 3.0
    return compareExact(a, b);
  }
  const la = load<u32>(a, 16);
  const lb = load<u32>(b, 16);
  if (la == 0 && lb == 0) return 0; // two computed f64s
  if (la == lb && compareBytes(<usize>load<u32>(a, 4), la, <usize>load<u32>(b, 4), lb) == 0) return 0;
  return compareExact(a, b);
}

// Equal f64 approximations: compare the decimals the numbers denote (as OPA does), e.g. 1e400 and
// 1e399, 1e-400 and 0, or integers beyond 2^53.
function compareExact(a: usize, b: usize): i32 {
  const da = decimalOf(a);
  const na = decDigits;
  const ea = decExponent;
  const sa = decSign;
  const db = decimalOf(b);
  const nb = decDigits;
  const eb = decExponent;
  const sb = decSign;
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  let c: i32 = 0;
  if (ea != eb) c = ea < eb ? -1 : 1;
  else {
    const n = na > nb ? na : nb;
    for (let i: i32 = 0; i < n && c == 0; i++) {
      const x = i < na ? load<u8>(da + i) : 48;
      const y = i < nb ? load<u8>(db + i) : 48;
      if (x != y) c = x < y ? -1 : 1;
    }
  }
  return sa < 0 ? -c : c;
}

// decimalOf's results: value = decSign * 0.d1d2...dn * 10^decExponent, d1 != 0, no trailing zeros.
let decDigits: i32 = 0;
let decExponent: i64 = 0;
let decSign: i32 = 0;

/** The significant digits of a number's exact text (its literal, or its formatting). */
function decimalOf(n: usize): usize {
  const b = bufNew(32);
  numFormat(b, n);
  const p = bufPtr(b);
  const len = <i32>bufLen(b);
  const digits = alloc(<usize>len + 1);
  let i: i32 = 0;
  const neg = len > 0 && load<u8>(p) == 45;
  if (neg) i = 1;
  let nd: i32 = 0;
  let pointAt: i32 = -1; // digits (kept or leading zeros) before the point
  let seen: i32 = 0;
  let lead: i32 = 0; // leading zeros dropped
  for (; i < len; i++) {
    const c = load<u8>(p + i);
    if (c == 46) {
      pointAt = seen;
      continue;
    }
    if (c < 48 || c > 57) break;
    seen++;
    if (nd == 0 && c == 48) {
      lead++;
      continue;
    }
    store<u8>(digits + nd++, c);
  }
  if (pointAt < 0) pointAt = seen;
  let exp: i64 = 0;
  if (i < len && (load<u8>(p + i) | 0x20) == 101) {
    i++;
    let eneg = false;
    if (i < len && (load<u8>(p + i) == 45 || load<u8>(p + i) == 43)) {
      eneg = load<u8>(p + i) == 45;
      i++;
    }
    for (; i < len && exp < 1000000000000; i++) exp = exp * 10 + <i64>(load<u8>(p + i) - 48);
    if (eneg) exp = -exp;
  }
  while (nd > 0 && load<u8>(digits + nd - 1) == 48) nd--;
  decDigits = nd;
  decExponent = <i64>(pointAt - lead) + exp;
  decSign = nd == 0 ? 0 : neg ? -1 : 1;
  return digits;
}

export function compare(a: usize, b: usize): i32 {
  if (a == b) return 0;
  const ta = load<u8>(a);
  const tb = load<u8>(b);
  if (ta != tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case T_BOOLEAN:
      return <i32>load<u8>(a, 1) - <i32>load<u8>(b, 1);
    case T_NUMBER:
      return compareNumbers(a, b);
    case T_STRING:
      return compareStrings(a, b);
    case T_ARRAY:
    case T_SET: {
      const la = load<u32>(a, 4);
      const lb = load<u32>(b, 4);
      const ea = <usize>load<u32>(a, 12);
      const eb = <usize>load<u32>(b, 12);
      const n = la < lb ? la : lb;
      for (let i: u32 = 0; i < n; i++) {
        const c = compare(<usize>load<u32>(ea + (<usize>i << 2)), <usize>load<u32>(eb + (<usize>i << 2)));
        if (c != 0) return c;
      }
      return la == lb ? 0 : la < lb ? -1 : 1;
    }
    case T_OBJECT: {
      const la = load<u32>(a, 4);
      const lb = load<u32>(b, 4);
      const ea = <usize>load<u32>(a, 12);
      const eb = <usize>load<u32>(b, 12);
      const n = la < lb ? la : lb;
      for (let i: u32 = 0; i < n; i++) {
        let c = compare(<usize>load<u32>(ea + (<usize>i << 3)), <usize>load<u32>(eb + (<usize>i << 3)));
        if (c != 0) return c;
        c = compare(<usize>load<u32>(ea + (<usize>i << 3), 4), <usize>load<u32>(eb + (<usize>i << 3), 4));
        if (c != 0) return c;
      }
      return la == lb ? 0 : la < lb ? -1 : 1;
    }
    default:
      return 0; // null
  }
}

/** Rego equality (1 == 1.0); false if either is undefined (0). */
export function equal(a: usize, b: usize): bool {
  if (a == b) return a != 0;
  if (a == 0 || b == 0) return false;
  const ta = load<u8>(a);
  if (ta != load<u8>(b)) return false;
  if (ta == T_STRING) {
    const la = load<u32>(a, 4);
    if (la != load<u32>(b, 4)) return false;
    const pa = <usize>load<u32>(a, 8);
    const pb = <usize>load<u32>(b, 8);
    // the first 8 bytes at once (see strPrefix on reading past the end)
    const diff = load<u64>(pa) ^ load<u64>(pb);
    if (la <= 8) return (la == 8 ? diff : diff & ((<u64>1 << (<u64>la << 3)) - 1)) == 0;
    return diff == 0 && compareBytes(pa + 8, la - 8, pb + 8, la - 8) == 0;
  }
  if (ta >= T_ARRAY && load<u32>(a, 4) != load<u32>(b, 4)) return false;
  return compare(a, b) == 0;
}
