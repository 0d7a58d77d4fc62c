import type { GitRepo } from "../gitops/index.ts";
import type { LoadedRepository } from "../model/index.ts";

/** The desired state at commits, loaded once each (a decision and its neighbours share parents). */
export class StateCache {
  readonly #cache = new Map<string, Promise<LoadedRepository>>();

  constructor(
    private readonly repo: GitRepo,
    private readonly capacity = 64,
  ) {}

  at(commit: string): Promise<LoadedRepository> {
    let loaded = this.#cache.get(commit);
    if (loaded) {
      this.#cache.delete(commit);
    } else {
      loaded = this.repo.stateAt(commit);
      if (this.#cache.size >= this.capacity) this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(commit, loaded);
    return loaded;
  }
}
