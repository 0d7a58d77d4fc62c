/**
 * Batches of objects stored as one pack: git's own tools accept the pack and its index (fsck,
 * verify-pack, an index git builds itself is byte for byte ours), isomorphic-git and a fresh
 * ObjectStore read every object, deltas stay within git's depth, a push sends the packed commits,
 * and a crash before, while or after the pack is stored leaves the old head or the new one.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { copyFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inflateSync } from "node:zlib";
import git from "isomorphic-git";
import { commitDecisionWithRetry } from "../../src/reconcile/transaction.ts";
import { listDecisionCommits } from "../../src/gitops/history.ts";
import { listPacks, packsToMerge, removePack } from "../../src/git/pack-files.ts";
import { encodePack, MAX_DELTA_DEPTH, prefixSuffixDelta, spliceDelta, storedZlib } from "../../src/git/pack-writer.ts";
import { GitRepo } from "../../src/gitops/repo.ts";
import { editTree } from "../../src/git/tree-edit.ts";
import { TreeObject } from "../../src/git/tree-object.ts";
import type { TreeEntry } from "../../src/git/objects.ts";
import { createSeededBareRepo, gitCli, requireGit } from "../support/git-http/repos.ts";
import { startGitHttpServer } from "../support/git-http/server.ts";
import { tempDir } from "../support/tmp-repo.ts";
import { decisionAt } from "../gitops/fixtures.ts";

const clock = () => new Date("2026-11-20T10:00:00Z");
const identity = { name: "tollgate-test", email: "tollgate@example.test" };

function packFiles(gitdir: string): string[] {
  try {
    return readdirSync(join(gitdir, "objects/pack")).sort();
  } catch {
    return [];
  }
}

/**
 * A tick as a busy reconciler writes it: one batch of 41 tree edits and a commit, stored (as a
 * pack) and the branch moved. `counts` holds the number of packs after each tick.
 */
function packTicks(repo: GitRepo) {
  const files = new Map<string, string>(
    Array.from({ length: 300 }, (_, i) => [`status/s-${String(i).padStart(3, "0")}.yaml`, `service: ${i}\n`]),
  );
  let parent: string | null = null;
  let tree: string | null = null;
  const counts: number[] = [];
  const tick = async (n: number) => {
    const batch = repo.store.batch();
    tree = await editTree(repo.store, tree, tree === null ? files : new Map(), batch);
    for (let i = 0; i < 40; i++)
      tree = await editTree(
        repo.store,
        tree,
        new Map([[`status/s-${String((n * 41 + i) % 300).padStart(3, "0")}.yaml`, `service: ${i}\ntick: ${n}\n`]]),
        batch,
      );
    const person = { name: "T", email: "t@example.test", timestamp: 1_800_000_000 + n, timezoneOffset: 0 };
    const commit: string = await batch.writeCommit({
      message: `tick ${n}\n`,
      tree,
      parent: parent ? [parent] : [],
      author: person,
      committer: person,
    });
    await batch.flush();
    await repo.updateBranch(parent, commit);
    parent = commit;
    counts.push(packFiles(repo.gitdir).filter((f) => f.endsWith(".idx")).length);
  };
  return { repo, tick, head: () => parent, counts };
}

