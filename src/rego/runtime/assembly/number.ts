// Numbers. Layout (24 bytes): u8 type @0, u8 kind @1, u32 text pointer @4 (0 = none),
// payload @8 (i64 for INT, f64 for FLOAT), u32 text length @16.
// INT is the fast path for integers in i64 range. FLOAT holds an f64 and, for numbers that came
// from literals or JSON, their exact text, so that big integers and decimals round-trip exactly.
// Integer arithmetic beyond i64 is exact (bigint.ts); results beyond i64 are FLOATs with their
// decimal text. Other arithmetic on FLOATs is f64 (OPA uses big.Float); integral results become
// INTs.
import { alloc } from "./mem";
import { bufByte, bufBytes, bufI64 } from "./buf";
import { T_NUMBER } from "./value";
import { decimalToF64 } from "./bigint";
import { dtoa_buffered } from "~lib/util/number";
import { strtod } from "~lib/util/string";

export const N_INT: u8 = 0;
export const N_FLOAT: u8 = 1;

const TWO63: f64 = 9223372036854775808.0;

// @ts-ignore: decorator
@inline
export function mkInt(v: i64): usize {
  const n = alloc(24);
  store<u8>(n, T_NUMBER);
  store<u8>(n, N_INT, 1);
  store<u32>(n, 0, 4);
  store<i64>(n, v, 8);
  store<u32>(n, 0, 16);
  return n;
}

function mkFloatRaw(f: f64, text: usize, textLen: u32): usize {
  const n = alloc(24);
  store<u8>(n, T_NUMBER);
  store<u8>(n, N_FLOAT, 1);
  store<u32>(n, <u32>text, 4);
  store<f64>(n, f, 8);
  store<u32>(n, textLen, 16);
  return n;
}

/** A FLOAT with value `f` that keeps its exact source text (`len` bytes at `text`). */
export function mkFloatText(f: f64, text: usize, textLen: u32): usize {
  return mkFloatRaw(f, text, textLen);
}

/** A computed number: integral values in the exactly representable range become INTs. */
export function mkFloat(f: f64): usize {
  if (f == Math.floor(f) && Math.abs(f) <= 9007199254740992.0) return mkInt(<i64>f);
  return mkFloatRaw(f, 0, 0);
}

// @ts-ignore: decorator
@inline
export function numKind(n: usize): u8 {
  return load<u8>(n, 1);
}

// @ts-ignore: decorator
@inline
export function numInt(n: usize): i64 {
  return load<i64>(n, 8);
}

export function numToF64(n: usize): f64 {
  return load<u8>(n, 1) == N_INT ? <f64>load<i64>(n, 8) : load<f64>(n, 8);
}

/** True if the number is an integer that fits in i64 (so numToI64 is exact). */
export function numIsInt(n: usize): bool {
  if (load<u8>(n, 1) == N_INT) return true;
  const f = load<f64>(n, 8);
  return f == Math.floor(f) && f < TWO63 && f >= -TWO63 && !textIsBigInt(n);
}

function textIsBigInt(n: usize): bool {
  // An integral FLOAT whose exact text is an integer literal outside i64 range.
  const len = load<u32>(n, 16);
  return len != 0 && Math.abs(load<f64>(n, 8)) >= 9007199254740992.0;
}

export function numToI64(n: usize): i64 {
  return load<u8>(n, 1) == N_INT ? load<i64>(n, 8) : <i64>load<f64>(n, 8);
}

/** True if the number is an integer (of any size). */
export function numIsIntegral(n: usize): bool {
  if (load<u8>(n, 1) == N_INT) return true;
  const f = load<f64>(n, 8);
  return f == Math.floor(f) && !!isFinite(f);
}

