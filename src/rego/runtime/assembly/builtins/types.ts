import { typeName } from "../error";
import { T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING, mkBool, mkStringLit } from "../value";

export function b_is_number(v: usize): usize {
  return mkBool(load<u8>(v) == T_NUMBER);
}
export function b_is_string(v: usize): usize {
  return mkBool(load<u8>(v) == T_STRING);
}
export function b_is_boolean(v: usize): usize {
  return mkBool(load<u8>(v) == T_BOOLEAN);
}
export function b_is_array(v: usize): usize {
  return mkBool(load<u8>(v) == T_ARRAY);
}
export function b_is_set(v: usize): usize {
  return mkBool(load<u8>(v) == T_SET);
}
export function b_is_object(v: usize): usize {
  return mkBool(load<u8>(v) == T_OBJECT);
}
export function b_is_null(v: usize): usize {
  return mkBool(load<u8>(v) == T_NULL);
}
export function b_type_name(v: usize): usize {
  return mkStringLit(typeName(v));
}
