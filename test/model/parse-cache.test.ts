import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GitRepo } from "../../src/gitops/index.ts";
import { parseStatus } from "../../src/model/load.ts";
import { ParseCache } from "../../src/model/parse-cache.ts";
import { loadRepository, statusFile } from "../../src/model/repository.ts";
import { DirectoryTree } from "../../src/model/tree.ts";
import { requireGit } from "../support/git-http/repos.ts";
import { exampleGitopsRepo, git } from "../support/gitops-repo.ts";

const STATUS = statusFile("prod", "support-agent");

describe("parse cache by git blob id", () => {
  it("parses a blob once, whatever commit or path it is read at; other parsers and folders on disk are not cached", async (t) => {
    if (!requireGit(t)) return;
    const repo = await exampleGitopsRepo();
    try {
      const first = git(repo.dir, "rev-parse", "HEAD").trim();
      const text = await readFile(join(repo.dir, STATUS), "utf8");
      await writeFile(join(repo.dir, "copy-of-status.yaml"), text);
      git(repo.dir, "add", "-A");
      git(repo.dir, "commit", "-q", "-m", "An identical file elsewhere");
      const second = git(repo.dir, "rev-parse", "HEAD").trim();
      const gitRepo = await GitRepo.open(repo.dir);
      const cache = new ParseCache();
      let parsed = 0;
      const counting = (source: string, file: string) => {
        parsed++;
        return parseStatus(source, file);
      };
      const a = await cache.parse(gitRepo.treeAt(first), STATUS, counting);
      const b = await cache.parse(gitRepo.treeAt(second), STATUS, counting);
      const c = await cache.parse(gitRepo.treeAt(second), "copy-of-status.yaml", counting);
      assert.equal(parsed, 1);
      assert.equal(b, a);
      assert.equal(c, a);
      await cache.parse(gitRepo.treeAt(second), STATUS, (source, file) => ({ ...parseStatus(source, file) }));
      assert.equal(cache.size, 2, "another parser of the same bytes has its own entry");
      await cache.parse(new DirectoryTree(repo.dir), STATUS, counting);
      await cache.parse(new DirectoryTree(repo.dir), STATUS, counting);
      assert.equal(parsed, 3, "a folder on disk has no blob ids: parsed every time");
    } finally {
      await repo.cleanup();
    }
  });

  it("keeps the least recently used entries within its bound", async (t) => {
    if (!requireGit(t)) return;
    const repo = await exampleGitopsRepo();
    try {
      const tree = (await GitRepo.open(repo.dir)).treeAt(git(repo.dir, "rev-parse", "HEAD").trim());
      const cache = new ParseCache(2);
      let parsed = 0;
      const counting = (source: string, file: string) => {
        parsed++;
        return parseStatus(source, file);
      };
      const files = ["prod", "staging", "dev"].map((env) => statusFile(env, "support-agent"));
      await cache.parse(tree, files[0]!, counting);
      await cache.parse(tree, files[1]!, counting);
      await cache.parse(tree, files[0]!, counting); // now the most recent
      await cache.parse(tree, files[2]!, counting); // evicts files[1]
      assert.equal(cache.size, 2);
      await cache.parse(tree, files[0]!, counting);
      assert.equal(parsed, 3);
      await cache.parse(tree, files[1]!, counting);
      assert.equal(parsed, 4);
    } finally {
      await repo.cleanup();
    }
  });

  it("loadRepository gives the same state with and without it, and still reports each commit's invalid files under that commit's name", async (t) => {
    if (!requireGit(t)) return;
    const repo = await exampleGitopsRepo();
    try {
      await writeFile(
        join(repo.dir, STATUS),
        (await readFile(join(repo.dir, STATUS), "utf8")).replace("phase: promoted", "phase: sideways"),
      );
      git(repo.dir, "commit", "-q", "-a", "-m", "Break a status");
      const broken = git(repo.dir, "rev-parse", "HEAD").trim();
      git(repo.dir, "commit", "-q", "--allow-empty", "-m", "Another commit, same tree");
      const later = git(repo.dir, "rev-parse", "HEAD").trim();
      const gitRepo = await GitRepo.open(repo.dir);
      const cache = new ParseCache();
      const cached = await loadRepository(gitRepo.treeAt(broken, "one"), { cache });
      const fresh = await loadRepository(gitRepo.treeAt(broken, "one"), { cache: null });
      assert.deepEqual(cached.state, fresh.state);
      assert.deepEqual(cached.problems, fresh.problems);
      assert.ok(
        cached.problems.some((p) => p.file === `one:${STATUS}` && /sideways|phase/.test(`${p.field} ${p.message}`)),
        JSON.stringify(cached.problems),
      );
      const again = await loadRepository(gitRepo.treeAt(later, "two"), { cache });
      assert.ok(
        again.problems.some((p) => p.file === `two:${STATUS}`),
        JSON.stringify(again.problems),
      );
      assert.equal(
        again.state.environments.get("dev")!.environment,
        cached.state.environments.get("dev")!.environment,
        "unchanged files come from the cache",
      );
    } finally {
      await repo.cleanup();
    }
  });

  it("grows to hold a repository with more files than its bound, so later loads parse nothing", async (t) => {
    if (!requireGit(t)) return;
    const repo = await exampleGitopsRepo();
    try {
      const tree = (await GitRepo.open(repo.dir)).treeAt(git(repo.dir, "rev-parse", "HEAD").trim());
      const cache = new ParseCache(2);
      const { filesRead } = await loadRepository(tree, { cache });
      assert.ok(filesRead > 2, `the example has ${filesRead} files`);
      assert.equal(cache.bound, 2 * filesRead);
      // The first load outgrew the bound it started with; the second fills in what it evicted.
      const first = await loadRepository(tree, { cache });
      const second = await loadRepository(tree, { cache });
      for (const [name, env] of first.state.environments) {
        const again = second.state.environments.get(name)!;
        assert.equal(again.environment, env.environment, `${name}: environment.yaml parsed again`);
        for (const [service, release] of env.releases)
          assert.equal(again.releases.get(service), release, `${name}/${service}: release parsed again`);
        for (const [service, status] of env.statuses)
          assert.equal(again.statuses.get(service), status, `${name}/${service}: status parsed again`);
      }
    } finally {
      await repo.cleanup();
    }
  });
});
