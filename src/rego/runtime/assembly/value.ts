// The value model. Every value is the address of a header whose first byte is its type.
//   null, boolean: u8 type @0, u8 value @1 (static singletons)
//   number:        see number.ts
//   string:        u8 type @0, u32 byte length @4, u32 UTF-8 bytes @8
//   array, set:    u8 type @0, u32 length @4, u32 capacity @8, u32 elements @12 (u32 each)
//   object:        u8 type @0, u32 length @4, u32 capacity @8, u32 entries @12 (u32 key, u32 value)
// Sets keep their elements and objects their keys sorted by Rego's total order (compare.ts), so
// iteration and JSON output are deterministic and lookups are binary searches.
// Address 0 stands for "undefined".
import { alloc } from "./mem";
import { compare, compareStrPrefixed, compareStrings, strPrefix } from "./compare";
import { numIsInt, numToI64 } from "./number";

export const T_NULL: u8 = 1;
export const T_BOOLEAN: u8 = 2;
export const T_NUMBER: u8 = 3;
export const T_STRING: u8 = 4;
export const T_ARRAY: u8 = 5;
export const T_OBJECT: u8 = 6;
export const T_SET: u8 = 7;

export const NULL: usize = memory.data<u8>([1, 0, 0, 0, 0, 0, 0, 0], 8);
export const TRUE: usize = memory.data<u8>([2, 1, 0, 0, 0, 0, 0, 0], 8);
export const FALSE: usize = memory.data<u8>([2, 0, 0, 0, 0, 0, 0, 0], 8);

// @ts-ignore: decorator
@inline
export function typeOf(v: usize): u8 {
  return load<u8>(v);
}

// @ts-ignore: decorator
@inline
export function mkBool(b: bool): usize {
  return b ? TRUE : FALSE;
}

// @ts-ignore: decorator
@inline
export function isTrue(v: usize): bool {
  return load<u8>(v) == T_BOOLEAN && load<u8>(v, 1) != 0;
}

// ---- strings ----

// @ts-ignore: decorator
@inline
export function mkString(ptr: usize, len: u32): usize {
  const v = alloc(12);
  store<u8>(v, T_STRING);
  store<u32>(v, len, 4);
  store<u32>(v, <u32>ptr, 8);
  return v;
}

/** A string value holding a copy of `len` bytes at `ptr`. */
export function mkStringCopy(ptr: usize, len: u32): usize {
  const p = alloc(len);
  memory.copy(p, ptr, len);
  return mkString(p, len);
}

/** A string value from an ASCII AssemblyScript literal. */
export function mkStringLit(s: string): usize {
  const n = <u32>s.length;
  const p = alloc(n);
  const src = changetype<usize>(s);
  for (let i: u32 = 0; i < n; i++) store<u8>(p + i, <u8>load<u16>(src + (<usize>i << 1)));
  return mkString(p, n);
}

// @ts-ignore: decorator
@inline
export function strLen(v: usize): u32 {
  return load<u32>(v, 4);
}

// @ts-ignore: decorator
@inline
export function strPtr(v: usize): usize {
  return <usize>load<u32>(v, 8);
}

/** True if string value `v` equals the ASCII literal `s`. */
export function strEqLit(v: usize, s: string): bool {
  const n = <u32>s.length;
  if (strLen(v) != n) return false;
  const p = strPtr(v);
  const src = changetype<usize>(s);
  for (let i: u32 = 0; i < n; i++) {
    if (<u16>load<u8>(p + i) != load<u16>(src + (<usize>i << 1))) return false;
  }
  return true;
}

// ---- arrays (and the shared layout of sets) ----

function mkVec(type: u8, cap: u32): usize {
  const v = alloc(16);
  store<u8>(v, type);
  store<u32>(v, 0, 4);
  store<u32>(v, cap, 8);
  store<u32>(v, cap == 0 ? 0 : <u32>alloc(<usize>cap << 2), 12);
  return v;
}

export function mkArray(cap: u32): usize {
  return mkVec(T_ARRAY, cap);
}

