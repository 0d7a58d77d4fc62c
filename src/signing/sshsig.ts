/**
 * SSH signatures of arbitrary data (OpenSSH's PROTOCOL.sshsig), the format `ssh-keygen -Y sign`
 * writes and git uses with `gpg.format=ssh`:
 *
 *   armored = "-----BEGIN SSH SIGNATURE-----" base64(blob) "-----END SSH SIGNATURE-----"
 *   blob    = "SSHSIG" uint32(1) string(public key) string(namespace) string(reserved)
 *             string(hash algorithm) string(signature)
 *   signed  = "SSHSIG" string(namespace) string(reserved) string(hash algorithm) string(H(message))
 *
 * The namespace keeps a signature made for one purpose from being valid for another: git signs
 * commits in namespace `git`.
 */
import { createHash, type KeyObject } from "node:crypto";
import { type SshPublicKey, parsePublicKeyBlob, signEd25519, verifySshSignature } from "./ssh-keys.ts";
import { SshFormatError, SshReader, sshString, sshUint32 } from "./ssh-wire.ts";

const MAGIC = Buffer.from("SSHSIG");
const BEGIN = "-----BEGIN SSH SIGNATURE-----";
const END = "-----END SSH SIGNATURE-----";
const HASHES = ["sha256", "sha512"] as const;

export function isSshSignature(armored: string): boolean {
  return armored.trimStart().startsWith(BEGIN);
}

export interface SshSignature {
  publicKey: SshPublicKey;
  namespace: string;
  hashAlgorithm: (typeof HASHES)[number];
  signature: Buffer;
  reserved: Buffer;
}

/** Signs `message` with an Ed25519 key; the armored text ends with a newline, as ssh-keygen's does. */
export function signSshsig(privateKey: KeyObject, publicBlob: Buffer, message: Uint8Array, namespace: string): string {
  const hash = "sha512";
  const signature = signEd25519(privateKey, signedData(namespace, Buffer.alloc(0), hash, message));
  const blob = Buffer.concat([
    MAGIC,
    sshUint32(1),
    sshString(publicBlob),
    sshString(namespace),
    sshString(""),
    sshString(hash),
    sshString(signature),
  ]);
  const lines = blob.toString("base64").match(/.{1,70}/g) ?? [];
  return `${BEGIN}\n${lines.join("\n")}\n${END}\n`;
}

/** Reads an armored SSH signature; throws SshFormatError naming what is malformed. */
export function parseSshsig(armored: string): SshSignature {
  const text = armored.trim();
  if (!text.startsWith(BEGIN) || !text.endsWith(END))
    throw new SshFormatError(`an SSH signature starts with "${BEGIN}" and ends with "${END}"`);
  const body = text.slice(BEGIN.length, text.length - END.length).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new SshFormatError("the SSH signature is not valid base64");
  const reader = new SshReader(Buffer.from(body, "base64"), "SSH signature");
  if (!reader.raw(MAGIC.length).equals(MAGIC))
    throw new SshFormatError('the SSH signature does not start with "SSHSIG"');
  const version = reader.uint32();
  if (version !== 1) throw new SshFormatError(`SSH signature version ${version} is not 1`);
  const publicKey = parsePublicKeyBlob(reader.string());
  const namespace = reader.text();
  const reserved = reader.string();
  const hashAlgorithm = reader.text();
  const signature = reader.string();
  reader.end();
  if (!(HASHES as readonly string[]).includes(hashAlgorithm))
    throw new SshFormatError(`SSH signature hash algorithm "${hashAlgorithm}" is not sha256 or sha512`);
  return { publicKey, namespace, hashAlgorithm: hashAlgorithm as SshSignature["hashAlgorithm"], signature, reserved };
}

/**
 * Whether `signature` signs `message` in `namespace` with the key it carries. Returns a problem in
 * words, or undefined when it does. Whether that key is allowed is the caller's question.
 */
export function verifySshsig(signature: SshSignature, message: Uint8Array, namespace: string): string | undefined {
  if (signature.namespace !== namespace)
    return `the signature is for namespace "${signature.namespace}", not "${namespace}"`;
  const data = signedData(signature.namespace, signature.reserved, signature.hashAlgorithm, message);
  return verifySshSignature(signature.publicKey, signature.signature, data);
}

function signedData(namespace: string, reserved: Buffer, hash: string, message: Uint8Array): Buffer {
  return Buffer.concat([
    MAGIC,
    sshString(namespace),
    sshString(reserved),
    sshString(hash),
    sshString(createHash(hash).update(message).digest()),
  ]);
}
