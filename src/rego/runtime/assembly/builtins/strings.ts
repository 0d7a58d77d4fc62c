import { bufByte, bufBytes, bufLen, bufNew, bufPtr, bufStr } from "../buf";
import { abortBuiltin as builtinAbort, bufAsciiSafe, startMessage, strictErrors, builtinError, builtinFailure, clearBuiltinFailure, elementTypeError, operandError, typeError } from "../error";
import { bigFormatBase, bigFromNumber } from "../bigint";
import { bufUtf8 } from "../json";
import { mkFloat, mkInt, mkNumberText, numIsInt, numToF64, numToI64, parseF64 } from "../number";
import { decodeAt, decodedSize, findBytes, isSpace, runeCount, runeLen, runeOffset, toLower, toUpper } from "../utf8";
import {
  FALSE, T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING, TRUE, arrPush, mkArray, mkBool,
  mkString, objKey, objVal, strLen, strPtr, vecGet, vecLen,
} from "../value";
import { needNumber, needString } from "./util";

// @ts-ignore: decorator
@inline
function str(b: usize): usize {
  return mkString(bufPtr(b), bufLen(b));
}

export function b_concat(delim: usize, coll: usize): usize {
  if (!needString("concat", 1, delim)) return 0;
  const t = load<u8>(coll);
  if (t != T_ARRAY && t != T_SET) {
    typeError("concat", 2, "one of {array, set}", coll);
    return 0;
  }
  const n = vecLen(coll);
  const b = bufNew(64);
  for (let i: u32 = 0; i < n; i++) {
    const x = vecGet(coll, i);
    if (load<u8>(x) != T_STRING) {
      typeError("concat", 2, "one of {array, set} of strings", coll);
      return 0;
    }
    if (i != 0) bufBytes(b, strPtr(delim), strLen(delim));
    bufBytes(b, strPtr(x), strLen(x));
  }
  return str(b);
}

export function b_contains(s: usize, sub: usize): usize {
  if (!needString("contains", 1, s)) return 0;
  if (!needString("contains", 2, sub)) return 0;
  return mkBool(findBytes(strPtr(s), strLen(s), strPtr(sub), strLen(sub), 0) >= 0);
}

export function b_startswith(s: usize, p: usize): usize {
  if (!needString("startswith", 1, s)) return 0;
  if (!needString("startswith", 2, p)) return 0;
  const n = strLen(p);
  return mkBool(n <= strLen(s) && memory.compare(strPtr(s), strPtr(p), n) == 0);
}

export function b_endswith(s: usize, p: usize): usize {
  if (!needString("endswith", 1, s)) return 0;
  if (!needString("endswith", 2, p)) return 0;
  const n = strLen(p);
  const m = strLen(s);
  return mkBool(n <= m && memory.compare(strPtr(s) + m - n, strPtr(p), n) == 0);
}

function mapCase(s: usize, upper: bool): usize {
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n);
  let i: u32 = 0;
  while (i < n) {
    const cp = decodeAt(p, n, i);
    const size = decodedSize();
    const m = upper ? toUpper(cp) : toLower(cp);
    if (m == cp) bufBytes(b, p + i, size);
    else bufUtf8(b, m);
    i += size;
  }
  return str(b);
}

export function b_lower(s: usize): usize {
  if (!needString("lower", 1, s)) return 0;
  return mapCase(s, false);
}

export function b_upper(s: usize): usize {
  if (!needString("upper", 1, s)) return 0;
  return mapCase(s, true);
}

export function b_split(s: usize, sep: usize): usize {
  if (!needString("split", 1, s)) return 0;
  if (!needString("split", 2, sep)) return 0;
  const p = strPtr(s);
  const n = strLen(s);
  const q = strPtr(sep);
  const ql = strLen(sep);
  const r = mkArray(4);
  if (ql == 0) {
    let i: u32 = 0;
    while (i < n) {
      const k = runeLen(p, n, i);
      arrPush(r, mkString(p + i, k));
      i += k;
    }
    return r;
  }
  let start: u32 = 0;
  while (true) {
    const at = findBytes(p, n, q, ql, start);
    if (at < 0) break;
    arrPush(r, mkString(p + start, <u32>at - start));
    start = <u32>at + ql;
  }
  arrPush(r, mkString(p + start, n - start));
  return r;
}

