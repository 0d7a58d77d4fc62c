import { bufByte, bufI64, bufLen, bufNew, bufPtr, bufStr } from "../buf";
import { abortBuiltin, builtinError, startMessage, strictErrors } from "../error";
import { dumpJSON, jsonParse } from "../json";
import { FALSE, TRUE, mkString, strLen, strPtr } from "../value";
import { needString } from "./util";

export function b_json__marshal(v: usize): usize {
  const b = bufNew(128);
  dumpJSON(b, v, true);
  return mkString(bufPtr(b), bufLen(b));
}

export function b_json__unmarshal(s: usize): usize {
  if (!needString("json.unmarshal", 1, s)) return 0;
  const v = jsonParse(strPtr(s), strLen(s));
  if (v == 0) {
    builtinError("json.unmarshal", "invalid JSON");
    return 0;
  }
  return v;
}

export function b_json__is_valid(s: usize): usize {
  if (load<u8>(s) != 4) return FALSE;
  return jsonParse(strPtr(s), strLen(s)) != 0 ? TRUE : FALSE;
}

const STD = memory.data<u8>([
  65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90,
  97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,
  48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 43, 47,
]);

function encode(s: usize, url: bool, padding: bool): usize {
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew((n / 3 + 1) * 4);
  let i: u32 = 0;
  while (i + 3 <= n) {
    const x = (<u32>load<u8>(p + i) << 16) | (<u32>load<u8>(p + i + 1) << 8) | <u32>load<u8>(p + i + 2);
    sym(b, x >> 18, url);
    sym(b, (x >> 12) & 63, url);
    sym(b, (x >> 6) & 63, url);
    sym(b, x & 63, url);
    i += 3;
  }
  const rest = n - i;
  if (rest == 1) {
    const x = <u32>load<u8>(p + i) << 16;
    sym(b, x >> 18, url);
    sym(b, (x >> 12) & 63, url);
    if (padding) bufStr(b, "==");
  } else if (rest == 2) {
    const x = (<u32>load<u8>(p + i) << 16) | (<u32>load<u8>(p + i + 1) << 8);
    sym(b, x >> 18, url);
    sym(b, (x >> 12) & 63, url);
    sym(b, (x >> 6) & 63, url);
    if (padding) bufByte(b, 61);
  }
  return mkString(bufPtr(b), bufLen(b));
}

function sym(b: usize, d: u32, url: bool): void {
  let c = <u32>load<u8>(STD + d);
  if (url && c == 43) c = 45;
  else if (url && c == 47) c = 95;
  bufByte(b, c);
}

function val(c: u32, url: bool): i32 {
  if (c >= 65 && c <= 90) return <i32>(c - 65);
  if (c >= 97 && c <= 122) return <i32>(c - 71);
  if (c >= 48 && c <= 57) return <i32>(c + 4);
  if (url ? c == 45 : c == 43) return 62;
  if (url ? c == 95 : c == 47) return 63;
  return -1;
}

let badAt: i32 = -1;

/** Decodes base64 (padding required when `strict`); returns 0 and sets badAt on error. */
function decode(s: usize, url: bool, strict: bool): usize {
  const p = strPtr(s);
  let n = strLen(s);
  const b = bufNew(n);
  // strip \r and \n like Go's decoder
  let acc: u32 = 0;
  let bits: u32 = 0;
  let count: u32 = 0;
  let padded: u32 = 0;
  badAt = -1;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c == 10 || c == 13) continue;
    if (c == 61) {
      padded++;
      continue;
    }
    if (padded != 0) {
      badAt = <i32>i;
      return 0;
    }
    const v = val(c, url);
    if (v < 0) {
      badAt = <i32>i;
      return 0;
    }
    acc = (acc << 6) | <u32>v;
    bits += 6;
    count++;
    if (bits >= 8) {
      bits -= 8;
      bufByte(b, (acc >> bits) & 255);
    }
  }
  const r = count % 4;
  if (r == 1) {
    badAt = <i32>n;
    return 0;
  }
  if (strict && r != 0 && padded != 4 - r) {
    badAt = <i32>n;
    return 0;
  }
  if (padded != 0 && padded != (r == 0 ? 0 : 4 - r)) {
    badAt = <i32>n;
    return 0;
  }
  return mkString(bufPtr(b), bufLen(b));
}

function decodeError(name: string): usize {
  if (!strictErrors()) return 0;
  const b = startMessage();
  bufStr(b, "eval_builtin_error: ");
  bufStr(b, name);
  bufStr(b, ": illegal base64 data at input byte ");
  bufI64(b, badAt);
  abortBuiltin(b);
  return 0;
}

export function b_base64__encode(s: usize): usize {
  if (!needString("base64.encode", 1, s)) return 0;
  return encode(s, false, true);
}

export function b_base64__decode(s: usize): usize {
  if (!needString("base64.decode", 1, s)) return 0;
  const r = decode(s, false, true);
  if (r == 0) return decodeError("base64.decode");
  return r;
}

export function b_base64__is_valid(s: usize): usize {
  if (!needString("base64.is_valid", 1, s)) return 0;
  return decode(s, false, true) != 0 ? TRUE : FALSE;
}

export function b_base64url__encode(s: usize): usize {
  if (!needString("base64url.encode", 1, s)) return 0;
  return encode(s, true, true);
}

export function b_base64url__encode_no_pad(s: usize): usize {
  if (!needString("base64url.encode_no_pad", 1, s)) return 0;
  return encode(s, true, false);
}

export function b_base64url__decode(s: usize): usize {
  if (!needString("base64url.decode", 1, s)) return 0;
  const r = decode(s, true, false);
  if (r == 0) return decodeError("base64url.decode");
  return r;
}

