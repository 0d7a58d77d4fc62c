import { numIsInt, numToF64, numToI64 } from "../number";
import { T_ARRAY, arrPush, mkArray, mkArrayFrom, vecElems, vecGet, vecLen } from "../value";
import { needArray, needNumber } from "./util";


export function b_array__concat(a: usize, b: usize): usize {
  if (!needArray("array.concat", 1, a)) return 0;
  if (!needArray("array.concat", 2, b)) return 0;
  const la = vecLen(a);
  const lb = vecLen(b);
  const r = mkArray(la + lb);
  if (la != 0) memory.copy(vecElems(r), vecElems(a), <usize>la << 2);
  if (lb != 0) memory.copy(vecElems(r) + (<usize>la << 2), vecElems(b), <usize>lb << 2);
  store<u32>(r, la + lb, 4);
  return r;
}

function index(v: usize): i64 {
  if (numIsInt(v)) return numToI64(v);
  const f = Math.floor(numToF64(v));
  return f < -1e18 ? -1000000000000000000 : f > 1e18 ? 1000000000000000000 : <i64>f;
}

export function b_array__slice(a: usize, start: usize, stop: usize): usize {
  if (!needArray("array.slice", 1, a)) return 0;
  if (!needNumber("array.slice", 2, start)) return 0;
  if (!needNumber("array.slice", 3, stop)) return 0;
  const n = <i64>vecLen(a);
  let s = index(start);
  let e = index(stop);
  if (s < 0) s = 0;
  if (e > n) e = n;
  if (s >= e) return mkArray(0);
  return mkArrayFrom(vecElems(a) + (<usize>s << 2), <u32>(e - s));
}

export function b_array__reverse(a: usize): usize {
  if (!needArray("array.reverse", 1, a)) return 0;
  const n = vecLen(a);
  const r = mkArray(n);
  for (let i: u32 = n; i > 0; i--) arrPush(r, vecGet(a, i - 1));
  return r;
}

export function b_array__flatten(a: usize): usize {
  if (!needArray("array.flatten", 1, a)) return 0;
  const n = vecLen(a);
  const r = mkArray(n);
  for (let i: u32 = 0; i < n; i++) {
    const x = vecGet(a, i);
    if (load<u8>(x) == T_ARRAY) {
      const m = vecLen(x);
      for (let j: u32 = 0; j < m; j++) arrPush(r, vecGet(x, j));
    } else arrPush(r, x);
  }
  return r;
}

