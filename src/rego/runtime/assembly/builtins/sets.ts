import { typeError } from "../error";
import { T_SET, arrPush, mkSet, setAdd, setHas, vecGet, vecLen } from "../value";
import { needSet } from "./util";

function intersect(a: usize, b: usize): usize {
  const r = mkSet(0);
  const n = vecLen(a);
  for (let i: u32 = 0; i < n; i++) {
    const x = vecGet(a, i);
    if (setHas(b, x)) arrPush(r, x); // in order
  }
  return r;
}

function unite(a: usize, b: usize): usize {
  const r = mkSet(vecLen(a) + vecLen(b));
  let n = vecLen(a);
  for (let i: u32 = 0; i < n; i++) arrPush(r, vecGet(a, i));
  n = vecLen(b);
  for (let i: u32 = 0; i < n; i++) setAdd(r, vecGet(b, i));
  return r;
}

export function b_and(a: usize, b: usize): usize {
  if (!needSet("and", 1, a)) return 0;
  if (!needSet("and", 2, b)) return 0;
  return intersect(a, b);
}

export function b_or(a: usize, b: usize): usize {
  if (!needSet("or", 1, a)) return 0;
  if (!needSet("or", 2, b)) return 0;
  return unite(a, b);
}

export function b_intersection(s: usize): usize {
  if (!needSet("intersection", 1, s)) return 0;
  const n = vecLen(s);
  if (n == 0) return mkSet(0);
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(vecGet(s, i)) != T_SET) {
      typeError("intersection", 1, "set of sets", s);
      return 0;
    }
  }
  let r = vecGet(s, 0);
  for (let i: u32 = 1; i < n; i++) r = intersect(r, vecGet(s, i));
  return r;
}

export function b_union(s: usize): usize {
  if (!needSet("union", 1, s)) return 0;
  const n = vecLen(s);
  let r = mkSet(0);
  for (let i: u32 = 0; i < n; i++) {
    const x = vecGet(s, i);
    if (load<u8>(x) != T_SET) {
      typeError("union", 1, "set of sets", s);
      return 0;
    }
    r = unite(r, x);
  }
  return r;
}
