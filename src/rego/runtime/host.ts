/**
 * Host implementations of builtins that a compiled module dispatches to JavaScript (through the
 * SDK's opa_builtinN imports) because Wasm cannot do them: pass `hostBuiltins` as the custom
 * builtins argument of the SDK's `loadPolicy(wasm, memory, hostBuiltins)`.
 *
 * Some names differ from the Rego name: the SDK ships its own `yaml.is_valid` (an older YAML
 * parser, undefined for non-strings) that would shadow a custom one, so the codegen declares that
 * builtin under the name in HOST_NAMES and this table implements it with OPA's semantics.
 */
import { parseAllDocuments } from "yaml";

/** Rego builtin name -> the name the module declares in builtins() (when different). */
export const HOST_NAMES: Readonly<Record<string, string>> = {
  "yaml.is_valid": "tollgate.yaml.is_valid",
};

type HostBuiltin = (...args: unknown[]) => unknown;

export const hostBuiltins: Readonly<Record<string, HostBuiltin>> = {
  /** Nanoseconds since the epoch (evaluated once per evaluation: the module caches it). */
  "time.now_ns": () => Date.now() * 1e6,
  /** No runtime configuration is exposed to policies. */
  "opa.runtime": () => ({}),
  "tollgate.yaml.is_valid": (text: unknown) => {
    if (typeof text !== "string") return false;
    try {
      return parseAllDocuments(text).every((doc) => doc.errors.length === 0);
    } catch {
      return false;
    }
  },
};
