// Calls of builtins the host implements (TypeScript, src/rego/builtins), through the SDK's
// opa_builtin1 import. The SDK passes values as plain JSON, which loses sets, non-string object
// keys and the exact text of numbers; so the arguments travel as one string value holding a
// "tagged JSON" array of them, and the host answers with a string:
//   "=" JSON      the result, plain JSON (numbers exact)
//   "~" JSON      the result, tagged JSON (contains sets or non-string keys)
//   "!" CODE "\n" MESSAGE    a builtin error (undefined, or an abort in strict mode)
//   "#" CODE "\n" MESSAGE    an error that aborts even in non-strict mode
// and undefined (address 0) for an undefined result.
// Tagged JSON: a set is {"\u0000set":[elements]}; an object with a non-string key (or a key
// starting with NUL) is {"\u0000obj":[[key,value],...]}; everything else is plain JSON.
import { opa_builtin1, STRICT_BUILTIN_ERRORS } from "./env";
import { bufByte, bufLen, bufNew, bufPtr, bufStr } from "./buf";
import { abortBuf, abortBuiltin, bufAsciiSafe, startMessage, strictErrors } from "./error";
import { dumpJSON, dumpStringBytes, jsonParse } from "./json";
import {
  T_ARRAY, T_OBJECT, T_SET, T_STRING, arrPush, mkArray, mkObjectFromEntries, mkSetFromElems, mkString, objKey, objVal,
  strLen, strPtr, vecGet, vecLen,
} from "./value";
import { alloc } from "./mem";

/** Calls host builtin `id` with `n` arguments (a..d); returns its result or 0 (undefined). */
export function rt_host_call(id: i32, n: i32, a: usize, b: usize, c: usize, d: usize): usize {
  const buf = bufNew(128);
  bufByte(buf, 91);
  for (let i = 0; i < n; i++) {
    if (i != 0) bufByte(buf, 44);
    dumpTagged(buf, i == 0 ? a : i == 1 ? b : i == 2 ? c : d);
  }
  bufByte(buf, 93);
  const r = opa_builtin1(id, 0, mkString(bufPtr(buf), bufLen(buf)));
  if (r == 0) return 0;
  if (load<u8>(r) != T_STRING || strLen(r) == 0) {
    fail("internal: a host builtin answered with something other than its encoded result");
  }
  const p = strPtr(r);
  const len = strLen(r);
  const status = load<u8>(p);
  if (status == 61 || status == 126) {
    // = or ~
    const v = jsonParse(p + 1, len - 1);
    if (v == 0) fail("internal: a host builtin answered with invalid JSON");
    return status == 126 ? untag(v) : v;
  }
  if (status == 33 && !STRICT_BUILTIN_ERRORS) {
    strictErrors(); // records the failure: the call is undefined
    return 0;
  }
  // ! (strict) or #: "file:row: CODE: MESSAGE (in rule R)"
  const m = startMessage();
  let i: u32 = 1;
  while (i < len && load<u8>(p + i) != 10) i++;
  bufAsciiSafe(m, p + 1, i - 1);
  bufStr(m, ": ");
  if (i < len) bufAsciiSafe(m, p + i + 1, len - i - 1);
  abortBuiltin(m);
  return 0;
}

function fail(message: string): void {
  const b = bufNew(64);
  bufStr(b, message);
  abortBuf(b);
}

// @ts-ignore: decorator
@inline
function needsObjTag(o: usize): bool {
  const n = vecLen(o);
  for (let i: u32 = 0; i < n; i++) {
    const k = objKey(o, i);
    if (load<u8>(k) != T_STRING || (strLen(k) > 0 && load<u8>(strPtr(k)) == 0)) return true;
  }
  return false;
}

/** Appends `v` as tagged JSON. */
function dumpTagged(b: usize, v: usize): void {
  const t = load<u8>(v);
  if (t == T_ARRAY || t == T_SET) {
    const n = vecLen(v);
    if (t == T_SET) bufStr(b, '{"\\u0000set":');
    bufByte(b, 91);
    for (let i: u32 = 0; i < n; i++) {
      if (i != 0) bufByte(b, 44);
      dumpTagged(b, vecGet(v, i));
    }
    bufByte(b, 93);
    if (t == T_SET) bufByte(b, 125);
    return;
  }
  if (t == T_OBJECT) {
    const n = vecLen(v);
    const tagged = needsObjTag(v);
    bufStr(b, tagged ? '{"\\u0000obj":[' : "{");
    for (let i: u32 = 0; i < n; i++) {
      if (i != 0) bufByte(b, 44);
      const k = objKey(v, i);
      if (tagged) {
        bufByte(b, 91);
        dumpTagged(b, k);
        bufByte(b, 44);
      } else {
        dumpStringBytes(b, strPtr(k), strLen(k), false);
        bufByte(b, 58);
      }
      dumpTagged(b, objVal(v, i));
      if (tagged) bufByte(b, 93);
    }
    bufStr(b, tagged ? "]}" : "}");
    return;
  }
  dumpJSON(b, v, false);
}

/** True if string value `k` is the tag `\0` + `name`. */
function isTag(k: usize, name: string): bool {
  const n = strLen(k);
  if (n != <u32>name.length + 1) return false;
  const p = strPtr(k);
  if (load<u8>(p) != 0) return false;
  for (let i = 0; i < name.length; i++) if (<u32>load<u8>(p + 1 + i) != <u32>name.charCodeAt(i)) return false;
  return true;
}

/** Tagged JSON (parsed) to the value it stands for. */
function untag(v: usize): usize {
  const t = load<u8>(v);
  if (t == T_ARRAY) {
    const n = vecLen(v);
    const out = mkArray(n);
    for (let i: u32 = 0; i < n; i++) arrPush(out, untag(vecGet(v, i)));
    return out;
  }
  if (t != T_OBJECT) return v;
  const n = vecLen(v);
  if (n == 1 && load<u8>(objVal(v, 0)) == T_ARRAY) {
    const k = objKey(v, 0);
    const items = objVal(v, 0);
    const m = vecLen(items);
    if (isTag(k, "set")) {
      const elems = alloc(<usize>m << 2);
      for (let i: u32 = 0; i < m; i++) store<u32>(elems + (<usize>i << 2), <u32>untag(vecGet(items, i)));
      return mkSetFromElems(elems, m);
    }
    if (isTag(k, "obj")) {
      const entries = alloc(<usize>m << 3);
      for (let i: u32 = 0; i < m; i++) {
        const pair = vecGet(items, i);
        store<u32>(entries + (<usize>i << 3), <u32>untag(vecGet(pair, 0)));
        store<u32>(entries + (<usize>i << 3), <u32>untag(vecGet(pair, 1)), 4);
      }
      return mkObjectFromEntries(entries, m);
    }
  }
  const entries = alloc(<usize>n << 3);
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(entries + (<usize>i << 3), <u32>objKey(v, i));
    store<u32>(entries + (<usize>i << 3), <u32>untag(objVal(v, i)), 4);
  }
  return mkObjectFromEntries(entries, n);
}

