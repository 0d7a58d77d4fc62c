import git from "isomorphic-git";
import { GitRepo, type GitTree } from "../../gitops/index.ts";
import {
  type Environment,
  type InputProblem,
  loadRepository,
  parseEnvironment,
  parseRelease,
  type RepositoryState,
  UserError,
} from "../../model/index.ts";
import { type LoadedBundle, PolicyAtHead, PolicyLoader, utcTime } from "../../policy/index.ts";
import type { PlatformApprover } from "./approvers.ts";
import { type ChangedFile, changedLayoutFiles, POLICIES_DIR } from "./changes.ts";
import { checkRelease } from "./release-check.ts";
import { diffSettings } from "./settings-diff.ts";
import type { CheckReport, EnvironmentCheck, ReleaseCheck } from "./types.ts";

export interface CheckOptions {
  repoDir: string;
  /** The branch the pull request goes into; default `main`. */
  base?: string;
  /** The pull request's head; default `HEAD`. */
  head?: string;
  now: Date;
  approvers: readonly PlatformApprover[];
  /** Judge by the policies of this folder instead of `policies/` at the base. */
  policiesDir?: string;
  /** For messages: how the user named `policiesDir`. */
  policiesLabel?: string;
  /** Prefix of policy file names in compile errors, e.g. `policies/`. */
  policiesPrefix?: string;
}

// One loader per process: the same policies are compiled once however often check runs.
const loader = new PolicyLoader();
const policiesAtBase = new PolicyAtHead(loader);

