import { clusterFolder, foldersCollide, gitopsApply } from "./cluster-folders.ts";
import { type InputProblem, InvalidInputError } from "./errors.ts";
import { locateField, parseEnvironment, parseRelease, parseSigners, parseStatus, parseTeams } from "./load.ts";
import { type ParseCache, parseCache } from "./parse-cache.ts";
import type { TreeReader } from "./tree.ts";
import type { Environment, EnvironmentState, RepositoryState, Signers, Teams } from "./types.ts";

export const ENVIRONMENTS_DIR = "environments";
/** Who belongs to which team (optional), at the repository root. */
export const TEAMS_FILE = "teams.yaml";
export const SIGNERS_FILE = "signers.yaml";
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function environmentFile(env: string): string {
  return `${ENVIRONMENTS_DIR}/${env}/environment.yaml`;
}
export function releaseFile(env: string, service: string): string {
  return `${ENVIRONMENTS_DIR}/${env}/releases/${service}.yaml`;
}
export function statusFile(env: string, service: string): string {
  return `${ENVIRONMENTS_DIR}/${env}/status/${service}.yaml`;
}

export interface LoadedRepository {
  state: RepositoryState;
  /** Every problem found; the state holds only the files that were valid. */
  problems: InputProblem[];
  /** How many files were read. */
  filesRead: number;
}

/**
 * Reads every file of the layout, validates each against its schema, then checks the rules that
 * span files. Never throws for bad input: problems are collected so one run reports them all.
 * Files of a git tree are parsed once per blob (see parse-cache.ts); pass `cache: null` to parse
 * everything afresh.
 */
