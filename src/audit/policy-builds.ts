/**
 * The guardrails at any commit, rebuilt from source. The compiler is deterministic, so the bundle
 * digest a commit's policies compile to is a fact an auditor can recompute. Builds are cached by the
 * digest of their sources (and, before reading any source, by the id of the `policies/` tree), so a
 * long history with few policy changes costs a few compiles.
 */
import { createHash } from "node:crypto";
import type { GitRepo } from "../gitops/index.ts";
import { buildBundle } from "../policy/bundle.ts";
import type { LoadedBundle, PolicyLoader } from "../policy/loader.ts";
import { DECISION_ENTRYPOINT } from "../policy/types.ts";
import { POLICY_DIR, POLICY_PATH_PREFIX, policySourcesIn } from "../reconcile/policy-at-ref.ts";

export type PolicyBuild = { ok: true; digest: string; bundle: LoadedBundle } | { ok: false; error: string };

export class PolicyBuilds {
  readonly #bySources = new Map<string, Promise<PolicyBuild>>();
  readonly #byTree = new Map<string, Promise<PolicyBuild>>();

  constructor(
    private readonly repo: GitRepo,
    private readonly loader: PolicyLoader,
  ) {}

  /** How many distinct policy versions were compiled. */
  get compiled(): number {
    return this.#bySources.size;
  }

  /** The policies of `commit`, compiled (or why they do not compile). */
  async at(commit: string): Promise<PolicyBuild> {
    const root = (await this.repo.store.readCommit(commit)).tree;
    const treeId = (await this.repo.store.entryAt(root, POLICY_DIR))?.oid ?? "(none)";
    let build = this.#byTree.get(treeId);
    if (!build) {
      build = this.#build(commit);
      this.#byTree.set(treeId, build);
    }
    return build;
  }

  async #build(commit: string): Promise<PolicyBuild> {
    let sources: Awaited<ReturnType<typeof policySourcesIn>>;
    try {
      sources = await policySourcesIn(this.repo.treeAt(commit, commit.slice(0, 12)));
    } catch (error) {
      return { ok: false, error: messageOf(error) };
    }
    const key = createHash("sha256")
      .update(JSON.stringify(sources.map((s) => [s.path, s.text])))
      .digest("hex");
    let build = this.#bySources.get(key);
    if (!build) {
      build = Promise.resolve().then(async (): Promise<PolicyBuild> => {
        try {
          const bundle = await this.loader.load(buildBundle(sources, [DECISION_ENTRYPOINT], POLICY_PATH_PREFIX));
          return { ok: true, digest: bundle.digest, bundle };
        } catch (error) {
          return { ok: false, error: messageOf(error) };
        }
      });
      this.#bySources.set(key, build);
    }
    return build;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
