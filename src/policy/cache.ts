import { createHash } from "node:crypto";
import type { TreeReader } from "../model/index.ts";
import { POLICY_PATH_PREFIX, policySourcesIn } from "./at-ref.ts";
import { buildBundle } from "./bundle.ts";
import type { LoadedBundle, PolicyLoader } from "./loader.ts";
import { DECISION_ENTRYPOINT } from "./types.ts";

/**
 * The guardrails of the repository at a given tree, compiled once per distinct set of sources
 * (most ticks see the same policies, so this costs a hash, not a compile).
 */
export class PolicyAtHead {
  readonly #cache = new Map<string, Promise<LoadedBundle>>();
  readonly #sources = new Map<string, { path: string; digest: string }[]>();

  constructor(private readonly loader: PolicyLoader) {}

  async load(tree: TreeReader): Promise<LoadedBundle> {
    const sources = await policySourcesIn(tree);
    const key = createHash("sha256")
      .update(JSON.stringify(sources.map((s) => [s.path, s.text])))
      .digest("hex");
    let loaded = this.#cache.get(key);
    if (!loaded) {
      loaded = Promise.resolve().then(() => {
        const bundle = buildBundle(sources, [DECISION_ENTRYPOINT], POLICY_PATH_PREFIX);
        this.#sources.set(bundle.manifest.digest, bundle.manifest.sources);
        return this.loader.load(bundle);
      });
      this.#cache.set(key, loaded);
      loaded.catch(() => this.#cache.delete(key));
    }
    return loaded;
  }

  /** The sources a bundle this cache built was compiled from (for the evidence). */
  sourcesOf(digest: string): { path: string; digest: string }[] | undefined {
    return this.#sources.get(digest);
  }
}
