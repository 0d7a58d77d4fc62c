// Generated from schemas/common.schema.json by test/support/schema-types.ts: do not edit.

/**
 * Definitions used by several tollgate file kinds.
 */
export interface SharedDefinitions {
[k: string]: unknown
}
