// sprintf with Go's fmt semantics, applied to arguments converted the way OPA converts them:
// integers -> Go int (or *big.Int beyond int64), other numbers -> float64, strings -> string,
// everything else -> its Rego text as a string.
import { bufByte, bufBytes, bufI64, bufLen, bufNew, bufPtr, bufSetLen, bufStr, bufU64 } from "../buf";

import { bufUtf8, dumpRego } from "../json";
import { formatDigitsFixed, formatFloatG, numIsInt, numToF64, numToI64 } from "../number";
import { decodeAt, decodedSize, runeCount } from "../utf8";
import { alloc } from "../mem";
import { T_NUMBER, T_STRING, mkString, strLen, strPtr, vecGet, vecLen } from "../value";
import { needArray, needString } from "./util";

const K_INT: i32 = 0;
const K_BIG: i32 = 1;
const K_FLOAT: i32 = 2;
const K_STRING: i32 = 3;

function kindOf(v: usize): i32 {
  const t = load<u8>(v);
  if (t == T_NUMBER) {
    // as OPA: an integer only if its text is one (100.0 and 1e2 are floats), big beyond int64
    const hasText = load<u32>(v, 16) != 0;
    if (hasText && plainIntText(v)) return numIsInt(v) ? K_INT : K_BIG;
    if (!hasText && numIsInt(v)) return K_INT;
    // a decimal beyond float64 (2e308): OPA formats its text as a string
    if (!isFinite(numToF64(v))) return K_STRING;
    return K_FLOAT;
  }
  return K_STRING;
}

function plainIntText(v: usize): bool {
  const p = <usize>load<u32>(v, 4);
  const n = load<u32>(v, 16);
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (!(c >= 48 && c <= 57) && !(i == 0 && c == 45)) return false;
  }
  return true;
}

/** The text of a string-kind argument (strings as is, other values in Rego syntax). */
function argText(v: usize): usize {
  if (load<u8>(v) == T_STRING) return v;
  const b = bufNew(32);
  dumpRego(b, v, true);
  return mkString(bufPtr(b), bufLen(b));
}

// ---- exact decimal expansion of an f64 (for %f/%e with a precision) ----

let exDigits: usize = 0; // ASCII digits
let exCount: i32 = 0;
let exPoint: i32 = 0; // digits before the decimal point

function exactDecimal(f: f64): void {
  // f = mant * 2^e2
  const bits = reinterpret<u64>(f) & 0x7fffffffffffffff;
  let e2 = <i32>(bits >> 52);
  let mant = bits & 0xfffffffffffff;
  if (e2 == 0) e2 = 1;
  else mant |= 0x10000000000000;
  e2 -= 1075;
  // big number as base-1e9 limbs, little endian
  const cap: i32 = 140;
  const limbs = alloc(<usize>cap << 2);
  let n: i32 = 0;
  let m = mant;
  while (m != 0) {
    store<u32>(limbs + (<usize>n << 2), <u32>(m % 1000000000));
    m /= 1000000000;
    n++;
  }
  let frac: i32 = 0; // number of decimal fraction digits
  if (e2 > 0) {
    for (let k: i32 = 0; k < e2; k++) n = mulSmall(limbs, n, 2);
  } else if (e2 < 0) {
    // mant / 2^k = mant * 5^k / 10^k
    for (let k: i32 = 0; k < -e2; k++) n = mulSmall(limbs, n, 5);
    frac = -e2;
  }
  // to ASCII
  const digits = alloc(<usize>(n * 9 + 8));
  let count: i32 = 0;
  for (let i = n - 1; i >= 0; i--) {
    const limb = load<u32>(limbs + (<usize>i << 2));
    for (let d: i32 = 8; d >= 0; d--) {
      let p: u32 = 1;
      for (let j: i32 = 0; j < d; j++) p *= 10;
      const digit = (limb / p) % 10;
      if (count == 0 && digit == 0 && i == n - 1) continue;
      store<u8>(digits + count, <u8>(48 + digit));
      count++;
    }
  }
  if (count == 0) {
    store<u8>(digits, 48);
    count = 1;
  }
  exDigits = digits;
  exCount = count;
  exPoint = count - frac;
}

