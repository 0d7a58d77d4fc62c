/**
 * model: the files of a tollgate repository and what they mean. Release, Environment, Status and
 * Teams types; strict YAML + JSON Schema loading with file/line/field problems; the artifact digest
 * and the five-part diff; durations.
 */
export {
  ARTIFACT_PARTS,
  type ArtifactDiff,
  type ArtifactPartName,
  diffArtifacts,
  type PartChange,
} from "./artifact-diff.ts";
export { shortDigest } from "./artifact-digest.ts";
export { formatAge, formatDuration, parseDuration } from "./duration.ts";
export { formatProblem, type InputProblem, InvalidInputError, UserError } from "./errors.ts";
export { allowedSignersLine, parseSignerKey, SSH_KEY_TYPES, type SignerKey } from "./allowed-signers.ts";
export { type LoadedRepository, loadRepository } from "./repository.ts";
export type {
  Artifact,
  DecisionAction,
  DecisionReason,
  Digest,
  Environment,
  EnvironmentState,
  EvidenceLine,
  MetricName,
  Release,
  RepositoryState,
  Signers,
  Status,
  Teams,
} from "./types.ts";
export { describeChange } from "./artifact-diff.ts";
export { artifactDigest, sealArtifact, sha256Digest } from "./artifact-digest.ts";
export { canonicalJson } from "./canonical-json.ts";
export {
  type AnalysisEvidence,
  type EncodedEvidence,
  EVIDENCE_DIR,
  EVIDENCE_FORMAT,
  type EvidenceDocument,
  EvidenceError,
  type EvidenceProblem,
  EvidenceTooLargeError,
  encodeEvidence,
  evidenceDigest,
  evidencePath,
  evidenceProblems,
  MAX_RECORDED_E_VALUE,
  UNBOUNDED_RATIO,
  jsonSafe,
  MAX_EVIDENCE_BYTES,
  type Producer,
  type TelemetryEvidence,
} from "./evidence.ts";
export { locateField, MAX_STEP_INTERVALS, parseEnvironment, parseRelease, parseSigners, parseStatus } from "./load.ts";
export { type ContentAddressedTree, parseCache } from "./parse-cache.ts";
export {
  ENVIRONMENTS_DIR,
  environmentFile,
  releaseFile,
  SIGNERS_FILE,
  statusFile,
  TEAMS_FILE,
  teamsOf,
} from "./repository.ts";
export { assertValid, definitionProblems, formatFieldPath, jsonProblems } from "./schemas.ts";
export { serializeStatus, serializeStatusDocument, statusDocument, updateReleaseText } from "./serialize.ts";
export { servingArtifact } from "./serving.ts";
export { DirectoryTree, type TreeEntry, type TreeReader } from "./tree.ts";
export type {
  AnalysisSettings,
  Approval,
  ApprovalScope,
  ArtifactParts,
  Attestation,
  AttestationEnvelope,
  ClusterTarget,
  Confirmation,
  EarlierTelemetry,
  MetricAnalysis,
  Phase,
  PrometheusQueryName,
  PrometheusSettings,
  Weekday,
} from "./types.ts";
export { MAX_YAML_BYTES, parseYamlSource } from "./yaml-source.ts";
export {
  CLUSTERS_DIR,
  clusterFolder,
  DEFAULT_SYNC_TIMEOUT,
  directClusters,
  gitopsApply,
  gitopsClusters,
  KUSTOMIZATION_FILE,
  renderedFile,
} from "./cluster-folders.ts";
export type { ClusterApply, GitopsApply, SyncEngine, SyncReading } from "./types.ts";
