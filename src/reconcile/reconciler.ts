/**
 * One reconcile tick over every (environment, service): decide on the head of the GitOps branch,
 * record the decisions as commits (published with compare-and-swap, decided again if the remote
 * moved), then make the clusters match what git now says. Git first, clusters second: the apply
 * can be retried any number of times.
 */
import type { Logger } from "pino";
import { mapBounded } from "../async/index.ts";
import {
  type ClusterApplier,
  checkRendered,
  type EngineStatusSource,
  decisionFiles,
  type PruneResult,
  leftoverDirectFiles,
  type RemovedFile,
  type RenderedService,
  removedServiceFiles,
  renderService,
  unrenderedServices,
  type ServiceApplyResult,
} from "../cluster/index.ts";
import { type DecisionCore, unknownLiveDigest } from "../decision/index.ts";
import {
  checkEvidenceFits,
  type DecisionChange,
  type GitRepo,
  redactUrl,
  type WrittenDecision,
} from "../gitops/index.ts";
import {
  type Environment,
  ENVIRONMENTS_DIR,
  formatProblem,
  gitopsClusters,
  type InputProblem,
  loadRepository,
  type RepositoryState,
  UserError,
} from "../model/index.ts";
import type { LoadedBundle, PolicyAtHead } from "../policy/index.ts";
import type { TelemetrySource } from "../telemetry/index.ts";
import { decideService, PolicyFailure, type ServiceObservation } from "./decide-service.ts";
import { PruneReporter, pruneEnvironments } from "./prune.ts";
import { decisionChange } from "./record.ts";
import { readSyncStatus } from "./sync.ts";
import { commitDecisionWithRetry, type HeadState, type RetryOptions } from "./transaction.ts";

/** The reconciler was pointed at nothing it can reconcile (a wrong branch, environment or service). */
export class NothingToReconcileError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "NothingToReconcileError";
  }
}

export interface ReconcilerOptions {
  repo: GitRepo;
  policies: PolicyAtHead;
  /** The telemetry source of an environment (create once, reuse). */
  telemetry: (environment: Environment) => Promise<TelemetrySource>;
  /** The cluster applier of an environment. */
  clusters: (environment: Environment) => ClusterApplier;
  clock: () => Date;
  logger: Logger;
  /** Only these environments / services (with `service`, nothing is pruned: the other services are not looked at). */
  environment?: string;
  service?: string;
  /** Services decided (and applied) at once; default 8. */
  concurrency?: number;
  retry?: RetryOptions;
  /** Told what each service's tick saw and decided, committed or not. */
  onObservation?: (observation: ServiceObservation) => void;
  /** Called for every decision once it is published. */
  onDecision?: (decision: WrittenDecision) => void | Promise<void>;
  /** The decision's stages; default decisionCore (audit re-derives with the same). */
  core?: DecisionCore;
  /**
   * Reads the Argo CD Applications / Flux Kustomizations of gitops clusters that name one (`engine`).
   * Without it those clusters are unknown until their sync timeout: a missing signal never promotes.
   */
  engines?: EngineStatusSource;
}

export interface ServiceError {
  environment: string;
  service: string;
  message: string;
  /** "policy": the policies did not build or failed at run time (no decision was taken). */
  stage?: "policy";
}

export interface TickResult {
  /** The head after the tick. */
  head: string | null;
  decisions: WrittenDecision[];
  /** Decisions already in the history (a crash or a racing reconciler recorded them). */
  skipped: number;
  /** Attempts the commit needed (more than 1: the remote moved and the state was read again). */
  attempts: number;
  /** The remote moved on every attempt: nothing was published this tick. */
  conflict: boolean;
  applied: ServiceApplyResult[];
  /** Per environment checked for services removed from git: what was deleted (`prune: true`) or only found. */
  pruned?: PruneResult[];
  /**
   * The gitops clusters of the environments reconciled: tollgate writes their folders and neither
   * applies to them nor checks their live objects for drift; their GitOps engine owns both.
   */
  engineApplied?: EngineAppliedCluster[];
  /** Invalid files at the head (those services were left alone). */
  problems: InputProblem[];
  errors: ServiceError[];
  durationMs: number;
}

interface FolderChores {
  rendered: RenderedService[];
  removed: RemovedFile[];
  deleted: string[];
}

export interface EngineAppliedCluster {
  environment: string;
  cluster: string;
  folder: string;
}