function inCutset(cp: u32, cut: usize): bool {
  const p = strPtr(cut);
  const n = strLen(cut);
  let i: u32 = 0;
  while (i < n) {
    if (decodeAt(p, n, i) == cp) return true;
    i += decodedSize();
  }
  return false;
}

/** Trims runes in `cut` (or Unicode space when cut is 0) from the left and/or right. */
function trimRunes(s: usize, cut: usize, left: bool, right: bool): usize {
  const p = strPtr(s);
  const n = strLen(s);
  let a: u32 = 0;
  let e: u32 = n;
  if (left) {
    while (a < e) {
      const cp = decodeAt(p, n, a);
      if (cut == 0 ? !isSpace(cp) : !inCutset(cp, cut)) break;
      a += decodedSize();
    }
  }
  if (right) {
    while (e > a) {
      // find the start of the last rune
      let k = e - 1;
      while (k > a && (load<u8>(p + k) & 0xc0) == 0x80) k--;
      const cp = decodeAt(p, n, k);
      if (cut == 0 ? !isSpace(cp) : !inCutset(cp, cut)) break;
      e = k;
    }
  }
  return mkString(p + a, e - a);
}

export function b_trim(s: usize, cut: usize): usize {
  if (!needString("trim", 1, s)) return 0;
  if (!needString("trim", 2, cut)) return 0;
  return trimRunes(s, cut, true, true);
}

export function b_trim_left(s: usize, cut: usize): usize {
  if (!needString("trim_left", 1, s)) return 0;
  if (!needString("trim_left", 2, cut)) return 0;
  return trimRunes(s, cut, true, false);
}

export function b_trim_right(s: usize, cut: usize): usize {
  if (!needString("trim_right", 1, s)) return 0;
  if (!needString("trim_right", 2, cut)) return 0;
  return trimRunes(s, cut, false, true);
}

export function b_trim_space(s: usize): usize {
  if (!needString("trim_space", 1, s)) return 0;
  return trimRunes(s, 0, true, true);
}

export function b_trim_prefix(s: usize, pre: usize): usize {
  if (!needString("trim_prefix", 1, s)) return 0;
  if (!needString("trim_prefix", 2, pre)) return 0;
  const n = strLen(pre);
  if (n <= strLen(s) && memory.compare(strPtr(s), strPtr(pre), n) == 0) return mkString(strPtr(s) + n, strLen(s) - n);
  return s;
}

export function b_trim_suffix(s: usize, suf: usize): usize {
  if (!needString("trim_suffix", 1, s)) return 0;
  if (!needString("trim_suffix", 2, suf)) return 0;
  const n = strLen(suf);
  const m = strLen(s);
  if (n <= m && memory.compare(strPtr(s) + m - n, strPtr(suf), n) == 0) return mkString(strPtr(s), m - n);
  return s;
}

export function b_replace(s: usize, old: usize, nw: usize): usize {
  if (!needString("replace", 1, s)) return 0;
  if (!needString("replace", 2, old)) return 0;
  if (!needString("replace", 3, nw)) return 0;
  const p = strPtr(s);
  const n = strLen(s);
  const ol = strLen(old);
  const b = bufNew(n);
  if (ol == 0) {
    // Go: insert at the start and after every rune
    let i: u32 = 0;
    bufBytes(b, strPtr(nw), strLen(nw));
    while (i < n) {
      const k = runeLen(p, n, i);
      bufBytes(b, p + i, k);
      bufBytes(b, strPtr(nw), strLen(nw));
      i += k;
    }
    return str(b);
  }
  let start: u32 = 0;
  while (true) {
    const at = findBytes(p, n, strPtr(old), ol, start);
    if (at < 0) break;
    bufBytes(b, p + start, <u32>at - start);
    bufBytes(b, strPtr(nw), strLen(nw));
    start = <u32>at + ol;
  }
  bufBytes(b, p + start, n - start);
  return str(b);
}

