// Aborting evaluation with OPA-worded messages. Messages are ASCII (the SDK decodes them
// byte-wise); non-ASCII bytes from user strings are escaped.
import { opa_abort } from "./env";
import { bufByte, bufCString, bufNew, bufStr, bufI64 } from "./buf";
import { T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING } from "./value";

export function typeName(v: usize): string {
  switch (load<u8>(v)) {
    case T_NULL:
      return "null";
    case T_BOOLEAN:
      return "boolean";
    case T_NUMBER:
      return "number";
    case T_STRING:
      return "string";
    case T_ARRAY:
      return "array";
    case T_OBJECT:
      return "object";
    case T_SET:
      return "set";
  }
  return "undefined";
}

export function abortBuf(b: usize): void {
  opa_abort(bufCString(b));
  unreachable();
}

/** Aborts with `message` (an ASCII literal). */
export function fail(message: string): void {
  const b = bufNew(64);
  bufStr(b, message);
  abortBuf(b);
}

/** eval_type_error: NAME: operand POS must be EXPECTED but got TYPE */
export function typeError(name: string, pos: i32, expected: string, got: usize): void {
  const b = bufNew(96);
  bufStr(b, "eval_type_error: ");
  bufStr(b, name);
  bufStr(b, ": operand ");
  bufI64(b, pos);
  bufStr(b, " must be ");
  bufStr(b, expected);
  bufStr(b, " but got ");
  bufStr(b, typeName(got));
  abortBuf(b);
}

/** eval_type_error: NAME: operand POS MESSAGE */
export function operandError(name: string, pos: i32, message: string): void {
  const b = bufNew(96);
  bufStr(b, "eval_type_error: ");
  bufStr(b, name);
  bufStr(b, ": operand ");
  bufI64(b, pos);
  bufByte(b, 32);
  bufStr(b, message);
  abortBuf(b);
}

/** eval_builtin_error: NAME: MESSAGE */
export function builtinError(name: string, message: string): void {
  const b = bufNew(96);
  bufStr(b, "eval_builtin_error: ");
  bufStr(b, name);
  bufStr(b, ": ");
  bufStr(b, message);
  abortBuf(b);
}

/** Appends bytes, escaping anything outside printable ASCII as \xNN. */
export function bufAsciiSafe(b: usize, p: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c >= 32 && c < 127) bufByte(b, c);
    else {
      bufStr(b, "\\x");
      bufByte(b, HEX(c >> 4));
      bufByte(b, HEX(c & 15));
    }
  }
}

// @ts-ignore: decorator
@inline
function HEX(d: u32): u32 {
  return d < 10 ? 48 + d : 87 + d;
}

// ---- operand checks used by the builtins ----

// @ts-ignore: decorator
@inline
export function isType(v: usize, t: u8): bool {
  return load<u8>(v) == t;
}

/** Target of AssemblyScript's `abort` (--use abort=...): reports the message through opa_abort. */
export function asAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const b = bufNew(96);
  bufStr(b, "internal runtime error");
  if (message !== null) {
    bufStr(b, ": ");
    bufStr(b, changetype<string>(message));
  }
  if (fileName !== null) {
    bufStr(b, " at ");
    bufStr(b, changetype<string>(fileName));
    bufByte(b, 58);
    bufI64(b, line);
    bufByte(b, 58);
    bufI64(b, column);
  }
  abortBuf(b);
}
