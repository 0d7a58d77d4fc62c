import type { GitRepo } from "../../../src/gitops/index.ts";
import type { SimulatedWorld } from "../../../src/reconcile/simulation.ts";

/**
 * What a real cluster would still be running after the reconciler died: the remote head's state.
 * The simulated cluster lives in the reconciler's process, so a restarted one rebuilds it first.
 */
export async function rebuildCluster(repo: GitRepo, world: SimulatedWorld): Promise<void> {
  const head = await repo.fetchRemote();
  if (!head) return;
  const { state } = await repo.stateAt(head);
  for (const { environment, releases, statuses } of state.environments.values()) {
    for (const [service, release] of releases) {
      const status = statuses.get(service);
      // What git cannot describe (e.g. a live artifact the release no longer names) kept running
      // as it was; the reconciler reports it, the rebuilt view simply lacks it.
      await world.cluster.apply({ environment, release, ...(status ? { status } : {}) }).catch(() => undefined);
    }
  }
}
