import {
  BIT_AND, BIT_OR, BIT_XOR, bigAdd, bigBitwise, bigCompare, bigFromI64, bigFromNumber, bigIsNeg, bigIsZero, bigMul,
  bigNot, bigRem, bigShl, bigShr, bigToNumber,
} from "../bigint";
import { builtinError, builtinFailure, clearBuiltinFailure, operandError, typeError } from "../error";
import { N_INT, mkFloat, mkInt, numIsInt, numToF64, numToI64 } from "../number";
import { T_NUMBER, T_SET, arrPush, mkArray, mkSet, setHas, vecGet, vecLen } from "../value";
import { needNumber } from "./util";

// @ts-ignore: decorator
@inline
function bothInt(a: usize, b: usize): bool {
  return load<u8>(a, 1) == N_INT && load<u8>(b, 1) == N_INT;
}

const OP_ADD: i32 = 0;
const OP_SUB: i32 = 1;
const OP_MUL: i32 = 2;

/**
 * The exact result of a + b, a - b or a * b when both are integers (of any size, as OPA's
 * big.Int); 0 when one is not an integer. The slow path: i64 overflow or an operand beyond i64.
 */
function exactArith(op: i32, a: usize, b: usize): usize {
  const x = bigFromNumber(a);
  if (x == 0) return 0;
  const y = bigFromNumber(b);
  if (y == 0) return 0;
  return bigToNumber(op == OP_MUL ? bigMul(x, y) : bigAdd(x, y, op == OP_SUB));
}

/** a + b for numbers (shared with sum). */
export function addNumbers(a: usize, b: usize): usize {
  if (bothInt(a, b)) {
    const x = load<i64>(a, 8);
    const y = load<i64>(b, 8);
    const r = x + y;
    if (((x ^ r) & (y ^ r)) >= 0) return mkInt(r);
  }
  const exact = exactArith(OP_ADD, a, b);
  return exact != 0 ? exact : mkFloat(numToF64(a) + numToF64(b));
}

/** a * b for numbers (shared with product). */
export function mulNumbers(a: usize, b: usize): usize {
  if (bothInt(a, b)) {
    const x = load<i64>(a, 8);
    const y = load<i64>(b, 8);
    const r = x * y;
    if (x == 0 || (r / x == y && !(x == -1 && y == i64.MIN_VALUE))) return mkInt(r);
  }
  const exact = exactArith(OP_MUL, a, b);
  return exact != 0 ? exact : mkFloat(numToF64(a) * numToF64(b));
}

export function b_plus(a: usize, b: usize): usize {
  if (!needNumber("plus", 1, a)) return 0;
  if (!needNumber("plus", 2, b)) return 0;
  return addNumbers(a, b);
}

export function b_minus(a: usize, b: usize): usize {
  const ta = load<u8>(a);
  const tb = load<u8>(b);
  if (ta == T_NUMBER && tb == T_NUMBER) {
    if (bothInt(a, b)) {
      const x = load<i64>(a, 8);
      const y = load<i64>(b, 8);
      const r = x - y;
      if (((x ^ y) & (x ^ r)) >= 0) return mkInt(r);
    }
    const exact = exactArith(OP_SUB, a, b);
    return exact != 0 ? exact : mkFloat(numToF64(a) - numToF64(b));
  }
  if (ta == T_SET && tb == T_SET) {
    const r = mkSet(vecLen(a));
    const n = vecLen(a);
    for (let i: u32 = 0; i < n; i++) {
      const x = vecGet(a, i);
      if (!setHas(b, x)) arrPush(r, x); // stays sorted
    }
    return r;
  }
  if (ta == T_NUMBER) {
    typeError("minus", 2, "number", b);
    return 0;
  }
  if (ta == T_SET) {
    typeError("minus", 2, "set", b);
    return 0;
  }
  typeError("minus", 1, "one of {number, set}", a);
  return 0;
}

export function b_mul(a: usize, b: usize): usize {
  if (!needNumber("mul", 1, a)) return 0;
  if (!needNumber("mul", 2, b)) return 0;
  return mulNumbers(a, b);
}

export function b_div(a: usize, b: usize): usize {
  if (!needNumber("div", 1, a)) return 0;
  if (!needNumber("div", 2, b)) return 0;
  const y = numToF64(b);
  if (y == 0) {
    builtinError("div", "divide by zero");
    return 0;
  }
  if (bothInt(a, b)) {
    const xi = load<i64>(a, 8);
    const yi = load<i64>(b, 8);
    if (yi != -1 && xi % yi == 0) return mkInt(xi / yi);
  }
  return mkFloat(numToF64(a) / y);
}

