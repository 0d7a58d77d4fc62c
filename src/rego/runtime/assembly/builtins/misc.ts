import { equal } from "../compare";
import { mkInt, numIsInt, numToI64 } from "../number";
import {
  FALSE, T_ARRAY, T_OBJECT, T_SET, TRUE, arrPush, mkArray, mkArrayFrom, objGet, objKey, objVal, setHas, vecElems, vecGet,
  vecLen,
} from "../value";

/** walk(x): every [path, value] pair below x, pre-order (x itself first with path []). */
export function b_walk(x: usize): usize {
  const out = mkArray(8);
  const path = mkArray(8);
  walkInto(out, path, x);
  return out;
}

function walkInto(out: usize, path: usize, x: usize): void {
  const pair = mkArray(2);
  arrPush(pair, mkArrayFrom(vecElems(path), vecLen(path)));
  arrPush(pair, x);
  arrPush(out, pair);
  const t = load<u8>(x);
  if (t == T_ARRAY) {
    const n = vecLen(x);
    for (let i: u32 = 0; i < n; i++) {
      arrPush(path, mkInt(i));
      walkInto(out, path, vecGet(x, i));
      store<u32>(path, vecLen(path) - 1, 4);
    }
  } else if (t == T_OBJECT) {
    const n = vecLen(x);
    for (let i: u32 = 0; i < n; i++) {
      arrPush(path, objKey(x, i));
      walkInto(out, path, objVal(x, i));
      store<u32>(path, vecLen(path) - 1, 4);
    }
  } else if (t == T_SET) {
    const n = vecLen(x);
    for (let i: u32 = 0; i < n; i++) {
      const e = vecGet(x, i);
      arrPush(path, e);
      walkInto(out, path, e);
      store<u32>(path, vecLen(path) - 1, 4);
    }
  }
}

/** `x in coll`: membership among the values of an array, set or object. */
export function b_internal__member_2(x: usize, coll: usize): usize {
  const t = load<u8>(coll);
  if (t == T_SET) return setHas(coll, x) ? TRUE : FALSE;
  if (t == T_ARRAY || t == T_OBJECT) {
    const n = vecLen(coll);
    for (let i: u32 = 0; i < n; i++) {
      if (equal(t == T_ARRAY ? vecGet(coll, i) : objVal(coll, i), x)) return TRUE;
    }
  }
  return FALSE;
}

/** `k, v in coll`: coll[k] == v (arrays by index, objects by key, sets: k == v member). */
export function b_internal__member_3(k: usize, v: usize, coll: usize): usize {
  const t = load<u8>(coll);
  if (t == T_OBJECT) {
    const x = objGet(coll, k);
    return x != 0 && equal(x, v) ? TRUE : FALSE;
  }
  if (t == T_ARRAY) {
    if (load<u8>(k) != 3 || !numIsInt(k)) return FALSE;
    const i = numToI64(k);
    if (i < 0 || i >= <i64>vecLen(coll)) return FALSE;
    return equal(vecGet(coll, <u32>i), v) ? TRUE : FALSE;
  }
  if (t == T_SET) return equal(k, v) && setHas(coll, k) ? TRUE : FALSE;
  return FALSE;
}