export function b_strings__replace_n(patterns: usize, s: usize): usize {
  if (load<u8>(patterns) != T_OBJECT) {
    typeError("strings.replace_n", 1, "object", patterns);
    return 0;
  }
  const np = vecLen(patterns);
  for (let j: u32 = 0; j < np; j++) {
    if (load<u8>(objKey(patterns, j)) != T_STRING) {
      operandError("strings.replace_n", 1, "non-string key found in pattern object");
      return 0;
    }
    if (load<u8>(objVal(patterns, j)) != T_STRING) {
      operandError("strings.replace_n", 1, "non-string value found in pattern object");
      return 0;
    }
  }
  if (!needString("strings.replace_n", 2, s)) return 0;
  // Go's strings.NewReplacer with the pairs in key order: at each position the first matching
  // key wins; an empty key matches everywhere, but not twice in a row at the same position.
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n);
  let i: u32 = 0;
  let last: u32 = 0;
  let prevEmpty = false;
  while (i <= n) {
    let hit: i32 = -1;
    for (let j: u32 = 0; j < np; j++) {
      const k = objKey(patterns, j);
      const kl = strLen(k);
      if (kl == 0) {
        if (prevEmpty) continue;
        hit = <i32>j;
        break;
      }
      if (i + kl <= n && memory.compare(p + i, strPtr(k), kl) == 0) {
        hit = <i32>j;
        break;
      }
    }
    if (hit < 0) {
      prevEmpty = false;
      i++;
      continue;
    }
    const k = objKey(patterns, <u32>hit);
    const v = objVal(patterns, <u32>hit);
    prevEmpty = strLen(k) == 0;
    bufBytes(b, p + last, i - last);
    bufBytes(b, strPtr(v), strLen(v));
    i += strLen(k);
    last = i;
  }
  if (last < n) bufBytes(b, p + last, n - last);
  return str(b);
}

function intArg(name: string, pos: i32, v: usize): i64 {
  if (!needNumber(name, pos, v)) return 0;
  if (!numIsInt(v)) {
    operandError(name, pos, "must be integer number but got floating-point number");
    return 0;
  }
  return numToI64(v);
}

export function b_substring(s: usize, start: usize, length: usize): usize {
  if (!needString("substring", 1, s)) return 0;
  clearBuiltinFailure();
  const st = intArg("substring", 2, start);
  const ln = intArg("substring", 3, length);
  if (builtinFailure()) return 0;
  if (st < 0) {
    builtinError("substring", "negative offset");
    return 0;
  }
  const p = strPtr(s);
  const n = strLen(s);
  const runes = <i64>runeCount(p, n);
  if (st >= runes) return mkString(p, 0);
  const a = runeOffset(p, n, <u32>st);
  if (ln < 0 || st + ln >= runes) return mkString(p + a, n - a);
  const e = a + runeOffset(p + a, n - a, <u32>ln);
  return mkString(p + a, e - a);
}

export function b_indexof(s: usize, sub: usize): usize {
  if (!needString("indexof", 1, s)) return 0;
  if (!needString("indexof", 2, sub)) return 0;
  if (strLen(sub) == 0) {
    // As OPA: an empty search string is an error (undefined unless strict).
    builtinError("indexof", "empty search character");
    return 0;
  }
  const p = strPtr(s);
  const at = findBytes(p, strLen(s), strPtr(sub), strLen(sub), 0);
  if (at < 0) return mkInt(-1);
  return mkInt(runeCount(p, <u32>at));
}

export function b_indexof_n(s: usize, sub: usize): usize {
  if (!needString("indexof_n", 1, s)) return 0;
  if (!needString("indexof_n", 2, sub)) return 0;
  if (strLen(sub) == 0) {
    // As OPA: an empty search string is an error (undefined unless strict).
    builtinError("indexof_n", "empty search character");
    return 0;
  }
  const p = strPtr(s);
  const n = strLen(s);
  const ql = strLen(sub);
  const r = mkArray(0);
  let from: u32 = 0;
  while (from <= n) {
    const at = findBytes(p, n, strPtr(sub), ql, from);
    if (at < 0) break;
    arrPush(r, mkInt(runeCount(p, <u32>at)));
    from = <u32>at + (ql == 0 ? 1 : 1);
  }
  return r;
}

