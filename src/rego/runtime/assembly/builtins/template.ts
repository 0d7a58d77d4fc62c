// Template strings and print: values as text, as OPA's String() writes them. The compiler passes
// each part as a string or scalar literal, or as the set of values of one expression (captured by
// a set comprehension: empty when the expression is undefined).
import { bufBytes, bufLen, bufNew, bufPtr, bufSetLen, bufStr } from "../buf";
import { abortBuf, startMessage } from "../error";
import { dumpRego } from "../json";
import { T_ARRAY, T_OBJECT, T_SET, T_STRING, arrPush, mkArray, mkStringCopy, strLen, strPtr, vecGet, vecLen } from "../value";

/** Appends a value: strings as their text, everything else in Rego syntax. */
function bufText(b: usize, v: usize): void {
  if (load<u8>(v) == T_STRING) bufBytes(b, strPtr(v), strLen(v));
  else dumpRego(b, v, true);
}

function illegalPart(v: usize): void {
  const b = startMessage();
  bufStr(b, "eval_internal_error: illegal argument type: ");
  bufStr(b, load<u8>(v) == T_ARRAY ? "array" : "object");
  abortBuf(b);
}

/** internal.template_string(parts): the parts' text joined; an expression with several values is a conflict. */
export function b_internal__template_string(parts: usize): usize {
  if (load<u8>(parts) != T_ARRAY) return 0;
  const b = bufNew(64);
  const n = vecLen(parts);
  for (let i: u32 = 0; i < n; i++) {
    const p = vecGet(parts, i);
    const t = load<u8>(p);
    if (t == T_SET) {
      const m = vecLen(p);
      if (m == 0) bufStr(b, "<undefined>");
      else if (m == 1) bufText(b, vecGet(p, 0));
      else {
        const e = startMessage();
        bufStr(e, "eval_conflict_error: template-strings must not produce multiple outputs");
        abortBuf(e);
      }
    } else if (t == T_ARRAY || t == T_OBJECT) illegalPart(p);
    else bufText(b, p);
  }
  return mkStringCopy(bufPtr(b), bufLen(b));
}

/**
 * internal.print_lines(parts): the lines `print(a, b, ...)` writes, the parts separated by a
 * space, one line per combination of the parts' values (OPA prints each).
 */
export function b_internal__print_lines(parts: usize): usize {
  const out = mkArray(1);
  if (load<u8>(parts) != T_ARRAY) return out;
  printCombinations(out, bufNew(64), parts, 0);
  return out;
}

function printCombinations(out: usize, b: usize, parts: usize, i: u32): void {
  if (i == vecLen(parts)) {
    arrPush(out, mkStringCopy(bufPtr(b), bufLen(b)));
    return;
  }
  const mark = bufLen(b);
  if (i > 0) bufStr(b, " ");
  const p = vecGet(parts, i);
  const t = load<u8>(p);
  if (t != T_SET) {
    if (t == T_ARRAY || t == T_OBJECT) illegalPart(p);
    bufText(b, p);
    printCombinations(out, b, parts, i + 1);
  } else if (vecLen(p) == 0) {
    bufStr(b, "<undefined>");
    printCombinations(out, b, parts, i + 1);
  } else {
    const sep = bufLen(b);
    for (let k: u32 = 0; k < vecLen(p); k++) {
      bufSetLen(b, sep);
      bufText(b, vecGet(p, k));
      printCombinations(out, b, parts, i + 1);
    }
  }
  bufSetLen(b, mark);
}