export function b_rem(a: usize, b: usize): usize {
  if (!needNumber("rem", 1, a)) return 0;
  if (!needNumber("rem", 2, b)) return 0;
  if (bothInt(a, b)) {
    const y = load<i64>(b, 8);
    if (y == 0) {
      builtinError("rem", "modulo by zero");
      return 0;
    }
    return mkInt(y == -1 ? 0 : load<i64>(a, 8) % y);
  }
  const x = bigFromNumber(a);
  const y = x == 0 ? 0 : bigFromNumber(b);
  if (y == 0) {
    builtinError("rem", "modulo on floating-point number");
    return 0;
  }
  if (bigIsZero(y)) {
    builtinError("rem", "modulo by zero");
    return 0;
  }
  return bigToNumber(bigRem(x, y));
}

export function b_abs(a: usize): usize {
  if (!needNumber("abs", 1, a)) return 0;
  if (load<u8>(a, 1) == N_INT) {
    const x = load<i64>(a, 8);
    if (x >= 0) return a;
    if (x != i64.MIN_VALUE) return mkInt(-x);
  }
  const big = bigFromNumber(a);
  if (big != 0) return bigToNumber(bigIsNeg(big) ? bigAdd(bigFromI64(0), big, true) : big);
  return mkFloat(Math.abs(numToF64(a)));
}

/** `a` if it is an INT, its exact integer value if it is an integer beyond 2^53, else 0. */
function exactInteger(a: usize): usize {
  if (load<u8>(a, 1) == N_INT) return a;
  if (Math.abs(load<f64>(a, 8)) < 9007199254740992.0) return 0;
  const big = bigFromNumber(a);
  return big != 0 ? bigToNumber(big) : 0;
}

export function b_round(a: usize): usize {
  if (!needNumber("round", 1, a)) return 0;
  const exact = exactInteger(a);
  if (exact != 0) return exact;
  const x = numToF64(a);
  // Go's math.Round: half away from zero
  const t = Math.trunc(x);
  const r = Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
  return mkFloat(r);
}

export function b_ceil(a: usize): usize {
  if (!needNumber("ceil", 1, a)) return 0;
  const exact = exactInteger(a);
  if (exact != 0) return exact;
  return mkFloat(Math.ceil(numToF64(a)));
}

export function b_floor(a: usize): usize {
  if (!needNumber("floor", 1, a)) return 0;
  const exact = exactInteger(a);
  if (exact != 0) return exact;
  return mkFloat(Math.floor(numToF64(a)));
}

function intOperand(name: string, pos: i32, v: usize): i64 {
  if (!needNumber(name, pos, v)) return 0;
  if (!numIsInt(v)) {
    operandError(name, pos, "must be integer number but got floating-point number");
    return 0;
  }
  return numToI64(v);
}

/** Integer operands beyond i64 go through big integers (as OPA's BigIntOperand). */
function bigIntOperand(name: string, pos: i32, v: usize): usize {
  if (!needNumber(name, pos, v)) return 0;
  const big = bigFromNumber(v);
  if (big == 0) operandError(name, pos, "must be integer number but got floating-point number");
  return big;
}

const MAX_RANGE: i64 = 100000000;

/** x, x ± step, ... up to y; the slow path for operands that are not all INTs. */
function bigRange(name: string, a: usize, b: usize, s: usize): usize {
  clearBuiltinFailure();
  const x = bigIntOperand(name, 1, a);
  const y = bigIntOperand(name, 2, b);
  const step = s == 0 ? bigFromI64(1) : bigIntOperand(name, 3, s);
  if (builtinFailure()) return 0;
  if (bigCompare(step, bigFromI64(0)) <= 0) {
    builtinError(name, "step must be a positive integer");
    return 0;
  }
  const up = bigCompare(x, y) <= 0;
  const r = mkArray(0);
  let n: i64 = 0;
  for (let i = x; up ? bigCompare(i, y) <= 0 : bigCompare(i, y) >= 0; i = bigAdd(i, step, !up)) {
    if (++n > MAX_RANGE) {
      builtinError(name, "range too large");
      return 0;
    }
    arrPush(r, bigToNumber(i));
  }
  return r;
}

export function b_numbers__range(a: usize, b: usize): usize {
  if (!bothInt(a, b) || load<u8>(a) != T_NUMBER || load<u8>(b) != T_NUMBER) return bigRange("numbers.range", a, b, 0);
  const x = load<i64>(a, 8);
  const y = load<i64>(b, 8);
  const n = x <= y ? <u64>(y - x) : <u64>(x - y);
  if (n >= <u64>MAX_RANGE) {
    builtinError("numbers.range", "range too large");
    return 0;
  }
  return intRange(x, y, n, 1);
}

