/**
 * The install test (`npm run test:install`, run by CI): tollgate packed, installed with
 * `npm install --omit=dev` into an empty folder offline, and used from its installed bin the way a
 * new user would: init a repository, validate it, test its guardrails, release a service,
 * reconcile, audit, and the demo. Slow (it packs the whole package), so not part of `npm test`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import git from "isomorphic-git";
import { parse, stringify } from "yaml";
import { type PackedInstall, packAndInstall } from "../support/packed-install.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const STACK_FRAME = /^\s+at .*\(?.*:\d+:\d+\)?$/m;

describe("tollgate installed from its packed tarball", () => {
  let installed: PackedInstall;
  let repo: string;
  const tollgate = (args: string[], cwd = repo) => {
    const result = spawnSync(installed.bin, args, { cwd, encoding: "utf8", timeout: 5 * 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  before(async () => {
    installed = await packAndInstall();
    repo = join(installed.dir, "agents-gitops");
    process.stdout.write(
      `# packed in ${installed.packSeconds.toFixed(1)} s, installed in ${installed.installSeconds.toFixed(1)} s\n`,
    );
  });
  after(() => installed?.cleanup());

  it("packs what a user needs and nothing else, and installs no development tools", () => {
    const { files } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { files: string[] };
    const allowed = [...files, "package.json", "README.md"];
    for (const file of installed.packedFiles) {
      assert.ok(
        allowed.some((entry) => (entry.endsWith("/") ? file.startsWith(entry) : file === entry)),
        `${file} is listed in files`,
      );
      assert.ok(!/\.ts$/.test(file) || file.endsWith(".d.ts"), `${file}: no TypeScript sources`);
    }
    for (const needed of [
      "bin/tollgate.js",
      "dist/cli/main.js",
      "dist/cli/main.d.ts",
      "dist/model/schema-validators.cjs",
      "build/rego-runtime.wasm",
      "build/rego-runtime.wasm.sha256",
      "schemas/environment.schema.json",
      "policies/decision.rego",
      "templates/init/README.md",
    ]) {
      assert.ok(installed.packedFiles.includes(needed), `${needed} is packed`);
    }
    for (const devOnly of ["typescript", "tsx", "assemblyscript", "@biomejs", "playwright-core"]) {
      assert.ok(!existsSync(join(installed.dir, "node_modules", devOnly)), `${devOnly} is not installed`);
    }
  });

  it("--version prints the version and the digest of the shipped runtime", () => {
    const result = tollgate(["--version"], installed.dir);
    assert.equal(result.code, 0, result.stderr);
    const wasm = readFileSync(join(installed.packageDir, "build/rego-runtime.wasm"));
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(
      result.stdout,
      `tollgate ${version}\nrego runtime sha256:${createHash("sha256").update(wasm).digest("hex")}\n`,
    );
  });

  it("init, validate and policy test", () => {
    const init = tollgate(["init", "agents-gitops"], installed.dir);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /first commit [0-9a-f]{12} on main/);
    const validate = tollgate(["validate"]);
    assert.equal(validate.code, 0, validate.stdout + validate.stderr);
    const policies = tollgate(["policy", "test"]);
    assert.equal(policies.code, 0, policies.stdout + policies.stderr);
    assert.match(policies.stdout, /^PASS: (\d+)\/\1$/m);

    const again = tollgate(["init", "agents-gitops"], installed.dir);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /would overwrite files .*nothing was written:\n {2}\.github\/workflows/);
    assert.doesNotMatch(again.stderr, STACK_FRAME);
  });

  it("a release reconciled on the simulated cluster, then audited", async () => {
    const release = parse(readFileSync(join(PROJECT_ROOT, "environments/dev/releases/support-agent.yaml"), "utf8"));
    delete release.dependsOn;
    delete release.lastGood;
    fs.mkdirSync(join(repo, "environments/dev/releases"));
    writeFileSync(join(repo, "environments/dev/releases/support-agent.yaml"), stringify(release));
    assert.equal(tollgate(["validate"]).code, 0);
    await git.add({ fs, dir: repo, filepath: "environments/dev/releases/support-agent.yaml" });
    const author = { name: "Dana Dev", email: "dana@acme.dev" };
    await git.commit({ fs, dir: repo, message: "Release support-agent to dev", author });

    const reconcile = tollgate(["reconcile", "--once", "--simulate"]);
    assert.equal(reconcile.code, 0, reconcile.stdout + reconcile.stderr);
    assert.match(reconcile.stdout, /^1 decision\(s\) committed/m);
    const audit = tollgate(["audit"]);
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /Audited 1 decision commit.*every check passed/);
  });

  it("tollgate demo runs from the installed tool", () => {
    const demo = tollgate(["demo"], installed.dir);
    const repoDir = /demo repository stays at (\S+)\./.exec(demo.stdout)?.[1];
    if (repoDir?.includes("tollgate-demo-")) fs.rmSync(repoDir, { recursive: true, force: true });
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    assert.match(demo.stdout, /ROLLBACK prod\/support-agent/);
    assert.match(demo.stdout, /every check passed/);
  });

  it("a damaged or missing runtime refuses to compile, saying to reinstall, without a stack trace", () => {
    const wasmPath = join(installed.packageDir, "build/rego-runtime.wasm");
    const checksumPath = `${wasmPath}.sha256`;
    const wasm = readFileSync(wasmPath);
    const checksum = readFileSync(checksumPath);
    try {
      const damaged = Buffer.from(wasm);
      damaged[damaged.length - 1] ^= 1;
      writeFileSync(wasmPath, damaged);
      const test = tollgate(["policy", "test"]);
      assert.equal(test.code, 1);
      assert.match(test.stderr, /^error: the Rego runtime .* does not match its checksum .*reinstall tollgate/);
      assert.doesNotMatch(test.stderr, STACK_FRAME);

      writeFileSync(wasmPath, wasm);
      fs.rmSync(checksumPath);
      for (const args of [["policy", "build"], ["--version"]]) {
        const result = tollgate(args);
        assert.equal(result.code, 1, `tollgate ${args.join(" ")}`);
        assert.match(result.stderr, /^error: the Rego runtime's checksum .* is missing: .*reinstall tollgate/m);
        assert.doesNotMatch(result.stderr, STACK_FRAME);
      }
    } finally {
      writeFileSync(wasmPath, wasm);
      writeFileSync(checksumPath, checksum);
    }
  });
});
