/**
 * The guardrails at any commit, rebuilt from source. The compiler is deterministic, so the bundle
 * digest a commit's policies compile to is a fact an auditor can recompute. Builds are cached by the
 * digest of their sources (and, before reading any source, by the id of the `policies/` tree), so a
 * long history with few policy changes costs a few compiles.
 */
import { createHash } from "node:crypto";
import type { GitRepo } from "../gitops/index.ts";
import {
  DECISION_ENTRYPOINT,
  type LoadedBundle,
  POLICY_DIR,
  POLICY_PATH_PREFIX,
  PolicyLoader,
  policySourcesIn,
} from "../policy/index.ts";

export type PolicyBuild =
  | { ok: true; digest: string; bundle: LoadedBundle; sources: { path: string; digest: string }[] }
  | { ok: false; error: string };

/** Shared by every audit in the process: its compiled-policy cache is the loader's. */
const SHARED_LOADER = new PolicyLoader();

export class PolicyBuilds {
  readonly #byTree = new Map<string, Promise<PolicyBuild>>();
  readonly #used = new Set<string>();
  readonly #loader: PolicyLoader;

  constructor(
    private readonly repo: GitRepo,
    loader?: PolicyLoader,
  ) {
    this.#loader = loader ?? SHARED_LOADER;
  }

  /** How many distinct policy versions this audit needed (each compiled at most once). */
  get compiled(): number {
    return this.#used.size;
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
    this.#used.add(
      createHash("sha256")
        .update(JSON.stringify(sources.map((s) => [s.path, s.text])))
        .digest("hex"),
    );
    try {
      const bundle = await this.#loader.compile(sources, [DECISION_ENTRYPOINT], POLICY_PATH_PREFIX);
      return { ok: true, digest: bundle.digest, bundle, sources: [...bundle.sources] };
    } catch (error) {
      return { ok: false, error: messageOf(error) };
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