/**
 * `tollgate check`: every release and environment file a pull request changes (from where it
 * branched off the base to its head), validated, and each changed release judged by the policy as
 * if merged now. Reads only git objects; the work tree is not looked at.
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const repo = await GitRepo.open(options.repoDir);
  const baseRef = options.base ?? "main";
  const headRef = options.head ?? "HEAD";
  const base = await resolveOption(repo, "--base", baseRef);
  const head = await resolveOption(repo, "--head", headRef);
  const [mergeBase] = await git.findMergeBase({
    fs: repo.fs,
    gitdir: repo.gitdir,
    oids: [base, head],
    cache: repo.store.gitCache,
  });
  if (!mergeBase) throw new UserError(`--base ${baseRef} and --head ${headRef} have no common history`);

  const changed = await changedLayoutFiles(repo, mergeBase, head);
  const baseLoaded = await loadRepository(repo.treeAt(base));
  const headLoaded = await loadRepository(repo.treeAt(head));
  const changedPaths = new Set(changed.map((c) => c.path));
  const known = new Set(baseLoaded.problems.map(problemKey));
  const problems = headLoaded.problems.filter((p) => changedPaths.has(p.file) || !known.has(problemKey(p)));

  const releaseFiles = changed.filter((c): c is Extract<ChangedFile, { kind: "release" }> => c.kind === "release");
  const envFiles = changed.filter((c): c is Extract<ChangedFile, { kind: "environment" }> => c.kind === "environment");
  const needsPolicy = releaseFiles.some((f) => f.change !== "deleted");
  const policy = needsPolicy ? await loadPolicy(repo, base, baseRef, options) : undefined;
  const branchedFrom = repo.treeAt(mergeBase);

  const releases: ReleaseCheck[] = [];
  for (const file of releaseFiles) {
    if (file.change === "deleted" || !policy) {
      releases.push(releaseRemoval(file, baseLoaded.state));
      continue;
    }
    releases.push(
      checkRelease({
        ...file,
        base: baseLoaded.state,
        head: headLoaded.state,
        branchedFrom: await parsedAt(branchedFrom, file.path, parseRelease),
        environmentChanged: envFiles.some((e) => e.environment === file.environment),
        policy: policy.bundle,
        now: options.now,
        approvers: options.approvers,
      }),
    );
  }
  const order = chainOrder(headLoaded.state, baseLoaded.state);
  releases.sort(
    (a, b) =>
      order(a.environment) - order(b.environment) ||
      compare(a.environment, b.environment) ||
      compare(a.service, b.service),
  );

  const environments: EnvironmentCheck[] = [];
  for (const file of envFiles) {
    const before = await parsedAt(branchedFrom, file.path, parseEnvironment);
    const after = headLoaded.state.environments.get(file.environment)?.environment;
    environments.push({
      environment: file.environment,
      path: file.path,
      change: file.change,
      settings:
        file.change === "modified" && before && after
          ? diffSettings(before, after)
          : newOrRemoved(file.change === "added" ? after : before),
    });
  }
  environments.sort((a, b) => order(a.environment) - order(b.environment) || compare(a.environment, b.environment));

  // Retiring a service removes its status with its release; any other status change is the reconciler's.
  const retired = new Set(
    releaseFiles.filter((f) => f.change === "deleted").map((f) => `${f.environment}/${f.service}`),
  );
  const statusEdits = changed
    .filter((c): c is Extract<ChangedFile, { kind: "status" }> => c.kind === "status")
    .filter((c) => !(c.change === "deleted" && retired.has(`${c.environment}/${c.service}`)))
    .map((c) => ({ path: c.path, change: c.change }));
  return {
    base: { ref: baseRef, commit: base },
    head: { ref: headRef, commit: head },
    mergeBase,
    now: utcTime(options.now),
    policy: policy ? { digest: policy.bundle.digest, from: policy.from } : null,
    problems,
    baseProblems: headLoaded.problems.length - problems.length,
    releases,
    environments,
    statusEdits,
    policyChanges: changed.filter((c) => c.kind === "policy").map((c) => ({ path: c.path, change: c.change })),
    platformApprovers: options.approvers.map((a) => (a.teams.length > 0 ? `${a.by} (${a.teams.join(", ")})` : a.by)),
    blocked: problems.length > 0 || statusEdits.length > 0 || releases.some((r) => r.blocked),
  };
}

async function resolveOption(repo: GitRepo, option: string, ref: string): Promise<string> {
  try {
    return await repo.resolve(ref);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${option} ${ref}: ${error.message}`);
    throw error;
  }
}

async function loadPolicy(
  repo: GitRepo,
  base: string,
  baseRef: string,
  options: CheckOptions,
): Promise<{ bundle: LoadedBundle; from: string }> {
  if (options.policiesDir) {
    const label = options.policiesLabel ?? options.policiesDir;
    return {
      bundle: await loader.loadDirectory(options.policiesDir, undefined, options.policiesPrefix ?? ""),
      from: label,
    };
  }
  const tree = repo.treeAt(base, baseRef);
  if (!(await tree.list(POLICIES_DIR))) {
    throw new UserError(
      `${baseRef} has no ${POLICIES_DIR}/ folder to judge releases by; commit the guardrails there or pass --policies DIR`,
    );
  }
  return { bundle: await policiesAtBase.load(tree), from: `${POLICIES_DIR}/ at ${baseRef}` };
}

async function parsedAt<T>(
  tree: GitTree,
  path: string,
  parse: (text: string, file: string) => T,
): Promise<T | undefined> {
  if (!(await tree.exists(path))) return undefined;
  try {
    return parse(await tree.read(path), path);
  } catch {
    return undefined;
  }
}

function releaseRemoval(file: Extract<ChangedFile, { kind: "release" }>, base: RepositoryState): ReleaseCheck {
  const env = base.environments.get(file.environment);
  return {
    environment: file.environment,
    service: file.service,
    path: file.path,
    change: file.change,
    from: env?.statuses.get(file.service)?.liveDigest ?? env?.releases.get(file.service)?.artifact.digest ?? null,
    to: null,
    otherChanges: [],
    gates: [],
    notEvaluated: `the release file is removed: tollgate stops managing ${file.service} in ${file.environment}`,
    notes: [],
    blocked: false,
  };
}

/** For a new or removed environment: the settings a reader wants first. */
function newOrRemoved(env: Environment | undefined): EnvironmentCheck["settings"] {
  if (!env) return [];
  return [
    { field: "promotesFrom", after: env.promotesFrom ?? "none (first environment)" },
    { field: "protected", after: env.protected },
    { field: "approvals.required", after: env.approvals.required },
  ];
}

/** Environments in promotion order (dev, staging, prod): by how many hops they are from a first one. */
function chainOrder(...states: RepositoryState[]): (env: string) => number {
  return (name) => {
    let hops = 0;
    const seen = new Set<string>();
    let current: string | null | undefined = name;
    while (current && !seen.has(current)) {
      seen.add(current);
      const found: string | null | undefined = states
        .map((s) => s.environments.get(current!)?.environment.promotesFrom)
        .find((p) => p !== undefined);
      current = found;
      if (current) hops++;
    }
    return hops;
  };
}

function problemKey(p: InputProblem): string {
  return `${p.file}|${p.field ?? ""}|${p.message}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
