/**
 * Commits tollgate signs, as plain git sees them: `git verify-commit` and `git log --show-signature`
 * with `gpg.ssh.allowedSignersFile` (SSH) or a GnuPG keyring (OpenPGP) say the signature is good;
 * and tollgate verifies the signatures git itself makes. Needs git, ssh-keygen and gpg.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CommitSigner, GitRepository } from "../../src/git/index.ts";
import { parseSignerKey } from "../../src/model/index.ts";
import { type AllowedKey, loadSigningKey, verifyCommitSignature } from "../../src/signing/index.ts";
import { tempDir } from "../support/tmp-repo.ts";

let dir: string;
let cleanup: () => Promise<void>;
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: "" };

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { env: { ...env, HOME: dir }, stdio: "pipe" }).toString();
}

function sshKey(name: string): string {
  const file = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@test`, "-f", file]);
  return file;
}

function allowed(line: string, who = "tollgate"): AllowedKey {
  const key = parseSignerKey(line);
  assert.ok(!("problem" in key), JSON.stringify(key));
  return { who, key, where: "signers.yaml:3 (field decisions[0])" };
}

const person = { name: "tollgate", email: "tollgate@example.test", timestamp: 1_795_000_000, timezoneOffset: 0 };

/** A repository with one commit written by tollgate's own object writer, signed by `sign`. */
async function signedCommit(
  name: string,
  sign: CommitSigner | undefined,
  message = "decision\n\nTollgate-Decision: hold\n",
) {
  const repoDir = join(dir, name);
  const repo = await GitRepository.init(repoDir, { bare: false });
  const blob = await repo.store.writeBlob("hello\n");
  const tree = await repo.store.writeTree([{ mode: "100644", path: "a.txt", oid: blob, type: "blob" }]);
  const commit = await repo.store.writeCommit({ tree, parent: [], author: person, committer: person, message }, sign);
  await repo.updateBranch(null, commit);
  return { repo, repoDir, commit };
}

before(async () => {
  ({ dir, cleanup } = await tempDir("tollgate-gitsig-"));
});
after(() => cleanup());