export function b_strings__reverse(s: usize): usize {
  if (!needString("strings.reverse", 1, s)) return 0;
  const p = strPtr(s);
  const n = strLen(s);
  const out = bufNew(n);
  let e = n;
  while (e > 0) {
    let k = e - 1;
    while (k > 0 && (load<u8>(p + k) & 0xc0) == 0x80) k--;
    bufBytes(out, p + k, e - k);
    e = k;
  }
  return str(out);
}

export function b_strings__count(s: usize, sub: usize): usize {
  if (!needString("strings.count", 1, s)) return 0;
  if (!needString("strings.count", 2, sub)) return 0;
  const p = strPtr(s);
  const n = strLen(s);
  const ql = strLen(sub);
  if (ql == 0) return mkInt(<i64>runeCount(p, n) + 1);
  let c: i64 = 0;
  let from: u32 = 0;
  while (true) {
    const at = findBytes(p, n, strPtr(sub), ql, from);
    if (at < 0) break;
    c++;
    from = <u32>at + ql;
  }
  return mkInt(c);
}

function stringsOf(name: string, pos: i32, v: usize): bool {
  const t = load<u8>(v);
  if (t == T_STRING) return true;
  if (t != T_ARRAY && t != T_SET) {
    typeError(name, pos, "one of {string, set, array}", v);
    return false;
  }
  const n = vecLen(v);
  for (let i: u32 = 0; i < n; i++) {
    const x = vecGet(v, i);
    if (load<u8>(x) != T_STRING) {
      elementTypeError(name, pos, v, x);
      return false;
    }
  }
  return true;
}

function anyMatch(name: string, search: usize, base: usize, prefix: bool): usize {
  if (!stringsOf(name, 1, search) || !stringsOf(name, 2, base)) return 0;
  const ns: u32 = load<u8>(search) == T_STRING ? 1 : vecLen(search);
  const nb: u32 = load<u8>(base) == T_STRING ? 1 : vecLen(base);
  for (let i: u32 = 0; i < ns; i++) {
    const s = load<u8>(search) == T_STRING ? search : vecGet(search, i);
    for (let j: u32 = 0; j < nb; j++) {
      const b = load<u8>(base) == T_STRING ? base : vecGet(base, j);
      const bl = strLen(b);
      const sl = strLen(s);
      if (bl > sl) continue;
      const at = prefix ? strPtr(s) : strPtr(s) + sl - bl;
      if (memory.compare(at, strPtr(b), bl) == 0) return TRUE;
    }
  }
  return FALSE;
}

export function b_strings__any_prefix_match(search: usize, base: usize): usize {
  return anyMatch("strings.any_prefix_match", search, base, true);
}

export function b_strings__any_suffix_match(search: usize, base: usize): usize {
  return anyMatch("strings.any_suffix_match", search, base, false);
}

export function b_format_int(num: usize, base: usize): usize {
  if (!needNumber("format_int", 1, num)) return 0;
  if (!needNumber("format_int", 2, base)) return 0;
  const bs = numIsInt(base) ? numToI64(base) : 0;
  if (bs != 2 && bs != 8 && bs != 10 && bs != 16) {
    operandError("format_int", 2, "must be one of {2, 8, 10, 16}");
    return 0;
  }
  // OPA truncates toward zero (big.Float.Int) and formats the exact integer (big.Int.Text)
  if (numIsInt(num)) {
    const x = numToI64(num);
    const neg = x < 0;
    return str(intDigits(neg ? <u64>(-(x + 1)) + 1 : <u64>x, neg, <u64>bs));
  }
  let big = bigFromNumber(num);
  if (big == 0) big = bigFromNumber(mkFloat(Math.trunc(numToF64(num))));
  if (big == 0) {
    operandError("format_int", 1, "must be a finite number");
    return 0;
  }
  const out = bufNew(72);
  bigFormatBase(out, big, <u32>bs);
  return str(out);
}

