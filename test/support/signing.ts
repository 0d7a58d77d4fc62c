/**
 * SSH keys and signed git commits for the signature tests: keys made by ssh-keygen, commits signed
 * by git itself (gpg.format=ssh), a signers.yaml listing them.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface TestKey {
  name: string;
  /** The private key file (0600). */
  path: string;
  /** `ssh-ed25519 AAAA... name@example.com` */
  publicKey: string;
}

export function sshKeygen(dir: string, name: string): TestKey {
  const path = join(dir, `${name}-key`);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@example.com`, "-f", path]);
  return { name, path, publicKey: readFileSync(`${path}.pub`, "utf8").trim() };
}

/** An allowed-signers line for the key: `<name>@example.com ssh-ed25519 AAAA...`. */
export function signerLine(key: TestKey): string {
  return `${key.name}@example.com ${key.publicKey}`;
}

/** Git's own settings to sign with an SSH key file: pass before the git command. */
export function signingConfig(key: TestKey): string[] {
  return ["-c", "gpg.format=ssh", "-c", `user.signingkey=${key.path}`, "-c", "commit.gpgsign=true"];
}