/** Drops leading zero digits (values below 1), keeping the value. */
function stripLeadingZeros(): void {
  let lead: i32 = 0;
  while (lead < exCount - 1 && load<u8>(exDigits + lead) == 48) lead++;
  exDigits += lead;
  exCount -= lead;
  exPoint -= lead;
}

function mulSmall(limbs: usize, n: i32, k: u32): i32 {
  let carry: u64 = 0;
  for (let i: i32 = 0; i < n; i++) {
    const x = <u64>load<u32>(limbs + (<usize>i << 2)) * k + carry;
    store<u32>(limbs + (<usize>i << 2), <u32>(x % 1000000000));
    carry = x / 1000000000;
  }
  if (carry != 0) {
    store<u32>(limbs + (<usize>n << 2), <u32>carry);
    n++;
  }
  return n;
}

/** Rounds the exact digits to `keep` digits (half to even); returns the new point shift (0 or 1). */
function roundDigits(keep: i32): i32 {
  if (keep >= exCount) return 0;
  if (keep < 0) {
    exCount = 0;
    return 0;
  }
  const d = load<u8>(exDigits + keep);
  let up = d > 53;
  if (d == 53) {
    let rest = false;
    for (let i = keep + 1; i < exCount; i++) if (load<u8>(exDigits + i) != 48) rest = true;
    up = rest || (keep > 0 && ((load<u8>(exDigits + keep - 1) - 48) & 1) == 1);
  }
  exCount = keep;
  if (!up) return 0;
  let i = keep - 1;
  while (i >= 0) {
    const c = load<u8>(exDigits + i);
    if (c == 57) {
      store<u8>(exDigits + i, 48);
      i--;
    } else {
      store<u8>(exDigits + i, c + 1);
      return 0;
    }
  }
  // all nines: prepend a 1
  memory.copy(exDigits + 1, exDigits, exCount);
  store<u8>(exDigits, 49);
  exCount++;
  exPoint++;
  return 1;
}

function fmtFixed(b: usize, f: f64, prec: i32): void {
  exactDecimal(Math.abs(f));
  roundDigits(exPoint + prec);
  formatDigitsFixed(b, exDigits, exCount, exPoint, prec);
}

function fmtExp(b: usize, f: f64, prec: i32, upper: bool): void {
  let exp: i32 = 0;
  if (f == 0) {
    bufByte(b, 48);
    if (prec > 0) {
      bufByte(b, 46);
      for (let i: i32 = 0; i < prec; i++) bufByte(b, 48);
    }
  } else {
    exactDecimal(Math.abs(f));
    stripLeadingZeros();
    roundDigits(prec + 1);
    exp = exPoint - 1;
    bufByte(b, exCount > 0 ? load<u8>(exDigits) : 48);
    if (prec > 0) {
      bufByte(b, 46);
      for (let i: i32 = 1; i <= prec; i++) bufByte(b, i < exCount ? load<u8>(exDigits + i) : 48);
    }
  }
  bufByte(b, upper ? 69 : 101);
  if (exp < 0) {
    bufByte(b, 45);
    exp = -exp;
  } else bufByte(b, 43);
  if (exp < 10) bufByte(b, 48);
  bufI64(b, exp);
}

// ---- Go-quoted strings (%q) ----

function quoteGo(b: usize, p: usize, n: u32): void {
  bufByte(b, 34);
  let i: u32 = 0;
  while (i < n) {
    const cp = decodeAt(p, n, i);
    const size = decodedSize();
    if (cp == 34 || cp == 92) {
      bufByte(b, 92);
      bufByte(b, cp);
    } else if (cp == 10) bufStr(b, "\\n");
    else if (cp == 9) bufStr(b, "\\t");
    else if (cp == 13) bufStr(b, "\\r");
    else if (cp < 32 || cp == 127) {
      bufStr(b, "\\x");
      bufByte(b, HEXD(cp >> 4));
      bufByte(b, HEXD(cp & 15));
    } else bufBytes(b, p + i, size);
    i += size;
  }
  bufByte(b, 34);
}

