import { builtinError, builtinFailure, clearBuiltinFailure, operandError, typeError } from "../error";
import { N_INT, mkFloat, mkInt, numIsInt, numIsIntegral, numToF64, numToI64 } from "../number";
import { T_NUMBER, T_SET, arrPush, mkArray, mkSet, setHas, vecGet, vecLen } from "../value";
import { needNumber } from "./util";

// @ts-ignore: decorator
@inline
function bothInt(a: usize, b: usize): bool {
  return load<u8>(a, 1) == N_INT && load<u8>(b, 1) == N_INT;
}

export function b_plus(a: usize, b: usize): usize {
  if (!needNumber("plus", 1, a)) return 0;
  if (!needNumber("plus", 2, b)) return 0;
  if (bothInt(a, b)) {
    const x = load<i64>(a, 8);
    const y = load<i64>(b, 8);
    const r = x + y;
    if (((x ^ r) & (y ^ r)) >= 0) return mkInt(r);
  }
  return mkFloat(numToF64(a) + numToF64(b));
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
    return mkFloat(numToF64(a) - numToF64(b));
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
  if (bothInt(a, b)) {
    const x = load<i64>(a, 8);
    const y = load<i64>(b, 8);
    const r = x * y;
    if (x == 0 || (r / x == y && !(x == -1 && y == i64.MIN_VALUE))) return mkInt(r);
  }
  return mkFloat(numToF64(a) * numToF64(b));
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
  if (!numIsIntegral(a) || !numIsIntegral(b)) {
    builtinError("rem", "modulo on floating-point number");
    return 0;
  }
  if (numToF64(b) == 0) {
    builtinError("rem", "modulo by zero");
    return 0;
  }
  if (numIsInt(a) && numIsInt(b)) {
    const y = numToI64(b);
    if (y == -1) return mkInt(0);
    return mkInt(numToI64(a) % y);
  }
  const x = numToF64(a);
  const y = numToF64(b);
  return mkFloat(x - y * Math.trunc(x / y));
}

export function b_abs(a: usize): usize {
  if (!needNumber("abs", 1, a)) return 0;
  if (load<u8>(a, 1) == N_INT) {
    const x = load<i64>(a, 8);
    if (x >= 0) return a;
    if (x != i64.MIN_VALUE) return mkInt(-x);
  }
  return mkFloat(Math.abs(numToF64(a)));
}

export function b_round(a: usize): usize {
  if (!needNumber("round", 1, a)) return 0;
  if (load<u8>(a, 1) == N_INT) return a;
  const x = numToF64(a);
  // Go's math.Round: half away from zero
  const t = Math.trunc(x);
  const r = Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
  return mkFloat(r);
}

export function b_ceil(a: usize): usize {
  if (!needNumber("ceil", 1, a)) return 0;
  if (load<u8>(a, 1) == N_INT) return a;
  return mkFloat(Math.ceil(numToF64(a)));
}

export function b_floor(a: usize): usize {
  if (!needNumber("floor", 1, a)) return 0;
  if (load<u8>(a, 1) == N_INT) return a;
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

export function b_numbers__range(a: usize, b: usize): usize {
  clearBuiltinFailure();
  const x = intOperand("numbers.range", 1, a);
  const y = intOperand("numbers.range", 2, b);
  if (builtinFailure()) return 0;
  const n = x <= y ? y - x + 1 : x - y + 1;
  if (n > 100000000) {
    builtinError("numbers.range", "range too large");
    return 0;
  }
  const r = mkArray(<u32>n);
  if (x <= y) for (let i = x; i <= y; i++) arrPush(r, mkInt(i));
  else for (let i = x; i >= y; i--) arrPush(r, mkInt(i));
  return r;
}

export function b_numbers__range_step(a: usize, b: usize, s: usize): usize {
  clearBuiltinFailure();
  const x = intOperand("numbers.range_step", 1, a);
  const y = intOperand("numbers.range_step", 2, b);
  const step = intOperand("numbers.range_step", 3, s);
  if (builtinFailure()) return 0;
  if (step <= 0) {
    builtinError("numbers.range_step", "step must be a positive integer");
    return 0;
  }
  const r = mkArray(0);
  if (x <= y) for (let i = x; i <= y; i += step) arrPush(r, mkInt(i));
  else for (let i = x; i >= y; i -= step) arrPush(r, mkInt(i));
  return r;
}

export function b_bits__or(a: usize, b: usize): usize {
  clearBuiltinFailure();
  const x = intOperand("bits.or", 1, a);
  const y = intOperand("bits.or", 2, b);
  return builtinFailure() ? 0 : mkInt(x | y);
}

export function b_bits__and(a: usize, b: usize): usize {
  clearBuiltinFailure();
  const x = intOperand("bits.and", 1, a);
  const y = intOperand("bits.and", 2, b);
  return builtinFailure() ? 0 : mkInt(x & y);
}

export function b_bits__xor(a: usize, b: usize): usize {
  clearBuiltinFailure();
  const x = intOperand("bits.xor", 1, a);
  const y = intOperand("bits.xor", 2, b);
  return builtinFailure() ? 0 : mkInt(x ^ y);
}

export function b_bits__negate(a: usize): usize {
  clearBuiltinFailure();
  const x = intOperand("bits.negate", 1, a);
  return builtinFailure() ? 0 : mkInt(~x);
}

export function b_bits__lsh(a: usize, b: usize): usize {
  clearBuiltinFailure();
  const s = intOperand("bits.lsh", 2, b);
  const x = intOperand("bits.lsh", 1, a);
  if (builtinFailure()) return 0;
  if (s < 0) {
    builtinError("bits.lsh", "shift count must be non-negative");
    return 0;
  }
  return mkInt(s >= 64 ? 0 : x << s);
}

export function b_bits__rsh(a: usize, b: usize): usize {
  clearBuiltinFailure();
  const s = intOperand("bits.rsh", 2, b);
  const x = intOperand("bits.rsh", 1, a);
  if (builtinFailure()) return 0;
  if (s < 0) {
    builtinError("bits.rsh", "shift count must be non-negative");
    return 0;
  }
  return mkInt(s >= 64 ? (x < 0 ? -1 : 0) : x >> s);
}

