import type { TreeReader } from "../model/index.ts";
import { POLICY_PATH_PREFIX, policySourcesIn } from "./at-ref.ts";
import type { LoadedBundle, PolicyLoader } from "./loader.ts";
import { DECISION_ENTRYPOINT } from "./types.ts";

/**
 * The guardrails of the repository at a given tree, compiled once per distinct set of sources by
 * the loader's cache (most ticks see the same policies, so this costs a hash, not a compile).
 */
export class PolicyAtHead {
  constructor(private readonly loader: PolicyLoader) {}

  async load(tree: TreeReader): Promise<LoadedBundle> {
    return this.loader.compile(await policySourcesIn(tree), [DECISION_ENTRYPOINT], POLICY_PATH_PREFIX);
  }
}