// @ts-ignore: decorator
@inline
function HEXD(d: u32): u32 {
  return d < 10 ? 48 + d : 87 + d;
}

// ---- the formatter ----

let fMinus = false;
let fPlus = false;
let fSpace = false;
let fZero = false;
let fSharp = false;
let fWidth: i32 = -1;
let fPrec: i32 = -1;

/** Appends the field in `tmp` to `b`, padded to the width. `numeric` allows zero padding. */
function pad(b: usize, tmp: usize, numeric: bool): void {
  const p = bufPtr(tmp);
  const n = bufLen(tmp);
  const w: u32 = fWidth < 0 ? 0 : <u32>fWidth;
  const len = runeCount(p, n);
  if (len >= w) {
    bufBytes(b, p, n);
    return;
  }
  const fill = w - len;
  if (fMinus) {
    bufBytes(b, p, n);
    for (let i: u32 = 0; i < fill; i++) bufByte(b, 32);
  } else if (fZero && numeric) {
    let start: u32 = 0;
    if (n > 0 && (load<u8>(p) == 45 || load<u8>(p) == 43 || load<u8>(p) == 32)) {
      bufByte(b, load<u8>(p));
      start = 1;
    }
    for (let i: u32 = 0; i < fill; i++) bufByte(b, 48);
    bufBytes(b, p + start, n - start);
  } else {
    for (let i: u32 = 0; i < fill; i++) bufByte(b, 32);
    bufBytes(b, p, n);
  }
}

function goTypeName(b: usize, kind: i32): void {
  if (kind == K_INT) bufStr(b, "int");
  else if (kind == K_BIG) bufStr(b, "*big.Int");
  else if (kind == K_FLOAT) bufStr(b, "float64");
  else bufStr(b, "string");
}

/** %v of an argument, no flags. */
function plainValue(b: usize, v: usize, kind: i32): void {
  if (kind == K_INT) bufI64(b, numToI64(v));
  else if (kind == K_BIG) bufBytes(b, <usize>load<u32>(v, 4), load<u32>(v, 16));
  else if (kind == K_FLOAT) formatFloatG(b, numToF64(v), 6);
  else {
    const s = argText(v);
    bufBytes(b, strPtr(s), strLen(s));
  }
}

function badVerb(b: usize, verb: u32, v: usize, kind: i32): void {
  bufStr(b, "%!");
  bufUtf8(b, verb);
  bufByte(b, 40);
  goTypeName(b, kind);
  bufByte(b, 61);
  plainValue(b, v, kind);
  bufByte(b, 41);
}

function signed(tmp: usize, neg: bool): void {
  if (neg) bufByte(tmp, 45);
  else if (fPlus) bufByte(tmp, 43);
  else if (fSpace) bufByte(tmp, 32);
}

function fmtInteger(b: usize, v: usize, kind: i32, verb: u32): void {
  const tmp = bufNew(32);
  if (kind == K_BIG) {
    // only decimal for big integers
    if (verb != 100 && verb != 118 && verb != 115) {
      badVerb(b, verb, v, kind);
      return;
    }
    const p = <usize>load<u32>(v, 4);
    const n = load<u32>(v, 16);
    const neg = load<u8>(p) == 45;
    signed(tmp, neg);
    bufBytes(tmp, neg ? p + 1 : p, neg ? n - 1 : n);
    pad(b, tmp, true);
    return;
  }
  const x = numToI64(v);
  const neg = x < 0;
  let m: u64 = neg ? <u64>(-(x + 1)) + 1 : <u64>x;
  if (verb == 99) {
    // %c
    bufUtf8(tmp, <u32>m);
    pad(b, tmp, false);
    return;
  }
  if (verb == 113) {
    // %q: quoted character
    bufByte(tmp, 39);
    bufUtf8(tmp, <u32>m);
    bufByte(tmp, 39);
    pad(b, tmp, false);
    return;
  }
  let base: u64 = 10;
  let upper = false;
  if (verb == 120) base = 16;
  else if (verb == 88) {
    base = 16;
    upper = true;
  } else if (verb == 111) base = 8;
  else if (verb == 98) base = 2;
  signed(tmp, neg);
  if (fSharp) {
    if (base == 16) bufStr(tmp, upper ? "0X" : "0x");
    else if (base == 8) bufByte(tmp, 48);
    else if (base == 2) bufStr(tmp, "0b");
  }
  if (base == 10 && fPrec < 0) {
    bufU64(tmp, m);
  } else {
    const digits = bufNew(72);
    do {
      const d = <u32>(m % base);
      bufByte(digits, d < 10 ? 48 + d : (upper ? 55 : 87) + d);
      m /= base;
    } while (m != 0);
    const nd = bufLen(digits);
    if (fPrec >= 0) for (let i = <i32>nd; i < fPrec; i++) bufByte(tmp, 48);
    for (let i = nd; i > 0; i--) bufByte(tmp, load<u8>(bufPtr(digits) + i - 1));
  }
  pad(b, tmp, fPrec < 0);
}

