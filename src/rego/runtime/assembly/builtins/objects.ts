import { typeError } from "../error";
import { equal as compareEq } from "../compare";
import { mkInt } from "../number";
import {
  T_ARRAY, T_OBJECT, T_SET, T_STRING, arrPush, mkArray, mkObject, mkSet, objFind, objGet, objInsert, objKey, objVal, setHas, vecGet, vecLen, mkString, strPtr, strLen, setAdd, getChild, mergeObjects,
} from "../value";
import { needArray, needObject } from "./util";
import { bufNew, bufPtr, bufLen, bufI64 } from "../buf";

export function b_object__get(o: usize, key: usize, dflt: usize): usize {
  if (!needObject("object.get", 1, o)) return 0;
  if (load<u8>(key) == T_ARRAY) {
    let node = o;
    const n = vecLen(key);
    for (let i: u32 = 0; i < n; i++) {
      node = getChild(node, vecGet(key, i));
      if (node == 0) return dflt;
    }
    return node;
  }
  const v = objGet(o, key);
  return v == 0 ? dflt : v;
}

export function b_object__keys(o: usize): usize {
  if (!needObject("object.keys", 1, o)) return 0;
  const n = vecLen(o);
  const s = mkSet(n);
  for (let i: u32 = 0; i < n; i++) arrPush(s, objKey(o, i)); // keys are sorted already
  return s;
}

export function b_object__union(a: usize, b: usize): usize {
  if (!needObject("object.union", 1, a)) return 0;
  if (!needObject("object.union", 2, b)) return 0;
  return mergeObjects(a, b, true);
}

export function b_object__union_n(arr: usize): usize {
  if (!needArray("object.union_n", 1, arr)) return 0;
  const n = vecLen(arr);
  let r = mkObject(0);
  for (let i: u32 = 0; i < n; i++) {
    const x = vecGet(arr, i);
    if (load<u8>(x) != T_OBJECT) {
      typeError("object.union_n", 1, "array of objects", arr);
      return 0;
    }
    r = mergeObjects(r, x, true);
  }
  return r;
}

/** True if `k` is in `keys` (an array, set, or the keys of an object). */
function hasKey(keys: usize, k: usize): bool {
  const t = load<u8>(keys);
  if (t == T_SET) return setHas(keys, k);
  if (t == T_OBJECT) return objFind(keys, k) >= 0;
  const n = vecLen(keys);
  for (let i: u32 = 0; i < n; i++) {
    if (compareEq(vecGet(keys, i), k)) return true;
  }
  return false;
}



function needKeys(name: string, v: usize): bool {
  const t = load<u8>(v);
  if (t == T_ARRAY || t == T_SET || t == T_OBJECT) return true;
  typeError(name, 2, "one of {object, set, array}", v);
  return false;
}

/** The entries of `o` whose key is (keep) or is not (!keep) in `keys`. */
function selectKeys(o: usize, keys: usize, keep: bool): usize {
  const r = mkObject(0);
  const n = vecLen(o);
  for (let i: u32 = 0; i < n; i++) {
    const k = objKey(o, i);
    if (hasKey(keys, k) == keep) objInsert(r, k, objVal(o, i));
  }
  return r;
}

export function b_object__remove(o: usize, keys: usize): usize {
  if (!needObject("object.remove", 1, o)) return 0;
  if (!needKeys("object.remove", keys)) return 0;
  return selectKeys(o, keys, false);
}

export function b_object__filter(o: usize, keys: usize): usize {
  if (!needObject("object.filter", 1, o)) return 0;
  if (!needKeys("object.filter", keys)) return 0;
  return selectKeys(o, keys, true);
}

// ---- json.filter / json.remove: paths as "a/b/c" strings or arrays of keys ----

