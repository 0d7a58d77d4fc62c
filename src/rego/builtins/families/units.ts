/**
 * units.parse (SI and binary suffixes, "m" for milli) and units.parse_bytes (byte units,
 * case-insensitive), computed exactly as rationals like OPA's big.Rat: integral results stay
 * exact at any size, `units.parse` returns fractions as numbers, `parse_bytes` truncates.
 */
import { builtinError, Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import type { Value } from "../value.ts";

const DECIMAL = ["", "k", "m", "g", "t", "p", "e"];

/** 1000^i or 1024^i for the suffix letter at index i of DECIMAL. */
function multiplier(letter: string, binary: boolean): bigint | undefined {
  const i = DECIMAL.indexOf(letter);
  if (i < 0) return undefined;
  return (binary ? 1024n : 1000n) ** BigInt(i);
}

/** "1.5e3" -> [15n, 10n ** 2n] style rational (numerator, denominator), or undefined. */
function parseAmount(text: string): [bigint, bigint] | undefined {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const frac = m[3] ?? "";
  let num = BigInt(`${m[1]}${m[2]}${frac}` === m[1] ? "0" : `${m[1]}${m[2]}${frac}`);
  let den = 10n ** BigInt(frac.length);
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > 1000) return undefined;
  if (exp > 0) num *= 10n ** BigInt(exp);
  else if (exp < 0) den *= 10n ** BigInt(-exp);
  return [num, den];
}

/** Splits "10.5KiB" into the amount "10.5" and the unit "KiB" (an exponent belongs to the amount). */
function split(s: string): [string, string] {
  const m = /^-?[0-9.]*(?:[eE][-+]?[0-9]+)?/.exec(s)!;
  return [m[0], s.slice(m[0].length)];
}

function toValue(num: bigint, den: bigint, truncate: boolean): Value {
  if (num % den === 0n || truncate) {
    const q = num / den;
    return q >= BigInt(Number.MIN_SAFE_INTEGER) && q <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(q) : q;
  }
  // exact decimal expansion when the denominator divides a power of ten, else the nearest double
  return Number(num) / Number(den);
}

function prepare(name: string, raw: string): string {
  const s = raw.replaceAll('"', "");
  if (s.includes(" ")) throw builtinError(name, "spaces not allowed in resource strings");
  return s;
}

/** As OPA: an exponent of more than 6 digits is refused before the number is read. */
const EXPONENT_TOO_LARGE = /[eE][-+]?\d{7}/;

const parse: BuiltinImpl = (args) => {
  const name = "units.parse";
  const s = prepare(name, new Operands(name, args).string(1));
  const [amount, unit0] = split(s);
  if (EXPONENT_TOO_LARGE.test(amount)) throw builtinError(name, "exponent too large");
  if (amount === "") throw builtinError(name, "no amount provided");
  // only the letters after the first are case-insensitive, so that m (milli) and M (mega) differ
  const unit = unit0.length > 1 ? unit0[0] + unit0.slice(1).toLowerCase() : unit0;
  const rat = parseAmount(amount);
  if (!rat) throw builtinError(name, "could not parse amount to a number");
  let [num, den] = rat;
  if (unit === "m") den *= 1000n;
  else if (/^[kKMgGtTpPeE]$/.test(unit)) num *= multiplier(unit.toLowerCase(), false)!;
  else if (/^[kKmMgGtTpPeE]i$/.test(unit)) num *= multiplier(unit[0]!.toLowerCase(), true)!;
  else if (unit !== "") throw builtinError(name, `unit ${unit0} not recognized`);
  return toValue(num, den, false);
};

const parseBytes: BuiltinImpl = (args) => {
  const name = "units.parse_bytes";
  const s = prepare(name, new Operands(name, args).string(1)).toLowerCase();
  const [amount, unit] = split(s);
  if (EXPONENT_TOO_LARGE.test(amount)) throw builtinError(name, "exponent too large");
  if (amount === "") throw builtinError(name, "no byte amount provided");
  const rat = parseAmount(amount);
  if (!rat) throw builtinError(name, "could not parse byte amount to a number");
  let [num] = rat;
  const [, den] = rat;
  const m = /^([kmgtpe]?)(i?)(b?)$/.exec(unit);
  if (!m) throw builtinError(name, `byte unit ${unit} not recognized`);
  num *= multiplier(m[1]!, m[2] === "i")!;
  return toValue(num, den, true);
};

export const UNITS: Record<string, BuiltinImpl> = {
  "units.parse": parse,
  "units.parse_bytes": parseBytes,
};