/** Why drift in a gitops cluster is not tollgate's to find or repair, in words. */
export function engineOwnsDrift(c: EngineAppliedCluster): string {
  return `${c.environment}/${c.cluster} is applied by its GitOps engine from ${c.folder}: drift there is the engine's to find and repair (Argo CD self-heal, Flux's reconciliation); tollgate neither applies to it nor reads its live objects`;
}

export class Reconciler {
  #lastProblems = "";
  readonly #announced = new Set<string>();
  readonly #pruneReporter: PruneReporter;

  constructor(private readonly options: ReconcilerOptions) {
    this.#pruneReporter = new PruneReporter(options.logger);
  }

  async tick(): Promise<TickResult> {
    const started = performance.now();
    const { repo, logger } = this.options;
    const errors: ServiceError[] = [];
    let problems: InputProblem[] = [];
    const outcome = await commitDecisionWithRetry(
      repo,
      async (head) => {
        errors.length = 0;
        problems = head.loaded.problems;
        return this.decideAll(head, errors);
      },
      this.options.retry,
    );
    this.reportProblems(problems);

    const decisions = outcome.kind === "committed" ? outcome.decisions : [];
    for (const d of decisions) {
      logger.info(
        {
          event: "decision",
          environment: d.change.environment,
          service: d.change.service,
          action: d.change.action,
          artifact: d.change.artifact,
          from: d.change.from?.digest ?? null,
          to: d.change.to.digest,
          commit: d.commit,
          reasons: (d.change.reasons ?? []).map((r) => r.rule),
        },
        `${d.change.action} ${d.change.environment}/${d.change.service}: ${d.change.why}`,
      );
      await this.options.onDecision?.(d);
    }
    const head = outcome.kind === "conflict" ? await repo.head() : outcome.head;
    if (outcome.kind === "conflict")
      logger.warn(
        { event: "conflict", attempts: outcome.attempts, error: outcome.lastError.message },
        "the remote kept moving; no decision was published this tick",
      );
    const { applied, pruned, engineApplied } = head
      ? await this.applyAll(head, errors)
      : { applied: [], pruned: [], engineApplied: [] };
    return {
      head,
      decisions,
      skipped: outcome.kind === "conflict" ? 0 : outcome.skipped.length,
      attempts: outcome.attempts,
      conflict: outcome.kind === "conflict",
      applied,
      pruned,
      ...(engineApplied.length > 0 ? { engineApplied } : {}),
      problems,
      errors,
      durationMs: performance.now() - started,
    };
  }