export async function loadRepository(
  tree: TreeReader,
  options: { cache?: ParseCache | null } = {},
): Promise<LoadedRepository> {
  const cache = options.cache === undefined ? parseCache : options.cache;
  const problems: InputProblem[] = [];
  const environments = new Map<string, EnvironmentState>();
  let filesRead = 0;
  const attempt = async <T>(path: string, parse: (text: string, file: string) => T): Promise<T | undefined> => {
    filesRead++;
    try {
      return cache ? await cache.parse(tree, path, parse) : parse(await tree.read(path), tree.display(path));
    } catch (error) {
      if (error instanceof InvalidInputError) {
        problems.push(...error.problems);
        return undefined;
      }
      throw error;
    }
  };

  const envEntries = await tree.list(ENVIRONMENTS_DIR);
  if (!envEntries) {
    problems.push({
      file: tree.display(ENVIRONMENTS_DIR),
      message: `no ${ENVIRONMENTS_DIR}/ folder: this is not a tollgate repository`,
    });
    return { state: { environments }, problems, filesRead };
  }
  for (const entry of envEntries) {
    const envPath = `${ENVIRONMENTS_DIR}/${entry.name}`;
    if (entry.kind !== "dir") {
      problems.push({
        file: tree.display(envPath),
        message: "unexpected entry: environments/ holds only environment folders",
      });
      continue;
    }
    if (!DNS_LABEL.test(entry.name)) {
      problems.push({
        file: tree.display(envPath),
        message: `environment name "${entry.name}" is not a lowercase DNS label`,
      });
      continue;
    }
    const entries = (await tree.list(envPath)) ?? [];
    if (!entries.some((e) => e.name === "environment.yaml" && e.kind === "file")) {
      problems.push({ file: tree.display(environmentFile(entry.name)), message: "missing environment.yaml" });
      continue;
    }
    for (const e of entries) {
      const known =
        (e.name === "environment.yaml" && e.kind === "file") ||
        ((e.name === "releases" || e.name === "status") && e.kind === "dir");
      if (!known)
        problems.push({
          file: tree.display(`${envPath}/${e.name}`),
          message: "unexpected entry: expected environment.yaml, releases/ and status/",
        });
    }
    const environment = await attempt(environmentFile(entry.name), parseEnvironment);
    if (!environment) continue;
    if (environment.name !== entry.name) {
      problems.push({
        file: tree.display(environmentFile(entry.name)),
        ...locateField(environment, ["name"]),
        message: `name "${environment.name}" does not match its folder "${entry.name}"`,
      });
    }
    const state: EnvironmentState = { environment, releases: new Map(), statuses: new Map() };
    environments.set(entry.name, state);
    const named = async <T extends { service: string }>(
      dir: string,
      parse: (text: string, file: string) => T,
    ): Promise<Map<string, T>> => {
      const found = new Map<string, T>();
      for (const file of await serviceFiles(tree, `${envPath}/${dir}`, problems)) {
        const parsed = await attempt(file.path, parse);
        if (!parsed) continue;
        if (parsed.service !== file.service) {
          problems.push({
            file: tree.display(file.path),
            ...locateField(parsed, ["service"]),
            message: `service "${parsed.service}" does not match its file name "${file.service}.yaml"`,
          });
          continue;
        }
        found.set(file.service, parsed);
      }
      return found;
    };
    state.releases = await named("releases", parseRelease);
    state.statuses = await named("status", parseStatus);
    for (const [service, release] of state.releases) {
      (release.dependsOn ?? []).forEach((dependency, i) => {
        const problem =
          dependency === service
            ? "a service cannot depend on itself"
            : state.releases.has(dependency)
              ? undefined
              : `dependsOn names "${dependency}", which has no release in ${entry.name}`;
        if (problem)
          problems.push({
            file: tree.display(releaseFile(entry.name, service)),
            ...locateField(release, ["dependsOn", i]),
            message: problem,
          });
      });
    }
    for (const service of state.statuses.keys()) {
      if (!state.releases.has(service)) {
        problems.push({
          file: tree.display(statusFile(entry.name, service)),
          message: `status for service "${service}" which has no release in ${entry.name}`,
        });
      }
    }
  }
  // An environment whose own file is invalid is reported there, not again by those promoting from it.
  const folders = new Set(envEntries.filter((e) => e.kind === "dir").map((e) => e.name));
  problems.push(...promotionProblems(environments, folders, tree));
  problems.push(...folderCollisions(environments, tree));
  const rootEntries = (await tree.list("")) ?? [];
  const teams = rootEntries.some((e) => e.name === TEAMS_FILE && e.kind === "file")
    ? await attempt(TEAMS_FILE, parseTeams)
    : undefined;
  if (teams) problems.push(...teamProblems(environments, teams, tree));
  const signers = rootEntries.some((e) => e.name === SIGNERS_FILE && e.kind === "file")
    ? await attempt(SIGNERS_FILE, parseSigners)
    : undefined;
  if (signers) problems.push(...signerTeamProblems(signers, teams, tree));
  cache?.makeRoom(filesRead);
  return {
    state: { environments, ...(teams ? { teams } : {}), ...(signers ? { signers } : {}) },
    problems,
    filesRead,
  };
}

async function serviceFiles(
  tree: TreeReader,
  dir: string,
  problems: InputProblem[],
): Promise<{ service: string; path: string }[]> {
  const files: { service: string; path: string }[] = [];
  for (const entry of (await tree.list(dir)) ?? []) {
    const path = `${dir}/${entry.name}`;
    const service = entry.name.replace(/\.yaml$/, "");
    if (entry.kind !== "file" || !entry.name.endsWith(".yaml")) {
      problems.push({ file: tree.display(path), message: "unexpected entry: expected <service>.yaml files" });
    } else if (!DNS_LABEL.test(service)) {
      problems.push({ file: tree.display(path), message: `service name "${service}" is not a lowercase DNS label` });
    } else {
      files.push({ service, path });
    }
  }
  return files;
}

/** With a teams.yaml, every `team:` approver must name one of its teams. */
function teamProblems(environments: Map<string, EnvironmentState>, teams: Teams, tree: TreeReader): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const { environment } of environments.values()) {
    (environment.approvals.approvers ?? []).forEach((approver, i) => {
      const team = approver.startsWith("team:") ? approver.slice("team:".length) : undefined;
      if (team !== undefined && !(team in teams.teams)) {
        problems.push({
          file: tree.display(environmentFile(environment.name)),
          ...locateField(environment, ["approvals", "approvers", i]),
          message: `approvers names "${approver}", which is not a team of ${TEAMS_FILE} (${Object.keys(teams.teams).sort().join(", ") || "none"})`,
        });
      }
    });
  }
  return problems;
}

