// Operand checks shared by the builtins: each aborts with OPA's type error when it fails.
import { typeError } from "../error";
import { T_ARRAY, T_NUMBER, T_OBJECT, T_SET, T_STRING } from "../value";

export function needNumber(name: string, pos: i32, v: usize): void {
  if (load<u8>(v) != T_NUMBER) typeError(name, pos, "number", v);
}

export function needString(name: string, pos: i32, v: usize): void {
  if (load<u8>(v) != T_STRING) typeError(name, pos, "string", v);
}

export function needArray(name: string, pos: i32, v: usize): void {
  if (load<u8>(v) != T_ARRAY) typeError(name, pos, "array", v);
}

export function needObject(name: string, pos: i32, v: usize): void {
  if (load<u8>(v) != T_OBJECT) typeError(name, pos, "object", v);
}

export function needSet(name: string, pos: i32, v: usize): void {
  if (load<u8>(v) != T_SET) typeError(name, pos, "set", v);
}

/** Array or set. */
export function needCollection(name: string, pos: i32, v: usize): void {
  const t = load<u8>(v);
  if (t != T_ARRAY && t != T_SET) typeError(name, pos, "one of {array, set}", v);
}
