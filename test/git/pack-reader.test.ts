import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import git from "isomorphic-git";
import { GitRepo } from "../../src/gitops/repo.ts";
import { gitCli, requireGit } from "../support/git-http/repos.ts";
import { tempDir } from "../support/tmp-repo.ts";

describe("reading packed objects natively", () => {
  it("gives what git and isomorphic-git give for every object of a pack with chains of deltas", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-pack-");
    try {
      const work = join(temp.dir, "work");
      mkdirSync(join(work, "files"), { recursive: true });
      gitCli(temp.dir, "init", "-q", "-b", "main", work);
      // Many near-identical files over several commits: long delta chains after an aggressive gc.
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 60; i++) {
          const lines = Array.from(
            { length: 80 },
            (_, n) => `line ${n} of file ${i}${n === round ? ` changed in round ${round}` : ""}`,
          );
          writeFileSync(join(work, "files", `f${i}.txt`), `${lines.join("\n")}\n`);
        }
        gitCli(work, "add", "-A");
        gitCli(work, "commit", "-q", "-m", `round ${round}\n\nwith a body`);
      }
      // One file growing over many commits: the versions delta against each other in a chain.
      const history: string[] = [];
      for (let version = 0; version < 30; version++) {
        history.push(`entry ${version}: ${"x".repeat(40)}`);
        writeFileSync(join(work, "history.txt"), `${history.join("\n")}\n`);
        gitCli(work, "commit", "-q", "-am", `history ${version}`, "--allow-empty");
        if (version === 0) {
          gitCli(work, "add", "history.txt");
          gitCli(work, "commit", "-q", "-m", "track history");
        }
      }
      gitCli(work, "gc", "-q", "--aggressive", "--prune=now");
      const objects = gitCli(work, "cat-file", "--batch-all-objects", "--batch-check")
        .trim()
        .split("\n")
        .map((l) => l.split(" "));
      const packDir = join(work, ".git/objects/pack");
      const idx = readdirSync(packDir).find((n) => n.endsWith(".idx"))!;
      // verify-pack -v: "<oid> <type> <size> <packed size> <offset> [<depth> <base>]"
      const depths = gitCli(work, "verify-pack", "-v", join(packDir, idx))
        .split("\n")
        .map((l) => l.split(/\s+/))
        .filter((f) => /^[0-9a-f]{40}$/.test(f[0] ?? "") && f.length >= 7)
        .map((f) => Number(f[5]));
      const depth = Math.max(0, ...depths);
      assert.ok(depth >= 2, `expected chains of deltas, deepest is ${depth}`);

      const repo = await GitRepo.open(work);
      for (const [oid, type] of objects) {
        if (type === "blob") {
          const ours = Buffer.from(await repo.store.readBlob(oid!));
          assert.deepEqual(
            ours,
            Buffer.from((await git.readBlob({ fs: repo.fs, gitdir: repo.gitdir, oid: oid! })).blob),
          );
        } else if (type === "tree") {
          const ours = await repo.store.readTree(oid!);
          assert.deepEqual(ours, (await git.readTree({ fs: repo.fs, gitdir: repo.gitdir, oid: oid! })).tree);
        } else if (type === "commit") {
          const ours = await repo.store.readCommit(oid!);
          const theirs = (await git.readCommit({ fs: repo.fs, gitdir: repo.gitdir, oid: oid! })).commit;
          assert.deepEqual(
            { ...ours, committer: ours.committer },
            {
              message: theirs.message,
              tree: theirs.tree,
              parent: theirs.parent,
              author: theirs.author,
              committer: theirs.committer,
            },
          );
        }
      }
      assert.ok(objects.length > 60 * 4);
    } finally {
      await temp.cleanup();
    }
  });
});
