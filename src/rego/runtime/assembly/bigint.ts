// Exact integers of any size: OPA computes integer arithmetic with Go's big.Int, so a result
// beyond i64 (or an operand beyond it) must not go through f64. Only the slow path uses them:
// an i64 operation that overflows, or an operand that is an integer but not an INT.
// Layout: u32 limb count @0, u32 sign (1 = negative) @4, u32 limbs @8 (base 2^32, least
// significant first, no leading zero limbs; zero has none and is never negative).
import { bufByte } from "./buf";
import { alloc } from "./mem";
import { N_INT, mkFloatText, mkInt } from "./number";

/** Decimal exponents beyond this are not expanded (OPA's parser limits binary exponents to 1e5). */
const MAX_DECIMAL_DIGITS: i64 = 40000;

// @ts-ignore: decorator
@inline
function limbCount(b: usize): u32 {
  return load<u32>(b);
}

// @ts-ignore: decorator
@inline
function isNeg(b: usize): bool {
  return load<u32>(b, 4) != 0;
}

// @ts-ignore: decorator
@inline
function limb(b: usize, i: u32): u32 {
  return load<u32>(b + 8 + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function setLimb(b: usize, i: u32, v: u32): void {
  store<u32>(b + 8 + (<usize>i << 2), v);
}

/** A zero with room for `cap` limbs (all zeroed). */
function bigNew(cap: u32): usize {
  const b = alloc(8 + (<usize>cap << 2));
  memory.fill(b, 0, 8 + (<usize>cap << 2));
  return b;
}

/** Sets the limb count to `n` minus leading zero limbs, and the sign (never negative zero). */
function finish(b: usize, n: u32, neg: bool): usize {
  while (n > 0 && limb(b, n - 1) == 0) n--;
  store<u32>(b, n);
  store<u32>(b, n != 0 && neg ? 1 : 0, 4);
  return b;
}

export function bigFromI64(v: i64): usize {
  const b = bigNew(2);
  const m: u64 = v < 0 ? <u64>(0 - v) : <u64>v; // i64.MIN_VALUE gives 2^63, as wanted
  setLimb(b, 0, <u32>m);
  setLimb(b, 1, <u32>(m >> 32));
  return finish(b, 2, v < 0);
}

/** b = b * m + add, in place; b has room for one more limb. */
function mulAddSmall(b: usize, n: u32, m: u32, add: u32): u32 {
  let carry: u64 = add;
  for (let i: u32 = 0; i < n; i++) {
    const t = <u64>limb(b, i) * <u64>m + carry;
    setLimb(b, i, <u32>t);
    carry = t >> 32;
  }
  if (carry != 0) {
    setLimb(b, n, <u32>carry);
    n++;
  }
  return n;
}

const POW10: StaticArray<u32> = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/**
 * The integer that the JSON number text (`len` bytes at `p`) denotes, or 0 if it is not an integer
 * (a fraction that does not vanish) or its exponent is out of bounds. Exponent and fraction forms
 * count: `1e30`, `10.00` and `2.5e1` are integers, as for OPA (big.Rat).
 */
export function bigFromText(p: usize, len: u32): usize {
  let i: u32 = 0;
  const neg = len > 0 && load<u8>(p) == 45;
  if (neg) i = 1;
  const intStart = i;
  while (i < len && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < len && load<u8>(p + i) == 46) {
    fracStart = ++i;
    while (i < len && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) i++;
    fracEnd = i;
  }
  let exp: i64 = 0;
  if (i < len && (load<u8>(p + i) | 0x20) == 101) {
    i++;
    let eneg = false;
    if (i < len && (load<u8>(p + i) == 45 || load<u8>(p + i) == 43)) {
      eneg = load<u8>(p + i) == 45;
      i++;
    }
    for (; i < len; i++) {
      exp = exp * 10 + <i64>(load<u8>(p + i) - 48);
      if (exp > 1000000000) return 0;
    }
    if (eneg) exp = -exp;
  }
  // digits: the integer part then the fraction; value = digits * 10^scale
  const nInt = intEnd - intStart;
  let nDigits: i64 = <i64>nInt + <i64>(fracEnd - fracStart);
  let scale: i64 = exp - <i64>(fracEnd - fracStart);
  if (scale < 0) {
    // the last -scale digits must be zeros (digits before the first one are implied zeros)
    const drop = -scale < nDigits ? -scale : nDigits;
    for (let k: i64 = nDigits - drop; k < nDigits; k++) if (digitAt(p, intStart, nInt, fracStart, k) != 48) return 0;
    nDigits -= drop;
    scale = 0;
  }
  if (nDigits + scale > MAX_DECIMAL_DIGITS) return 0;
  const b = bigNew(<u32>((nDigits + scale) / 9 + 2));
  let n: u32 = 0;
  let k: i64 = 0;
  while (k < nDigits) {
    let chunk: u32 = 0;
    let m: i32 = 0;
    for (; m < 9 && k < nDigits; m++, k++) chunk = chunk * 10 + <u32>(digitAt(p, intStart, nInt, fracStart, k) - 48);
    n = mulAddSmall(b, n, POW10[m], chunk);
  }
  for (; scale >= 9; scale -= 9) n = mulAddSmall(b, n, 1000000000, 0);
  if (scale > 0) n = mulAddSmall(b, n, POW10[<i32>scale], 0);
  return finish(b, n, neg);
}

// @ts-ignore: decorator
@inline
function digitAt(p: usize, intStart: u32, nInt: u32, fracStart: u32, k: i64): u8 {
  return k < <i64>nInt ? load<u8>(p + intStart + <usize>k) : load<u8>(p + fracStart + <usize>(k - nInt));
}

/**
 * The number `n` as an exact integer, or 0 if it is not an integer. Cheap for non-integers:
 * a FLOAT whose f64 has a fraction is not one (an integer text never rounds to a fraction).
 */
export function bigFromNumber(n: usize): usize {
  if (load<u8>(n, 1) == N_INT) return bigFromI64(load<i64>(n, 8));
  const f = load<f64>(n, 8);
  if (f != Math.floor(f) && isFinite(f)) return 0;
  const tlen = load<u32>(n, 16);
  if (tlen != 0) return bigFromText(<usize>load<u32>(n, 4), tlen);
  if (!isFinite(f)) return 0;
  return bigFromF64(f);
}

/** An integral finite f64, exactly. */
function bigFromF64(f: f64): usize {
  const bits = reinterpret<u64>(f);
  const e = <i32>((bits >> 52) & 0x7ff) - 1075;
  const mant: u64 = (bits & 0xfffffffffffff) | 0x10000000000000;
  // |f| >= 2^53 here (smaller integral values are INTs), so e >= 0
  const b = bigFromI64(<i64>mant);
  const r = e > 0 ? bigShl(b, <u32>e) : b;
  store<u32>(r, f < 0 && limbCount(r) != 0 ? 1 : 0, 4);
  return r;
}

/** The number value of `b`: an INT when it fits i64, else a FLOAT keeping its exact text. */
export function bigToNumber(b: usize): usize {
  const n = limbCount(b);
  if (n <= 2) {
    const m: u64 = n == 0 ? 0 : n == 1 ? <u64>limb(b, 0) : (<u64>limb(b, 1) << 32) | <u64>limb(b, 0);
    if (!isNeg(b) && m <= <u64>i64.MAX_VALUE) return mkInt(<i64>m);
    if (isNeg(b) && m <= 0x8000000000000000) return mkInt(<i64>(0 - m));
  }
  const f = bigToF64(b);
  const text = bigText(b);
  return mkFloatText(f, text, textLen);
}

/** The f64 nearest to `b` (ties to even), like strtod of its text. */
function bigToF64(b: usize): f64 {
  const n = limbCount(b);
  let f: f64 = 0;
  if (n <= 2) {
    const m: u64 = n == 0 ? 0 : n == 1 ? <u64>limb(b, 0) : (<u64>limb(b, 1) << 32) | <u64>limb(b, 0);
    f = <f64>m;
  } else {
    // the top 64 bits, with a sticky low bit standing for any bit below them, round like the whole
    const lz = <u64>clz<u32>(limb(b, n - 1));
    const l2 = <u64>limb(b, n - 1);
    const l1 = <u64>limb(b, n - 2);
    const l0 = <u64>limb(b, n - 3);
    let m: u64 = (l2 << (32 + lz)) | (l1 << lz) | (lz == 0 ? 0 : l0 >> (32 - lz));
    let sticky = (l0 & ((<u64>1 << (32 - lz)) - 1)) != 0;
    for (let i: u32 = 0; i + 3 < n && !sticky; i++) sticky = limb(b, i) != 0;
    if (sticky) m |= 1;
    f = <f64>m * Math.pow(2, <f64>(<i64>(n - 2) * 32 - <i64>lz));
  }
  return isNeg(b) ? -f : f;
}

let textLen: u32 = 0;

/** The decimal text of `b` (its length in textLen). */
function bigText(b: usize): usize {
  let n = limbCount(b);
  const tmp = bigNew(n);
  memory.copy(tmp + 8, b + 8, <usize>n << 2);
  const groups = alloc((<usize>n + 2) << 3);
  let g: u32 = 0;
  while (n > 0) {
    let rem: u64 = 0;
    for (let i = <i32>n - 1; i >= 0; i--) {
      const cur = (rem << 32) | <u64>limb(tmp, <u32>i);
      setLimb(tmp, <u32>i, <u32>(cur / 1000000000));
      rem = cur % 1000000000;
    }
    store<u32>(groups + (<usize>g << 2), <u32>rem);
    g++;
    while (n > 0 && limb(tmp, n - 1) == 0) n--;
  }
  const out = alloc(<usize>g * 9 + 2);
  let len: u32 = 0;
  if (isNeg(b)) store<u8>(out + len++, 45);
  if (g == 0) store<u8>(out + len++, 48);
  for (let j = <i32>g - 1; j >= 0; j--) {
    const v = load<u32>(groups + (<usize>j << 2));
    let width: i32 = 9;
    if (j == <i32>g - 1) {
      width = 1;
      while (width < 9 && v >= POW10[width]) width++;
    }
    for (let d = width - 1; d >= 0; d--) store<u8>(out + len++, <u8>(48 + (v / POW10[d]) % 10));
  }
  textLen = len;
  return out;
}

/** Appends the digits of `b` in `base` (2 to 16, lower case; a sign if negative) to buffer `out`. */
export function bigFormatBase(out: usize, b: usize, base: u32): void {
  let n = limbCount(b);
  const tmp = bigNew(n);
  memory.copy(tmp + 8, b + 8, <usize>n << 2);
  const digits = alloc((<usize>n << 5) + 1); // least significant first
  let count: u32 = 0;
  while (n > 0) {
    let rem: u64 = 0;
    for (let i = <i32>n - 1; i >= 0; i--) {
      const cur = (rem << 32) | <u64>limb(tmp, <u32>i);
      setLimb(tmp, <u32>i, <u32>(cur / <u64>base));
      rem = cur % <u64>base;
    }
    store<u8>(digits + count++, <u8>(rem < 10 ? 48 + rem : 87 + rem));
    while (n > 0 && limb(tmp, n - 1) == 0) n--;
  }
  if (count == 0) store<u8>(digits + count++, 48);
  if (isNeg(b)) bufByte(out, 45);
  for (let j = <i32>count - 1; j >= 0; j--) bufByte(out, load<u8>(digits + j));
}

function magCompare(a: usize, b: usize): i32 {
  const an = limbCount(a);
  const bn = limbCount(b);
  if (an != bn) return an < bn ? -1 : 1;
  for (let i = <i32>an - 1; i >= 0; i--) {
    const x = limb(a, <u32>i);
    const y = limb(b, <u32>i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** |a| + |b| into r (room for max + 1 limbs); returns the limb count. */
function magAdd(r: usize, a: usize, b: usize): u32 {
  const an = limbCount(a);
  const bn = limbCount(b);
  const n = an > bn ? an : bn;
  let carry: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const t = (i < an ? <u64>limb(a, i) : 0) + (i < bn ? <u64>limb(b, i) : 0) + carry;
    setLimb(r, i, <u32>t);
    carry = t >> 32;
  }
  setLimb(r, n, <u32>carry);
  return n + 1;
}

/** |a| - |b| into r, where |a| >= |b|; returns the limb count. */
function magSub(r: usize, a: usize, b: usize): u32 {
  const an = limbCount(a);
  const bn = limbCount(b);
  let borrow: i64 = 0;
  for (let i: u32 = 0; i < an; i++) {
    let t = <i64>limb(a, i) - (i < bn ? <i64>limb(b, i) : 0) - borrow;
    borrow = t < 0 ? 1 : 0;
    if (t < 0) t += 0x100000000;
    setLimb(r, i, <u32>t);
  }
  return an;
}

/** a + b, or a - b when `subtract`. */
export function bigAdd(a: usize, b: usize, subtract: bool): usize {
  const an = limbCount(a);
  const bn = limbCount(b);
  const aNeg = isNeg(a);
  const bNeg = subtract ? !isNeg(b) : isNeg(b);
  const r = bigNew((an > bn ? an : bn) + 1);
  if (aNeg == bNeg) return finish(r, magAdd(r, a, b), aNeg);
  if (magCompare(a, b) >= 0) return finish(r, magSub(r, a, b), aNeg);
  return finish(r, magSub(r, b, a), bNeg);
}

export function bigMul(a: usize, b: usize): usize {
  const an = limbCount(a);
  const bn = limbCount(b);
  const r = bigNew(an + bn);
  for (let i: u32 = 0; i < an; i++) {
    let carry: u64 = 0;
    const x = <u64>limb(a, i);
    for (let j: u32 = 0; j < bn; j++) {
      const t = x * <u64>limb(b, j) + <u64>limb(r, i + j) + carry;
      setLimb(r, i + j, <u32>t);
      carry = t >> 32;
    }
    setLimb(r, i + bn, <u32>carry);
  }
  return finish(r, an + bn, isNeg(a) != isNeg(b));
}

export function bigIsZero(b: usize): bool {
  return limbCount(b) == 0;
}

export function bigIsNeg(b: usize): bool {
  return isNeg(b);
}

/** The remainder of a / b truncated toward zero (the sign of a, as Go's big.Int.Rem); b != 0. */
export function bigRem(a: usize, b: usize): usize {
  if (magCompare(a, b) < 0) return a;
  return finish(divide(a, b, 0), limbCount(b) + 1, isNeg(a));
}

/**
 * |a| mod |b| by binary long division (shifting a's bits into the remainder, subtracting b
 * whenever it fits); when `q` is not 0, also writes the quotient's bits into q's limbs (room for
 * a's limb count, zeroed).
 */
function divide(a: usize, b: usize, q: usize): usize {
  const r = bigNew(limbCount(b) + 1);
  let rn: u32 = 0;
  for (let i = <i32>limbCount(a) - 1; i >= 0; i--) {
    const x = limb(a, <u32>i);
    for (let bit = 31; bit >= 0; bit--) {
      let carry: u32 = (x >>> (<u32>bit)) & 1;
      for (let k: u32 = 0; k < rn; k++) {
        const v = limb(r, k);
        setLimb(r, k, (v << 1) | carry);
        carry = v >>> 31;
      }
      if (carry != 0) setLimb(r, rn++, carry);
      store<u32>(r, rn);
      if (magCompare(r, b) >= 0) {
        magSub(r, r, b);
        while (rn > 0 && limb(r, rn - 1) == 0) rn--;
        store<u32>(r, rn);
        if (q != 0) setLimb(q, <u32>i, limb(q, <u32>i) | (<u32>1 << (<u32>bit)));
      }
    }
  }
  return r;
}

function bitLength(b: usize): i64 {
  const n = limbCount(b);
  return n == 0 ? 0 : <i64>n * 32 - <i64>clz<u32>(limb(b, n - 1));
}

/** Decimal digits kept when converting a long text to f64 (far beyond what can change the result). */
const MAX_F64_DIGITS: i32 = 800;

/**
 * The f64 nearest to a decimal text (JSON number syntax), computed exactly: for texts that
 * AssemblyScript's strtod misreads (more than 19 significant digits, or large exponents).
 */
export function decimalToF64(p: usize, len: u32): f64 {
  let i: u32 = 0;
  const neg = len > 0 && load<u8>(p) == 45;
  if (neg) i = 1;
  // the significant digits (at most MAX_F64_DIGITS, then a sticky 1) and the power of ten
  const digits = alloc(<usize>MAX_F64_DIGITS + 2);
  let nd: i32 = 0;
  let scale: i64 = 0;
  let sticky = false;
  let afterPoint = false;
  for (; i < len; i++) {
    const c = load<u8>(p + i);
    if (c == 46) {
      afterPoint = true;
      continue;
    }
    if (c < 48 || c > 57) break;
    if (nd == 0 && c == 48) {
      if (afterPoint) scale--;
      continue;
    }
    if (nd < MAX_F64_DIGITS) {
      store<u8>(digits + nd++, c);
      if (afterPoint) scale--;
    } else {
      if (c != 48) sticky = true;
      if (!afterPoint) scale++;
    }
  }
  if (sticky) {
    store<u8>(digits + nd++, 49);
    scale--;
  }
  let exp: i64 = 0;
  if (i < len && (load<u8>(p + i) | 0x20) == 101) {
    i++;
    let eneg = false;
    if (i < len && (load<u8>(p + i) == 45 || load<u8>(p + i) == 43)) {
      eneg = load<u8>(p + i) == 45;
      i++;
    }
    for (; i < len && exp < 1000000000; i++) exp = exp * 10 + <i64>(load<u8>(p + i) - 48);
    if (eneg) exp = -exp;
  }
  scale += exp;
  let f: f64 = 0;
  if (nd == 0 || <i64>nd + scale < -400) f = 0;
  else if (<i64>nd + scale > 310) f = Infinity;
  else {
    const d = bigFromText(digits, <u32>nd);
    if (scale >= 0) f = bigToF64(bigMul(d, bigPow10(<u32>scale)));
    else {
      // d / 10^-scale with at least 66 significant bits in the quotient, the rest as a sticky bit
      const den = bigPow10(<u32>-scale);
      let k = 66 + bitLength(den) - bitLength(d);
      if (k < 0) k = 0;
      const num = bigShl(d, <u32>k);
      const q = bigNew(limbCount(num) + 1);
      const rem = divide(num, den, q);
      finish(q, limbCount(num), false);
      if (limbCount(rem) != 0) setLimb(q, 0, limb(q, 0) | 1);
      f = bigToF64(q);
      // scale by 2^-k in two steps, so that neither factor underflows on its own
      const half = k >> 1;
      f = f * Math.pow(2, <f64>-half) * Math.pow(2, <f64>-(k - half));
    }
  }
  return neg ? -f : f;
}

function bigPow10(e: u32): usize {
  const b = bigNew(e / 9 + 2);
  setLimb(b, 0, 1);
  let n: u32 = 1;
  for (; e >= 9; e -= 9) n = mulAddSmall(b, n, 1000000000, 0);
  if (e > 0) n = mulAddSmall(b, n, POW10[<i32>e], 0);
  return finish(b, n, false);
}

/** a * 2^s. */
export function bigShl(a: usize, s: u32): usize {
  const an = limbCount(a);
  const words = s >> 5;
  const bits = s & 31;
  const r = bigNew(an + words + 1);
  for (let i: u32 = 0; i < an; i++) {
    const v = <u64>limb(a, i) << bits;
    setLimb(r, i + words, limb(r, i + words) | <u32>v);
    setLimb(r, i + words + 1, <u32>(v >> 32));
  }
  return finish(r, an + words + 1, isNeg(a));
}

/** Signed order of a and b. */
export function bigCompare(a: usize, b: usize): i32 {
  if (isNeg(a) != isNeg(b)) return isNeg(a) ? -1 : 1;
  const c = magCompare(a, b);
  return isNeg(a) ? -c : c;
}

export const BIT_AND: i32 = 0;
export const BIT_OR: i32 = 1;
export const BIT_XOR: i32 = 2;

/** `b` as `n` limbs of two's complement (n exceeds b's limb count). */
function twos(b: usize, n: u32): usize {
  const t = bigNew(n);
  const bn = limbCount(b);
  memory.copy(t + 8, b + 8, <usize>bn << 2);
  if (isNeg(b)) {
    // -m = ~(m - 1)
    let borrow: u32 = 1;
    for (let i: u32 = 0; i < n; i++) {
      const v = limb(t, i);
      setLimb(t, i, ~(v - borrow));
      borrow = borrow != 0 && v == 0 ? 1 : 0;
    }
  }
  return t;
}

/** The integer whose `n` limbs of two's complement are at `t` (in place). */
function fromTwos(t: usize, n: u32): usize {
  const neg = (limb(t, n - 1) >>> 31) != 0;
  if (neg) {
    // m = ~t + 1
    let carry: u32 = 1;
    for (let i: u32 = 0; i < n; i++) {
      const v = ~limb(t, i) + carry;
      carry = carry != 0 && v == 0 ? 1 : 0;
      setLimb(t, i, v);
    }
  }
  return finish(t, n, neg);
}

/** a & b, a | b or a ^ b on integers of any size, as Go's big.Int (two's complement). */
export function bigBitwise(op: i32, a: usize, b: usize): usize {
  const an = limbCount(a);
  const bn = limbCount(b);
  const n = (an > bn ? an : bn) + 1;
  const x = twos(a, n);
  const y = twos(b, n);
  for (let i: u32 = 0; i < n; i++) {
    const u = limb(x, i);
    const v = limb(y, i);
    setLimb(x, i, op == BIT_AND ? u & v : op == BIT_OR ? u | v : u ^ v);
  }
  return fromTwos(x, n);
}

/** ~a = -a - 1. */
export function bigNot(a: usize): usize {
  return bigAdd(bigAdd(bigFromI64(0), a, true), bigFromI64(1), true);
}

/** a >> s, rounding toward negative infinity (Go's big.Int.Rsh). */
export function bigShr(a: usize, s: u32): usize {
  const one = bigFromI64(1);
  // a negative a: -((|a| - 1) >> s) - 1
  const m = isNeg(a) ? bigAdd(bigAdd(bigFromI64(0), a, true), one, true) : a;
  const mn = limbCount(m);
  const words = s >> 5;
  const bits = s & 31;
  const n = mn > words ? mn - words : 0;
  const r = bigNew(n + 1);
  for (let i: u32 = 0; i < n; i++) {
    const lo = <u64>limb(m, i + words);
    const hi = i + words + 1 < mn ? <u64>limb(m, i + words + 1) : 0;
    setLimb(r, i, <u32>(((hi << 32) | lo) >> bits));
  }
  finish(r, n, false);
  return isNeg(a) ? bigAdd(bigAdd(bigFromI64(0), r, true), one, true) : r;
}
