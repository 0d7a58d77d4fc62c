// Entry point of the runtime: the OPA Wasm ABI exports, and the `rt_*` / `b_*` functions the
// codegen calls (the codegen removes every export that is not part of the ABI).
import { BUILTINS_JSON, BUILTINS_JSON_LEN, ENTRYPOINTS_JSON, ENTRYPOINTS_JSON_LEN, run_plan } from "./env";
import { alloc, allocZero, heapGet, heapSet } from "./mem";
import { bufCString, bufNew, bufStr } from "./buf";
import { abortBuf, bufAsciiSafe, bufLocation, bufSiteNamed, bufSiteRule, fail } from "./error";
import { dumpJSON, dumpRego, jsonParse } from "./json";
import { equal } from "./compare";
import { mkInt, mkNumberText } from "./number";
import {
  FALSE, NULL, T_ARRAY, T_OBJECT, T_SET, TRUE, mkArray, arrPush, mkObject, objFind, objGet, objInsert, objKey, objVal, mkSet, setAdd, getChild, mergeObjects, shallowCopy, typeOf, vecGet, vecLen, lookupCacheStart, lookupCacheStop,
} from "./value";
import { countOf } from "./builtins/aggregates";

export * from "./builtins/index";
export { rt_host_call } from "./host";
export { errFile, errRow } from "./error";

// ---------------------------------------------------------------- ABI

export function opa_malloc(size: usize): usize {
  return alloc(size);
}

export function opa_free(_ptr: usize): void {}

export function opa_heap_ptr_get(): usize {
  return heapGet();
}

export function opa_heap_ptr_set(ptr: usize): void {
  lookupCacheStop();
  heapSet(ptr);
}

export function opa_json_parse(ptr: usize, len: usize): usize {
  return jsonParse(ptr, <u32>len);
}

/** Rego-syntax values are accepted where they are JSON (the SDK only sends JSON). */
export function opa_value_parse(ptr: usize, len: usize): usize {
  return jsonParse(ptr, <u32>len);
}

export function opa_json_dump(v: usize): usize {
  const b = bufNew(256);
  dumpJSON(b, v, false);
  return bufCString(b);
}

export function opa_value_dump(v: usize): usize {
  const b = bufNew(256);
  dumpRego(b, v, false);
  return bufCString(b);
}

export function builtins(): usize {
  return jsonParse(BUILTINS_JSON, <u32>BUILTINS_JSON_LEN);
}

export function entrypoints(): usize {
  return jsonParse(ENTRYPOINTS_JSON, <u32>ENTRYPOINTS_JSON_LEN);
}

// Evaluation context (older ABI path): input @0, data @4, result @8, entrypoint @12.
export function opa_eval_ctx_new(): usize {
  return allocZero(16);
}

export function opa_eval_ctx_set_input(ctx: usize, v: usize): void {
  store<u32>(ctx, <u32>v, 0);
}

export function opa_eval_ctx_set_data(ctx: usize, v: usize): void {
  store<u32>(ctx, <u32>v, 4);
}

export function opa_eval_ctx_set_entrypoint(ctx: usize, ep: i32): void {
  store<i32>(ctx, ep, 12);
}

export function opa_eval_ctx_get_result(ctx: usize): usize {
  return <usize>load<u32>(ctx, 8);
}

function evalCtx(ctx: usize): i32 {
  resetEvaluation();
  const rs = run_plan(load<i32>(ctx, 12), <usize>load<u32>(ctx, 0), <usize>load<u32>(ctx, 4));
  store<u32>(ctx, <u32>rs, 8);
  return 0;
}
export { evalCtx as eval };

/** ABI 1.2 one-call evaluation: returns the address of the NUL-terminated result. */
export function opa_eval(
  _reserved: usize, entrypoint: i32, data: usize, input: usize, inputLen: usize, heap: usize, format: i32,
): usize {
  lookupCacheStop();
  heapSet(heap);
  resetEvaluation();
  let inputValue: usize = 0;
  if (inputLen > 0) {
    inputValue = jsonParse(input, <u32>inputLen);
    if (inputValue == 0) fail("invalid input: not valid JSON");
  }
  const rs = run_plan(entrypoint, inputValue, data);
  const b = bufNew(256);
  if (format == 1) dumpRego(b, rs, false);
  else dumpJSON(b, rs, false);
  return bufCString(b);
}

