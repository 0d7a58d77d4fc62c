/**
 * A signing key, whatever its format: what commits (SSHSIG in namespace `git`, or OpenPGP) and
 * attestation envelopes (DSSE, SSH Ed25519 keys only) are signed with.
 */
import { sign } from "node:crypto";
import { type OpenpgpSigningKey, signOpenpgp } from "./openpgp.ts";
import { fingerprintOf } from "./ssh-keys.ts";
import type { Ed25519KeyPair } from "./ssh-private-key.ts";
import { signSshsig } from "./sshsig.ts";

export interface Signer {
  format: "ssh" | "openpgp";
  /** `SHA256:...` for SSH keys, the OpenPGP fingerprint for OpenPGP keys. */
  fingerprint: string;
  /**
   * The public key as a signers file lists it: `ssh-ed25519 AAAA... comment` (put a principal in
   * front for an allowed-signers line), or the armoured OpenPGP public key.
   */
  publicKey: string;
  /** Signs a git object's payload: the armoured signature git keeps in the `gpgsig` header. */
  signGit(payload: Uint8Array): Promise<string>;
  /** Signs raw bytes (DSSE envelopes); only SSH Ed25519 keys can. */
  signRaw?(data: Uint8Array): Buffer;
}

export function sshSigner(pair: Ed25519KeyPair): Signer {
  const key = `ssh-ed25519 ${pair.publicBlob.toString("base64")}`;
  return {
    format: "ssh",
    fingerprint: fingerprintOf(pair.publicBlob),
    publicKey: pair.comment ? `${key} ${pair.comment}` : key,
    signGit: async (payload) => signSshsig(pair.privateKey, pair.publicBlob, payload, "git"),
    signRaw: (data) => sign(null, data, pair.privateKey),
  };
}

export function openpgpSigner(key: OpenpgpSigningKey): Signer {
  return {
    format: "openpgp",
    fingerprint: key.fingerprint,
    publicKey: key.publicKey,
    signGit: (payload) => signOpenpgp(key, payload),
  };
}
