/** Builtins about the evaluation itself: opa.runtime, trace. */
import { Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";

export const META: Record<string, BuiltinImpl> = {
  "opa.runtime": (_args, ctx) => ctx.runtime,
  /** Records a note for the evaluation's trace; always true. */
  trace: (args, ctx) => {
    ctx.notes.push(new Operands("trace", args).string(1));
    return true;
  },
};
