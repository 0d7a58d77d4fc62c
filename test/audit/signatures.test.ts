/**
 * `tollgate audit` verifying signatures over a signed history: decisions signed by the reconciler's
 * key, signers.yaml signed by an allowed person, a prod release merged with an allowed person's
 * signature. Tamper tests: a decision re-signed with a key that is not allowed, a signature stripped,
 * a prod release change signed by a person not allowed, a signers file that does not validate, and
 * a signers file changed by someone it does not allow.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import type { AuditReport, CheckName } from "../../src/audit/types.ts";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import type { Release } from "../../src/model/types.ts";
import { loadSigningKey } from "../../src/signing/index.ts";
import { PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { exampleGitopsRepo, git, proposeRelease, readRelease } from "../support/gitops-repo.ts";
import { simulatedReconciler } from "../support/reconcile/simulated.ts";
import { runCli } from "../support/run-cli.ts";
import { signerLine, signingConfig, sshKeygen, type TestKey } from "../support/signing.ts";
import { tempDir } from "../support/tmp-repo.ts";

let dir: string;
let keys: Record<"tollgate" | "alice" | "carol" | "mallory", TestKey>;
const decisions: { commit: string; action: string }[] = [];
const cleanups: Array<() => Promise<void>> = [];

/** git as Dana, signing with `key` when given, at a fixed time after the decisions. */
function gitAs(repo: string, key: TestKey | undefined, ...args: string[]): string {
  return execFileSync("git", [...(key ? signingConfig(key) : []), ...args], {
    cwd: repo,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Dana Dev",
      GIT_AUTHOR_EMAIL: "dana@example.com",
      GIT_COMMITTER_NAME: "Dana Dev",
      GIT_COMMITTER_EMAIL: "dana@example.com",
      GIT_AUTHOR_DATE: "2026-11-24T13:00:00Z",
      GIT_COMMITTER_DATE: "2026-11-24T13:00:00Z",
    },
  });
}

function signersYaml(extra: Record<string, unknown> = {}): string {
  return stringify(
    {
      apiVersion: "tollgate.dev/v1",
      kind: "Signers",
      decisions: [signerLine(keys.tollgate)],
      people: { alice: [signerLine(keys.alice)], carol: [signerLine(keys.carol)] },
      protectedChanges: ["alice", "team:support-eng"],
      ...extra,
    },
    { lineWidth: 0 },
  );
}

