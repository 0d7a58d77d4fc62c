/** String builtins the runtime does not run natively: strings.split_n, strings.render_template. */
import { Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { renderTemplate } from "./template.ts";

/** Go's strings.Split (an empty separator splits into characters). */
function split(s: string, sep: string): string[] {
  return sep === "" ? [...s] : s.split(sep);
}

export const STRINGS: Record<string, BuiltinImpl> = {
  /** The first n parts of the split (the last |n| for negative n), as OPA's. */
  "strings.split_n": (args) => {
    const ops = new Operands("strings.split_n", args);
    const parts = split(ops.string(1), ops.string(2));
    const n = Number(ops.integer(3));
    return n >= 0 ? parts.slice(0, n) : parts.slice(n);
  },
  "strings.render_template": (args) => {
    const ops = new Operands("strings.render_template", args);
    return renderTemplate("strings.render_template", ops.string(1), ops.plainObject(2));
  },
};
