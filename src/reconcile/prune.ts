/**
 * After a tick's apply: the cluster objects of services removed from an environment in git are
 * deleted (`prune: true`) or reported as orphaned. Only when git is known to be complete for that
 * environment: an invalid file there (an invalid release makes its service absent from the state)
 * skips the environment, so a typo can never delete a running service.
 */
import type { Logger } from "pino";
import type { ClusterApplier, ClusterPruneResult, OrphanSet, PruneResult } from "../cluster/index.ts";
import { ENVIRONMENTS_DIR, type Environment, type InputProblem, type RepositoryState } from "../model/index.ts";

export interface PruneScope {
  state: RepositoryState;
  /** Problems found loading the same state. */
  problems: readonly InputProblem[];
  /** How the tree the state was read from names a path in problems (`TreeReader.display`). */
  display: (path: string) => string;
  /** Only this environment (the reconciler's `environment` option). */
  environment?: string;
  clusters: (environment: Environment) => ClusterApplier;
}

/** Logs each orphan set and failure once (until it changes), each deletion as it happens. */
export class PruneReporter {
  readonly #orphans = new Map<string, string>();
  readonly #failures = new Map<string, string>();
  readonly #skipped = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  skipped(environment: string, problems: readonly InputProblem[]): void {
    const files = [...new Set(problems.map((p) => p.file))].sort();
    const text = files.join("\n");
    if (this.#skipped.get(environment) === text) return;
    this.#skipped.set(environment, text);
    this.logger.warn(
      { event: "prune-skipped", environment, files },
      `${environment}: not looking for removed services while ${files.length} file(s) there are invalid (a service with an invalid release must not be pruned)`,
    );
  }

  result(result: PruneResult): void {
    this.#skipped.delete(result.environment);
    for (const cluster of result.clusters) this.cluster(result.environment, result.prune, cluster);
  }

  private cluster(environment: string, prune: boolean, cluster: ClusterPruneResult): void {
    const where = `${environment}/${cluster.cluster}`;
    for (const set of cluster.orphans) this.set(environment, cluster.cluster, prune, set);
    if (cluster.ok) {
      // Sets no longer found may be reported again if they come back.
      const present = new Set(cluster.orphans.map((o) => `${where}/${o.service}`));
      for (const key of this.#orphans.keys())
        if (key.startsWith(`${where}/`) && !present.has(key)) this.#orphans.delete(key);
      this.#failures.delete(where);
      return;
    }
    const message = cluster.error?.message ?? "failed";
    if (this.#failures.get(where) === message) return;
    this.#failures.set(where, message);
    this.logger.error(
      {
        event: "prune-failed",
        environment,
        cluster: cluster.cluster,
        failure: cluster.error?.kind,
        httpStatus: cluster.error?.httpStatus,
        attempts: cluster.attempts,
      },
      `${prune ? "pruning" : "looking for orphaned objects"} failed: ${message}`,
    );
  }

  private set(environment: string, cluster: string, prune: boolean, set: OrphanSet): void {
    const deleted = set.objects.filter((o) => o.deleted);
    const objects = set.objects.map((o) => `${o.kind}/${o.name}`);
    const fields = { environment, cluster, service: set.service, namespace: set.objects[0]?.namespace };
    if (deleted.length > 0) {
      this.logger.info(
        { event: "pruned", ...fields, objects: deleted.map((o) => `${o.kind}/${o.name}`) },
        `pruned ${deleted.length} object(s) of ${set.service}, which is no longer in ${environment}`,
      );
    }
    // When pruning, what could not be deleted is in the cluster's prune-failed event.
    if (prune) return;
    const key = `${environment}/${cluster}/${set.service}`;
    const text = objects.join(",");
    if (this.#orphans.get(key) === text) return;
    this.#orphans.set(key, text);
    this.logger.warn(
      { event: "orphaned", ...fields, objects },
      `${set.service} is no longer in ${environment} but ${objects.length} object(s) of it remain in cluster ${cluster}; set prune: true in environments/${environment}/environment.yaml to delete them`,
    );
  }
}

/** Prunes (or looks for orphans in) every environment that is safe to prune; results per environment. */
export async function pruneEnvironments(
  scope: PruneScope,
  reporter: PruneReporter,
): Promise<{ results: PruneResult[]; errors: { environment: string; message: string }[] }> {
  const results: PruneResult[] = [];
  const errors: { environment: string; message: string }[] = [];
  for (const [name, envState] of scope.state.environments) {
    if (scope.environment !== undefined && name !== scope.environment) continue;
    const dir = scope.display(`${ENVIRONMENTS_DIR}/${name}`);
    const invalid = scope.problems.filter((p) => p.file === dir || p.file.startsWith(`${dir}/`));
    if (invalid.length > 0) {
      reporter.skipped(name, invalid);
      continue;
    }
    const applier = scope.clusters(envState.environment);
    if (!applier.prune) continue;
    const keep = new Set([...envState.releases.keys(), ...envState.statuses.keys()]);
    try {
      const result = await applier.prune({ environment: envState.environment, keep });
      reporter.result(result);
      results.push(result);
    } catch (error) {
      errors.push({ environment: name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { results, errors };
}