/** Every `team:` entry of signers.yaml's protectedChanges must name a team of teams.yaml. */
function signerTeamProblems(signers: Signers, teams: Teams | undefined, tree: TreeReader): InputProblem[] {
  const problems: InputProblem[] = [];
  (signers.protectedChanges ?? []).forEach((who, i) => {
    const team = who.startsWith("team:") ? who.slice("team:".length) : undefined;
    if (team !== undefined && !(teams && team in teams.teams))
      problems.push({
        file: tree.display(SIGNERS_FILE),
        ...locateField(signers, ["protectedChanges", i]),
        message: `protectedChanges names "${who}", which is not a team of ${TEAMS_FILE} (${teams ? Object.keys(teams.teams).sort().join(", ") || "none" : `there is no ${TEAMS_FILE}`})`,
      });
  });
  return problems;
}

/** The teams `person` belongs to by teams.yaml, sorted. */
export function teamsOf(teams: Teams | undefined, person: string): string[] {
  if (!teams) return [];
  return Object.entries(teams.teams)
    .filter(([, members]) => members.includes(person))
    .map(([team]) => team)
    .sort();
}

/** A cluster folder belongs to one environment: another's inside or around it would mix their files. */
function folderCollisions(environments: Map<string, EnvironmentState>, tree: TreeReader): InputProblem[] {
  const problems: InputProblem[] = [];
  const seen: { env: string; cluster: string; folder: string }[] = [];
  const names = [...environments.keys()].sort();
  for (const name of names) {
    const environment = environments.get(name)!.environment;
    environment.clusters.forEach((target, i) => {
      // Environments in the map passed their own checks: their folders are well-formed.
      const folder = clusterFolder(target);
      if (folder === undefined) return;
      const other = seen.find((s) => s.env !== name && foldersCollide(s.folder, folder));
      if (other) {
        const field = gitopsApply(target)?.folder !== undefined ? ["folder"] : [];
        problems.push({
          file: tree.display(environmentFile(name)),
          ...locateField(environment, ["clusters", i, "apply", ...field]),
          message: `folder ${folder} collides with ${other.folder} of environment "${other.env}" (cluster "${other.cluster}"): each environment's clusters need their own folders`,
        });
      }
      seen.push({ env: name, cluster: target.name, folder });
    });
  }
  return problems;
}

/** `promotesFrom` must name an existing environment, and following it must never loop. */
function promotionProblems(
  environments: Map<string, EnvironmentState>,
  folders: ReadonlySet<string>,
  tree: TreeReader,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const at = (env: Environment) => ({
    file: tree.display(environmentFile(env.name)),
    ...locateField(env, ["promotesFrom"]),
  });
  for (const { environment } of environments.values()) {
    const from = environment.promotesFrom;
    if (from !== null && !environments.has(from) && !folders.has(from)) {
      problems.push({
        ...at(environment),
        message: `promotesFrom names "${environment.promotesFrom}", which is not an environment in this repository`,
      });
    }
  }
  const reported = new Set<string>();
  for (const start of environments.keys()) {
    const chain: string[] = [];
    let current: string | null = start;
    while (current !== null && environments.has(current) && !chain.includes(current)) {
      chain.push(current);
      current = environments.get(current)!.environment.promotesFrom;
    }
    if (current !== null && chain.includes(current)) {
      const cycle = chain.slice(chain.indexOf(current));
      const key = [...cycle].sort().join(",");
      if (reported.has(key)) continue;
      reported.add(key);
      const env = environments.get(cycle[0]!)!.environment;
      problems.push({ ...at(env), message: `promotesFrom forms a cycle: ${[...cycle, cycle[0]].join(" → ")}` });
    }
  }
  return problems;
}
