import { GitRepository, type GitRepositoryOptions, type WriteHooks, type WritePoint } from "../git/index.ts";
import { type LoadedRepository, loadRepository } from "../model/index.ts";
import { GitTree } from "./git-tree.ts";

export type GitopsPoint = WritePoint;
export type GitopsHooks = WriteHooks;

export interface GitRepoOptions extends GitRepositoryOptions {
  /** Cap of an evidence document written here; default MAX_EVIDENCE_BYTES (tests lower it). */
  maxEvidenceBytes?: number;
}

/**
 * The git repository tollgate reads desired state from and writes decisions to: a GitRepository
 * (src/git) that also reads the desired state at any commit.
 */
export class GitRepo extends GitRepository {
  readonly maxEvidenceBytes: number | undefined;

  constructor(gitdir: string, options: GitRepoOptions) {
    super(gitdir, options);
    this.maxEvidenceBytes = options.maxEvidenceBytes;
  }

  /** The tree of `commit` as a TreeReader; files are named `<label>:<path>` in problems. */
  treeAt(commit: string, label = ""): GitTree {
    return new GitTree(this.store, commit, label);
  }

  /** The desired state at `commit` (every file validated; problems collected, not thrown). */
  stateAt(commit: string, label = commit.slice(0, 12)): Promise<LoadedRepository> {
    return loadRepository(this.treeAt(commit, label));
  }
}