describe("tollgate's commit signatures, verified by git", () => {
  it("SSH: git verify-commit and git log --show-signature say Good signature", async () => {
    const key = sshKey("reconciler");
    const signer = await loadSigningKey(key);
    const { repo, repoDir, commit } = await signedCommit("ssh", (payload) => signer.signGit(payload));
    const signers = join(dir, "allowed_signers");
    writeFileSync(signers, `tollgate@example.test ${signer.publicKey}\n`);
    git(repoDir, "config", "gpg.ssh.allowedSignersFile", signers);
    const verified = execFileSync("git", ["-C", repoDir, "verify-commit", "-v", commit], { env, stdio: "pipe" });
    assert.equal(verified.toString().split("\n")[0], `tree ${(await repo.store.readCommit(commit)).tree}`);
    const log = git(repoDir, "log", "--show-signature", "-1");
    assert.match(log, /Good "git" signature for tollgate@example.test with ED25519 key SHA256:/);
    assert.equal(git(repoDir, "cat-file", "-t", commit).trim(), "commit");
    execFileSync("git", ["-C", repoDir, "fsck", "--strict"], { env });

    const raw = await repo.store.readCommitBytes(commit);
    const verdict = await verifyCommitSignature(
      raw,
      [allowed(`tollgate@example.test ${signer.publicKey}`)],
      person.timestamp,
    );
    assert.deepEqual(verdict, { state: "good", signer: "tollgate", key: `ED25519 key ${signer.fingerprint}` });
    // Decoding and re-encoding a signed commit gives the same object.
    assert.equal(
      (await repo.store.readCommit(commit)).gpgsig,
      raw
        .toString()
        .match(/gpgsig ([\s\S]*?-----END SSH SIGNATURE-----)/)![1]!
        .replaceAll("\n ", "\n") + "\n",
    );
  });

  it("OpenPGP: a GnuPG key tollgate signs with, git verify-commit checks with gpg", async () => {
    const gnupg = join(dir, "gnupg");
    execFileSync("mkdir", ["-m", "700", gnupg]);
    const gpgEnv = { ...env, GNUPGHOME: gnupg };
    execFileSync(
      "gpg",
      ["--batch", "--passphrase", "", "--quick-gen-key", "Tollgate Bot <bot@example.test>", "ed25519", "sign", "never"],
      { env: gpgEnv, stdio: "pipe" },
    );
    const armored = execFileSync("gpg", ["--batch", "--armor", "--export-secret-keys", "bot@example.test"], {
      env: gpgEnv,
    }).toString();
    const keyFile = join(dir, "bot.asc");
    writeFileSync(keyFile, armored, { mode: 0o600 });
    const signer = await loadSigningKey(keyFile);
    assert.equal(signer.format, "openpgp");
    const { repo, repoDir, commit } = await signedCommit("pgp", (payload) => signer.signGit(payload));
    execFileSync("git", ["-C", repoDir, "verify-commit", commit], { env: gpgEnv, stdio: "pipe" }); // throws when bad
    const log = execFileSync("git", ["-C", repoDir, "log", "--show-signature", "-1"], { env: gpgEnv }).toString();
    assert.match(log, /Good signature from "Tollgate Bot <bot@example.test>"/);

    const raw = await repo.store.readCommitBytes(commit);
    const verdict = await verifyCommitSignature(
      raw,
      [{ who: "bot", key: { format: "openpgp", armored: signer.publicKey }, where: "x" }],
      0,
    );
    assert.deepEqual(verdict, { state: "good", signer: "bot", key: `OpenPGP key ${signer.fingerprint}` });
    const other = await verifyCommitSignature(raw, [], 0);
    assert.equal(other.state, "not-allowed");
    assert.match(other.problem!, /^signed with OpenPGP key [0-9A-F]{16}, which is not an allowed key$/);
  });

  it("verifies the SSH signatures git commit -S makes, and names tampering", async () => {
    const key = sshKey("alice");
    chmodSync(key, 0o600);
    const repoDir = join(dir, "people");
    execFileSync("git", ["init", "-q", "-b", "main", repoDir], { env });
    for (const [k, v] of [
      ["user.name", "Alice"],
      ["user.email", "alice@example.test"],
      ["gpg.format", "ssh"],
      ["user.signingkey", key],
    ])
      git(repoDir, "config", k!, v!);
    writeFileSync(join(repoDir, "a.txt"), "x\n");
    git(repoDir, "add", "a.txt");
    git(repoDir, "commit", "-q", "-S", "-m", "release: support-agent to prod");
    const oid = git(repoDir, "rev-parse", "HEAD").trim();
    const repo = await GitRepository.open(repoDir);
    const raw = await repo.store.readCommitBytes(oid);
    const line = `alice@example.test ${readFileSync(`${key}.pub`, "utf8").trim()}`;
    const good = await verifyCommitSignature(raw, [allowed(line, "alice")], Date.now() / 1000);
    assert.equal(good.state, "good");
    assert.equal(good.signer, "alice");

    const altered = Buffer.from(
      raw.toString().replace("release: support-agent to prod", "release: support-agent to dev!"),
    );
    const bad = await verifyCommitSignature(altered, [allowed(line, "alice")], Date.now() / 1000);
    assert.equal(bad.state, "bad");
    assert.match(
      bad.problem!,
      /^the SSH signature by ED25519 key SHA256:\S+ does not verify: the signature does not match the signed content$/,
    );

    const stripped = Buffer.from(raw.toString().replace(/gpgsig [\s\S]*?-----END SSH SIGNATURE-----\n/, ""));
    assert.deepEqual(await verifyCommitSignature(stripped, [allowed(line, "alice")], 0), {
      state: "unsigned",
      problem: "the commit is not signed",
    });

    const garbled = Buffer.from(
      raw.toString().replace(/(gpgsig -----BEGIN SSH SIGNATURE-----\n )\S{10}/, "$1AAAAAAAAAA"),
    );
    const malformed = await verifyCommitSignature(garbled, [allowed(line, "alice")], 0);
    assert.equal(malformed.state, "bad");
    assert.match(malformed.problem!, /^malformed SSH signature: /);

    const expired = allowed(
      `alice@example.test valid-before="20200101Z" ${readFileSync(`${key}.pub`, "utf8").trim()}`,
      "alice",
    );
    const late = await verifyCommitSignature(raw, [expired], Date.now() / 1000);
    assert.equal(late.state, "not-allowed");
    assert.match(late.problem!, /allows it only before 2020-01-01T00:00:00Z, not at the commit/);
  });
});
