/**
 * A light type check: arguments written as literals (`count(1)`, `"a" + 1`, `lower(3)`) must have
 * a type the builtin accepts. OPA's full type checker also infers types through variables and
 * rules; this catches the mistakes visible in the source itself, as `rego_type_error` at the call.
 */
import type { ProblemList } from "../errors.ts";
import type { Term } from "../syntax/ast.ts";

type Kind = "null" | "boolean" | "number" | "string" | "array" | "object" | "set";
const ANY: readonly Kind[] = ["null", "boolean", "number", "string", "array", "object", "set"];
const N: readonly Kind[] = ["number"];
const S: readonly Kind[] = ["string"];
const COLL: readonly Kind[] = ["array", "set"];
const SIZED: readonly Kind[] = ["array", "object", "set", "string"];
const OBJ: readonly Kind[] = ["object"];
const ARR: readonly Kind[] = ["array"];
const NS: readonly Kind[] = ["number", "set"];
const SET: readonly Kind[] = ["set"];
const KEYS: readonly Kind[] = ["array", "object", "set"];
const STRS: readonly Kind[] = ["string", "array", "set"];

/** Accepted kinds per argument, for the commonly used builtins. */
const SIGNATURES: ReadonlyMap<string, readonly (readonly Kind[])[]> = new Map([
  ["plus", [N, N]],
  ["minus", [NS, NS]],
  ["mul", [N, N]],
  ["div", [N, N]],
  ["rem", [N, N]],
  ["abs", [N]],
  ["round", [N]],
  ["ceil", [N]],
  ["floor", [N]],
  ["numbers.range", [N, N]],
  ["count", [SIZED]],
  ["sum", [COLL]],
  ["product", [COLL]],
  ["max", [COLL]],
  ["min", [COLL]],
  ["sort", [COLL]],
  ["and", [SET, SET]],
  ["or", [SET, SET]],
  ["intersection", [SET]],
  ["union", [SET]],
  ["array.concat", [ARR, ARR]],
  ["array.slice", [ARR, N, N]],
  ["array.reverse", [ARR]],
  ["object.get", [OBJ, ANY, ANY]],
  ["object.keys", [OBJ]],
  ["object.remove", [OBJ, KEYS]],
  ["object.filter", [OBJ, KEYS]],
  ["object.union", [OBJ, OBJ]],
  ["object.union_n", [ARR]],
  ["concat", [S, COLL]],
  ["contains", [S, S]],
  ["startswith", [S, S]],
  ["endswith", [S, S]],
  ["format_int", [N, N]],
  ["indexof", [S, S]],
  ["lower", [S]],
  ["upper", [S]],
  ["replace", [S, S, S]],
  ["split", [S, S]],
  ["sprintf", [S, ARR]],
  ["substring", [S, N, N]],
  ["trim", [S, S]],
  ["trim_left", [S, S]],
  ["trim_right", [S, S]],
  ["trim_prefix", [S, S]],
  ["trim_suffix", [S, S]],
  ["trim_space", [S]],
  ["strings.reverse", [S]],
  ["strings.any_prefix_match", [STRS, STRS]],
  ["strings.any_suffix_match", [STRS, STRS]],
  ["regex.match", [S, S]],
  ["json.unmarshal", [S]],
  ["base64.encode", [S]],
  ["base64.decode", [S]],
  ["base64url.encode", [S]],
  ["base64url.decode", [S]],
]);

function literalKind(t: Term): Kind | undefined {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
    case "array":
    case "object":
    case "set":
      return t.type;
    case "arraycompr":
      return "array";
    case "setcompr":
      return "set";
    case "objectcompr":
      return "object";
    default:
      return undefined;
  }
}

/** Reports literal arguments of a builtin call whose type the builtin rejects. */
export function checkLiteralArgumentTypes(call: Term & { type: "call" }, problems: ProblemList): void {
  const sig = SIGNATURES.get(call.name);
  if (!sig) return;
  call.args.forEach((arg, i) => {
    const want = sig[i];
    const have = literalKind(arg);
    if (!want || !have || want.includes(have)) return;
    problems.add(
      arg.loc,
      "rego_type_error",
      `${call.name}: invalid argument ${i + 1}: want ${want.join(" or ")}, got ${have}`,
    );
  });
}
