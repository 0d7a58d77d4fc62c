// Operand checks shared by the builtins. On a failed check they report OPA's type error (an
// abort in strict mode, else the builtin's result becomes undefined) and return false: the
// builtin must then return 0 at once.
import { typeError } from "../error";
import { T_ARRAY, T_NUMBER, T_OBJECT, T_SET, T_STRING } from "../value";

export function needNumber(name: string, pos: i32, v: usize): bool {
  if (load<u8>(v) == T_NUMBER) return true;
  typeError(name, pos, "number", v);
  return false;
}

export function needString(name: string, pos: i32, v: usize): bool {
  if (load<u8>(v) == T_STRING) return true;
  typeError(name, pos, "string", v);
  return false;
}

export function needArray(name: string, pos: i32, v: usize): bool {
  if (load<u8>(v) == T_ARRAY) return true;
  typeError(name, pos, "array", v);
  return false;
}

export function needObject(name: string, pos: i32, v: usize): bool {
  if (load<u8>(v) == T_OBJECT) return true;
  typeError(name, pos, "object", v);
  return false;
}

export function needSet(name: string, pos: i32, v: usize): bool {
  if (load<u8>(v) == T_SET) return true;
  typeError(name, pos, "set", v);
  return false;
}

/** Array or set. */
export function needCollection(name: string, pos: i32, v: usize): bool {
  const t = load<u8>(v);
  if (t == T_ARRAY || t == T_SET) return true;
  typeError(name, pos, "one of {array, set}", v);
  return false;
}
