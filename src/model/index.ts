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
export { formatDuration, parseDuration } from "./duration.ts";
export { formatProblem, type InputProblem, InvalidInputError, UserError } from "./errors.ts";
export { type LoadedRepository, loadRepository } from "./repository.ts";
export type {
  Artifact,
  DecisionAction,
  DecisionReason,
  Digest,
  Environment,
  EnvironmentState,
  MetricName,
  Release,
  RepositoryState,
  Status,
  Teams,
} from "./types.ts";