  private async decideAll(head: HeadState, errors: ServiceError[]): Promise<DecisionChange[]> {
    const nothing = this.nothingToReconcile(head);
    if (nothing) throw new NothingToReconcileError(nothing);
    if (!head.tree) return [];
    const { logger } = this.options;
    const now = this.options.clock();
    let policy: LoadedBundle;
    try {
      policy = await this.options.policies.load(head.tree);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error(
        { event: "policy-error", commit: head.commit, error: message },
        "the policies at HEAD do not build; no decision is taken until they do",
      );
      errors.push({ environment: "*", service: "*", message: `policies: ${message}`, stage: "policy" });
      return [];
    }
    const work = this.services(head.loaded.state);
    const changes = await mapBounded(work, this.options.concurrency ?? 8, async ({ environment, service }) => {
      const envState = head.loaded.state.environments.get(environment)!;
      const release = envState.releases.get(service)!;
      const status = envState.statuses.get(service);
      const engines = this.options.engines;
      try {
        const decided = await decideService({
          state: head.loaded.state,
          head: head.commit,
          environment: envState.environment,
          release,
          status,
          policy,
          policySources: policy.sources,
          telemetry: await this.options.telemetry(envState.environment),
          now,
          logger,
          ...(this.options.onObservation ? { onObservation: this.options.onObservation } : {}),
          ...(this.options.core ? { core: this.options.core } : {}),
          ...(engines && status && head.commit && head.tree
            ? {
                readSync: () =>
                  readSyncStatus({
                    repo: this.options.repo,
                    head: head.commit!,
                    tree: head.tree!,
                    environment: envState.environment,
                    service,
                    status,
                    engines,
                  }),
              }
            : {}),
        });
        if (!decided) return null;
        const change = decisionChange(decided);
        // Over the cap, this decision fails here, alone, rather than the commit of every service's.
        checkEvidenceFits(change, this.options.repo.maxEvidenceBytes);
        // gitops clusters: the decision commit carries what they are told, checked before it is committed.
        const rendered = renderService(envState.environment, change.release ?? release, change.status);
        await checkRendered(rendered);
        return { change, rendered };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof PolicyFailure) {
          logger.error({ event: "policy-failed", environment, service, error: error.detail }, message);
          errors.push({ environment, service, message, stage: "policy" });
          return null;
        }
        logger.error(
          { event: "decide-error", environment, service, error: message },
          `could not decide for ${environment}/${service}`,
        );
        errors.push({ environment, service, message });
        return null;
      }
    });
    const decided = changes.filter((c) => c !== null);
    // The first decision of an environment also brings its folders in line with its clusters.
    const chores = new Map<string, FolderChores | null>();
    for (const d of decided) {
      const name = d.change.environment;
      if (chores.has(name)) continue;
      // Services decided this tick render their own files.
      const deciding = new Set(decided.filter((e) => e.change.environment === name).map((e) => e.change.service));
      chores.set(name, await this.folderChores(head, name, deciding));
    }
    const files = await decisionFiles(
      head.tree,
      decided.map((d) => {
        const chore = chores.get(d.change.environment);
        chores.set(d.change.environment, null);
        const ownPaths = new Set(d.rendered.map((r) => r.path));
        return {
          environment: d.change.environment,
          rendered: [...(chore?.rendered.filter((r) => !ownPaths.has(r.path)) ?? []), ...d.rendered],
          ...(chore && chore.removed.length > 0 ? { removed: chore.removed } : {}),
          ...(chore && chore.deleted.length > 0 ? { deleted: chore.deleted } : {}),
        };
      }),
    );
    return decided.map((d, i) => (files[i]!.size > 0 ? { ...d.change, files: files[i]! } : d.change));
  }

  /**
   * What the environment's folders need besides a decision's own files: the files of services not
   * rendered yet (a cluster switched to gitops), the deletion of services removed from git
   * (`prune: true`) and of what is left in the folder of a cluster switched back to direct. Only when
   * git is known complete there (see prune.ts) and every service is looked at.
   */
  private async folderChores(
    head: HeadState,
    environment: string,
    deciding: ReadonlySet<string>,
  ): Promise<FolderChores | null> {
    const envState = head.loaded.state.environments.get(environment);
    const tree = head.tree;
    if (!tree || !envState || this.options.service !== undefined) return null;
    const dir = tree.display(`${ENVIRONMENTS_DIR}/${environment}`);
    if (head.loaded.problems.some((p) => p.file === dir || p.file.startsWith(`${dir}/`))) return null;
    const env = envState.environment;
    const keep = new Set([...envState.releases.keys(), ...envState.statuses.keys()]);
    const rendered: RenderedService[] = [];
    const others = [...envState.releases.keys()].filter((s) => !deciding.has(s));
    for (const service of await unrenderedServices(tree, env, others)) {
      const release = envState.releases.get(service)!;
      const status = envState.statuses.get(service);
      if (unknownLiveDigest(release, status)) continue;
      try {
        const files = renderService(env, release, status);
        await checkRendered(files);
        rendered.push(...files);
      } catch (error) {
        this.options.logger.warn(
          { event: "render-error", environment, service, error: (error as Error).message },
          `${environment}/${service} is not rendered into its gitops folders: ${(error as Error).message}`,
        );
      }
    }
    const taken = new Set(
      [...head.loaded.state.environments.values()].flatMap((e) => gitopsClusters(e.environment).map((c) => c.folder)),
    );
    return {
      rendered,
      removed: await removedServiceFiles(tree, env, keep),
      deleted: await leftoverDirectFiles(tree, env, taken),
    };
  }

  /**
   * Makes the clusters match what git says at the branch head, without deciding anything: for a
   * process that starts with an empty view of the clusters (the simulated cluster lives in memory).
   */
  async applyHead(): Promise<{ applied: ServiceApplyResult[]; pruned: PruneResult[]; errors: ServiceError[] }> {
    const head = await this.options.repo.head();
    const errors: ServiceError[] = [];
    if (!head) return { applied: [], pruned: [], errors };
    const { applied, pruned } = await this.applyAll(head, errors);
    return { applied, pruned, errors };
  }

  /** Applies every service at `head`, then prunes what git no longer names (see prune.ts for when that is safe). */
  private async applyAll(
    head: string,
    errors: ServiceError[],
  ): Promise<{ applied: ServiceApplyResult[]; pruned: PruneResult[]; engineApplied: EngineAppliedCluster[] }> {
    const tree = this.options.repo.treeAt(head, `${this.options.repo.branch}@${head.slice(0, 12)}`);
    const { state, problems } = await loadRepository(tree);
    const engineApplied = this.engineApplied(state);
    const results = await mapBounded(
      this.services(state),
      this.options.concurrency ?? 8,
      async ({ environment, service }) => {
        const envState = state.environments.get(environment)!;
        try {
          const status = envState.statuses.get(service);
          const release = envState.releases.get(service)!;
          // Which artifact serves is unknown (a block says so in git): the cluster is left as it is.
          if (unknownLiveDigest(release, status)) return null;
          return await this.options.clusters(envState.environment).apply({
            environment: envState.environment,
            release,
            ...(status ? { status } : {}),
          });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.options.logger.error(
            { event: "apply-error", environment, service, error: message },
            `could not apply ${environment}/${service}`,
          );
          errors.push({ environment, service, message });
          return null;
        }
      },
    );
    const applied = results.filter((r): r is ServiceApplyResult => r !== null);
    // Restricted to one service, the others are not looked at: they must not look removed.
    if (this.options.service !== undefined) return { applied, pruned: [], engineApplied };
    const pruning = await pruneEnvironments(
      {
        state,
        problems,
        display: (path) => tree.display(path),
        ...(this.options.environment !== undefined ? { environment: this.options.environment } : {}),
        clusters: this.options.clusters,
      },
      this.#pruneReporter,
    );
    for (const e of pruning.errors) {
      this.options.logger.error(
        { event: "prune-error", environment: e.environment, error: e.message },
        `could not prune ${e.environment}`,
      );
      errors.push({ environment: e.environment, service: "*", message: e.message });
    }
    return { applied, pruned: pruning.results, engineApplied };
  }

  /** The gitops clusters of the environments reconciled; each is logged once: its drift is its engine's. */
  private engineApplied(state: RepositoryState): EngineAppliedCluster[] {
    const out: EngineAppliedCluster[] = [];
    for (const [name, envState] of state.environments) {
      if (this.options.environment && name !== this.options.environment) continue;
      for (const { target, folder } of gitopsClusters(envState.environment)) {
        const cluster = { environment: name, cluster: target.name, folder };
        out.push(cluster);
        const key = `${name}/${target.name}/${folder}`;
        if (this.#announced.has(key)) continue;
        this.#announced.add(key);
        this.options.logger.info({ event: "gitops-cluster", ...cluster }, engineOwnsDrift(cluster));
      }
    }
    return out;
  }

  private services(state: RepositoryState): { environment: string; service: string }[] {
    const out: { environment: string; service: string }[] = [];
    for (const [name, envState] of state.environments) {
      if (this.options.environment && name !== this.options.environment) continue;
      for (const service of envState.releases.keys()) {
        if (this.options.service && service !== this.options.service) continue;
        out.push({ environment: name, service });
      }
    }
    return out;
  }

  /**
   * Why this reconciler can reconcile nothing at `head` (no commit, or --env / --service naming
   * nothing there), or undefined. An environment or service hidden by an invalid file is not
   * "nothing": its problems are reported instead.
   */
  private nothingToReconcile(head: HeadState): string | undefined {
    const { repo, environment, service } = this.options;
    const branch = repo.remote ? `branch ${repo.branch} of ${redactUrl(repo.remote.url)}` : `branch ${repo.branch}`;
    if (head.commit === null)
      return `${branch} has no commits: there is nothing to reconcile (choose the branch with --branch)`;
    const { state, problems } = head.loaded;
    const hidden = (path: string) => problems.some((p) => p.file.includes(`:${path}`) || p.file.startsWith(path));
    const names = [...state.environments.keys()].sort();
    if (environment && !state.environments.has(environment)) {
      if (hidden(`environments/${environment}/`)) return undefined;
      return `--env ${environment}: no such environment at ${branch} (${names.join(", ") || "none"})`;
    }
    if (service && this.services(state).length === 0) {
      const where = environment ? [environment] : names;
      if (where.some((e) => hidden(`environments/${e}/releases/${service}.yaml`))) return undefined;
      return `--service ${service}: no release of it in ${environment ?? "any environment"} at ${branch}`;
    }
    if (state.environments.size === 0 && problems.length === 0)
      return `${branch} holds no environments: there is nothing to reconcile`;
    return undefined;
  }

  /** Invalid files are logged when they first appear, not on every tick. */
  private reportProblems(problems: InputProblem[]): void {
    const text = problems.map(formatProblem).join("\n");
    if (text === this.#lastProblems) return;
    this.#lastProblems = text;
    if (problems.length > 0)
      this.options.logger.error(
        { event: "invalid-files", problems: problems.map(formatProblem) },
        `${problems.length} invalid file(s) at HEAD; the services they belong to are left alone`,
      );
  }
}