/** Upserts `value` at `path` (an array of keys) into object `base`; 0 on success. */
export function opa_value_add_path(base: usize, path: usize, value: usize): i32 {
  if (base == 0 || typeOf(base) != T_OBJECT || path == 0 || typeOf(path) != T_ARRAY) return 3;
  const n = vecLen(path);
  if (n == 0) return 3;
  let node = base;
  for (let i: u32 = 0; i + 1 < n; i++) {
    const k = vecGet(path, i);
    let next = objGet(node, k);
    if (next == 0) {
      next = mkObject(0);
      objInsert(node, k, next);
    } else if (typeOf(next) != T_OBJECT) return 3;
    node = next;
  }
  objInsert(node, vecGet(path, n - 1), value);
  return 0;
}

/** Removes the value at `path` from object `base`; 0 on success (also when absent). */
export function opa_value_remove_path(base: usize, path: usize): i32 {
  if (base == 0 || typeOf(base) != T_OBJECT || path == 0 || typeOf(path) != T_ARRAY) return 3;
  const n = vecLen(path);
  if (n == 0) return 3;
  let node = base;
  for (let i: u32 = 0; i + 1 < n; i++) {
    node = objGet(node, vecGet(path, i));
    if (node == 0 || typeOf(node) != T_OBJECT) return 0;
  }
  const idx = objFind(node, vecGet(path, n - 1));
  if (idx < 0) return 0;
  const len = vecLen(node);
  const at = <usize>load<u32>(node, 12) + (<usize>idx << 3);
  memory.copy(at, at + 8, <usize>(len - 1 - <u32>idx) << 3);
  store<u32>(node, len - 1, 4);
  return 0;
}

// ---------------------------------------------------------------- per-evaluation state

// Memoisation of rule functions (input, data) -> value, one frame per `with` context.
// Frame layout: u32 previous frame @0, u32 slot count @4, u32 slots @8... (0 = not computed,
// 1 = computed and undefined, else the value).
let memoFrame: usize = 0;
let memoSlots: u32 = 0;

function resetEvaluation(): void {
  memoFrame = 0;
  memoSlots = 0;
  lookupCacheStart();
}

export function rt_memo_init(slots: u32): void {
  memoSlots = slots;
  memoFrame = allocZero(8 + (<usize>slots << 2));
}

export function rt_memo_push(): void {
  const f = allocZero(8 + (<usize>memoSlots << 2));
  store<u32>(f, <u32>memoFrame, 0);
  memoFrame = f;
}

export function rt_memo_pop(): void {
  memoFrame = <usize>load<u32>(memoFrame, 0);
}

export function rt_memo_get(slot: u32): usize {
  return <usize>load<u32>(memoFrame + 8 + (<usize>slot << 2));
}

export function rt_memo_set(slot: u32, v: usize): void {
  store<u32>(memoFrame + 8 + (<usize>slot << 2), v == 0 ? 1 : <u32>v);
}

// ---------------------------------------------------------------- statements

export function rt_null(): usize {
  return NULL;
}

export function rt_bool(b: i32): usize {
  return b != 0 ? TRUE : FALSE;
}

export function rt_number_int(v: i64): usize {
  return mkInt(v);
}

export function rt_number_ref(ptr: usize, len: u32): usize {
  return mkNumberText(ptr, len);
}

export function rt_array(cap: u32): usize {
  return mkArray(cap);
}

export function rt_array_append(a: usize, v: usize): void {
  arrPush(a, v);
}

export function rt_object(): usize {
  return mkObject(0);
}

export function rt_object_insert(o: usize, k: usize, v: usize): void {
  objInsert(o, k, v);
}

