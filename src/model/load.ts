import { artifactDigest } from "./artifact-digest.ts";
import { clusterFolder, folderProblem, foldersCollide, gitopsApply } from "./cluster-folders.ts";
import { parseDuration } from "./duration.ts";
import { type InputProblem, InvalidInputError } from "./errors.ts";
import { formatFieldPath, schemaProblems } from "./schemas.ts";
import { parseSignerKey } from "./allowed-signers.ts";
import { isKnownTimeZone } from "./time-zone.ts";
import type { Artifact, Environment, Release, Signers, Status, Teams } from "./types.ts";
import { type FieldPath, parseYamlSource, type YamlSource } from "./yaml-source.ts";

type Check = (path: FieldPath, message: string) => void;

/** Parses and validates `environment.yaml` text; throws InvalidInputError naming file, line and field. */
export function parseEnvironment(text: string, file: string): Environment {
  return parseKind<Environment>("environment", text, file, checkEnvironment);
}

/** Parses and validates a release file; the stated digests must match their parts. */
export function parseRelease(text: string, file: string): Release {
  return parseKind<Release>("release", text, file, checkRelease);
}

/** Parses and validates teams.yaml; every owner must be one of its teams. */
export function parseTeams(text: string, file: string): Teams {
  return parseKind<Teams>("teams", text, file, checkTeams);
}

function checkTeams(teams: Teams, check: Check): void {
  for (const [service, team] of Object.entries(teams.owners ?? {})) {
    if (!(team in teams.teams))
      check(
        ["owners", service],
        `owner of ${service} is "${team}", which is not one of its teams (${Object.keys(teams.teams).sort().join(", ") || "none"})`,
      );
  }
}

/** Parses and validates signers.yaml: every key must be one tollgate can verify. */
export function parseSigners(text: string, file: string): Signers {
  return parseKind<Signers>("signers", text, file, checkSigners);
}

function checkSigners(signers: Signers, check: Check): void {
  const keys = (list: string[] | undefined, path: FieldPath, ed25519Only = false) =>
    (list ?? []).forEach((text, i) => {
      const key = parseSignerKey(text);
      if ("problem" in key) check([...path, i], key.problem);
      else if (ed25519Only && !(key.format === "ssh" && key.keyType === "ssh-ed25519"))
        check([...path, i], "eval runners sign DSSE envelopes, which tollgate verifies with ssh-ed25519 keys only");
    });
  keys(signers.decisions, ["decisions"]);
  keys(signers.evalRunners, ["evalRunners"], true);
  for (const [person, list] of Object.entries(signers.people ?? {})) keys(list, ["people", person]);
  (signers.protectedChanges ?? []).forEach((who, i) => {
    if (!who.startsWith("team:") && !(who in (signers.people ?? {})))
      check(["protectedChanges", i], `"${who}" is neither a person of people nor team:<name>`);
  });
}

/** Parses and validates a status file. */
export function parseStatus(text: string, file: string): Status {
  return parseKind<Status>("status", text, file, () => {});
}

function parseKind<T>(schema: string, text: string, file: string, semantic: (value: T, check: Check) => void): T {
  const source = parseYamlSource(text, file);
  const problems = schemaProblems(schema, source);
  if (problems.length === 0) semantic(source.value as T, collector(source, problems));
  if (problems.length > 0) throw new InvalidInputError(problems);
  sources.set(source.value as object, source);
  return source.value as T;
}

const sources = new WeakMap<object, YamlSource>();

/**
 * Where a field of a parsed file stands, for problems found later (rules that span files).
 * Returns just the field when the value was not parsed from text.
 */
export function locateField(value: object, path: FieldPath): Omit<InputProblem, "message" | "file"> {
  const source = sources.get(value);
  return { ...(source ? source.locate(path) : {}), field: formatFieldPath(path) };
}

function collector(source: YamlSource, problems: InputProblem[]): Check {
  return (path, message) =>
    problems.push({ file: source.file, ...source.locate(path), field: formatFieldPath(path), message });
}

/**
 * The most telemetry intervals one rollout step may span by its cap. A decision's evidence stores the
 * records of its step (two arms per interval, about 3.5 KB each with latency and cost histograms) and
 * is capped at 128 MiB (MAX_EVIDENCE_BYTES): 2,000 intervals leave room for a step held past its cap
 * overnight, outside the deployment window or waiting for a confirmation.
 */
export const MAX_STEP_INTERVALS = 2000;