before(async () => {
  const temp = await tempDir("tollgate-signed-");
  cleanups.push(temp.cleanup);
  keys = {
    tollgate: sshKeygen(temp.dir, "tollgate"),
    alice: sshKeygen(temp.dir, "alice"),
    carol: sshKeygen(temp.dir, "carol"),
    mallory: sshKeygen(temp.dir, "mallory"),
  };
  const repo = await exampleGitopsRepo();
  cleanups.push(repo.cleanup);
  dir = repo.dir;
  await writeFile(join(dir, "signers.yaml"), signersYaml());
  gitAs(dir, keys.alice, "add", "signers.yaml");
  gitAs(dir, keys.alice, "commit", "-q", "-m", "signers: tollgate's key, alice and carol");

  const signer = await loadSigningKey(keys.tollgate.path);
  const { reconciler, world, advance } = await simulatedReconciler(dir, {
    environment: "dev",
    sign: (payload) => signer.signGit(payload),
  });
  const bad = await proposeRelease(dir, "dev", "support-agent", (p) => ({
    ...p,
    prompts: { digest: `sha256:${"2".repeat(64)}` },
  }));
  world.behaviour.set(bad.digest, PROFILES["err+2pp"]);
  for (let tick = 0; tick < 200 && !decisions.some((d) => d.action === "rollback"); tick++) {
    for (const d of (await reconciler.tick()).decisions) decisions.push({ commit: d.commit, action: d.change.action });
    advance(10);
  }
  assert.ok(
    decisions.some((d) => d.action === "rollback"),
    JSON.stringify(decisions),
  );
  git(dir, "reset", "-q", "--hard", "main");
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function audit(repo: string, ...args: string[]): Promise<{ code: number; report: AuditReport; text: string }> {
  const json = await runCli(["audit", "--repo", repo, "--json", ...args]);
  assert.equal(json.stderr, "", json.stderr);
  const text = await runCli(["audit", "--repo", repo, ...args]);
  return { code: json.code, report: JSON.parse(json.stdout) as AuditReport, text: text.stdout };
}

/** A copy of the signed history, checked out at `commit` on branch `tampered`. */
async function copyAt(commit: string): Promise<string> {
  const copy = await tempDir("tollgate-signed-copy-");
  cleanups.push(copy.cleanup);
  execFileSync("git", ["clone", "-q", dir, copy.dir]);
  git(copy.dir, "checkout", "-q", "-B", "tampered", commit);
  return copy.dir;
}

function failures(report: AuditReport, check: CheckName = "signature") {
  return report.failures.filter((f) => f.check === check);
}

/** A prod release change on a branch, committed and merged by `signer`. */
async function mergeProdChange(repo: string, signer: TestKey | undefined): Promise<string> {
  git(repo, "checkout", "-q", "-b", "pr");
  const current = await readRelease(repo, "prod", "support-agent");
  const { digest: _d, ...parts } = current.artifact;
  const artifact = sealArtifact({ ...parts, prompts: { digest: `sha256:${"7".repeat(64)}` } });
  const approvals = ["alice", "bob"].map((by) => ({ by, at: "2026-11-24T12:00:00Z", digest: artifact.digest }));
  const release: Release = { ...current, artifact, lastGood: current.artifact, approvals };
  await writeFile(join(repo, "environments/prod/releases/support-agent.yaml"), stringify(release, { lineWidth: 0 }));
  gitAs(repo, signer, "commit", "-q", "-am", "support-agent: new prompts for prod");
  git(repo, "checkout", "-q", "tampered");
  gitAs(repo, signer, "merge", "-q", "--no-ff", "-m", "Merge pull request #42", "pr");
  return git(repo, "rev-parse", "HEAD").trim();
}

describe("tollgate audit verifies signatures", () => {
  it("a signed history passes with --require-signatures; git verify-commit agrees on a decision", async () => {
    const repo = await copyAt("main");
    const merge = await mergeProdChange(repo, keys.alice);
    const { code, report } = await audit(repo, "--branch", "tampered", "--require-signatures");
    assert.deepEqual(report.failures, []);
    assert.equal(code, 0);
    const signed = report.commits.filter((c) => c.checks.signature?.state === "pass").map((c) => c.commit);
    for (const d of decisions) assert.ok(signed.includes(d.commit), `decision ${d.commit} verified`);
    assert.ok(signed.includes(merge), "the merge into prod verified");
    assert.equal(report.commits.find((c) => c.subject.startsWith("signers:"))?.checks.signature?.state, "pass");

    const allowed = join(repo, ".git", "allowed_signers");
    await writeFile(allowed, `${signerLine(keys.tollgate)}\n`);
    const rollback = decisions.find((d) => d.action === "rollback")!.commit;
    const shown = execFileSync(
      "git",
      ["-C", repo, "-c", `gpg.ssh.allowedSignersFile=${allowed}`, "log", "--show-signature", "-1", rollback],
      { encoding: "utf8" },
    );
    assert.match(shown, /Good "git" signature for tollgate@example.com with ED25519 key SHA256:/);
  });

  it("a decision commit rewritten and re-signed with a key that is not allowed fails `signature`", async () => {
    const rollback = decisions.find((d) => d.action === "rollback")!.commit;
    const repo = await copyAt(rollback);
    gitAs(repo, keys.mallory, "commit", "-q", "--amend", "--no-edit", "-S");
    const forged = git(repo, "rev-parse", "HEAD").trim();
    const { code, report, text } = await audit(repo, "--branch", "tampered");
    assert.equal(code, 1);
    assert.deepEqual(new Set(report.failures.map((f) => f.check)), new Set(["signature"]));
    const [failure] = failures(report);
    assert.equal(failure!.commit, forged);
    assert.match(
      failure!.message,
      /^signed with ED25519 key SHA256:\S+, which is not an allowed key; it must be signed by tollgate's decision keys \(decisions\) as signers\.yaml at [0-9a-f]{12} has them$/,
    );
    assert.match(text, /\[signature\] signed with ED25519 key SHA256:/);
  });

  it("a signature stripped: not checked without --require-signatures, a failure from the named commit on", async () => {
    const rollback = decisions.find((d) => d.action === "rollback")!.commit;
    const repo = await copyAt(rollback);
    gitAs(repo, undefined, "commit", "-q", "--amend", "--no-edit", "--no-gpg-sign");
    const stripped = git(repo, "rev-parse", "HEAD").trim();
    const lenient = await audit(repo, "--branch", "tampered");
    assert.equal(lenient.code, 0, lenient.text);
    const checked = lenient.report.commits.find((c) => c.commit === stripped)!.checks.signature!;
    assert.deepEqual(checked, {
      state: "skipped",
      problems: ["not signed; signatures are required only with --require-signatures"],
    });
    assert.match(lenient.text, /\[signature\] skipped: not signed/);

    const strict = await audit(repo, "--branch", "tampered", "--require-signatures", decisions[0]!.commit);
    assert.equal(strict.code, 1);
    assert.deepEqual(
      failures(strict.report).map((f) => [f.commit, f.message.replace(/[0-9a-f]{12} has/, "X has")]),
      [
        [
          stripped,
          "the commit is not signed; it must be signed by tollgate's decision keys (decisions) as signers.yaml at X has them",
        ],
      ],
    );
    // Required only from a later commit on, the stripped one is history that predates signing.
    git(repo, "commit", "-q", "--allow-empty", "-m", "later");
    const later = await audit(repo, "--branch", "tampered", "--require-signatures", "HEAD");
    assert.equal(later.code, 0, later.text);
  });

  it("a prod release change signed by a person protectedChanges does not admit, or by an unknown key", async () => {
    const repo = await copyAt("main");
    const merge = await mergeProdChange(repo, keys.carol);
    const { code, report } = await audit(repo, "--branch", "tampered");
    assert.equal(code, 1);
    const [failure, mergedCommit, ...others] = failures(report);
    assert.deepEqual(others, []);
    assert.deepEqual([failure!.commit, mergedCommit!.commit], [merge, merge]);
    assert.equal(failure!.environment, "prod");
    const carol =
      /signed by carol \(ED25519 key SHA256:\S+\), whom protectedChanges \(alice, team:support-eng\) in signers\.yaml at [0-9a-f]{12} does not admit$/;
    assert.match(failure!.message, new RegExp(`^${carol.source}`));
    assert.match(mergedCommit!.message, new RegExp(`^merged commit [0-9a-f]{12}: ${carol.source}`));

    const repo2 = await copyAt("main");
    const merge2 = await mergeProdChange(repo2, keys.mallory);
    const second = await audit(repo2, "--branch", "tampered");
    assert.equal(second.code, 1);
    assert.deepEqual(
      failures(second.report).map((f) => f.commit),
      [merge2, merge2],
    );
    assert.match(
      failures(second.report)[0]!.message,
      /^signed with ED25519 key SHA256:\S+, which is not an allowed key; it must be signed by people who may sign protected changes \(protectedChanges\)/,
    );
    assert.match(failures(second.report)[1]!.message, /^merged commit [0-9a-f]{12}: signed with ED25519 key/);
  });

  it("a merge by anyone passes when the merged commits are signed by an allowed person", async () => {
    const repo = await copyAt("main");
    git(repo, "checkout", "-q", "-b", "pr");
    const current = await readRelease(repo, "prod", "support-agent");
    await writeFile(
      join(repo, "environments/prod/releases/support-agent.yaml"),
      stringify({ ...current, dependsOn: [] }, { lineWidth: 0 }),
    );
    gitAs(repo, keys.alice, "commit", "-q", "-am", "support-agent: no dependencies");
    git(repo, "checkout", "-q", "tampered");
    gitAs(repo, undefined, "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "Merge pull request #44", "pr");
    const { code, report } = await audit(repo, "--branch", "tampered", "--require-signatures");
    assert.deepEqual(report.failures, []);
    assert.equal(code, 0);
  });

  it("a signers.yaml that does not validate, and one changed by someone it does not allow", async () => {
    const repo = await copyAt("main");
    const text = signersYaml().replace(/(carol:\n\s+- carol@example.com )ssh-ed25519/, "$1ssh-dss");
    await writeFile(join(repo, "signers.yaml"), text);
    gitAs(repo, keys.alice, "commit", "-q", "-am", "signers: carol's old key");
    const { code, report } = await audit(repo, "--branch", "tampered");
    assert.equal(code, 1);
    const [failure] = failures(report);
    assert.match(
      failure!.message,
      /^signers\.yaml as this commit leaves it does not validate: [0-9a-f]{12}:signers\.yaml:\d+:\d+: key type "ssh-dss" is not supported \(tollgate verifies ssh-ed25519, .*\) \(field people\.carol\[0\]\)$/,
    );

    const repo2 = await copyAt("main");
    await writeFile(
      join(repo2, "signers.yaml"),
      signersYaml({ decisions: [signerLine(keys.tollgate), signerLine(keys.mallory)] }),
    );
    gitAs(repo2, keys.mallory, "commit", "-q", "-am", "signers: one more decision key");
    const second = await audit(repo2, "--branch", "tampered");
    assert.equal(second.code, 1);
    assert.match(
      failures(second.report)[0]!.message,
      /^signed with ED25519 key SHA256:\S+, which is not an allowed key; it must be signed by people who may sign protected changes/,
    );
  });
});