function fmtFloat(b: usize, f: f64, verb: u32): void {
  const tmp = bufNew(32);
  const neg = f < 0 || (f == 0 && 1 / f < 0);
  if (verb == 118 || verb == 103 || verb == 71) {
    // %v, %g
    if (fPrec < 0) {
      signed(tmp, neg);
      formatFloatG(tmp, Math.abs(f), 6);
    } else {
      signed(tmp, neg);
      const p = fPrec == 0 ? 1 : fPrec;
      // %e is used if the exponent is < -4 or >= precision
      let exp: i32 = 0;
      if (f != 0) {
        exactDecimal(Math.abs(f));
        stripLeadingZeros();
        roundDigits(p);
        exp = exPoint - 1;
      }
      if (exp < -4 || exp >= p) {
        const save = bufLen(tmp);
        fmtExp(tmp, Math.abs(f), p - 1, verb == 71);
        if (!fSharp) trimExpZeros(tmp, save);
      } else {
        const save = bufLen(tmp);
        fmtFixed(tmp, Math.abs(f), p - 1 - exp > 0 ? p - 1 - exp : 0);
        if (!fSharp) trimFracZeros(tmp, save);
      }
    }
  } else if (verb == 102 || verb == 70) {
    signed(tmp, neg);
    fmtFixed(tmp, Math.abs(f), fPrec < 0 ? 6 : fPrec);
  } else {
    // %e, %E
    signed(tmp, neg);
    fmtExp(tmp, Math.abs(f), fPrec < 0 ? 6 : fPrec, verb == 69);
  }
  pad(b, tmp, true);
}

function trimFracZeros(tmp: usize, from: u32): void {
  const p = bufPtr(tmp);
  let n = bufLen(tmp);
  let hasPoint = false;
  for (let i = from; i < n; i++) if (load<u8>(p + i) == 46) hasPoint = true;
  if (!hasPoint) return;
  while (n > from && load<u8>(p + n - 1) == 48) n--;
  if (n > from && load<u8>(p + n - 1) == 46) n--;
  bufSetLen(tmp, n);
}

function trimExpZeros(tmp: usize, from: u32): void {
  const p = bufPtr(tmp);
  const n = bufLen(tmp);
  let e = from;
  while (e < n && load<u8>(p + e) != 101 && load<u8>(p + e) != 69) e++;
  let k = e;
  let hasPoint = false;
  for (let i = from; i < e; i++) if (load<u8>(p + i) == 46) hasPoint = true;
  if (!hasPoint) return;
  while (k > from && load<u8>(p + k - 1) == 48) k--;
  if (k > from && load<u8>(p + k - 1) == 46) k--;
  memory.copy(p + k, p + e, n - e);
  bufSetLen(tmp, k + (n - e));
}

