/**
 * `tollgate init`: a repository that validates and whose guardrails pass their tests, committed
 * once; existing files refused by name with nothing written; an unwritable folder a clear error.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import git from "isomorphic-git";
import { scaffoldFiles } from "../../src/cli/init/plan.ts";
import { writeScaffold } from "../../src/cli/init/write.ts";
import { packageVersion } from "../../src/cli/version.ts";
import { runCli } from "../support/run-cli.ts";
import { PROJECT_ROOT, tempDir } from "../support/tmp-repo.ts";

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), `${path}/`)));
    else out.push(path);
  }
  return out.sort();
}

describe("tollgate init", () => {
  it("writes a repository that validates, whose guardrails pass, in one commit with a clean status", async () => {
    const temp = await tempDir();
    try {
      const dir = join(temp.dir, "agents-gitops");
      const init = await runCli(["init", "agents-gitops"], {
        cwd: temp.dir,
        env: { TOLLGATE_GIT_AUTHOR_NAME: "Priya Platform", TOLLGATE_GIT_AUTHOR_EMAIL: "priya@acme.dev" },
      });
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /initialised .*agents-gitops: \d+ files, first commit [0-9a-f]{12} on main/);

      const files = await listFiles(dir);
      for (const expected of [
        ".github/workflows/tollgate-check.yml",
        ".github/workflows/tollgate-policy-test.yml",
        ".gitignore",
        "README.md",
        "deploy/kustomization.yaml",
        "environments/dev/environment.yaml",
        "environments/prod/environment.yaml",
        "environments/staging/environment.yaml",
        "policies/decision.rego",
        "policies/decision_test.rego",
        "teams.yaml",
      ]) {
        assert.ok(files.includes(expected), `${expected} is written`);
      }
      assert.ok(!files.some((f) => f.includes("dot-") || f.includes("{{")), "template names are resolved");
      const workflow = await readFile(join(dir, ".github/workflows/tollgate-check.yml"), "utf8");
      assert.match(workflow, new RegExp(`TOLLGATE: tollgate@${packageVersion().replaceAll(".", "\\.")}\\n`));
      assert.doesNotMatch(workflow, /npm ci|npx tollgate/, "the workflow installs tollgate as a tool");
      assert.match(await readFile(join(dir, "environments/prod/environment.yaml"), "utf8"), /^# .*\n/);

      const log = await git.log({ fs, dir });
      assert.equal(log.length, 1);
      assert.equal(log[0]!.commit.author.name, "Priya Platform");
      const status = await git.statusMatrix({ fs, dir });
      const committed = status.filter(([, head, workdir, stage]) => head === 1 && workdir === 1 && stage === 1);
      assert.equal(committed.length, files.filter((f) => !f.startsWith(".git/")).length, "every file committed");
      assert.equal(status.length, committed.length, "nothing left uncommitted");

      const validate = await runCli(["validate", dir]);
      assert.equal(validate.code, 0, validate.stdout);
      assert.match(validate.stdout, /^valid: .*3 environments \(dev, prod, staging\)/);
      const policies = await runCli(["policy", "test"], { cwd: dir });
      assert.equal(policies.code, 0, policies.stdout + policies.stderr);
      assert.match(policies.stdout, /^PASS: (\d+)\/\1$/m);
    } finally {
      await temp.cleanup();
    }
  });

  it("inside an existing git repository writes the files and leaves the committing to you", async () => {
    const temp = await tempDir();
    try {
      await git.init({ fs, dir: temp.dir, defaultBranch: "main" });
      const result = await runCli(["init", "gitops"], { cwd: temp.dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /inside the git repository .*: review and commit them/);
      assert.deepEqual(await readdir(join(temp.dir, "gitops")).then((names) => names.includes(".git")), false);
      assert.deepEqual(await git.log({ fs, dir: temp.dir }).catch(() => []), []);
    } finally {
      await temp.cleanup();
    }
  });

  it("refuses to overwrite, naming every existing file, and writes nothing; --force overwrites", async () => {
    const temp = await tempDir();
    try {
      await mkdir(join(temp.dir, "environments/dev"), { recursive: true });
      await writeFile(join(temp.dir, "README.md"), "# ours\n");
      await writeFile(join(temp.dir, "environments/dev/environment.yaml"), "ours: true\n");
      await writeFile(join(temp.dir, "notes.txt"), "unrelated\n");
      const before = await listFiles(temp.dir);

      const refused = await runCli(["init", temp.dir]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /tollgate init would overwrite files in .* \(--force overwrites them\); nothing was written:\n {2}README\.md\n {2}environments\/dev\/environment\.yaml\n$/,
      );
      assert.deepEqual(await listFiles(temp.dir), before);
      assert.equal(await readFile(join(temp.dir, "README.md"), "utf8"), "# ours\n");

      const forced = await runCli(["init", temp.dir, "--force"]);
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(await readFile(join(temp.dir, "README.md"), "utf8"), /^# GitOps repository for tollgate/);
      assert.equal(await readFile(join(temp.dir, "notes.txt"), "utf8"), "unrelated\n");
    } finally {
      await temp.cleanup();
    }
  });

  it("names a file that stands where a folder must go", async () => {
    const temp = await tempDir();
    try {
      await writeFile(join(temp.dir, "policies"), "a file\n");
      const result = await runCli(["init", temp.dir, "--force"]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /needs a folder where a file is, or the reverse; nothing was written:\n {2}policies\n$/,
      );
      assert.deepEqual(await readdir(temp.dir), ["policies"]);
    } finally {
      await temp.cleanup();
    }
  });

  it("an unwritable folder is a clear error, nothing written", async () => {
    const temp = await tempDir();
    try {
      const locked = join(temp.dir, "locked");
      await mkdir(locked);
      let result: { code: number | null; stderr: string };
      if (process.getuid?.() === 0) {
        // root writes anywhere: run the real command as an unprivileged user instead.
        await chmod(temp.dir, 0o755);
        await chmod(locked, 0o755);
        const run = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin/tollgate.js"), "init", join(locked, "repo")], {
          uid: 65534,
          gid: 65534,
          cwd: temp.dir,
          env: { ...process.env, HOME: temp.dir },
          encoding: "utf8",
        });
        result = { code: run.status, stderr: run.stderr };
      } else {
        await chmod(locked, 0o555);
        result = await runCli(["init", join(locked, "repo")]);
      }
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `error: cannot write to ${locked}: permission denied; nothing was written\n`);
      assert.deepEqual(await readdir(locked), []);
    } finally {
      await temp.cleanup();
    }
  });

  it("a write that fails half way removes what it wrote", async () => {
    const temp = await tempDir();
    try {
      const dir = join(temp.dir, "new");
      const files = await scaffoldFiles(packageVersion());
      const impossible = { path: `policies/${"x".repeat(300)}.rego`, content: Buffer.from("package x\n") };
      await assert.rejects(
        writeScaffold(dir, [...files, impossible], { force: false }),
        /cannot write policies\/x+\.rego in .*new: ENAMETOOLONG.*nothing was written/,
      );
      assert.deepEqual(await readdir(temp.dir), []);
    } finally {
      await temp.cleanup();
    }
  });
});