const LEAF: usize = memory.data<u8>([6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8); // marker object

function splitPath(s: usize): usize {
  const p = strPtr(s);
  const n = strLen(s);
  const r = mkArray(0);
  let start: u32 = 0;
  if (n > 0 && load<u8>(p) == 47) start = 1;
  let i = start;
  for (; i <= n; i++) {
    if (i == n || load<u8>(p + i) == 47) {
      if (i > start || i < n) arrPush(r, mkString(p + start, i - start));
      start = i + 1;
    }
  }
  return r;
}

/** Builds a tree of path segments (objects) with LEAF at path ends; a shorter path wins. */
function pathTree(name: string, paths: usize): usize {
  const t = load<u8>(paths);
  if (t != T_ARRAY && t != T_SET) {
    typeError(name, 2, "one of {set, array}", paths);
    return 0;
  }
  const root = mkObject(0);
  const n = vecLen(paths);
  for (let i: u32 = 0; i < n; i++) {
    let p = vecGet(paths, i);
    if (load<u8>(p) == T_STRING) p = splitPath(p);
    else if (load<u8>(p) != T_ARRAY) {
      typeError(name, 2, "one of {set, array} containing string paths or array of path segments", p);
      return 0;
    }
    let node = root;
    const m = vecLen(p);
    if (m == 0) return LEAF;
    for (let j: u32 = 0; j < m; j++) {
      const k = vecGet(p, j);
      const existing = objGet(node, k);
      if (existing == LEAF) break;
      if (j == m - 1) {
        objInsert(node, k, LEAF);
        break;
      }
      let next = existing;
      if (next == 0) {
        next = mkObject(0);
        objInsert(node, k, next);
      }
      node = next;
    }
  }
  return root;
}

/** The subtree for array index `i` (matching a number or its decimal string). */
function indexChild(tree: usize, i: u32): usize {
  let c = objGet(tree, mkInt(i));
  if (c != 0) return c;
  const b = bufNew(12);
  bufI64(b, i);
  return objGet(tree, mkString(bufPtr(b), bufLen(b)));
}

/**
 * json.filter (`filter`: keep only the listed paths) and json.remove (drop the listed paths) of
 * `v` against a path tree. Returns 0 for "nothing left" (a dropped value).
 */
function prune(v: usize, tree: usize, filter: bool): usize {
  if (tree == LEAF) return filter ? v : 0;
  const t = load<u8>(v);
  const n = vecLen(v);
  if (t == T_OBJECT) {
    const r = mkObject(0);
    for (let i: u32 = 0; i < n; i++) {
      const sub = objGet(tree, objKey(v, i));
      const x = sub == 0 ? (filter ? 0 : objVal(v, i)) : prune(objVal(v, i), sub, filter);
      if (x != 0) objInsert(r, objKey(v, i), x);
    }
    return r;
  }
  if (t == T_ARRAY || t == T_SET) {
    const r = t == T_ARRAY ? mkArray(0) : mkSet(0);
    for (let i: u32 = 0; i < n; i++) {
      const e = vecGet(v, i);
      const sub = t == T_ARRAY ? indexChild(tree, i) : objGet(tree, e);
      const x = sub == 0 ? (filter ? 0 : e) : prune(e, sub, filter);
      if (x == 0) continue;
      if (t == T_ARRAY) arrPush(r, x);
      else setAdd(r, x);
    }
    return r;
  }
  return filter ? 0 : v;
}

export function b_json__filter(o: usize, paths: usize): usize {
  if (!needObject("json.filter", 1, o)) return 0;
  const tree = pathTree("json.filter", paths);
  if (tree == 0) return 0;
  const r = prune(o, tree, true);
  return r == 0 ? mkObject(0) : r;
}

export function b_json__remove(o: usize, paths: usize): usize {
  if (!needObject("json.remove", 1, o)) return 0;
  const tree = pathTree("json.remove", paths);
  if (tree == 0) return 0;
  const r = prune(o, tree, false);
  return r == 0 ? mkObject(0) : r;
}