/** Sets the immutable attribute (root only); false when this machine does not allow it. */
function makeImmutable(path: string): boolean {
  try {
    execFileSync("chattr", ["+i", path], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function packBytes(gitdir: string): number {
  return packFiles(gitdir)
    .filter((f) => f.endsWith(".pack"))
    .reduce((sum, f) => sum + statSync(join(gitdir, "objects/pack", f)).size, 0);
}

function looseObjects(gitdir: string): number {
  return readdirSync(join(gitdir, "objects"))
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .reduce((n, d) => n + readdirSync(join(gitdir, "objects", d)).length, 0);
}

/** verify-pack -v lines: "<oid> <type> <size> <packed size> <offset> [<depth> <base>]". */
function verifyPack(idx: string): { oid: string; type: string; depth: number }[] {
  return gitCli(join(idx, ".."), "verify-pack", "-v", idx)
    .split("\n")
    .map((l) => l.split(/\s+/))
    .filter((f) => /^[0-9a-f]{40}$/.test(f[0] ?? ""))
    .map((f) => ({ oid: f[0]!, type: f[1]!, depth: f.length >= 7 ? Number(f[5]) : 0 }));
}

/** Twelve decisions about one service, one per step, as one batch. */
function twelveSteps(head: Parameters<typeof decisionAt>[0]) {
  return Array.from({ length: 12 }, (_, step) =>
    decisionAt(head, { action: "advance", step, at: `2026-11-20T10:${String(step).padStart(2, "0")}:00Z` }),
  );
}

describe("tree objects edited in place", () => {
  // "\u{1F600}" (a surrogate pair) sorts before "\uE000" as UTF-16 but after it as UTF-8 bytes, as git sorts.
  it("give the same bytes as encoding the edited listing afresh, in git's order, and know their delta", () => {
    const oid = (n: number) => n.toString(16).padStart(40, "0");
    const names = ["a", "a-b", "a.b", "a0", "b", "\u00e9t\u00e9.yaml", "z"];
    let entries: TreeEntry[] = names.map((path, i) => ({
      mode: path === "a" ? "040000" : "100644",
      path,
      oid: oid(i + 1),
      type: path === "a" ? "tree" : "blob",
    }));
    let tree = TreeObject.encode(entries);
    // Every few rounds the edits start afresh from the tree as stored (`editFrom`): each tree made
    // since then rebuilds from that base through the delta its derivation gives.
    let base = tree;
    let random = 7;
    const next = () => (random = (random * 48271) % 2147483647);
    for (let round = 0; round < 300; round++) {
      const name = ["a", "a-b", "a.b", "a0", "a.c", "new", "b", "z", "\u00e9t\u00e9.yaml", "zz", "\u{1F600}", "\uE000"][
        next() % 12
      ]!;
      if (round % 5 === 0) {
        base = tree;
        tree = tree.editFrom("1".repeat(40));
      }
      const kind = next() % 4;
      const entry: TreeEntry | null =
        kind === 0
          ? null
          : {
              mode: kind === 1 ? "040000" : kind === 2 ? "100755" : "100644",
              path: name,
              oid: oid(1000 + round),
              type: kind === 1 ? "tree" : "blob",
            };
      tree = tree.with(name, entry);
      entries = entries.filter((e) => e.path !== name).concat(entry ? [entry] : []);
      const fresh = TreeObject.encode(entries);
      assert.deepEqual(tree.raw, fresh.raw, `round ${round}: ${name}`);
      assert.deepEqual(tree.entries, fresh.entries);
      assert.deepEqual(TreeObject.decode(tree.raw).entries, fresh.entries);
      for (const e of entries) assert.deepEqual(tree.get(e.path), e);
      const d = tree.derivation!;
      assert.equal(d.base, "1".repeat(40));
      assert.equal(d.baseLength, base.raw.length);
      if (tree.raw.equals(base.raw)) continue;
      const delta = spliceDelta(d.baseLength, tree.length, d.prefix, d.suffix, (a, b) => tree.bytes(a, b));
      if (delta) assert.deepEqual(applyDelta(base.raw, delta), tree.raw, `round ${round}: delta of ${name}`);
    }
  });
});

function treeId(raw: Buffer): string {
  return createHash("sha1").update(`tree ${raw.length}\0`).update(raw).digest("hex");
}

describe("tree objects of many chunks", () => {
  it("stay git's bytes through inserts, removals and kind changes across chunk boundaries", () => {
    const oid = (n: number) => n.toString(16).padStart(40, "0");
    const name = (i: number) => `svc-${String(i).padStart(4, "0")}${i % 3 === 0 ? "" : ".yaml"}`;
    let entries: TreeEntry[] = Array.from({ length: 300 }, (_, i) => ({
      mode: "100644",
      path: name(i * 2),
      oid: oid(i + 1),
      type: "blob" as const,
    }));
    let tree = TreeObject.decode(TreeObject.encode(entries).raw).editFrom("2".repeat(40));
    const base = tree;
    let random = 11;
    const next = () => (random = (random * 48271) % 2147483647);
    for (let round = 0; round < 400; round++) {
      const path = name(next() % 700);
      const kind = next() % 5;
      // Mostly additions at first (a chunk splits), then removals (chunks empty out).
      const remove = round < 200 ? kind === 0 : kind < 4;
      const entry: TreeEntry | null = remove
        ? null
        : { mode: kind === 1 ? "040000" : "100644", path, oid: oid(5000 + round), type: kind === 1 ? "tree" : "blob" };
      tree = tree.with(path, entry);
      entries = entries.filter((e) => e.path !== path).concat(entry ? [entry] : []);
      const fresh = TreeObject.encode(entries);
      assert.deepEqual(tree.raw, fresh.raw, `round ${round}: ${path}`);
      assert.equal(tree.size, entries.length);
      assert.deepEqual(tree.get(path), entry ?? undefined);
      assert.deepEqual(tree.bytes(5, 777), fresh.raw.subarray(5, 777));
      assert.equal(tree.id(), treeId(fresh.raw), `round ${round}: the id resumed from saved hash states`);
      const d = tree.derivation!;
      const delta = spliceDelta(d.baseLength, tree.length, d.prefix, d.suffix, (a, b) => tree.bytes(a, b));
      if (delta) assert.deepEqual(applyDelta(base.raw, delta), tree.raw, `round ${round}: delta`);
    }
    assert.deepEqual(tree.entries, TreeObject.encode(entries).entries);
  });
});

describe("pack encoding", () => {
  it("a delta of a common prefix and suffix rebuilds the target; stored zlib inflates back", () => {
    const base = Buffer.from(`${"x".repeat(5000)}middle${"y".repeat(70_000)}`);
    const target = Buffer.from(
      `${"x".repeat(5000)}the new middle, longer than a single insert instruction can carry: ${"m".repeat(300)}${"y".repeat(70_000)}`,
    );
    const delta = prefixSuffixDelta(base, target)!;
    assert.ok(delta.length < 500, `delta is ${delta.length} bytes`);
    assert.deepEqual(applyDelta(base, delta), target);
    assert.equal(prefixSuffixDelta(Buffer.from("abc"), Buffer.from("xyz")), undefined);
    for (const data of [Buffer.alloc(0), Buffer.from("tree"), Buffer.alloc(200_000, 7)])
      assert.deepEqual(inflateSync(storedZlib(data)), data);
  });

  it("git's index-pack builds the very index we wrote, and verify-pack accepts the pack", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-pack-writer-");
    try {
      const repo = await GitRepo.init(join(temp.dir, "packed.git"));
      const batch = repo.store.batch();
      // A folder of 400 files, one file rewritten 120 times: a chain of tree versions.
      const files = new Map<string, string>(
        Array.from({ length: 400 }, (_, i) => [`status/service-${String(i).padStart(4, "0")}.yaml`, `service: ${i}\n`]),
      );
      let tree = await editTree(repo.store, null, files, batch);
      const versions = [tree];
      for (let v = 0; v < 120; v++) {
        tree = await editTree(
          repo.store,
          tree,
          new Map([
            [
              `status/service-${String((v * 37) % 400).padStart(4, "0")}.yaml`,
              `service: ${v}\nversion: ${v}\n${"text ".repeat(v)}\n`,
            ],
          ]),
          batch,
        );
        versions.push(tree);
      }
      const commit = await batch.writeCommit({
        message: "packed\n",
        tree,
        parent: [],
        author: { name: "T", email: "t@example.test", timestamp: 1_800_000_000, timezoneOffset: 0 },
        committer: { name: "T", email: "t@example.test", timestamp: 1_800_000_000, timezoneOffset: 0 },
      });
      assert.equal(looseObjects(repo.gitdir), 0);
      await batch.flush();
      await repo.updateBranch(null, commit);

      assert.equal(looseObjects(repo.gitdir), 0, "a large batch leaves no loose objects");
      const files2 = packFiles(repo.gitdir);
      assert.equal(files2.length, 2, files2.join());
      const idx = join(repo.gitdir, "objects/pack", files2.find((f) => f.endsWith(".idx"))!);
      const pack = idx.replace(/\.idx$/, ".pack");
      const listed = verifyPack(idx);
      assert.ok(listed.some((o) => o.oid === commit && o.type === "commit"));
      assert.ok(versions.every((v) => listed.some((o) => o.oid === v && o.type === "tree")));
      const depths = listed.map((o) => o.depth);
      assert.ok(Math.max(...depths) >= 10, "tree versions are stored as deltas");
      assert.ok(Math.max(...depths) <= MAX_DELTA_DEPTH, `delta chains stay within ${MAX_DELTA_DEPTH}`);
      gitCli(repo.gitdir, "fsck", "--strict", "--no-progress");

      const rebuilt = join(temp.dir, "rebuilt.idx");
      execFileSync("git", ["index-pack", "-o", rebuilt, pack], { cwd: temp.dir });
      assert.deepEqual(readFileSync(rebuilt), readFileSync(idx), "the index git builds for the pack is ours");

      // Every version reads back the same through git, isomorphic-git and a fresh store.
      const fresh = await GitRepo.open(repo.gitdir);
      for (const version of [versions[0]!, versions[60]!, versions[120]!]) {
        const ours = await fresh.store.readTree((await fresh.store.entryAt(version, "status"))!.oid);
        const sub = (await fresh.store.entryAt(version, "status"))!.oid;
        const theirs = (await git.readTree({ fs: fresh.fs, gitdir: fresh.gitdir, oid: sub, cache: {} })).tree;
        assert.deepEqual(ours, theirs);
        assert.equal(gitCli(repo.gitdir, "ls-tree", sub).trim().split("\n").length, 400);
      }
      assert.equal(
        gitCli(repo.gitdir, "show", "main:status/service-0000.yaml"),
        await fresh.treeAt(commit).read("status/service-0000.yaml"),
      );
    } finally {
      await temp.cleanup();
    }
  });

  it("drops duplicates and encodes the same objects the same way", () => {
    const blob = (text: string) => {
      const content = Buffer.from(text);
      const oid = execFileSync("git", ["hash-object", "--stdin"], { input: content, encoding: "utf8" }).trim();
      return { oid, type: "blob" as const, content };
    };
    const a = blob("a\n");
    const b = blob("b\n");
    const once = encodePack([a, b]);
    const twice = encodePack([a, b, a]);
    assert.equal(twice.objects, 2);
    assert.deepEqual(twice.pack, once.pack);
    assert.deepEqual(twice.index, once.index);
  });
});

describe("decision batches stored as one pack", () => {
  it("a chain of decisions becomes one pack that git, isomorphic-git and a fresh reader agree on", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-pack-batch-");
    try {
      const bare = await createSeededBareRepo(temp.dir, "desired.git");
      const repo = await GitRepo.open(bare, { clock, identity });
      const looseBefore = looseObjects(bare);
      const outcome = await commitDecisionWithRetry(repo, twelveSteps);
      assert.equal(outcome.kind, "committed");
      if (outcome.kind !== "committed") return;
      assert.equal(outcome.decisions.length, 12);
      assert.equal(looseObjects(bare), looseBefore, "no loose objects for a large batch");
      assert.equal(packFiles(bare).filter((f) => f.endsWith(".idx")).length, 1);
      gitCli(bare, "fsck", "--strict", "--no-progress");
      assert.equal(
        gitCli(bare, "log", "--format=%s", "main")
          .trim()
          .split("\n")
          .filter((s) => s.startsWith("advance(")).length,
        12,
      );
      const log = await git.log({ fs: repo.fs, gitdir: bare, ref: "main", cache: {} });
      assert.equal(log[0]!.oid, outcome.head);
      assert.equal(log.length, 13);
      const fresh = await GitRepo.open(bare);
      assert.equal((await listDecisionCommits(fresh)).length, 12);
      const state = await fresh.stateAt(outcome.head);
      assert.deepEqual(state.problems, []);
      assert.equal(state.state.environments.get("staging")!.statuses.get("support-agent")!.step, 12);
    } finally {
      await temp.cleanup();
    }
  });

  it("a crash before the ref moves leaves the old head; leftovers of a torn pack are ignored; the retry converges", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-pack-crash-");
    try {
      const bare = await createSeededBareRepo(temp.dir, "desired.git");
      class Crash extends Error {}
      const crashing = await GitRepo.open(bare, {
        clock,
        identity,
        hooks: {
          at: (point) => {
            if (point === "objects-stored") throw new Crash(point);
          },
        },
      });
      const before = await crashing.head();
      await assert.rejects(commitDecisionWithRetry(crashing, twelveSteps), Crash);
      assert.equal(await crashing.head(), before);
      // The pack is complete but nothing names its commits: harmless.
      const [idx] = packFiles(bare).filter((f) => f.endsWith(".idx"));
      assert.ok(idx);
      gitCli(bare, "fsck", "--strict", "--no-progress");

      // What a crash in the middle of storing leaves: temporary files and a pack without its index.
      const dir = join(bare, "objects/pack");
      await writeFile(join(dir, "tmp_pack_12345-deadbeef"), "PACK half");
      await writeFile(join(dir, "tmp_idx_12345-deadbeef"), "\xfftOc half");
      await copyFile(join(dir, idx.replace(/\.idx$/, ".pack")), join(dir, `pack-${"0".repeat(40)}.pack`));
      await rm(join(dir, idx));
      await rm(join(dir, idx.replace(/\.idx$/, ".pack")));
      gitCli(bare, "fsck", "--strict", "--no-progress");

      const reopened = await GitRepo.open(bare, { clock, identity });
      const outcome = await commitDecisionWithRetry(reopened, twelveSteps);
      assert.equal(outcome.kind, "committed");
      gitCli(bare, "fsck", "--strict", "--no-progress");
      assert.equal((await listDecisionCommits(await GitRepo.open(bare))).length, 12);
      const again = await commitDecisionWithRetry(reopened, twelveSteps);
      assert.equal(again.kind, "unchanged");
    } finally {
      await temp.cleanup();
    }
  });

  it("pushes packed commits: isomorphic-git reads our pack to build the one it sends", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-pack-push-");
    const server = await startGitHttpServer({ root: temp.dir });
    try {
      const bare = await createSeededBareRepo(temp.dir, "remote.git");
      const repo = await GitRepo.clone(join(temp.dir, "clone"), {
        clock,
        identity,
        remote: { url: server.url("remote.git") },
      });
      const outcome = await commitDecisionWithRetry(repo, twelveSteps);
      assert.equal(outcome.kind, "committed");
      if (outcome.kind !== "committed") return;
      // The clone's small pack was taken into the batch's.
      assert.equal(packFiles(repo.gitdir).filter((f) => f.endsWith(".idx")).length, 1);
      gitCli(repo.gitdir, "fsck", "--strict", "--no-progress");
      assert.equal(gitCli(bare, "rev-parse", "main").trim(), outcome.head);
      gitCli(bare, "fsck", "--strict", "--no-progress");
      assert.equal(
        gitCli(bare, "log", "--format=%s", "main")
          .trim()
          .split("\n")
          .filter((s) => s.startsWith("advance(")).length,
        12,
      );
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });
});

