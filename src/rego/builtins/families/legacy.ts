/** Builtins OPA keeps for Rego v0 policies: cast_* and set_diff. */
import { Operands, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { equalValues, makeSet, RegoSet, typeName, type Value } from "../value.ts";

const castTo =
  (type: string): BuiltinImpl =>
  (args) => {
    const v = args[0]!;
    if (typeName(v) !== type) throw operandTypeError(`cast_${type}`, 1, type, v);
    return v;
  };

export const LEGACY: Record<string, BuiltinImpl> = {
  cast_array: (args) => new Operands("cast_array", args).collection(1),
  cast_set: (args) => makeSet(new Operands("cast_set", args).collection(1)),
  cast_string: castTo("string"),
  cast_boolean: castTo("boolean"),
  cast_null: castTo("null"),
  cast_object: castTo("object"),
  set_diff: (args) => {
    const [a, b] = args as [Value, Value];
    if (!(a instanceof RegoSet)) throw operandTypeError("set_diff", 1, "set", a);
    if (!(b instanceof RegoSet)) throw operandTypeError("set_diff", 2, "set", b);
    return makeSet(a.items.filter((x) => !b.items.some((y) => equalValues(x, y))));
  },
};
