/** The rendered manifests a decision commit changed, as a unified diff (what `git show COMMIT -- clusters/` prints). */
import { createTwoFilesPatch } from "diff";
import { changedFiles, type GitRepo } from "../gitops/index.ts";
import { CLUSTERS_DIR } from "../model/index.ts";

export async function manifestDiff(repo: GitRepo, commit: string): Promise<string> {
  const parent = (await repo.store.readCommit(commit)).parent[0] ?? null;
  const before = parent ? repo.treeAt(parent) : undefined;
  const after = repo.treeAt(commit);
  const read = async (tree: typeof after | undefined, path: string) =>
    tree && (await tree.exists(path)) ? await tree.read(path) : "";
  const patches: string[] = [];
  for (const change of await changedFiles(repo, parent, commit)) {
    if (!change.path.startsWith(`${CLUSTERS_DIR}/`)) continue;
    const patch = createTwoFilesPatch(
      `a/${change.path}`,
      `b/${change.path}`,
      await read(before, change.path),
      await read(after, change.path),
      undefined,
      undefined,
      { context: 2 },
    );
    // The "Index:"-style separator line the library starts with says nothing git's own diff does not.
    patches.push(patch.replace(/^=+\n/, ""));
  }
  return patches.join("");
}
