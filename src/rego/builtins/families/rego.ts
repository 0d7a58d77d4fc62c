/** rego.parse_module: a module's AST in OPA's JSON form, or OPA's parse error. */
import { RegoCompileError } from "../../errors.ts";
import { moduleToOpaJson } from "../../syntax/opa-ast.ts";
import { parseModule } from "../../syntax/parser.ts";
import { builtinError, Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import type { Value } from "../value.ts";

export const REGO: Record<string, BuiltinImpl> = {
  "rego.parse_module": (args) => {
    const name = "rego.parse_module";
    const ops = new Operands(name, args);
    const [file, text] = [ops.string(1), ops.string(2)];
    try {
      return moduleToOpaJson(parseModule(file, text)) as Value;
    } catch (error) {
      if (error instanceof RegoCompileError) throw builtinError(name, error.message);
      throw error;
    }
  },
};
