// Aborting evaluation with OPA-worded messages. Messages are ASCII (the SDK decodes them
// byte-wise); non-ASCII bytes from user strings are escaped.
import { STRICT_BUILTIN_ERRORS, opa_abort } from "./env";
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

// Source location of the builtin call being evaluated (set by the generated code before each
// builtin call), used to prefix builtin error messages like OPA does: "file:row: ". `errFile`
// is a site record: the NUL-terminated file name, then NUL-terminated "rule NAME" or
// "entrypoint NAME" (where the call is).
export let errFile: usize = 0;
export let errRow: i32 = 0;

/** Appends "file:row: " for a site record (nothing if `file` is 0). */
export function bufLocation(b: usize, file: usize, row: i32): void {
  if (file == 0) return;
  let n: u32 = 0;
  while (load<u8>(file + n) != 0) n++;
  bufAsciiSafe(b, file, n);
  bufByte(b, 58);
  bufI64(b, row);
  bufStr(b, ": ");
}

/** Appends " (in rule NAME)" or " (in entrypoint NAME)" for a site record (nothing if it names none). */
export function bufSiteRule(b: usize, site: usize): void {
  if (site == 0) return;
  let p = site;
  while (load<u8>(p) != 0) p++;
  p++;
  let n: u32 = 0;
  while (load<u8>(p + n) != 0) n++;
  if (n == 0) return;
  bufStr(b, " (in ");
  bufAsciiSafe(b, p, n);
  bufByte(b, 41);
}

/** Appends `kind` + " NAME" when the site record is in a rule (false, nothing appended, if not). */
export function bufSiteNamed(b: usize, site: usize, kind: string): bool {
  if (site == 0) return false;
  let p = site;
  while (load<u8>(p) != 0) p++;
  p++;
  // "rule " + name
  if (load<u8>(p) != 114 || load<u8>(p + 4) != 32 || load<u8>(p + 1) != 117) return false;
  p += 5;
  let n: u32 = 0;
  while (load<u8>(p + n) != 0) n++;
  if (n == 0) return false;
  bufStr(b, kind);
  bufByte(b, 32);
  bufAsciiSafe(b, p, n);
  return true;
}

/** Appends the rule of the builtin call being evaluated, as bufSiteRule. */
export function bufRuleSuffix(b: usize): void {
  bufSiteRule(b, errFile);
}

/** A new message buffer starting with the current builtin call's location, if known. */
export function startMessage(): usize {
  const b = bufNew(128);
  bufLocation(b, errFile, errRow);
  return b;
}

/** Aborts with a builtin error message, naming the rule of the call. */
export function abortBuiltin(b: usize): void {
  bufRuleSuffix(b);
  abortBuf(b);
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

// Builtin errors abort evaluation in strict mode (like OPA's strict-builtin-errors); otherwise,
// as in OPA by default, they make the builtin call undefined: the error functions then set
// `builtinFailed` and return, and the builtin returns 0.
let builtinFailed: bool = false;

/** For builtins that format their own error: false means "return undefined instead". */
export function strictErrors(): bool {
  if (STRICT_BUILTIN_ERRORS) return true;
  builtinFailed = true;
  return false;
}

export function clearBuiltinFailure(): void {
  builtinFailed = false;
}

/** True if a builtin error was reported (non-strict mode) since the last clear. */
export function builtinFailure(): bool {
  return builtinFailed;
}

/**
 * Starts a builtin error message "file:row: CODE: NAME: operand POS " (no operand part if pos is
 * 0), or returns 0 in non-strict mode after recording the failure.
 */
function beginError(code: string, name: string, pos: i32): usize {
  if (!STRICT_BUILTIN_ERRORS) {
    builtinFailed = true;
    return 0;
  }
  const b = startMessage();
  bufStr(b, code);
  bufStr(b, ": ");
  bufStr(b, name);
  bufStr(b, ": ");
  if (pos > 0) {
    bufStr(b, "operand ");
    bufI64(b, pos);
    bufByte(b, 32);
  }
  return b;
}

/** eval_type_error: NAME: operand POS must be EXPECTED but got TYPE */
export function typeError(name: string, pos: i32, expected: string, got: usize): void {
  const b = beginError("eval_type_error", name, pos);
  if (b == 0) return;
  bufStr(b, "must be ");
  bufStr(b, expected);
  bufStr(b, " but got ");
  bufStr(b, typeName(got));
  abortBuiltin(b);
}

/** eval_type_error: NAME: operand POS must be array of strings but got array containing TYPE */
export function elementTypeError(name: string, pos: i32, coll: usize, elem: usize): void {
  const b = beginError("eval_type_error", name, pos);
  if (b == 0) return;
  bufStr(b, "must be ");
  bufStr(b, typeName(coll));
  bufStr(b, " of strings but got ");
  bufStr(b, typeName(coll));
  bufStr(b, " containing ");
  bufStr(b, typeName(elem));
  abortBuiltin(b);
}

/** eval_type_error: NAME: operand POS MESSAGE */
export function operandError(name: string, pos: i32, message: string): void {
  const b = beginError("eval_type_error", name, pos);
  if (b == 0) return;
  bufStr(b, message);
  abortBuiltin(b);
}

/** eval_builtin_error: NAME: MESSAGE */
export function builtinError(name: string, message: string): void {
  const b = beginError("eval_builtin_error", name, 0);
  if (b == 0) return;
  bufStr(b, message);
  abortBuiltin(b);
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