describe("pack merging", () => {
  it("takes in every pack smaller than twice what it gathers, smallest first", () => {
    const packs = [40, 5, 1000, 12, 300].map((objects, i) => ({ name: `pack-${i}`, objects }));
    assert.deepEqual(
      packsToMerge(packs, 10).map((p) => p.objects),
      [5, 12, 40],
    );
    assert.deepEqual(
      packsToMerge(packs, 200).map((p) => p.objects),
      [5, 12, 40, 300, 1000],
    );
    assert.deepEqual(
      packsToMerge(packs, 2).map((p) => p.objects),
      [],
    );
  });

  it("keeps few packs over many ticks, copies deltas with their new distances, and leaves kept or broken packs alone", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-pack-merge-");
    try {
      const repo = await GitRepo.init(join(temp.dir, "merged.git"), { clock, identity });
      const { tick, head, counts } = packTicks(repo);
      for (let n = 0; n < 16; n++) await tick(n);
      if (process.env.DEBUG_PACKS) console.log(counts.join(" "), JSON.stringify(await listPacks(repo.gitdir)));
      assert.ok(Math.max(...counts) <= 4, `packs after each tick: ${counts.join(" ")}`);
      gitCli(repo.gitdir, "fsck", "--strict", "--no-progress");
      assert.match(gitCli(repo.gitdir, "count-objects", "-v"), /^garbage: 0$/m);
      for (const idx of packFiles(repo.gitdir).filter((f) => f.endsWith(".idx"))) {
        const path = join(repo.gitdir, "objects/pack", idx);
        assert.ok(
          verifyPack(path).some((o) => o.depth > 0),
          "merged packs keep their deltas",
        );
        const rebuilt = join(temp.dir, `rebuilt-${idx}`);
        execFileSync("git", ["index-pack", "-o", rebuilt, path.replace(/\.idx$/, ".pack")], { cwd: temp.dir });
        assert.deepEqual(readFileSync(rebuilt), readFileSync(path));
      }
      assert.equal(gitCli(repo.gitdir, "rev-list", "--count", "main").trim(), "16");
      const parent = head();
      const fresh = await GitRepo.open(repo.gitdir);
      assert.equal(
        await fresh.treeAt(parent!).read("status/s-000.yaml"),
        gitCli(repo.gitdir, "show", "main:status/s-000.yaml"),
      );
      const log = await git.log({ fs: fresh.fs, gitdir: fresh.gitdir, ref: "main", cache: {} });
      assert.equal(log.length, 16);

      // A pack marked to keep, and one whose index does not match its data, are not merged, though
      // each is the smallest pack, which the next tick would take in.
      const smallest = async () => {
        const packs = await listPacks(repo.gitdir);
        const pack = packs.sort((a, b) => a.objects - b.objects)[0]!;
        assert.ok(packsToMerge(packs, 100).some((p) => p.name === pack.name));
        return pack.name;
      };
      const kept = await smallest();
      await writeFile(join(repo.gitdir, "objects/pack", `${kept}.keep`), "");
      await tick(16);
      assert.ok(packFiles(repo.gitdir).includes(`${kept}.pack`), "a kept pack stays");
      await rm(join(repo.gitdir, "objects/pack", `${kept}.keep`));
      const victim = join(repo.gitdir, "objects/pack", `${await smallest()}.idx`);
      const index = readFileSync(victim);
      const count = index.readUInt32BE(8 + 255 * 4);
      index.writeUInt32BE((index.readUInt32BE(8 + 256 * 4 + count * 20) ^ 1) >>> 0, 8 + 256 * 4 + count * 20); // first CRC
      await rm(victim);
      await writeFile(victim, index);
      await tick(17);
      assert.ok(packFiles(repo.gitdir).includes(victim.split("/").at(-1)!), "a pack with a wrong CRC stays as it is");
      const reread = await GitRepo.open(repo.gitdir);
      assert.equal(
        await reread.treeAt(head()!).read("status/s-000.yaml"),
        gitCli(repo.gitdir, "show", "main:status/s-000.yaml"),
      );
    } finally {
      await temp.cleanup();
    }
  });
  it("a pack that cannot be removed is kept, not merged again on every tick: storage stays bounded (issue 21, item 2)", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-pack-immutable-");
    const immutable: string[] = [];
    try {
      const control = packTicks(await GitRepo.init(join(temp.dir, "control.git"), { clock, identity }));
      const repo = await GitRepo.init(join(temp.dir, "immutable.git"), { clock, identity });
      const { tick, counts } = packTicks(repo);
      await tick(0);
      await control.tick(0);
      const [first] = await listPacks(repo.gitdir);
      const firstBytes = packBytes(repo.gitdir);
      for (const ext of [".idx", ".pack"]) {
        const path = join(repo.gitdir, "objects/pack", `${first!.name}${ext}`);
        if (!makeImmutable(path)) {
          t.skip("chattr +i needs root (CAP_LINUX_IMMUTABLE): an undeletable pack cannot be made here");
          return;
        }
        immutable.push(path);
      }
      for (let n = 1; n < 13; n++) {
        await tick(n);
        await control.tick(n);
      }
      assert.ok(existsSync(join(repo.gitdir, "objects/pack", `${first!.name}.keep`)), "the pack is marked .keep");
      assert.ok(Math.max(...counts) <= 5, `packs after each tick: ${counts.join(" ")}`);
      // Before, every tick merged the undeletable pack into a new, larger one and failed to remove it.
      const bytes = packBytes(repo.gitdir);
      const controlBytes = packBytes(control.repo.gitdir);
      assert.ok(
        bytes <= controlBytes + 1.5 * firstBytes,
        `${bytes} bytes of packs, ${controlBytes} without the kept pack`,
      );
      assert.equal(gitCli(repo.gitdir, "rev-list", "--count", "main").trim(), "13");
      gitCli(repo.gitdir, "fsck", "--strict", "--no-progress");
    } finally {
      for (const path of immutable) execFileSync("chattr", ["-i", path]);
      await temp.cleanup();
    }
  });

  it("a pack that can be neither removed nor kept is an error naming the real cause", async (t) => {
    if (!requireGit(t)) return;
    const temp = await tempDir("tollgate-pack-immutable-");
    let packDir: string | undefined;
    try {
      const repo = await GitRepo.init(join(temp.dir, "immutable.git"), { clock, identity });
      await packTicks(repo).tick(0);
      const [first] = await listPacks(repo.gitdir);
      if (!makeImmutable(join(repo.gitdir, "objects/pack"))) {
        t.skip("chattr +i needs root (CAP_LINUX_IMMUTABLE)");
        return;
      }
      packDir = join(repo.gitdir, "objects/pack");
      await assert.rejects(removePack(repo.gitdir, first!, false), (error: Error) => {
        assert.match(
          error.message,
          /^cannot remove pack pack-[0-9a-f]+, whose objects were merged into another pack, nor mark it \.keep \(EPERM: operation not permitted, unlink '.*\.idx'\); make .*objects\/pack and its files writable$/,
        );
        return true;
      });
    } finally {
      if (packDir) execFileSync("chattr", ["-i", packDir]);
      await temp.cleanup();
    }
  });
});

/** Git's delta format applied plainly (the test's own reading of it). */
function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const size = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  assert.equal(size(), base.length);
  const length = size();
  const out: Buffer[] = [];
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let offset = 0;
      let count = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) offset += delta[pos++]! * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (1 << (4 + i))) count += delta[pos++]! * 2 ** (8 * i);
      out.push(base.subarray(offset, offset + (count || 0x10000)));
    } else {
      out.push(delta.subarray(pos, pos + op));
      pos += op;
    }
  }
  const result = Buffer.concat(out);
  assert.equal(result.length, length);
  return result;
}
