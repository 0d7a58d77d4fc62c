/**
 * Ed25519 private keys as ssh-keygen writes them (OpenSSH's PROTOCOL.key, "openssh-key-v1"), or as
 * PKCS#8 PEM. Keys protected by a passphrase are refused: a reconciler has no one to type it, and
 * its key's protection is the Secret it is mounted from.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { ed25519Blob } from "./ssh-keys.ts";
import { SshFormatError, SshReader } from "./ssh-wire.ts";

const OPENSSH_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const OPENSSH_END = "-----END OPENSSH PRIVATE KEY-----";
const MAGIC = Buffer.from("openssh-key-v1\0", "latin1");

export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SSH public key blob. */
  publicBlob: Buffer;
  /** The key file's comment (OpenSSH format), often who it belongs to. */
  comment: string;
}

export function isOpensshPrivateKey(text: string): boolean {
  return text.trimStart().startsWith(OPENSSH_BEGIN);
}

export function isPkcs8PrivateKey(text: string): boolean {
  return text.trimStart().startsWith("-----BEGIN PRIVATE KEY-----");
}

/** Reads an unencrypted Ed25519 key in OpenSSH format; throws SshFormatError saying what is wrong. */
export function parseOpensshPrivateKey(text: string): Ed25519KeyPair {
  const trimmed = text.trim();
  if (!trimmed.startsWith(OPENSSH_BEGIN) || !trimmed.endsWith(OPENSSH_END))
    throw new SshFormatError(`an OpenSSH private key starts with "${OPENSSH_BEGIN}"`);
  const body = trimmed.slice(OPENSSH_BEGIN.length, trimmed.length - OPENSSH_END.length).replace(/\s+/g, "");
  const reader = new SshReader(Buffer.from(body, "base64"), "OpenSSH private key");
  if (!reader.raw(MAGIC.length).equals(MAGIC)) throw new SshFormatError("not an openssh-key-v1 private key");
  const cipher = reader.text();
  reader.text(); // kdf name
  reader.string(); // kdf options
  if (cipher !== "none")
    throw new SshFormatError(
      `the key is protected by a passphrase (cipher ${cipher}); tollgate needs an unencrypted key, protected by the file's permissions or the Secret it is mounted from`,
    );
  const count = reader.uint32();
  if (count !== 1) throw new SshFormatError(`the file holds ${count} keys; tollgate reads files of one key`);
  reader.string(); // public key, repeated in the private section
  const secret = new SshReader(reader.string(), "OpenSSH private key section");
  const check = secret.uint32();
  if (check !== secret.uint32()) throw new SshFormatError("the private key section's check numbers differ");
  const type = secret.text();
  if (type !== "ssh-ed25519")
    throw new SshFormatError(`the key is of type ${type}; tollgate signs with Ed25519 keys (ssh-keygen -t ed25519)`);
  const point = secret.string();
  const pair = secret.string();
  const comment = secret.text();
  if (point.length !== 32 || pair.length !== 64 || !pair.subarray(32).equals(point))
    throw new SshFormatError("the Ed25519 key's public and private halves do not belong together");
  return fromSeed(pair.subarray(0, 32), point, comment);
}

/** Reads an Ed25519 key in PKCS#8 PEM (`openssl genpkey -algorithm ed25519`). */
export function parsePkcs8PrivateKey(text: string): Ed25519KeyPair {
  const privateKey = createPrivateKey({ key: text, format: "pem" });
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new SshFormatError(
      `the key is of type ${privateKey.asymmetricKeyType}; tollgate signs with Ed25519 keys (ssh-keygen -t ed25519)`,
    );
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicBlob: ed25519Blob(publicKey), comment: "" };
}

function fromSeed(seed: Buffer, point: Buffer, comment: string): Ed25519KeyPair {
  const jwk = { kty: "OKP", crv: "Ed25519", x: point.toString("base64url") };
  const privateKey = createPrivateKey({ key: { ...jwk, d: seed.toString("base64url") }, format: "jwk" });
  const publicKey = createPublicKey(privateKey);
  if (publicKey.export({ format: "jwk" }).x !== jwk.x)
    throw new SshFormatError("the Ed25519 key's public half is not the one its private half makes");
  return { privateKey, publicKey, publicBlob: ed25519Blob(publicKey), comment };
}