/** Each `gitops` cluster's folder is a DNS-safe path under clusters/, and no two of the environment's collide. */
function checkClusterFolders(env: Environment, check: Check): void {
  const seen: { folder: string; cluster: string }[] = [];
  env.clusters.forEach((c, i) => {
    const gitops = gitopsApply(c);
    if (!gitops) return;
    const at: FieldPath = gitops.folder === undefined ? ["clusters", i, "apply"] : ["clusters", i, "apply", "folder"];
    const problem = gitops.folder === undefined ? undefined : folderProblem(gitops.folder);
    if (problem) {
      check(at, problem);
      return;
    }
    const folder = clusterFolder(c)!;
    const other = seen.find((s) => foldersCollide(s.folder, folder));
    if (other)
      check(
        at,
        `folder ${folder} collides with cluster "${other.cluster}"'s folder ${other.folder}: each cluster needs its own`,
      );
    seen.push({ folder, cluster: c.name });
  });
}

function checkEnvironment(env: Environment, check: Check): void {
  const names = new Set<string>();
  env.clusters.forEach((c, i) => {
    if (names.has(c.name)) check(["clusters", i, "name"], `duplicate cluster name "${c.name}"`);
    names.add(c.name);
  });
  checkClusterFolders(env, check);
  const t = env.telemetry;
  if (!t[t.source]) check(["telemetry", t.source], `telemetry source is "${t.source}" but its settings are missing`);
  if (t.missingGrace && t.missingLimit && parseDuration(t.missingGrace) >= parseDuration(t.missingLimit)) {
    check(
      ["telemetry", "missingLimit"],
      `missingLimit ${t.missingLimit} must be longer than missingGrace ${t.missingGrace}`,
    );
  }
  let previousWeight = 0;
  const interval = parseDuration(t.interval);
  if (interval < 1000)
    check(
      ["telemetry", "interval"],
      `interval ${t.interval} is shorter than 1s: telemetry is read and decided on once per interval`,
    );
  env.rollout.steps.forEach((step, i) => {
    if (parseDuration(step.minDuration) > parseDuration(step.maxDuration)) {
      check(
        ["rollout", "steps", i, "maxDuration"],
        `maxDuration ${step.maxDuration} is shorter than minDuration ${step.minDuration}`,
      );
    }
    const intervals = Math.ceil(parseDuration(step.maxDuration) / interval);
    if (interval > 0 && intervals > MAX_STEP_INTERVALS) {
      check(
        ["rollout", "steps", i, "maxDuration"],
        `maxDuration ${step.maxDuration} is ${intervals} telemetry intervals of ${t.interval}; a step may last at most ${MAX_STEP_INTERVALS} (its decisions' evidence holds every interval of the step), so lengthen telemetry.interval or split the step`,
      );
    }
    if (step.weight < previousWeight) {
      check(
        ["rollout", "steps", i, "weight"],
        `weight ${step.weight}% is lower than the previous step's ${previousWeight}%`,
      );
    }
    previousWeight = step.weight;
  });
  const windows = env.windows;
  if (windows) {
    if (!isKnownTimeZone(windows.timeZone)) check(["windows", "timeZone"], `unknown time zone "${windows.timeZone}"`);
    windows.allow?.forEach((w, i) => {
      if (w.end <= w.start)
        check(["windows", "allow", i, "end"], `window end ${w.end} is not after its start ${w.start}`);
    });
    windows.freezes?.forEach((f, i) => {
      const from = Date.parse(f.from);
      const until = Date.parse(f.until);
      if (Number.isNaN(from)) check(["windows", "freezes", i, "from"], `invalid time "${f.from}"`);
      if (Number.isNaN(until)) check(["windows", "freezes", i, "until"], `invalid time "${f.until}"`);
      if (!Number.isNaN(from) && !Number.isNaN(until) && until <= from) {
        check(["windows", "freezes", i, "until"], `freeze ends (${f.until}) before it starts (${f.from})`);
      }
    });
  }
  if (env.promotesFrom === env.name) check(["promotesFrom"], `environment "${env.name}" cannot promote from itself`);
}

function checkRelease(release: Release, check: Check): void {
  checkArtifactDigest(release.artifact, ["artifact"], check);
  if (release.lastGood) checkArtifactDigest(release.lastGood, ["lastGood"], check);
}

function checkArtifactDigest(artifact: Artifact, path: FieldPath, check: Check): void {
  const expected = artifactDigest(artifact);
  if (artifact.digest !== expected) {
    check(
      [...path, "digest"],
      `digest ${artifact.digest} does not match the artifact's parts (they hash to ${expected})`,
    );
  }
}
