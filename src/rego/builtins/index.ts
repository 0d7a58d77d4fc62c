/**
 * The builtin library: the catalogue of every builtin the compiler knows (catalog.ts) and the
 * host implementations of those the Wasm runtime does not run natively (host.ts, families/).
 */
export { type Capabilities, capabilities } from "./capabilities.ts";
export { allBuiltins, type BuiltinInfo, isBuiltinNamespace, lookupBuiltin } from "./catalog.ts";
export { FAMILIES } from "./families.ts";
export {
  BuiltinHost,
  type BuiltinImpl,
  declaredBuiltins,
  type EvaluationContext,
  HOST_PREFIX,
  type HostContext,
  hostName,
  type NondeterministicRecord,
} from "./host.ts";
