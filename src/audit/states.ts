import { LRUCache } from "lru-cache";
import type { GitRepo } from "../gitops/index.ts";
import type { LoadedRepository } from "../model/index.ts";

/** The desired state at commits, loaded once each (a decision and its neighbours share parents). */
export class StateCache {
  readonly #cache: LRUCache<string, Promise<LoadedRepository>>;

  constructor(
    private readonly repo: GitRepo,
    capacity = 64,
  ) {
    this.#cache = new LRUCache({ max: capacity });
  }

  at(commit: string): Promise<LoadedRepository> {
    let loaded = this.#cache.get(commit);
    if (!loaded) {
      loaded = this.repo.stateAt(commit);
      this.#cache.set(commit, loaded);
    }
    return loaded;
  }
}