export function b_numbers__range_step(a: usize, b: usize, s: usize): usize {
  const allNumbers = load<u8>(a) == T_NUMBER && load<u8>(b) == T_NUMBER && load<u8>(s) == T_NUMBER;
  if (!allNumbers || !bothInt(a, b) || load<u8>(s, 1) != N_INT) return bigRange("numbers.range_step", a, b, s);
  const x = load<i64>(a, 8);
  const y = load<i64>(b, 8);
  const step = load<i64>(s, 8);
  if (step <= 0) {
    builtinError("numbers.range_step", "step must be a positive integer");
    return 0;
  }
  const span = x <= y ? <u64>(y - x) : <u64>(x - y);
  if (span / <u64>step >= <u64>MAX_RANGE) {
    builtinError("numbers.range_step", "range too large");
    return 0;
  }
  return intRange(x, y, span / <u64>step, <u64>step);
}

/** x, x ± step, ..., n + 1 elements towards y; counted in u64, so no i64 overflow at the ends. */
function intRange(x: i64, y: i64, n: u64, step: u64): usize {
  const r = mkArray(<u32>n + 1);
  let v = <u64>x;
  for (let k: u64 = 0; k <= n; k++) {
    arrPush(r, mkInt(<i64>v));
    v = x <= y ? v + step : v - step;
  }
  return r;
}

/** a & b, a | b or a ^ b: i64 when both are INTs, else on big integers (as OPA's big.Int). */
function bitwise(name: string, op: i32, a: usize, b: usize): usize {
  clearBuiltinFailure();
  if (load<u8>(a) == T_NUMBER && load<u8>(b) == T_NUMBER && bothInt(a, b)) {
    const x = load<i64>(a, 8);
    const y = load<i64>(b, 8);
    return mkInt(op == BIT_AND ? x & y : op == BIT_OR ? x | y : x ^ y);
  }
  const x = bigIntOperand(name, 1, a);
  const y = bigIntOperand(name, 2, b);
  return builtinFailure() ? 0 : bigToNumber(bigBitwise(op, x, y));
}

export function b_bits__or(a: usize, b: usize): usize {
  return bitwise("bits.or", BIT_OR, a, b);
}

export function b_bits__and(a: usize, b: usize): usize {
  return bitwise("bits.and", BIT_AND, a, b);
}

export function b_bits__xor(a: usize, b: usize): usize {
  return bitwise("bits.xor", BIT_XOR, a, b);
}

export function b_bits__negate(a: usize): usize {
  clearBuiltinFailure();
  if (load<u8>(a) == T_NUMBER && load<u8>(a, 1) == N_INT) return mkInt(~load<i64>(a, 8));
  const x = bigIntOperand("bits.negate", 1, a);
  return builtinFailure() ? 0 : bigToNumber(bigNot(x));
}

/** Bits a left shift may add (a result of 2^24 bits, 2 MB, is already absurd for a policy). */
const MAX_SHIFT: i64 = 1 << 24;

export function b_bits__lsh(a: usize, b: usize): usize {
  clearBuiltinFailure();
  const s = intOperand("bits.lsh", 2, b);
  const small = load<u8>(a) == T_NUMBER && load<u8>(a, 1) == N_INT;
  const big = small ? 0 : bigIntOperand("bits.lsh", 1, a);
  if (builtinFailure()) return 0;
  if (s < 0) {
    operandError("bits.lsh", 2, "must be an unsigned integer number but got a negative integer");
    return 0;
  }
  const x = small ? load<i64>(a, 8) : 0;
  if (small && s < 63 && (x << s) >> s == x) return mkInt(x << s);
  if (small && x == 0) return mkInt(0);
  if (s > MAX_SHIFT) {
    builtinError("bits.lsh", "shift count too large");
    return 0;
  }
  return bigToNumber(bigShl(small ? bigFromI64(x) : big, <u32>s)); // exact, as OPA's big.Int
}

export function b_bits__rsh(a: usize, b: usize): usize {
  clearBuiltinFailure();
  const s = intOperand("bits.rsh", 2, b);
  if (builtinFailure()) return 0;
  if (s < 0) {
    operandError("bits.rsh", 2, "must be an unsigned integer number but got a negative integer");
    return 0;
  }
  if (load<u8>(a) == T_NUMBER && load<u8>(a, 1) == N_INT) {
    const x = load<i64>(a, 8);
    return mkInt(s >= 64 ? (x < 0 ? -1 : 0) : x >> s);
  }
  const x = bigIntOperand("bits.rsh", 1, a);
  if (builtinFailure()) return 0;
  return bigToNumber(bigShr(x, s > 0xffffffff ? 0xffffffff : <u32>s));
}
