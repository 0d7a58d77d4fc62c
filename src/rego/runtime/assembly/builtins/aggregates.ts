
import { compare } from "../compare";
import { typeError, operandError } from "../error";
import { mkFloat, mkInt, numIsInt, numToF64, numToI64 } from "../number";
import { runeCount } from "../utf8";
import {
  FALSE, T_ARRAY, T_NUMBER, T_OBJECT, T_SET, T_STRING, TRUE, mkArrayFrom, sortValues, strLen, strPtr, vecElems, vecGet, vecLen,
} from "../value";
import { addNumbers, mulNumbers } from "./arith";
import { needCollection } from "./util";

/** Number of elements / keys / code points; -1 for other types. */
export function countOf(v: usize): i64 {
  const t = load<u8>(v);
  if (t == T_ARRAY || t == T_SET || t == T_OBJECT) return vecLen(v);
  if (t == T_STRING) return runeCount(strPtr(v), strLen(v));
  return 0;
}

export function b_count(v: usize): usize {
  const t = load<u8>(v);
  if (t != T_ARRAY && t != T_SET && t != T_OBJECT && t != T_STRING) {
    typeError("count", 1, "one of {array, object, set, string}", v);
    return 0;
  }
  return mkInt(countOf(v));
}

function numbersOf(name: string, v: usize): bool {
  if (!needCollection(name, 1, v)) return false;
  const n = vecLen(v);
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(vecGet(v, i)) != T_NUMBER) {
      operandError(name, 1, "must be one of {set, array} containing numbers");
      return false;
    }
  }
  return true;
}

/**
 * The sum (or product) of the numbers of `v` computed exactly when they are all integers (the
 * i64 running total overflowed, or an element is an integer beyond i64), else the f64 `approx`.
 */
function exactOr(v: usize, approx: f64, product: bool): usize {
  const n = vecLen(v);
  for (let i: u32 = 0; i < n; i++) {
    const f = numToF64(vecGet(v, i));
    if (f != Math.floor(f) && isFinite(f)) return mkFloat(approx);
  }
  let acc = mkInt(product ? 1 : 0);
  for (let i: u32 = 0; i < n; i++) acc = product ? mulNumbers(acc, vecGet(v, i)) : addNumbers(acc, vecGet(v, i));
  return acc;
}

export function b_sum(v: usize): usize {
  if (!numbersOf("sum", v)) return 0;
  const n = vecLen(v);
  let allInt = true;
  let isum: i64 = 0;
  let fsum: f64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const x = vecGet(v, i);
    if (allInt && numIsInt(x)) {
      const y = numToI64(x);
      const r = isum + y;
      if (((isum ^ r) & (y ^ r)) < 0) allInt = false; // overflow
      else isum = r;
    } else allInt = false;
    fsum += numToF64(x);
  }
  return allInt ? mkInt(isum) : exactOr(v, fsum, false);
}

export function b_product(v: usize): usize {
  if (!numbersOf("product", v)) return 0;
  const n = vecLen(v);
  let allInt = true;
  let iprod: i64 = 1;
  let fprod: f64 = 1;
  for (let i: u32 = 0; i < n; i++) {
    const x = vecGet(v, i);
    if (allInt && numIsInt(x)) {
      const y = numToI64(x);
      const r = iprod * y;
      if (iprod != 0 && (r / iprod != y || (iprod == -1 && y == i64.MIN_VALUE))) allInt = false;
      else iprod = r;
    } else allInt = false;
    fprod *= numToF64(x);
  }
  return allInt ? mkInt(iprod) : exactOr(v, fprod, true);
}

function extreme(name: string, v: usize, sign: i32): usize {
  if (!needCollection(name, 1, v)) return 0;
  const n = vecLen(v);
  if (n == 0) return 0;
  if (load<u8>(v) == T_SET) return sign > 0 ? vecGet(v, n - 1) : vecGet(v, 0);
  let best = vecGet(v, 0);
  for (let i: u32 = 1; i < n; i++) {
    const x = vecGet(v, i);
    if (compare(x, best) * sign > 0) best = x;
  }
  return best;
}

export function b_max(v: usize): usize {
  return extreme("max", v, 1);
}

export function b_min(v: usize): usize {
  return extreme("min", v, -1);
}

export function b_sort(v: usize): usize {
  if (!needCollection("sort", 1, v)) return 0;
  const a = mkArrayFrom(vecElems(v), vecLen(v));
  if (load<u8>(v) == T_ARRAY) sortValues(vecElems(a), vecLen(a));
  return a;
}

export function b_all(v: usize): usize {
  if (!needCollection("all", 1, v)) return 0;
  const n = vecLen(v);
  for (let i: u32 = 0; i < n; i++) if (vecGet(v, i) != TRUE && !(load<u8>(vecGet(v, i)) == 2 && load<u8>(vecGet(v, i), 1) == 1)) return FALSE;
  return TRUE;
}

export function b_any(v: usize): usize {
  if (!needCollection("any", 1, v)) return 0;
  const n = vecLen(v);
  for (let i: u32 = 0; i < n; i++) if (load<u8>(vecGet(v, i)) == 2 && load<u8>(vecGet(v, i), 1) == 1) return TRUE;
  return FALSE;
}