function intDigits(m: u64, neg: bool, bs: u64): usize {
  const tmp = bufNew(72);
  const out = bufNew(72);
  do {
    const d = <u32>(m % bs);
    bufByte(tmp, d < 10 ? 48 + d : 87 + d);
    m /= bs;
  } while (m != 0);
  if (neg) bufByte(out, 45);
  const n = bufLen(tmp);
  for (let i: u32 = n; i > 0; i--) bufByte(out, load<u8>(bufPtr(tmp) + i - 1));
  return out;
}

/** Go's strconv.ParseFloat syntax subset: [+-] digits [. digits] [e[+-]digits], or [+-] . digits. */
function numberSyntax(p: usize, n: u32): bool {
  let i: u32 = 0;
  if (i < n && (load<u8>(p) == 43 || load<u8>(p) == 45)) i++;
  let digits: u32 = 0;
  while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) {
    i++;
    digits++;
  }
  if (i < n && load<u8>(p + i) == 46) {
    i++;
    while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) {
      i++;
      digits++;
    }
  }
  if (digits == 0) return false;
  if (i < n && (load<u8>(p + i) == 101 || load<u8>(p + i) == 69)) {
    i++;
    if (i < n && (load<u8>(p + i) == 43 || load<u8>(p + i) == 45)) i++;
    let ed: u32 = 0;
    while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) {
      i++;
      ed++;
    }
    if (ed == 0) return false;
  }
  return i == n;
}

/** True if the text is also valid JSON number syntax (so it can be kept as the number's text). */
function jsonSyntax(p: usize, n: u32): bool {
  let i: u32 = 0;
  if (i < n && load<u8>(p) == 45) i++;
  if (i >= n) return false;
  const c = load<u8>(p + i);
  if (c < 48 || c > 57) return false;
  if (c == 48 && i + 1 < n && load<u8>(p + i + 1) >= 48 && load<u8>(p + i + 1) <= 57) return false;
  for (let j: u32 = i; j < n; j++) {
    if (load<u8>(p + j) == 46) {
      if (j + 1 >= n || load<u8>(p + j + 1) < 48 || load<u8>(p + j + 1) > 57) return false;
    }
  }
  return true;
}

function infinityOrNaN(p: usize, n: u32): bool {
  let i: u32 = 0;
  while (i < n && (load<u8>(p + i) == 43 || load<u8>(p + i) == 45)) i++;
  return lowerEquals(p + i, n - i, "inf") || lowerEquals(p + i, n - i, "infinity") || lowerEquals(p + i, n - i, "nan");
}

/** Whether the n bytes at p, ASCII letters lowered, are the ASCII `word`. */
function lowerEquals(p: usize, n: u32, word: string): bool {
  if (<i32>n != word.length) return false;
  for (let i: u32 = 0; i < n; i++) {
    let c = <u32>load<u8>(p + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c != <u32>word.charCodeAt(i)) return false;
  }
  return true;
}

export function b_to_number(v: usize): usize {
  const t = load<u8>(v);
  if (t == T_NUMBER) return v;
  if (t == T_NULL) return mkInt(0);
  if (t == T_BOOLEAN) return mkInt(load<u8>(v, 1) != 0 ? 1 : 0);
  if (t != T_STRING) {
    typeError("to_number", 1, "one of {null, boolean, number, string}", v);
    return 0;
  }
  const p = strPtr(v);
  const n = strLen(v);
  if (!numberSyntax(p, n)) {
    // as OPA: "inf", "infinity" and "nan" (any case, any signs before) are a type error
    if (infinityOrNaN(p, n)) {
      typeError("to_number", 1, "valid number string", v);
      return 0;
    }
    if (!strictErrors()) return 0;
    const b = startMessage();
    bufStr(b, "eval_builtin_error: to_number: strconv.ParseFloat: parsing ");
    bufByte(b, 34);
    bufAsciiSafe(b, p, n);
    bufByte(b, 34);
    bufStr(b, ": invalid syntax");
    builtinAbort(b);
  }
  if (jsonSyntax(p, n)) return mkNumberText(p, n);
  return mkFloat(parseF64(p, n));
}



