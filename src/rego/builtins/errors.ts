/**
 * Errors of host builtins, worded as OPA words them. A builtin throws BuiltinError; the host
 * table turns it into the runtime's error answer (undefined, or an abort in strict mode, with
 * the call site and rule added by the runtime).
 */
import { isNumber, isObject, type Obj, type RegoObject, RegoSet, typeName, type Value } from "./value.ts";

export type ErrorCode = "eval_type_error" | "eval_builtin_error";

export class BuiltinError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Aborts evaluation even without strict builtin errors (OPA's Halt). */
    readonly halt = false,
  ) {
    super(message);
    this.name = "BuiltinError";
  }
}

/** eval_builtin_error: NAME: MESSAGE */
export function builtinError(name: string, message: string): BuiltinError {
  return new BuiltinError("eval_builtin_error", `${name}: ${message}`);
}

/** eval_type_error: NAME: operand POS must be EXPECTED but got TYPE */
export function operandTypeError(name: string, pos: number, expected: string, got: Value): BuiltinError {
  return new BuiltinError("eval_type_error", `${name}: operand ${pos} must be ${expected} but got ${typeName(got)}`);
}

/** eval_type_error: NAME: operand POS MESSAGE */
export function operandError(name: string, pos: number, message: string): BuiltinError {
  return new BuiltinError("eval_type_error", `${name}: operand ${pos} ${message}`);
}

/** Operand checks: return the operand narrowed, or throw OPA's type error. */
export class Operands {
  constructor(
    readonly name: string,
    readonly args: readonly Value[],
  ) {}

  string(pos: number): string {
    const v = this.args[pos - 1]!;
    if (typeof v !== "string") throw operandTypeError(this.name, pos, "string", v);
    return v;
  }

  number(pos: number): number | bigint {
    const v = this.args[pos - 1]!;
    if (!isNumber(v)) throw operandTypeError(this.name, pos, "number", v);
    return typeof v === "object" ? Number(v.text) : v;
  }

  /** An integral number as a bigint. */
  integer(pos: number): bigint {
    const v = this.number(pos);
    if (typeof v === "bigint") return v;
    if (!Number.isInteger(v))
      throw operandError(this.name, pos, "must be integer number but got floating-point number");
    return BigInt(v);
  }

  boolean(pos: number): boolean {
    const v = this.args[pos - 1]!;
    if (typeof v !== "boolean") throw operandTypeError(this.name, pos, "boolean", v);
    return v;
  }

  array(pos: number): Value[] {
    const v = this.args[pos - 1]!;
    if (!Array.isArray(v)) throw operandTypeError(this.name, pos, "array", v);
    return v;
  }

  object(pos: number): Obj | RegoObject {
    const v = this.args[pos - 1]!;
    if (typeName(v) !== "object") throw operandTypeError(this.name, pos, "object", v);
    return v as Obj | RegoObject;
  }

  /** An object whose keys are all strings. */
  plainObject(pos: number): Obj {
    const v = this.object(pos);
    if (!isObject(v)) throw operandError(this.name, pos, "must be object with string keys");
    return v;
  }

  /** Elements of an array or set. */
  collection(pos: number, expected = "one of {array, set}"): Value[] {
    const v = this.args[pos - 1]!;
    if (Array.isArray(v)) return v;
    if (v instanceof RegoSet) return v.items;
    throw operandTypeError(this.name, pos, expected, v);
  }

  /** Strings of an array or set of strings. */
  strings(pos: number, expected = "one of {array, set}"): string[] {
    const items = this.collection(pos, expected);
    for (const x of items) {
      if (typeof x !== "string") {
        const container = typeName(this.args[pos - 1]!);
        throw operandError(
          this.name,
          pos,
          `must be ${container} of strings but got ${container} containing ${typeName(x)}`,
        );
      }
    }
    return items as string[];
  }

  any(pos: number): Value {
    return this.args[pos - 1]!;
  }
}