function fmtString(b: usize, v: usize, verb: u32): void {
  const s = argText(v);
  const p = strPtr(s);
  const n = strLen(s);
  const tmp = bufNew(n + 8);
  if (verb == 113) {
    quoteGo(tmp, p, n);
  } else if (verb == 120 || verb == 88) {
    for (let i: u32 = 0; i < n; i++) {
      const c = <u32>load<u8>(p + i);
      const hi = c >> 4;
      const lo = c & 15;
      bufByte(tmp, hi < 10 ? 48 + hi : (verb == 88 ? 55 : 87) + hi);
      bufByte(tmp, lo < 10 ? 48 + lo : (verb == 88 ? 55 : 87) + lo);
    }
  } else {
    let m = n;
    if (fPrec >= 0) {
      // precision truncates to that many runes
      let i: u32 = 0;
      let r: i32 = 0;
      while (i < n && r < fPrec) {
        decodeAt(p, n, i);
        i += decodedSize();
        r++;
      }
      m = i;
    }
    bufBytes(tmp, p, m);
  }
  pad(b, tmp, false);
}

export function b_sprintf(format: usize, args: usize): usize {
  if (!needString("sprintf", 1, format)) return 0;
  if (!needArray("sprintf", 2, args)) return 0;
  const p = strPtr(format);
  const n = strLen(format);
  const nargs = vecLen(args);
  const b = bufNew(n + 16);
  let argi: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + i);
    if (c != 37) {
      bufByte(b, c);
      i++;
      continue;
    }
    i++;
    if (i >= n) {
      bufStr(b, "%!(NOVERB)");
      break;
    }
    fMinus = false;
    fPlus = false;
    fSpace = false;
    fZero = false;
    fSharp = false;
    fWidth = -1;
    fPrec = -1;
    // flags
    while (i < n) {
      const f = load<u8>(p + i);
      if (f == 45) fMinus = true;
      else if (f == 43) fPlus = true;
      else if (f == 32) fSpace = true;
      else if (f == 48) fZero = !fMinus;
      else if (f == 35) fSharp = true;
      else break;
      i++;
    }
    // width
    while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) {
      fWidth = (fWidth < 0 ? 0 : fWidth * 10) + <i32>(load<u8>(p + i) - 48);
      i++;
    }
    // precision
    if (i < n && load<u8>(p + i) == 46) {
      i++;
      fPrec = 0;
      while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) {
        fPrec = fPrec * 10 + <i32>(load<u8>(p + i) - 48);
        i++;
      }
    }
    if (i >= n) {
      bufStr(b, "%!(NOVERB)");
      break;
    }
    const verb = decodeAt(p, n, i);
    i += decodedSize();
    if (verb == 37) {
      bufByte(b, 37);
      continue;
    }
    if (argi >= nargs) {
      bufStr(b, "%!");
      bufUtf8(b, verb);
      bufStr(b, "(MISSING)");
      continue;
    }
    const v = vecGet(args, argi++);
    const kind = kindOf(v);
    if (verb == 84) {
      // %T
      const tmp = bufNew(16);
      goTypeName(tmp, kind);
      pad(b, tmp, false);
      continue;
    }
    if (kind == K_INT || kind == K_BIG) {
      if (verb == 100 || verb == 118 || verb == 120 || verb == 88 || verb == 111 || verb == 98 || verb == 99 || verb == 113 ||
        (kind == K_BIG && verb == 115)) fmtInteger(b, v, kind, verb);
      else badVerb(b, verb, v, kind);
    } else if (kind == K_FLOAT) {
      if (verb == 118 || verb == 102 || verb == 70 || verb == 101 || verb == 69 || verb == 103 || verb == 71) {
        fmtFloat(b, numToF64(v), verb);
      } else badVerb(b, verb, v, kind);
    } else {
      if (verb == 118 || verb == 115 || verb == 113 || verb == 120 || verb == 88) fmtString(b, v, verb);
      else badVerb(b, verb, v, kind);
    }
  }
  if (argi < nargs) {
    bufStr(b, "%!(EXTRA ");
    for (let k = argi; k < nargs; k++) {
      if (k != argi) bufStr(b, ", ");
      const v = vecGet(args, k);
      const kind = kindOf(v);
      goTypeName(b, kind);
      bufByte(b, 61);
      plainValue(b, v, kind);
    }
    bufByte(b, 41);
  }
  return mkString(bufPtr(b), bufLen(b));
}

