/**
 * The value layout of the AssemblyScript runtime (assembly/value.ts, assembly/number.ts), as the
 * codegen needs it to place constant values in the module's data segment.
 */
export const T_NULL = 1;
export const T_BOOLEAN = 2;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_ARRAY = 5;
export const T_OBJECT = 6;
export const T_SET = 7;

/** null / boolean: u8 type @0, u8 value @1. */
export const SCALAR_SIZE = 8;
/** string: u8 type @0, u32 byte length @4, u32 bytes address @8. */
export const STRING_SIZE = 12;
/** number: u8 type @0, u8 kind @1, u32 text address @4, i64|f64 @8, u32 text length @16. */
export const NUMBER_SIZE = 24;
export const NUMBER_INT = 0;
export const NUMBER_FLOAT = 1;
