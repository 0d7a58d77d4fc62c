// Rego's total order over values: null < boolean < number < string < array < object < set;
// numbers by value, strings bytewise (UTF-8), arrays element-wise then by length, objects by
// (key, value) pairs in key order then by size, sets element-wise in order then by size.
import { T_ARRAY, T_BOOLEAN, T_NUMBER, T_OBJECT, T_SET, T_STRING } from "./value";
import { N_INT } from "./number";

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
  if (load<u8>(a, 1) != N_INT && load<u8>(b, 1) != N_INT && Math.abs(x) >= 9007199254740992.0) {
    return compareIntegerTexts(a, b);
  }
  return 0;
}

// Equal f64 approximations of two big numbers: compare exact integer texts where both have one.
function compareIntegerTexts(a: usize, b: usize): i32 {
  const pa = <usize>load<u32>(a, 4);
  const la = load<u32>(a, 16);
  const pb = <usize>load<u32>(b, 4);
  const lb = load<u32>(b, 16);
  if (la == 0 || lb == 0 || !plainInteger(pa, la) || !plainInteger(pb, lb)) return 0;
  const neg = load<u8>(pa) == 45;
  // same sign here (the f64 values are equal and non-zero)
  let c: i32 = la != lb ? (la < lb ? -1 : 1) : compareBytes(pa, la, pb, lb);
  return neg ? -c : c;
}

function plainInteger(p: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c == 46 || c == 101 || c == 69) return false;
  }
  return true;
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