/** Inserts unless the key holds a different value: then returns 1 (a conflict). */
export function rt_object_insert_once(o: usize, k: usize, v: usize): i32 {
  const i = objFind(o, k);
  if (i >= 0) return equal(objVal(o, <u32>i), v) ? 0 : 1;
  objInsert(o, k, v);
  return 0;
}

export function rt_set(): usize {
  return mkSet(0);
}

export function rt_set_add(s: usize, v: usize): void {
  setAdd(s, v);
}

/** DotStmt: source[key], or 0. */
export function rt_get(src: usize, key: usize): usize {
  if (src == 0 || key == 0) return 0;
  return typeOf(src) == T_OBJECT ? objGet(src, key) : getChild(src, key);
}

/** LenStmt: the count as a number value. */
export function rt_len(src: usize): usize {
  return mkInt(src == 0 ? 0 : countOf(src));
}

export function rt_equal(a: usize, b: usize): i32 {
  return equal(a, b) ? 1 : 0;
}

export function rt_type(v: usize): i32 {
  return v == 0 ? 0 : <i32>typeOf(v);
}

export function rt_iter_count(v: usize): i32 {
  if (v == 0) return 0;
  const t = typeOf(v);
  return t == T_ARRAY || t == T_SET || t == T_OBJECT ? <i32>vecLen(v) : 0;
}

export function rt_iter_key(v: usize, i: u32): usize {
  const t = typeOf(v);
  if (t == T_ARRAY) return mkInt(i);
  if (t == T_OBJECT) return objKey(v, i);
  return vecGet(v, i);
}

export function rt_iter_value(v: usize, i: u32): usize {
  return typeOf(v) == T_OBJECT ? objVal(v, i) : vecGet(v, i);
}

/** ObjectMergeStmt (see ir.ts). */
export function rt_merge(a: usize, b: usize): usize {
  if (a == 0) return b;
  if (b == 0) return a;
  if (typeOf(a) != T_OBJECT || typeOf(b) != T_OBJECT) return a;
  return mergeObjects(a, b, false);
}

/** WithStmt with a path: a copy of `base` with `value` at `path` (an array of keys). */
export function rt_upsert(base: usize, path: usize, value: usize, i: u32): usize {
  if (i == vecLen(path)) return value;
  const copy = base != 0 && typeOf(base) == T_OBJECT ? shallowCopy(base) : mkObject(1);
  const k = vecGet(path, i);
  objInsert(copy, k, rt_upsert(objGet(copy, k), path, value, i + 1));
  return copy;
}

/** Aborts with a conflict error at a source location, as OPA words it: "file:row: eval_conflict_error: ..." */
export function rt_conflict(file: usize, row: i32, _col: i32, kind: i32): void {
  const b = bufNew(128);
  bufLocation(b, file, row);
  bufStr(b, "eval_conflict_error: ");
  // OPA 1.22: "function data.a.f produced conflicting values for the same inputs",
  // "rule data.a.p produced conflicting values"
  if (kind == 1 && bufSiteNamed(b, file, "function")) {
    bufStr(b, " produced conflicting values for the same inputs");
    abortBuf(b);
  }
  if (kind == 0 && bufSiteNamed(b, file, "rule")) {
    bufStr(b, " produced conflicting values");
    abortBuf(b);
  }
  if (kind == 1) bufStr(b, "functions must not produce multiple outputs for same inputs");
  else if (kind == 2) bufStr(b, "object keys must be unique");
  else bufStr(b, "complete rules must not produce multiple outputs");
  bufSiteRule(b, file);
  abortBuf(b);
}

export function rt_illegal_entrypoint(): void {
  fail("internal: illegal entrypoint id");
}

/** Aborts with the NUL-terminated ASCII message at `msg`. */
export function rt_abort(msg: usize): void {
  const b = bufNew(64);
  let n: u32 = 0;
  while (load<u8>(msg + n) != 0) n++;
  bufAsciiSafe(b, msg, n);
  abortBuf(b);
}
