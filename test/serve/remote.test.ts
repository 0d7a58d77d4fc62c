/**
 * `tollgate serve --repo URL`: clones a remote over smart HTTP (git http-backend on loopback), serves
 * its history, and follows the remote as it moves; the remote's credentials are never shown.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createSeededBareRepo, gitCli, humanCommit, requireGit } from "../support/git-http/repos.ts";
import { startGitHttpServer } from "../support/git-http/server.ts";
import { tempDir } from "../support/tmp-repo.ts";
import { get, startServeCli } from "./support.ts";

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("tollgate serve --repo URL", () => {
  it("serves a remote's history and follows it as it moves", async (t) => {
    if (!requireGit(t)) return;
    const root = await tempDir("tollgate-serve-remote-");
    cleanups.push(root.cleanup);
    const bare = await createSeededBareRepo(root.dir, "gitops.git");
    const git = await startGitHttpServer({ root: root.dir, auth: { username: "bot", password: "remote-secret" } });
    cleanups.push(git.close);
    const served = await startServeCli(
      [
        "--repo",
        git.url("gitops.git"),
        "--workdir",
        join(root.dir, "clone"),
        "--listen",
        "127.0.0.1:0",
        "--fetch-interval",
        "500ms",
      ],
      { ...process.env, TOLLGATE_GIT_USERNAME: "bot", TOLLGATE_GIT_PASSWORD: "remote-secret" },
    );
    cleanups.push(served.stop);
    assert.match(
      served.output(),
      /dashboard of main in http:\/\/127\.0\.0\.1:\d+\/gitops\.git at .*fetched every 500ms/,
    );
    assert.ok(!served.output().includes("remote-secret"));

    const fragment = async () =>
      JSON.parse((await get(served.url, { "x-tollgate-fragment": "1" })).text) as { head: string; main: string };
    const first = await fragment();
    assert.equal(first.head, gitCli(bare, "rev-parse", "main").trim());
    assert.match(first.main, /data-service="support-agent"/);
    assert.ok(!first.main.includes("remote-secret"));

    const moved = humanCommit(
      bare,
      join(root.dir, "scratch"),
      (work) =>
        writeFileSync(
          join(work, "teams.yaml"),
          "apiVersion: tollgate.dev/v1\nkind: Teams\nteams:\n  ml-platform: [carol]\n  support-eng: [dave]\n  search: [erin]\nowners:\n  retrieval-api: search\n",
        ),
      "retrieval-api moves to the search team",
    );
    let now = first;
    for (let i = 0; i < 100 && now.head !== moved; i++) {
      await new Promise((done) => setTimeout(done, 100));
      now = await fragment();
    }
    assert.equal(now.head, moved, "the dashboard follows the remote");
    assert.match(now.main, /data-service="retrieval-api" data-team="search"/);
    assert.equal(await served.stop(), 0);
  });
});
