// Generated from schemas/signers.schema.json by test/support/schema-types.ts: do not edit.

/**
 * tollgate's own keys: every decision commit must be signed by one of them (the reconciler's key, from its Secret).
 * 
 * Items: One key.
 */
export type Keys = string[]
/**
 * Keys of the eval runners whose signed attestations the governance gate counts (SSH Ed25519 keys: they sign DSSE envelopes).
 * 
 * Items: One key.
 */
export type Keys1 = string[]
/**
 * The person's keys.
 * 
 * Items: One key.
 */
export type Keys2 = string[]

/**
 * signers.yaml at the repository root: whose signatures tollgate accepts on what. Each key is written in git's allowed-signers syntax (`<principals> [options] <key type> <base64 key> [comment]`, see ssh-keygen(1), ALLOWED SIGNERS), or is an ASCII-armoured OpenPGP public key. Read from the parent of the commit being verified, so a change cannot admit its own signer; changing this file is itself a change only an allowed person may sign.
 */
export interface Signers {
/**
 * Format version.
 */
apiVersion: "tollgate.dev/v1"
/**
 * File kind.
 */
kind: "Signers"
decisions?: Keys
evalRunners?: Keys1
/**
 * People's keys, by the names teams.yaml and approvals use.
 */
people?: {
[k: string]: Keys2
}
/**
 * Who may sign release and environment changes in protected environments, and changes to signers.yaml and teams.yaml: names of `people`, or `team:<name>` for the members teams.yaml gives a team. Without it, every person listed may.
 * 
 * Items: A person or `team:<name>`.
 */
protectedChanges?: string[]
}
