/**
 * What tollgate's compiler and runtime provide, as an OPA capabilities document, so that
 * `opa check --capabilities` and Regal lint policies against exactly what tollgate runs: every
 * builtin of the catalogue but the out-of-scope (network) ones, with OPA's type signatures.
 */
import { allBuiltins } from "./catalog.ts";
import { INFIX, SIGNATURES } from "./signatures.ts";

/** Language built-ins OPA's type checker needs in a capabilities file (`=`, `:=`). */
const LANGUAGE = ["assign", "eq"];

export interface CapabilitiesBuiltin {
  name: string;
  decl: unknown;
  infix?: string;
}

export interface Capabilities {
  builtins: CapabilitiesBuiltin[];
  future_keywords: string[];
  features: string[];
  wasm_abi_versions: { version: number; minor_version: number }[];
}

function entry(name: string): CapabilitiesBuiltin {
  const decl = SIGNATURES[name];
  if (decl === undefined) throw new Error(`internal: builtin ${name} has no type signature`);
  const infix = INFIX[name];
  return { name, decl: JSON.parse(decl) as unknown, ...(infix !== undefined ? { infix } : {}) };
}

export function capabilities(): Capabilities {
  const names = [
    ...allBuiltins()
      .filter((b) => b.outOfScope === undefined && b.helper !== true)
      .map((b) => b.name),
    ...LANGUAGE,
  ].sort();
  return {
    builtins: names.map(entry),
    future_keywords: ["and", "not", "or"],
    features: ["keywords_in_refs", "rego_v1", "rego_v2_import", "template_strings"],
    wasm_abi_versions: [{ version: 1, minor_version: 2 }],
  };
}
