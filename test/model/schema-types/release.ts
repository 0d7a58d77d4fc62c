// Generated from schemas/release.schema.json by test/support/schema-types.ts: do not edit.

/**
 * environments/<env>/releases/<service>.yaml: the desired release of one service in one environment.
 */
export interface Release {
/**
 * File format version.
 */
apiVersion: "tollgate.dev/v1"
/**
 * File kind.
 */
kind: "Release"
/**
 * Service name; must equal the file name without `.yaml`.
 */
service: string
artifact: Artifact
lastGood?: Artifact1
/**
 * Statements about artifact digests, such as eval results. They are not part of the digest.
 * 
 * Items: One attestation.
 */
attestations?: {
/**
 * Attestation kind.
 */
kind: "eval"
/**
 * The artifact digest the eval ran against.
 */
digest: string
/**
 * Eval suite name and version.
 */
suite: string
/**
 * Score in [0, 1].
 */
score: number
/**
 * Whether the suite passed.
 */
pass: boolean
/**
 * Who or what ran it.
 */
by: string
/**
 * When it ran.
 */
at: string
/**
 * How many cases the suite ran.
 */
sampleSize?: number
/**
 * The model that graded the answers, when a model did.
 */
judgeModel?: string
/**
 * Further figures of the run, by name: named scores, cost (costUsd), latency (latencyMeanMs, latencyP95Ms), passRate.
 */
metrics?: {
/**
 * One figure.
 */
[k: string]: number
}
/**
 * The same statement signed by an eval runner: an in-toto Statement (predicateType https://tollgate.dev/attestations/eval/v1) in a DSSE envelope. `tollgate attest` writes it; the governance gate counts it as verified only when a key of evalRunners in signers.yaml signed exactly these fields.
 */
envelope?: {
/**
 * The payload's type: application/vnd.in-toto+json.
 */
payloadType: string
/**
 * The statement, base64.
 */
payload: string
/**
 * Signatures over the envelope's pre-authentication encoding.
 * 
 * Items: One signature.
 */
signatures: {
/**
 * The signing key's SSH fingerprint (SHA256:...).
 */
keyid?: string
/**
 * The signature, base64.
 */
sig: string
}[]
}
}[]
/**
 * Services in the same environment this service calls. A rollout here holds while one of them is rolling out or unhealthy, so two changes are never judged at once.
 * 
 * Items: A service name.
 */
dependsOn?: string[]
/**
 * Approvals recorded in the repository.
 * 
 * Items: One approval.
 */
approvals?: {
/**
 * Who approved.
 */
by: string
/**
 * When.
 */
at: string
/**
 * The artifact digest approved.
 */
digest: string
/**
 * Which changes the approval covers; absent means the whole release.
 * 
 * Items: What an approval covers: the whole release, or a change to one artifact part.
 */
for?: ("release" | "model" | "tools" | "prompts" | "code" | "index")[]
}[]
/**
 * People's confirmations of rollout steps marked `confirm` in the environment: the step of this digest may then complete.
 * 
 * Items: One confirmation.
 */
confirmations?: {
/**
 * Who confirmed.
 */
by: string
/**
 * When.
 */
at: string
/**
 * The artifact digest whose step is confirmed.
 */
digest: string
/**
 * The confirmed step, counted from 1 as tollgate prints it ("step 2 of 4").
 */
step: number
}[]
}
/**
 * The desired artifact.
 */
export interface Artifact {
/**
 * sha256 over the canonical JSON of the five parts (see README, 'Artifact digest'). Must match the parts.
 */
digest: string
/**
 * The container image and the source it was built from.
 */
code: {
/**
 * Image reference pinned by digest: `registry/name@sha256:<64 hex>`.
 */
image: string
/**
 * The git commit (40 hex digits) the image was built from.
 */
sourceCommit: string
}
/**
 * The language model the agent calls.
 */
model: {
/**
 * Model provider, e.g. `anthropic`, `openai`, `self-hosted`.
 */
provider: string
/**
 * Model name as the provider names it.
 */
name: string
/**
 * The pinned snapshot or version of the model.
 */
snapshot: string
}
/**
 * The prompt files, pinned by the digest of their bundle.
 */
prompts: {
/**
 * Digest of the prompt bundle.
 */
digest: string
}
/**
 * The tool manifest and the tools the agent is allowed to call.
 */
tools: {
/**
 * Digest of the tool manifest.
 */
manifestDigest: string
/**
 * Names of the tools the agent may call (a set: order does not matter, no duplicates).
 * 
 * Items: A tool name.
 */
allowed: string[]
}
/**
 * The retrieval index build the agent reads.
 */
index: {
/**
 * The index build identifier.
 */
buildId: string
/**
 * Digest of the index build.
 */
digest: string
}
}
/**
 * The last artifact verified good here, kept warm: a rollback points the release back at it.
 */
export interface Artifact1 {
/**
 * sha256 over the canonical JSON of the five parts (see README, 'Artifact digest'). Must match the parts.
 */
digest: string
/**
 * The container image and the source it was built from.
 */
code: {
/**
 * Image reference pinned by digest: `registry/name@sha256:<64 hex>`.
 */
image: string
/**
 * The git commit (40 hex digits) the image was built from.
 */
sourceCommit: string
}
/**
 * The language model the agent calls.
 */
model: {
/**
 * Model provider, e.g. `anthropic`, `openai`, `self-hosted`.
 */
provider: string
/**
 * Model name as the provider names it.
 */
name: string
/**
 * The pinned snapshot or version of the model.
 */
snapshot: string
}
/**
 * The prompt files, pinned by the digest of their bundle.
 */
prompts: {
/**
 * Digest of the prompt bundle.
 */
digest: string
}
/**
 * The tool manifest and the tools the agent is allowed to call.
 */
tools: {
/**
 * Digest of the tool manifest.
 */
manifestDigest: string
/**
 * Names of the tools the agent may call (a set: order does not matter, no duplicates).
 * 
 * Items: A tool name.
 */
allowed: string[]
}
/**
 * The retrieval index build the agent reads.
 */
index: {
/**
 * The index build identifier.
 */
buildId: string
/**
 * Digest of the index build.
 */
digest: string
}
}
