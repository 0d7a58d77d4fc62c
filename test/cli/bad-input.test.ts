/**
 * Issue 21: the bad inputs and misuses found by trying tollgate as a new user and an operator would.
 * Each is answered with a reason naming what is wrong and where, never a stack trace, with exit 2
 * for usage errors and 1 for everything else, and never exit 0 having done nothing.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { formatAge } from "../../src/model/duration.ts";
import { exampleGitopsRepo, git } from "../support/gitops-repo.ts";
import { freePort } from "../support/prometheus/server.ts";
import { type CliResult, runCli } from "../support/run-cli.ts";
import { copyExampleRepository, PROJECT_ROOT } from "../support/tmp-repo.ts";

const quiet = { ...process.env, TOLLGATE_LOG_LEVEL: "silent" };

/** A failure told in words: the exit code, the reason, and no stack trace. */
function assertFails(result: CliResult, code: 1 | 2, reason: RegExp): void {
  const all = result.stdout + result.stderr;
  assert.equal(result.code, code, all);
  assert.match(result.stderr, reason);
  assert.doesNotMatch(all, /\n\s+at .*\(.*:\d+:\d+\)|node:internal/, "no stack trace");
}

describe("bad input and misuse (issue 21)", () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let scratch: string;
  const cli = (args: string[]) => runCli(args, { cwd: repo.dir, env: quiet });
  before(async () => {
    repo = await exampleGitopsRepo();
    scratch = await mkdtemp(join(tmpdir(), "tollgate-bad-input-"));
  });
  after(async () => {
    await repo.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  describe("no stack traces (item 4)", () => {
    it("digest of a missing file or of a folder", async () => {
      assertFails(
        await cli(["digest", "nosuch.yaml"]),
        1,
        /^error: nosuch\.yaml: no such file \(expected a release file/,
      );
      assertFails(
        await cli(["digest", "environments"]),
        1,
        /^error: environments is a folder; expected a release file/,
      );
    });

    it("report --out into a missing folder names the file asked for, not a temporary one", async () => {
      const result = await cli(["report", "--env", "dev", "--service", "support-agent", "--out", "nosuch/r.html"]);
      assertFails(result, 1, /^error: cannot write nosuch\/r\.html: folder nosuch does not exist/);
      assert.doesNotMatch(result.stderr, /\.tmp/);
    });

    it("reconcile --interval abc or -5m is a usage error", async () => {
      for (const value of ["abc", "-5m"])
        assertFails(
          await cli(["reconcile", "--simulate", `--interval=${value}`]),
          2,
          /option '--interval <duration>' argument '.*' is invalid\. expected a duration such as 30s, 5m or 1h30m/,
        );
    });

    it("--listen on a port in use", async () => {
      const busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, "0.0.0.0", resolve));
      const port = (busy.address() as { port: number }).port;
      try {
        const result = await cli([
          "reconcile",
          "--simulate",
          "--env",
          "dev",
          "--interval",
          "1h",
          "--listen",
          `${port}`,
        ]);
        assertFails(result, 1, new RegExp(`^error: --listen ${port}: the port is in use by another program`, "m"));
      } finally {
        busy.close();
      }
    });

    it("telemetry fetch of an environment whose interval is 0s", async () => {
      const copy = await copyExampleRepository();
      try {
        const file = join(copy.dir, "environments/dev/environment.yaml");
        await writeFile(file, (await readFile(file, "utf8")).replace("interval: 10s", "interval: 0s"));
        const result = await runCli(
          ["telemetry", "fetch", "--env", "dev", "--service", "support-agent", "--repo", copy.dir],
          { env: quiet },
        );
        assertFails(result, 1, /interval 0s is shorter than 1s.*\(field telemetry\.interval\)/);
      } finally {
        await copy.cleanup();
      }
    });
  });

  describe("telemetry fetch --since is bounded (item 3)", () => {
    it("refuses a span over what one rollout step may hold, before fetching anything", async () => {
      for (const since of ["7d", "60d", "100000d"])
        assertFails(
          await cli(["telemetry", "fetch", "--env", "dev", "--service", "support-agent", "--since", since]),
          2,
          /^error: --since \S+ spans \d+ telemetry intervals of 10s; at most 2000 \(5h33m20s\) are fetched at once/,
        );
    });

    it("refuses a span shorter than one interval instead of listing no problems", async () => {
      assertFails(
        await cli(["telemetry", "fetch", "--env", "dev", "--service", "support-agent", "--since", "5s"]),
        2,
        /^error: --since 5s is shorter than one telemetry interval of dev \(10s\): there is nothing to fetch/,
      );
      assertFails(
        await cli(["telemetry", "fetch", "--env", "dev", "--service", "support-agent", "--since", "0s"]),
        2,
        /argument '0s' is invalid\. must be at least 1s/,
      );
    });
  });

  describe("reconcile fails when it can reconcile nothing (item 6)", () => {
    it("names the environment, service or branch that does not exist", async () => {
      const cases: [string[], RegExp][] = [
        [["--env", "nosuch"], /^error: --env nosuch: no such environment at branch main \(dev, prod, staging\)/],
        [["--env", "../../etc"], /^error: --env \.\.\/\.\.\/etc: no such environment at branch main/],
        [["--service", "nosuch"], /^error: --service nosuch: no release of it in any environment at branch main/],
        [["--env", "dev", "--service", "nosuch"], /^error: --service nosuch: no release of it in dev at branch main/],
        [["--branch", "nosuch"], /^error: branch nosuch has no commits: there is nothing to reconcile/],
      ];
      for (const [args, reason] of cases)
        assertFails(await cli(["reconcile", "--simulate", "--once", ...args]), 1, reason);
    });

    it("in a repository without commits", async () => {
      const empty = join(scratch, "empty");
      await mkdir(empty);
      git(empty, "init", "-q", "-b", "main");
      assertFails(
        await runCli(["reconcile", "--simulate", "--once", "--repo", empty], { env: quiet }),
        1,
        /^error: branch main has no commits/,
      );
    });
    it("in loop mode, /healthz answers 503 with the reason instead of reporting healthy", async () => {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [
          join(PROJECT_ROOT, "bin/tollgate.js"),
          "reconcile",
          "--simulate",
          "--env",
          "nosuch",
          "--interval",
          "200ms",
          "--listen",
          `${port}`,
        ],
        { cwd: repo.dir, env: quiet, stdio: "ignore" },
      );
      try {
        let answer: { status: number; text: string } | undefined;
        // Generous: starting the CLI is slow on a loaded machine; the answer is what is asserted.
        const deadline = Date.now() + 90_000;
        while (answer?.status !== 503 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          answer = await fetch(`http://127.0.0.1:${port}/healthz`)
            .then(async (r) => ({ status: r.status, text: await r.text() }))
            .catch(() => undefined);
        }
        assert.equal(answer?.status, 503, answer?.text);
        assert.match(answer!.text, /^--env nosuch: no such environment at branch main \(dev, prod, staging\)/);
      } finally {
        child.kill("SIGTERM");
      }
    });
  });

  describe("nothing silently accepted (item 8)", () => {
    it("validate rejects telemetry.interval 0s, naming file, line and field", async () => {
      const copy = await copyExampleRepository();
      try {
        const file = join(copy.dir, "environments/prod/environment.yaml");
        const text = await readFile(file, "utf8");
        await writeFile(file, text.replace("interval: 10s", "interval: 0s"));
        const line = text.split("\n").findIndex((l) => l.includes("interval: 10s")) + 1;
        const result = await runCli(["validate", copy.dir]);
        assert.equal(result.code, 1);
        assert.match(
          result.stdout,
          new RegExp(
            `environments/prod/environment\\.yaml:${line}:\\d+: interval 0s is shorter than 1s.*\\(field telemetry\\.interval\\)`,
          ),
        );
      } finally {
        await copy.cleanup();
      }
    });

    it("reconcile --interval 0s is refused rather than busy-looping", async () => {
      assertFails(
        await cli(["reconcile", "--simulate", "--interval", "0s"]),
        2,
        /argument '0s' is invalid\. must be at least 100ms/,
      );
    });

    it("digest of an environment file says it is not a release file", async () => {
      assertFails(
        await cli(["digest", "environments/dev/environment.yaml"]),
        1,
        /^error: environments\/dev\/environment\.yaml has neither artifact nor lastGood: expected a release file/,
      );
    });

    it("policy conformance of a folder without cases fails", async () => {
      const none = join(scratch, "no-cases");
      await mkdir(none, { recursive: true });
      assertFails(await cli(["policy", "conformance", none]), 1, /no conformance cases found/);
    });

    it("policy build of a folder without the decision entrypoint fails, naming it", async () => {
      const policies = join(scratch, "other-policies");
      await mkdir(policies, { recursive: true });
      await writeFile(join(policies, "x.rego"), "package other\n\nallow := true\n");
      assertFails(
        await cli(["policy", "build", policies, "--out", join(scratch, "bundle")]),
        1,
        /entrypoint "tollgate\/decision" does not name a rule or package of these policies/,
      );
    });
  });

  describe("usage errors exit 2 (item 10)", () => {
    it("--once with --interval, check --now yesterday, confirm --step abc", async () => {
      assertFails(
        await cli(["reconcile", "--simulate", "--once", "--interval", "5s"]),
        2,
        /^error: --once and --interval exclude each other/,
      );
      assertFails(
        await cli(["check", "--now", "yesterday"]),
        2,
        /option '--now <time>' argument 'yesterday' is invalid\. expected a time with a zone/,
      );
      assertFails(
        await cli(["confirm", "support-agent", "--env", "prod", "--step", "abc"]),
        2,
        /option '--step <n>' argument 'abc' is invalid\. expected a step number counted from 1/,
      );
    });
  });

  describe("unclear errors made clear", () => {
    it("a path that does not exist, and an ftp:// URL", async () => {
      assertFails(await cli(["status", "--repo", "nosuch"]), 1, /nosuch: no such folder/);
      assertFails(
        await cli(["reconcile", "--once", "--repo", "ftp://example.com/repo.git"]),
        2,
        /^error: --repo ftp:\/\/example\.com\/repo\.git: ftp:\/\/ is not supported; give an http\(s\) URL or a local path/,
      );
    });

    it("a JSON input's syntax error and size are named as JSON's", async () => {
      await writeFile(join(scratch, "bad.json"), '{"a": [1, 2}\n');
      const result = await cli(["policy", "eval", "-e", "tollgate/decision", "--input", join(scratch, "bad.json")]);
      assertFails(result, 1, /bad\.json:1:\d+: invalid JSON: Expected ',' or ']' after array element/);
      assert.doesNotMatch(result.stderr, /YAML/);
      await writeFile(join(scratch, "big.json"), `[${"1,".repeat(600_000)}1]`);
      assertFails(
        await cli(["policy", "eval", "-e", "tollgate/decision", "--input", join(scratch, "big.json")]),
        1,
        /over the 1048576-byte limit for JSON files/,
      );
    });

    it("policy eval -e of a rule that does not exist", async () => {
      assertFails(
        await cli(["policy", "eval", "-e", "tollgate/nosuch", "--policies", join(PROJECT_ROOT, "policies")]),
        1,
        /entrypoint "tollgate\/nosuch" does not name a rule or package of these policies/,
      );
    });

    it("multi-document YAML, merge keys, binary and non-UTF-8 files", async () => {
      const cases: [string, (text: string) => string | Buffer, RegExp][] = [
        [
          "environments/dev/releases/support-agent.yaml",
          (t) => `${t}---\nservice: other\n`,
          /support-agent\.yaml:\d+:1: the file holds more than one YAML document \(a second ---\); each file holds exactly one/,
        ],
        [
          "environments/dev/environment.yaml",
          (t) => t.replace("apiVersion:", "x: &base {a: 1}\ny:\n  <<: *base\napiVersion:"),
          /environment\.yaml:\d+:3: YAML merge keys \(<<\) are not supported/,
        ],
        [
          "environments/dev/status/support-agent.yaml",
          () => Buffer.from([0x70, 0x68, 0x61, 0x73, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]),
          /support-agent\.yaml:1:8: file is not valid UTF-8 text; save it as UTF-8/,
        ],
        [
          "environments/dev/status/retrieval-api.yaml",
          () => Buffer.from([0x00, 0x01, 0x02, 0x1b, 0x5b, 0x32, 0x4a]),
          /retrieval-api\.yaml:1:1: file is binary \(it holds a NUL byte\), not YAML or JSON text/,
        ],
      ];
      for (const [path, edit, reason] of cases) {
        const copy = await copyExampleRepository();
        try {
          const file = join(copy.dir, path);
          await writeFile(file, edit(await readFile(file, "utf8")));
          const result = await runCli(["validate", copy.dir]);
          assert.equal(result.code, 1, result.stdout);
          assert.match(result.stdout, reason);
          assert.doesNotMatch(result.stdout, /parseAllDocuments|unknown field.*<</);
          assert.ok(!result.stdout.includes("\u001b") && !result.stdout.includes("\ufffd"), "no raw bytes echoed");
        } finally {
          await copy.cleanup();
        }
      }
    });

    it("an invalid dev/environment.yaml is not blamed on staging's promotesFrom", async () => {
      const copy = await copyExampleRepository();
      try {
        await writeFile(
          join(copy.dir, "environments/dev/environment.yaml"),
          "apiVersion: tollgate.dev/v1\nkind: Environment\n",
        );
        const result = await runCli(["validate", copy.dir]);
        assert.equal(result.code, 1);
        assert.match(result.stdout, /environments\/dev\/environment\.yaml/);
        assert.doesNotMatch(result.stdout, /promotesFrom names "dev"/);
      } finally {
        await copy.cleanup();
      }
    });

    it("status ages over a day read in days", () => {
      assert.equal(formatAge((313 * 3600 + 58 * 60 + 26) * 1000), "13d1h");
      assert.equal(formatAge(2 * 86_400_000), "2d");
      assert.equal(formatAge(90_000), "1m30s");
    });
  });
});
