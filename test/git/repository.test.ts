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
import { createHash } from "node:crypto";
import { editTree, GitRepository, RefConflictError, type TreeEntry } from "../../src/git/index.ts";
import { TreeObject } from "../../src/git/tree-object.ts";
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

function hashBlob(content: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(content)}\0${content}`)
    .digest("hex");
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

  it("keeps a batch's objects as pack entries, tree versions as deltas, and reads each back", async () => {
    const temp = await tempDir();
    try {
      const repo = await GitRepository.init(join(temp.dir, "deltas.git"));
      const batch = repo.store.batch();
      const files = new Map(Array.from({ length: 200 }, (_, i) => [`status/s-${i}.yaml`, `service ${i}\n`]));
      let tree = await editTree(repo.store, null, files, batch);
      const versions = [{ tree, files: new Map(files) }];
      // More versions than a delta chain may be deep, with files added, changed and removed.
      for (let v = 0; v < 120; v++) {
        const path = `status/s-${(v * 37) % 230}.yaml`;
        const content = v % 7 === 0 ? null : `service ${v}\nversion ${v}\n`;
        tree = await editTree(repo.store, tree, new Map([[path, content]]), batch);
        if (content === null) files.delete(path);
        else files.set(path, content);
        versions.push({ tree, files: new Map(files) });
      }
      const head = await batch.writeCommit({ tree, parent: [], author, committer: author, message: "versions\n" });
      for (const version of versions) {
        const status = (await repo.store.entryAt(version.tree, "status"))!.oid;
        const expected = [...version.files].map(([path, content]) => ({
          mode: "100644",
          path: path.slice("status/".length),
          oid: hashBlob(content),
          type: "blob" as const,
        }));
        // Read back from the batch's own entries (inflated, deltas applied down their chain).
        assert.deepEqual(batch.read(status)!.content, TreeObject.encode(expected).raw);
      }
      assert.match(batch.read(head)!.content.toString(), /^tree [0-9a-f]{40}\n/);
      const pack = (await batch.flush())!;
      const folderBytes = (await repo.store.readTreeObject((await repo.store.entryAt(tree, "status"))!.oid)).raw.length;
      assert.ok(
        pack.length < 10 * folderBytes,
        `121 versions of an ${folderBytes}-byte folder take ${pack.length} bytes`,
      );
      await repo.updateBranch(null, head);
      const fresh = await GitRepository.open(repo.gitdir);
      const last = (await fresh.store.entryAt((await fresh.store.readCommit(head)).tree, "status/s-1.yaml"))!;
      assert.equal(new TextDecoder().decode(await fresh.store.readBlob(last.oid)), files.get("status/s-1.yaml"));
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