// @ts-ignore: decorator
@inline
export function vecLen(v: usize): u32 {
  return load<u32>(v, 4);
}

// @ts-ignore: decorator
@inline
export function vecGet(v: usize, i: u32): usize {
  return <usize>load<u32>(<usize>load<u32>(v, 12) + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
export function vecElems(v: usize): usize {
  return <usize>load<u32>(v, 12);
}

/** Makes room for one more element; returns the elements address. */
function vecGrow(v: usize, width: u32): usize {
  const len = load<u32>(v, 4);
  const cap = load<u32>(v, 8);
  let elems = <usize>load<u32>(v, 12);
  if (len == cap) {
    const ncap = cap < 4 ? 4 : cap << 1;
    const ne = alloc(<usize>ncap * width);
    if (len != 0) memory.copy(ne, elems, <usize>len * width);
    elems = ne;
    store<u32>(v, <u32>ne, 12);
    store<u32>(v, ncap, 8);
  }
  return elems;
}

export function arrPush(a: usize, x: usize): void {
  const elems = vecGrow(a, 4);
  const len = load<u32>(a, 4);
  store<u32>(elems + (<usize>len << 2), <u32>x);
  store<u32>(a, len + 1, 4);
}

/** An array of `n` elements copied from `elems`. */
export function mkArrayFrom(elems: usize, n: u32): usize {
  const a = mkArray(n);
  if (n != 0) memory.copy(vecElems(a), elems, <usize>n << 2);
  store<u32>(a, n, 4);
  return a;
}

// ---- sets ----

export function mkSet(cap: u32): usize {
  return mkVec(T_SET, cap);
}

/** Index of `x` in sorted set `s`, or -(insertion point) - 1. */
export function setFind(s: usize, x: usize): i32 {
  let lo: i32 = 0;
  let hi: i32 = <i32>load<u32>(s, 4) - 1;
  const elems = <usize>load<u32>(s, 12);
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(<usize>load<u32>(elems + (<usize>mid << 2)), x);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

export function setHas(s: usize, x: usize): bool {
  return setFind(s, x) >= 0;
}

export function setAdd(s: usize, x: usize): void {
  const len = load<u32>(s, 4);
  // Fast path: appending in order (common when building from sorted input).
  if (len != 0) {
    const last = vecGet(s, len - 1);
    const c = compare(last, x);
    if (c == 0) return;
    if (c < 0) {
      arrPush(s, x);
      return;
    }
  }
  const i = setFind(s, x);
  if (i >= 0) return;
  const pos = <u32>(-i - 1);
  const elems = vecGrow(s, 4);
  const at = elems + (<usize>pos << 2);
  memory.copy(at + 4, at, <usize>(len - pos) << 2);
  store<u32>(at, <u32>x);
  store<u32>(s, len + 1, 4);
}

// ---- objects ----

export function mkObject(cap: u32): usize {
  const v = alloc(16);
  store<u8>(v, T_OBJECT);
  store<u32>(v, 0, 4);
  store<u32>(v, cap, 8);
  store<u32>(v, cap == 0 ? 0 : <u32>alloc(<usize>cap << 3), 12);
  return v;
}

// @ts-ignore: decorator
@inline
export function objKey(o: usize, i: u32): usize {
  return <usize>load<u32>(<usize>load<u32>(o, 12) + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
export function objVal(o: usize, i: u32): usize {
  return <usize>load<u32>(<usize>load<u32>(o, 12) + (<usize>i << 3), 4);
}

/** Index of `key` in object `o`, or -(insertion point) - 1. */
export function objFind(o: usize, key: usize): i32 {
  let lo: i32 = 0;
  let hi: i32 = <i32>load<u32>(o, 4) - 1;
  const entries = <usize>load<u32>(o, 12);
  if (load<u8>(key) == T_STRING) {
    // Keys of other types sort before strings, except arrays/objects/sets after: the generic
    // comparison handles mixed types; this loop is the common all-strings fast path.
    const kp = strPtr(key);
    const kl = strLen(key);
    const kx = strPrefix(kp, kl);
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = <usize>load<u32>(entries + (<usize>mid << 3));
      let c: i32;
      if (load<u8>(k) == T_STRING) {
        const p = strPtr(k);
        const l = strLen(k);
        c = compareStrPrefixed(strPrefix(p, l), p, l, kx, kp, kl);
      } else c = load<u8>(k) < T_STRING ? -1 : 1;
      if (c == 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(<usize>load<u32>(entries + (<usize>mid << 3)), key);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

// A cache of object lookups during one evaluation: policies read the same paths (`input.a.b`)
// again and again. Entry (16 bytes): object, key looked up, index found, key stored at that
// index. A hit is checked against the object as it is now: the stored key must still be at that
// index, so inserts and removals that move entries only turn hits into misses, and a replaced
// value is read fresh. Within one evaluation no address is reused (the heap only grows); the
// cache is dropped whenever the heap pointer is set back (`lookupCacheStop`).
const CACHE_BITS: u32 = 9;
let lookupCache: usize = 0;

/** Starts an empty lookup cache (on the heap; call after the heap pointer is set). */
export function lookupCacheStart(): void {
  const bytes = <usize>16 << CACHE_BITS;
  lookupCache = alloc(bytes);
  memory.fill(lookupCache, 0, bytes);
}

export function lookupCacheStop(): void {
  lookupCache = 0;
}

/** `o[key]`, or 0. Inlined: the cache hit is the common case (see lookupCache). */
// @ts-ignore: decorator
@inline
export function objGet(o: usize, key: usize): usize {
  const cache = lookupCache;
  let v: usize = 0;
  if (cache != 0) {
    const slot = cache + (<usize>(((<u32>o * 0x9e3779b1) ^ (<u32>key * 0x85ebca6b)) >>> (32 - CACHE_BITS)) << 4);
    if (load<u32>(slot) == <u32>o && load<u32>(slot, 4) == <u32>key) {
      const i = load<u32>(slot, 8);
      const entries = <usize>load<u32>(o, 12);
      if (i < load<u32>(o, 4) && load<u32>(entries + (<usize>i << 3)) == load<u32>(slot, 12)) {
        v = <usize>load<u32>(entries + (<usize>i << 3), 4);
      }
    }
  }
  return v != 0 ? v : objGetSearch(o, key);
}

/**
 * Index of string key (`kp`, `kl`) in object `o` by a linear scan, or -1: for small objects a scan
 * that filters by length is faster than a binary search's unpredictable branches.
 */
function objScanString(o: usize, kp: usize, kl: u32): i32 {
  const n = load<u32>(o, 4);
  const entries = <usize>load<u32>(o, 12);
  const kx = load<u64>(kp);
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(entries + (<usize>i << 3));
    if (load<u32>(k, 4) != kl || load<u8>(k) != T_STRING) continue;
    const p = <usize>load<u32>(k, 8);
    if (kl <= 8) {
      const mask: u64 = kl == 8 ? <u64>-1 : (<u64>1 << (<u64>kl << 3)) - 1;
      if (((load<u64>(p) ^ kx) & mask) == 0) return <i32>i;
    } else if (load<u64>(p) == kx && memory.compare(p + 8, kp + 8, kl - 8) == 0) return <i32>i;
  }
  return -1;
}

function objGetSearch(o: usize, key: usize): usize {
  const i = load<u8>(key) == T_STRING && load<u32>(o, 4) <= 16 ? objScanString(o, strPtr(key), strLen(key)) : objFind(o, key);
  if (i < 0) return 0;
  const entries = <usize>load<u32>(o, 12);
  const cache = lookupCache;
  if (cache != 0) {
    const slot = cache + (<usize>(((<u32>o * 0x9e3779b1) ^ (<u32>key * 0x85ebca6b)) >>> (32 - CACHE_BITS)) << 4);
    store<u32>(slot, <u32>o);
    store<u32>(slot, <u32>key, 4);
    store<u32>(slot, <u32>i, 8);
    store<u32>(slot, load<u32>(entries + (<usize>i << 3)), 12);
  }
  return <usize>load<u32>(entries + (<usize>i << 3), 4);
}

/** Sets `o[key] = val`, replacing an existing value. */
export function objInsert(o: usize, key: usize, val: usize): void {
  const len = load<u32>(o, 4);
  if (len != 0) {
    const c = compare(objKey(o, len - 1), key);
    if (c < 0) {
      const entries = vecGrow(o, 8);
      store<u32>(entries + (<usize>len << 3), <u32>key);
      store<u32>(entries + (<usize>len << 3), <u32>val, 4);
      store<u32>(o, len + 1, 4);
      return;
    }
  }
  const i = objFind(o, key);
  if (i >= 0) {
    store<u32>(<usize>load<u32>(o, 12) + (<usize>i << 3), <u32>val, 4);
    return;
  }
  const pos = <u32>(-i - 1);
  const entries = vecGrow(o, 8);
  const at = entries + (<usize>pos << 3);
  memory.copy(at + 8, at, <usize>(len - pos) << 3);
  store<u32>(at, <u32>key);
  store<u32>(at, <u32>val, 4);
  store<u32>(o, len + 1, 4);
}

/**
 * `node[key]`: an object member, an array element by integral number index, or a set element
 * equal to `key`; 0 if absent or `node` is a scalar.
 */
export function getChild(node: usize, key: usize): usize {
  const t = typeOf(node);
  if (t == T_OBJECT) return objGet(node, key);
  if (t == T_ARRAY) {
    if (typeOf(key) != T_NUMBER || !numIsInt(key)) return 0;
    const i = numToI64(key);
    return i >= 0 && i < <i64>vecLen(node) ? vecGet(node, <u32>i) : 0;
  }
  if (t == T_SET) {
    const i = setFind(node, key);
    return i < 0 ? 0 : vecGet(node, <u32>i);
  }
  return 0;
}

/**
 * The keys of objects `a` and `b`; where both values are objects they are merged recursively,
 * otherwise `b`'s value wins if `bWins` (object.union), else `a`'s (ObjectMergeStmt).
 */
export function mergeObjects(a: usize, b: usize, bWins: bool): usize {
  const r = shallowCopy(a);
  const n = vecLen(b);
  for (let i: u32 = 0; i < n; i++) {
    const k = objKey(b, i);
    const bv = objVal(b, i);
    const av = objGet(r, k);
    if (av != 0 && typeOf(av) == T_OBJECT && typeOf(bv) == T_OBJECT) objInsert(r, k, mergeObjects(av, bv, bWins));
    else if (av == 0 || bWins) objInsert(r, k, bv);
  }
  return r;
}

/** A shallow copy of an array, set or object (other values are returned as they are). */
export function shallowCopy(v: usize): usize {
  const t = typeOf(v);
  if (t == T_ARRAY || t == T_SET) {
    const n = vecLen(v);
    const c = mkVec(t, n);
    if (n != 0) memory.copy(vecElems(c), vecElems(v), <usize>n << 2);
    store<u32>(c, n, 4);
    return c;
  }
  if (t == T_OBJECT) {
    const n = load<u32>(v, 4);
    const c = mkObject(n);
    if (n != 0) memory.copy(<usize>load<u32>(c, 12), <usize>load<u32>(v, 12), <usize>n << 3);
    store<u32>(c, n, 4);
    return c;
  }
  return v;
}

/**
 * Builds an object from `n` (key, value) entries at `entries` in any order; for duplicate keys
 * the last entry wins. The entries buffer is reordered in place.
 */
export function mkObjectFromEntries(entries: usize, n: u32): usize {
  let sorted = true;
  for (let i: u32 = 1; i < n && sorted; i++) {
    sorted = compare(<usize>load<u32>(entries + (<usize>(i - 1) << 3)), <usize>load<u32>(entries + (<usize>i << 3))) < 0;
  }
  if (sorted) {
    // already in key order without duplicates (common for generated JSON): adopt the buffer
    const o = mkObject(0);
    store<u32>(o, n, 4);
    store<u32>(o, n, 8);
    store<u32>(o, <u32>entries, 12);
    return o;
  }
  sortEntries(entries, n);
  const o = mkObject(n);
  const dst = <usize>load<u32>(o, 12);
  let m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(entries + (<usize>i << 3));
    const val = load<u32>(entries + (<usize>i << 3), 4);
    if (m != 0 && compare(<usize>load<u32>(dst + (<usize>(m - 1) << 3)), k) == 0) {
      store<u32>(dst + (<usize>(m - 1) << 3), val, 4); // stable sort: later entry wins
      continue;
    }
    store<u32>(dst + (<usize>m << 3), <u32>k);
    store<u32>(dst + (<usize>m << 3), val, 4);
    m++;
  }
  store<u32>(o, m, 4);
  return o;
}

/**
 * Builds an object from `n` (string key, value) entries at `entries` in any order (as a JSON
 * object's members); for duplicate keys the last entry wins. The entries buffer is reordered in
 * place and may be reused afterwards: the object gets its own copy.
 */
export function mkObjectFromStringEntries(entries: usize, n: u32): usize {
  let dup = false;
  if (n <= 16) {
    // stable insertion sort; an equal key where an insertion stops is a duplicate
    for (let i: u32 = 1; i < n; i++) {
      const e = load<u64>(entries + (<usize>i << 3));
      const k = <usize>(<u32>e);
      const kp = strPtr(k);
      const kl = strLen(k);
      const kx = strPrefix(kp, kl);
      let j = i;
      while (j > 0) {
        const o = <usize>load<u32>(entries + (<usize>(j - 1) << 3));
        const op = strPtr(o);
        const ol = strLen(o);
        const c = compareStrPrefixed(strPrefix(op, ol), op, ol, kx, kp, kl);
        if (c <= 0) {
          if (c == 0) dup = true;
          break;
        }
        store<u64>(entries + (<usize>j << 3), load<u64>(entries + (<usize>(j - 1) << 3)));
        j--;
      }
      store<u64>(entries + (<usize>j << 3), e);
    }
  } else {
    sortStringEntries(entries, n);
    dup = true; // not known: checked while copying
  }
  const o = mkObject(n);
  const dst = <usize>load<u32>(o, 12);
  if (!dup) {
    memory.copy(dst, entries, <usize>n << 3);
    store<u32>(o, n, 4);
    return o;
  }
  let m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const e = load<u64>(entries + (<usize>i << 3));
    if (m != 0 && compareStrings(<usize>load<u32>(dst + (<usize>(m - 1) << 3)), <usize>(<u32>e)) == 0) {
      store<u64>(dst + (<usize>(m - 1) << 3), e); // stable sort: the later entry wins
      continue;
    }
    store<u64>(dst + (<usize>m << 3), e);
    m++;
  }
  store<u32>(o, m, 4);
  return o;
}

/** Builds a set from `n` values at `elems` in any order (the buffer is reordered in place). */
export function mkSetFromElems(elems: usize, n: u32): usize {
  sortValues(elems, n);
  const s = mkSet(n);
  const dst = vecElems(s);
  let m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const x = <usize>load<u32>(elems + (<usize>i << 2));
    if (m != 0 && compare(<usize>load<u32>(dst + (<usize>(m - 1) << 2)), x) == 0) continue;
    store<u32>(dst + (<usize>m << 2), <u32>x);
    m++;
  }
  store<u32>(s, m, 4);
  return s;
}

// ---- sorting (stable merge sort) ----

/** Sorts `n` u32 value addresses at `p` by Rego order, stably. */
export function sortValues(p: usize, n: u32): void {
  if (n < 2) return;
  const tmp = alloc(<usize>n << 2);
  mergeSort(p, tmp, 0, n, 4);
}

/** Sorts `n` (key, value) u32 pairs at `p` by key, stably. */
export function sortEntries(p: usize, n: u32): void {
  if (n < 2) return;
  let strings = true;
  for (let i: u32 = 0; i < n && strings; i++) strings = load<u8>(<usize>load<u32>(p + (<usize>i << 3))) == T_STRING;
  if (strings) {
    sortStringEntries(p, n);
    return;
  }
  const tmp = alloc(<usize>n << 3);
  mergeSort(p, tmp, 0, n, 8);
}

// @ts-ignore: decorator
@inline
function keyCompare(a: usize, b: usize): i32 {
  return compareStrings(a, b);
}

/** Stable sort of (string key, value) pairs: insertion sort runs of 8, then bottom-up merges. */
function sortStringEntries(p: usize, n: u32): void {
  for (let lo: u32 = 0; lo < n; lo += 8) {
    const hi = lo + 8 < n ? lo + 8 : n;
    for (let i = lo + 1; i < hi; i++) {
      const e = load<u64>(p + (<usize>i << 3));
      const key = <usize>(<u32>e);
      let j = i;
      while (j > lo && keyCompare(<usize>load<u32>(p + (<usize>(j - 1) << 3)), key) > 0) {
        store<u64>(p + (<usize>j << 3), load<u64>(p + (<usize>(j - 1) << 3)));
        j--;
      }
      store<u64>(p + (<usize>j << 3), e);
    }
  }
  if (n <= 8) return;
  let src = p;
  let dst = alloc(<usize>n << 3);
  for (let width: u32 = 8; width < n; width <<= 1) {
    for (let lo: u32 = 0; lo < n; lo += width << 1) {
      const mid = lo + width < n ? lo + width : n;
      const hi = lo + (width << 1) < n ? lo + (width << 1) : n;
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = load<u64>(src + (<usize>i << 3));
        const b = load<u64>(src + (<usize>j << 3));
        if (keyCompare(<usize>(<u32>a), <usize>(<u32>b)) <= 0) {
          store<u64>(dst + (<usize>k << 3), a);
          i++;
        } else {
          store<u64>(dst + (<usize>k << 3), b);
          j++;
        }
        k++;
      }
      if (i < mid) memory.copy(dst + (<usize>k << 3), src + (<usize>i << 3), <usize>(mid - i) << 3);
      else if (j < hi) memory.copy(dst + (<usize>k << 3), src + (<usize>j << 3), <usize>(hi - j) << 3);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != p) memory.copy(p, src, <usize>n << 3);
}

function mergeSort(p: usize, tmp: usize, lo: u32, hi: u32, width: u32): void {
  if (hi - lo < 2) return;
  if (hi - lo <= 8) {
    // insertion sort for short runs
    for (let i = lo + 1; i < hi; i++) {
      const k = load<u64>(p + <usize>i * width);
      const key = <usize>load<u32>(p + <usize>i * width);
      let j = i;
      while (j > lo && compare(<usize>load<u32>(p + <usize>(j - 1) * width), key) > 0) {
        if (width == 8) store<u64>(p + <usize>j * width, load<u64>(p + <usize>(j - 1) * width));
        else store<u32>(p + <usize>j * width, load<u32>(p + <usize>(j - 1) * width));
        j--;
      }
      if (width == 8) store<u64>(p + <usize>j * width, k);
      else store<u32>(p + <usize>j * width, <u32>key);
    }
    return;
  }
  const mid = (lo + hi) >>> 1;
  mergeSort(p, tmp, lo, mid, width);
  mergeSort(p, tmp, mid, hi, width);
  if (compare(<usize>load<u32>(p + <usize>(mid - 1) * width), <usize>load<u32>(p + <usize>mid * width)) <= 0) return;
  let i = lo;
  let j = mid;
  let k = lo;
  while (i < mid && j < hi) {
    const a = <usize>load<u32>(p + <usize>i * width);
    const b = <usize>load<u32>(p + <usize>j * width);
    if (compare(a, b) <= 0) {
      memory.copy(tmp + <usize>k * width, p + <usize>i * width, width);
      i++;
    } else {
      memory.copy(tmp + <usize>k * width, p + <usize>j * width, width);
      j++;
    }
    k++;
  }
  if (i < mid) memory.copy(tmp + <usize>k * width, p + <usize>i * width, <usize>(mid - i) * width);
  if (j < hi) memory.copy(tmp + <usize>(k + mid - i) * width, p + <usize>j * width, <usize>(hi - j) * width);
  memory.copy(p + <usize>lo * width, tmp + <usize>lo * width, <usize>(hi - lo) * width);
}
