/**
 * The prebuilt runtime, on its own: light to import (no compiler, no binaryen), so that
 * `tollgate --version` can report it without loading the compiler.
 */
export { abortText } from "./abort.ts";
export { RegoRuntimeError } from "./files.ts";
export { runtimeDigest, runtimeWasm } from "./load.ts";