/** Parses an f64 from `len` ASCII bytes (valid JSON number syntax). */
export function parseF64(ptr: usize, len: u32): f64 {
  if (strtodMisreads(ptr, len)) return decimalToF64(ptr, len);
  // strtod reads an AssemblyScript string; build one in scratch memory: its length lives in the
  // 4 bytes before the UTF-16 data (the runtime object header's rtSize field).
  const p = alloc(8 + (<usize>len << 1));
  const s = p + 8;
  store<u32>(s - 4, len << 1);
  for (let i: u32 = 0; i < len; i++) store<u16>(s + (<usize>i << 1), <u16>load<u8>(ptr + i));
  return strtod(changetype<string>(s));
}

/**
 * AssemblyScript's strtod keeps 19 significant digits and scales large ones imprecisely: texts
 * with more than 15 significant digits and a power of ten beyond 22, or more than 19 digits, go
 * through the exact conversion instead (rare: long literals and big integers).
 */
function strtodMisreads(ptr: usize, len: u32): bool {
  let digits: i32 = 0;
  let significant = false;
  let afterPoint: i32 = 0;
  let point = false;
  let i: u32 = 0;
  for (; i < len; i++) {
    const c = load<u8>(ptr + i);
    if (c == 46) {
      point = true;
      continue;
    }
    if (c == 101 || c == 69) break;
    if (c < 48 || c > 57) continue;
    if (c != 48) significant = true;
    if (significant) digits++;
    if (point) afterPoint++;
  }
  if (digits > 19) return true;
  if (digits <= 15) return false;
  let exp: i32 = 0;
  let eneg = false;
  for (i++; i < len; i++) {
    const c = load<u8>(ptr + i);
    if (c == 45) eneg = true;
    else if (c >= 48 && c <= 57 && exp < 100000) exp = exp * 10 + <i32>(c - 48);
  }
  const scale = (eneg ? -exp : exp) - afterPoint;
  return scale > 22 || scale < -22;
}

/**
 * A number from its JSON text (`ptr`, `len` bytes, assumed valid: -?int frac? exp?). Integers in
 * i64 range become INTs; everything else keeps its text.
 */
export function mkNumberText(ptr: usize, len: u32): usize {
  let i: u32 = 0;
  let neg = false;
  if (len > 0 && load<u8>(ptr) == 45) {
    neg = true;
    i = 1;
  }
  let integer = true;
  for (let j = i; j < len; j++) {
    const c = load<u8>(ptr + j);
    if (c < 48 || c > 57) {
      integer = false;
      break;
    }
  }
  if (integer && len - i <= 19 && len > i) {
    let m: u64 = 0;
    for (let j = i; j < len; j++) m = m * 10 + <u64>(load<u8>(ptr + j) - 48);
    if (len - i < 19 || (neg ? m <= 9223372036854775808 : m <= 9223372036854775807)) {
      return mkInt(neg ? <i64>(0 - m) : <i64>m);
    }
  }
  return mkFloatRaw(parseF64(ptr, len), ptr, len);
}

/** Appends the number's text: its literal text if it has one, else Go's formatting. */
export function numFormat(b: usize, n: usize): void {
  if (load<u8>(n, 1) == N_INT) {
    bufI64(b, load<i64>(n, 8));
    return;
  }
  const tlen = load<u32>(n, 16);
  if (tlen != 0) {
    bufBytes(b, <usize>load<u32>(n, 4), tlen);
    return;
  }
  formatFloatG(b, load<f64>(n, 8), 6);
}

// Decimal digits of an f64 (shortest round-trip), as produced by Grisu via dtoa_buffered.
// Fills `digits` (ASCII, no leading/trailing zeros) and returns the count; sets decExp so that
// value = 0.d1d2d3... * 10^decExp.
let decExp: i32 = 0;
let decNeg: bool = false;

