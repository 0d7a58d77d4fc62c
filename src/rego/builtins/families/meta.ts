/** Builtins about the evaluation itself: opa.runtime, trace, print. */
import { Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";

export const META: Record<string, BuiltinImpl> = {
  "opa.runtime": (_args, ctx) => ctx.runtime,
  /** Records a note for the evaluation's trace; always true. */
  trace: (args, ctx) => {
    ctx.notes.push(new Operands("trace", args).string(1));
    return true;
  },
  /**
   * The lines of a `print(...)` call, formatted by the runtime (internal.print_lines), to the
   * evaluation's print sink; always true.
   */
  print: (args, ctx) => {
    const lines = args[0];
    if (Array.isArray(lines)) for (const line of lines) ctx.print(String(line));
    return true;
  },
};
