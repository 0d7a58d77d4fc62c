/**
 * OpenPGP signatures (RFC 9580, through openpgp.js): the alternative to SSH signatures, as git's
 * default `gpg.format=openpgp` writes them: a detached, ASCII-armoured signature of the payload.
 */
import * as openpgp from "openpgp";

const SIGNATURE_BEGIN = "-----BEGIN PGP SIGNATURE-----";
const PRIVATE_BEGIN = "-----BEGIN PGP PRIVATE KEY BLOCK-----";

export function isOpenpgpSignature(armored: string): boolean {
  return armored.trimStart().startsWith(SIGNATURE_BEGIN);
}

export function isOpenpgpPrivateKey(text: string): boolean {
  return text.trimStart().startsWith(PRIVATE_BEGIN);
}

export interface OpenpgpSigningKey {
  key: openpgp.PrivateKey;
  /** The armoured public key, for a signers file. */
  publicKey: string;
  /** The primary key's fingerprint, upper-case hex as gpg prints it. */
  fingerprint: string;
  userIds: string[];
}

/** Reads an armoured private key, decrypting it with `passphrase` when it is protected. */
export async function readOpenpgpSigningKey(armored: string, passphrase?: string): Promise<OpenpgpSigningKey> {
  let key = await openpgp.readPrivateKey({ armoredKey: armored });
  if (!key.isDecrypted()) {
    if (passphrase === undefined)
      throw new Error("the OpenPGP key is protected by a passphrase; set TOLLGATE_SIGNING_KEY_PASSPHRASE");
    key = await openpgp.decryptKey({ privateKey: key, passphrase });
  }
  return {
    key,
    publicKey: key.toPublic().armor(),
    fingerprint: key.getFingerprint().toUpperCase(),
    userIds: key.getUserIDs(),
  };
}

export async function signOpenpgp(signing: OpenpgpSigningKey, payload: Uint8Array): Promise<string> {
  const message = await openpgp.createMessage({ binary: payload });
  const armored = await openpgp.sign({ message, signingKeys: signing.key, detached: true, format: "armored" });
  return armored.endsWith("\n") ? armored : `${armored}\n`;
}

export interface OpenpgpPublicKey {
  key: openpgp.PublicKey;
  fingerprint: string;
  userIds: string[];
}

export async function readOpenpgpPublicKey(armored: string): Promise<OpenpgpPublicKey> {
  const key = await openpgp.readKey({ armoredKey: armored });
  return { key, fingerprint: key.getFingerprint().toUpperCase(), userIds: key.getUserIDs() };
}

export interface OpenpgpVerdict {
  /** The allowed key that made it; undefined when none did. */
  signer?: OpenpgpPublicKey;
  /** The issuer key id the signature names (hex), for a message about an unknown key. */
  issuer: string;
  /** Why it does not verify; undefined when it does. */
  problem?: string;
}

/**
 * Verifies a detached armoured signature of `payload` against `keys`. A malformed signature is a
 * thrown Error (the caller words it); a signature by none of the keys, or one that does not match
 * the payload, is a problem in the verdict.
 */
export async function verifyOpenpgp(
  armored: string,
  payload: Uint8Array,
  keys: OpenpgpPublicKey[],
): Promise<OpenpgpVerdict> {
  const signature = await openpgp.readSignature({ armoredSignature: armored });
  const issuer = signature.getSigningKeyIDs().map((id) => id.toHex().toUpperCase())[0] ?? "(none)";
  const signer = keys.find((k) => signature.getSigningKeyIDs().some((id) => k.key.getKeys(id).length > 0));
  if (!signer) return { issuer, problem: `made by OpenPGP key ${issuer}, which is not an allowed key` };
  const message = await openpgp.createMessage({ binary: payload });
  const result = await openpgp.verify({ message, signature, verificationKeys: signer.key, expectSigned: false });
  try {
    await result.signatures[0]?.verified;
  } catch (error) {
    return { signer, issuer, problem: `the OpenPGP signature does not verify: ${(error as Error).message}` };
  }
  return { signer, issuer };
}