function shortestDigits(f: f64, digits: usize): i32 {
  const tmp = alloc(64);
  const n = <i32>dtoa_buffered(tmp, f);
  decNeg = false;
  let nd: i32 = 0;
  let dp: i32 = -1; // digits before the decimal point; -1 = no point seen yet
  let exp: i32 = 0;
  let i: i32 = 0;
  let leading = true;
  let intDigits: i32 = 0;
  for (; i < n; i++) {
    const c = <i32>load<u16>(tmp + (<usize>i << 1));
    if (c == 45) {
      decNeg = true;
      continue;
    }
    if (c == 46) {
      dp = intDigits;
      continue;
    }
    if (c == 101) {
      // exponent
      i++;
      let eneg = false;
      let c2 = <i32>load<u16>(tmp + (<usize>i << 1));
      if (c2 == 45 || c2 == 43) {
        eneg = c2 == 45;
        i++;
      }
      for (; i < n; i++) exp = exp * 10 + (<i32>load<u16>(tmp + (<usize>i << 1)) - 48);
      if (eneg) exp = -exp;
      break;
    }
    // a digit
    if (dp < 0) intDigits++;
    if (leading && c == 48) {
      if (dp >= 0) exp--; // leading zero after the point shifts the exponent
      else intDigits--;
      continue;
    }
    leading = false;
    store<u8>(digits + nd, <u8>c);
    nd++;
  }
  if (dp < 0) dp = intDigits;
  // value = 0.digits * 10^(dp + exp) where leading fractional zeros were folded into exp
  while (nd > 0 && load<u8>(digits + nd - 1) == 48) nd--;
  decExp = dp + exp;
  return nd;
}

/**
 * Go's strconv.FormatFloat(f, 'g', -1, 64) with the %e threshold `eprec` (6 for big.Float/'g',
 * 21 for fmt's %v).
 */
export function formatFloatG(b: usize, f: f64, eprec: i32): void {
  if (f == 0) {
    bufByte(b, 48);
    return;
  }
  if (isNaN(f)) {
    bufBytes(b, changetype<usize>(NAN_TXT), 3);
    return;
  }
  if (!isFinite(f)) {
    if (f < 0) bufByte(b, 45);
    bufBytes(b, changetype<usize>(INF_TXT), 3);
    return;
  }
  const digits = alloc(32);
  const nd = shortestDigits(f, digits);
  if (decNeg) bufByte(b, 45);
  const exp = decExp - 1;
  if (exp < -4 || exp >= eprec) {
    bufByte(b, load<u8>(digits));
    if (nd > 1) {
      bufByte(b, 46);
      bufBytes(b, digits + 1, nd - 1);
    }
    bufByte(b, 101);
    let e = exp;
    if (e < 0) {
      bufByte(b, 45);
      e = -e;
    } else bufByte(b, 43);
    if (e < 10) bufByte(b, 48);
    bufI64(b, e);
    return;
  }
  formatDigitsFixed(b, digits, nd, decExp, -1);
}

/** Appends 0.d1d2..dn * 10^dp in fixed notation; `prec` >= 0 forces that many decimals. */
export function formatDigitsFixed(b: usize, digits: usize, nd: i32, dp: i32, prec: i32): void {
  if (dp <= 0) {
    bufByte(b, 48);
  } else {
    for (let i: i32 = 0; i < dp; i++) bufByte(b, i < nd ? load<u8>(digits + i) : 48);
  }
  let frac = nd - dp;
  if (prec >= 0) frac = prec;
  if (frac > 0) {
    bufByte(b, 46);
    for (let i: i32 = 0; i < frac; i++) {
      const k = dp + i;
      bufByte(b, k >= 0 && k < nd ? load<u8>(digits + k) : 48);
    }
  }
}

/** Shortest digits of `f` for callers formatting it themselves (see shortestDigits). */
export function floatDigits(f: f64, digits: usize): i32 {
  return shortestDigits(f, digits);
}
export function lastDecExp(): i32 {
  return decExp;
}
export function lastDecNeg(): bool {
  return decNeg;
}

const NAN_TXT = memory.data<u8>([78, 97, 78]); // NaN
const INF_TXT = memory.data<u8>([73, 110, 102]); // Inf
