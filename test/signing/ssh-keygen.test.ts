/**
 * tollgate's SSH signatures against OpenSSH's own: ssh-keygen verifies what tollgate signs (and,
 * Ed25519 being deterministic, signs the very same bytes), and tollgate verifies what ssh-keygen
 * signs with every key type it supports. Needs ssh-keygen (Debian: openssh-client).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { UserError } from "../../src/model/index.ts";
import { loadSigningKey, parseSshsig, SshFormatError, verifySshsig } from "../../src/signing/index.ts";
import { tempDir } from "../support/tmp-repo.ts";

let dir: string;
let cleanup: () => Promise<void>;

function keygen(name: string, type: string, bits?: number): string {
  const file = join(dir, name);
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    type,
    ...(bits ? ["-b", String(bits)] : []),
    "-N",
    "",
    "-C",
    `${name}@test`,
    "-f",
    file,
  ]);
  return file;
}

function sshSign(key: string, message: Buffer, namespace = "git"): string {
  const file = join(dir, `msg-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, message);
  execFileSync("ssh-keygen", ["-q", "-Y", "sign", "-n", namespace, "-f", key, file], { stdio: "pipe" });
  return readFileSync(`${file}.sig`, "utf8");
}

function sshVerify(publicKeyLine: string, signature: string, message: Buffer, namespace = "git"): string {
  const allowed = join(dir, "allowed");
  writeFileSync(allowed, `signer@test ${publicKeyLine}\n`);
  const sig = join(dir, "check.sig");
  writeFileSync(sig, signature);
  return execFileSync("ssh-keygen", ["-Y", "verify", "-f", allowed, "-I", "signer@test", "-n", namespace, "-s", sig], {
    input: message,
    stdio: "pipe",
  }).toString();
}

before(async () => {
  ({ dir, cleanup } = await tempDir("tollgate-sshsig-"));
});
after(() => cleanup());

const message = Buffer.from("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor a <a@b> 1 +0000\n\nhello ✓\n");

describe("SSH signatures as OpenSSH makes them", () => {
  it("signs exactly as ssh-keygen -Y sign does, and ssh-keygen says the signature is good", async () => {
    const key = keygen("ed", "ed25519");
    const signer = await loadSigningKey(key);
    assert.equal(signer.format, "ssh");
    assert.equal(signer.publicKey, readFileSync(`${key}.pub`, "utf8").trim());
    const ours = await signer.signGit(message);
    assert.equal(ours, sshSign(key, message));
    assert.match(
      sshVerify(signer.publicKey, ours, message),
      /Good "git" signature for signer@test with ED25519 key SHA256:/,
    );
    assert.equal(
      signer.fingerprint,
      execFileSync("ssh-keygen", ["-l", "-f", `${key}.pub`])
        .toString()
        .split(" ")[1],
    );
  });

  for (const [type, bits] of [
    ["ed25519", undefined],
    ["ecdsa", 256],
    ["ecdsa", 384],
    ["ecdsa", 521],
    ["rsa", 2048],
  ] as const) {
    it(`verifies ssh-keygen's signatures by ${type}${bits ? ` ${bits}` : ""} keys, and refuses altered ones`, () => {
      const key = keygen(`${type}${bits ?? ""}`, type, bits);
      const parsed = parseSshsig(sshSign(key, message));
      assert.equal(
        parsed.publicKey.fingerprint,
        execFileSync("ssh-keygen", ["-l", "-f", `${key}.pub`])
          .toString()
          .split(" ")[1],
      );
      assert.equal(verifySshsig(parsed, message, "git"), undefined);
      assert.equal(
        verifySshsig(parsed, Buffer.concat([message, Buffer.from(" ")]), "git"),
        "the signature does not match the signed content",
      );
      assert.equal(verifySshsig(parsed, message, "file"), 'the signature is for namespace "git", not "file"');
    });
  }

  it("names what is malformed in a signature", () => {
    const key = keygen("ed-malformed", "ed25519");
    const good = sshSign(key, message);
    assert.throws(() => parseSshsig("-----BEGIN PGP SIGNATURE-----\n...\n"), SshFormatError);
    const body = good.split("\n").slice(1, -2).join("");
    const blob = Buffer.from(body, "base64");
    const truncated = `-----BEGIN SSH SIGNATURE-----\n${blob.subarray(0, 60).toString("base64")}\n-----END SSH SIGNATURE-----\n`;
    assert.throws(() => parseSshsig(truncated), /SSH signature ends early|public key ends early/);
    const wrongMagic = Buffer.from(blob);
    wrongMagic.write("SSHSIX", 0);
    assert.throws(
      () => parseSshsig(`-----BEGIN SSH SIGNATURE-----\n${wrongMagic.toString("base64")}\n-----END SSH SIGNATURE-----`),
      /does not start with "SSHSIG"/,
    );
  });
});

describe("signing keys from files", () => {
  it("refuses a key file its group or others can read, and reads 0600 and 0400", async () => {
    const key = keygen("perm", "ed25519");
    chmodSync(key, 0o644);
    await assert.rejects(
      loadSigningKey(key),
      (e: Error) => e instanceof UserError && /permissions 0644 .*chmod 600/.test(e.message),
    );
    chmodSync(key, 0o640);
    await assert.rejects(loadSigningKey(key), /permissions 0640/);
    chmodSync(key, 0o400);
    assert.equal((await loadSigningKey(key)).format, "ssh");
  });

  it("reads a mounted Secret: a folder whose ssh-privatekey links into ..data/, group-readable when root owns it", async () => {
    const key = keygen("secret", "ed25519");
    const mount = join(dir, "mount");
    mkdirSync(join(mount, "..data"), { recursive: true });
    writeFileSync(join(mount, "..data", "ssh-privatekey"), readFileSync(key));
    symlinkSync("..data/ssh-privatekey", join(mount, "ssh-privatekey"));
    chmodSync(join(mount, "..data", "ssh-privatekey"), 0o440);
    // As the pod's user (not the file's owner), the group may read it: kubelet's fsGroup.
    const signer = await loadSigningKey(mount, { uid: 4242 });
    assert.equal(signer.publicKey, readFileSync(`${key}.pub`, "utf8").trim());
    chmodSync(join(mount, "..data", "ssh-privatekey"), 0o444);
    await assert.rejects(loadSigningKey(mount, { uid: 4242 }), /permissions 0444 let others read/);
    await assert.rejects(loadSigningKey(join(dir, "nothing-here")), /no such file/);
    mkdirSync(join(dir, "empty-mount"));
    await assert.rejects(loadSigningKey(join(dir, "empty-mount")), /without ssh-privatekey or openpgp-privatekey/);
  });

  it("refuses keys tollgate cannot sign with, saying why", async () => {
    const rsa = keygen("rsa-key", "rsa", 2048);
    await assert.rejects(loadSigningKey(rsa), /of type ssh-rsa; tollgate signs with Ed25519 keys/);
    const locked = join(dir, "locked");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret words", "-f", locked]);
    await assert.rejects(loadSigningKey(locked), /protected by a passphrase/);
    const junk = join(dir, "junk");
    writeFileSync(junk, "hello\n", { mode: 0o600 });
    await assert.rejects(loadSigningKey(junk), /not a private key tollgate reads .* it starts with "hello"/);
  });
});
