/**
 * The git layer on its own, without tollgate's files: objects written now or in a batch, a batch
 * flushed as one pack that takes in the smaller packs (the store lets go of the packs it removed,
 * in its own reader and in the cache it hands isomorphic-git), and the branch moved only by a
 * compare-and-swap from the value the caller read.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import git from "isomorphic-git";
import { GitRepository, RefConflictError, type TreeEntry } from "../../src/git/index.ts";
import { tempDir } from "../support/tmp-repo.ts";

const author = { name: "tollgate-test", email: "tollgate@example.test", timestamp: 1_795_000_000, timezoneOffset: 0 };

function packIndexes(gitdir: string): string[] {
  try {
    return readdirSync(join(gitdir, "objects/pack"))
      .filter((n) => n.endsWith(".idx"))
      .sort();
  } catch {
    return [];
  }
}

/** A commit of `files` blobs (`<prefix>-<i>`) on `parent`, written through one batch and flushed. */
async function commitBatch(repo: GitRepository, parent: string | null, prefix: string, files: number) {
  const batch = repo.store.batch();
  const entries: TreeEntry[] = [];
  for (let i = 0; i < files; i++) {
    const oid = await batch.writeBlob(`${prefix} file ${i}\n`);
    entries.push({ mode: "100644", path: `${prefix}-${i}.txt`, oid, type: "blob" });
  }
  const tree = await batch.writeTree(entries);
  const commit = await batch.writeCommit({
    tree,
    parent: parent ? [parent] : [],
    author,
    committer: author,
    message: `${prefix}\n`,
  });
  assert.equal(await repo.store.hasObject(commit), false, "a batch's objects are not stored before the flush");
  assert.equal((await repo.store.readCommit(commit)).tree, tree, "but they are readable through the store");
  await batch.flush();
  return { commit, blobs: entries.map((e) => e.oid) };
}

describe("the git layer", () => {
  it("stores a batch as one pack, merges smaller packs into the next, and reads every object back", async () => {
    const temp = await tempDir();
    try {
      const repo = await GitRepository.init(join(temp.dir, "objects.git"));
      const first = await commitBatch(repo, null, "first", 100);
      assert.equal(packIndexes(repo.gitdir).length, 1, "100 objects are one pack");
      const cacheBefore = repo.store.gitCache;
      const second = await commitBatch(repo, first.commit, "second", 150);
      assert.equal(packIndexes(repo.gitdir).length, 1, "the smaller pack was merged into the new one");
      assert.notEqual(repo.store.gitCache, cacheBefore, "isomorphic-git gets a fresh cache once a pack is removed");

      for (const oid of [...first.blobs, ...second.blobs, first.commit, second.commit])
        assert.equal(await repo.store.hasObject(oid), true, oid);
      assert.equal(new TextDecoder().decode(await repo.store.readBlob(first.blobs[7]!)), "first file 7\n");
      // isomorphic-git, with the store's cache, finds objects of the merged pack too.
      const theirs = await git.readBlob({
        fs: repo.fs,
        gitdir: repo.gitdir,
        oid: first.blobs[99]!,
        cache: repo.store.gitCache,
      });
      assert.equal(new TextDecoder().decode(theirs.blob), "first file 99\n");

      // A fresh store over the same folder reads what the first one wrote.
      const fresh = await GitRepository.open(join(temp.dir, "objects.git"));
      assert.deepEqual((await fresh.store.readCommit(second.commit)).parent, [first.commit]);
      assert.equal(await fresh.store.hasObject("0".repeat(40)), false);
    } finally {
      await temp.cleanup();
    }
  });

  it("moves the branch only from the value the caller read", async () => {
    const temp = await tempDir();
    try {
      const repo = await GitRepository.init(join(temp.dir, "refs.git"));
      assert.equal(await repo.head(), null);
      const one = await commitBatch(repo, null, "one", 2);
      await repo.updateBranch(null, one.commit);
      assert.equal(await repo.head(), one.commit);
      const two = await commitBatch(repo, one.commit, "two", 2);
      await assert.rejects(repo.updateBranch(null, two.commit), (e: unknown) => {
        assert.ok(e instanceof RefConflictError);
        assert.equal(e.actual, one.commit);
        return true;
      });
      assert.equal(await repo.head(), one.commit, "a refused swap leaves the branch where it was");
      await repo.updateBranch(one.commit, two.commit);
      assert.equal(await repo.resolve("main"), two.commit);
    } finally {
      await temp.cleanup();
    }
  });
});
