/**
 * SSH public keys (RFC 4253 §6.6, RFC 5656, RFC 8709) as Node key objects, and the SSH signature
 * blob (`string algorithm, string signature`) each key type verifies. tollgate signs with Ed25519
 * only; it verifies Ed25519, ECDSA (NIST P-256/384/521) and RSA (rsa-sha2-256/512) signatures,
 * the keys people commonly sign commits with.
 */
import { createHash, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { SshFormatError, SshReader, sshString, unsignedMpint } from "./ssh-wire.ts";

/** The key types tollgate can verify. */
export const VERIFIABLE_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
] as const;

export type SshKeyType = (typeof VERIFIABLE_KEY_TYPES)[number];

const CURVES = {
  "ecdsa-sha2-nistp256": { curve: "nistp256", jwk: "P-256", hash: "sha256", size: 32 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", jwk: "P-384", hash: "sha384", size: 48 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", jwk: "P-521", hash: "sha512", size: 66 },
} as const;

export interface SshPublicKey {
  type: SshKeyType;
  /** The public key blob as SSH encodes it (what allowed-signers lines and SSHSIG carry). */
  blob: Buffer;
  key: KeyObject;
  /** `SHA256:<base64>`, as ssh-keygen -l prints it. */
  fingerprint: string;
}

export function isVerifiableKeyType(type: string): type is SshKeyType {
  return (VERIFIABLE_KEY_TYPES as readonly string[]).includes(type);
}

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Reads a public key blob; throws SshFormatError naming what is wrong (unknown type included). */
export function parsePublicKeyBlob(blob: Buffer): SshPublicKey {
  const reader = new SshReader(blob, "public key");
  const type = reader.text();
  if (!isVerifiableKeyType(type)) throw new SshFormatError(unsupportedKeyType(type));
  let key: KeyObject;
  if (type === "ssh-ed25519") {
    const point = reader.string();
    if (point.length !== 32) throw new SshFormatError(`ssh-ed25519 public key is ${point.length} bytes, not 32`);
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: point.toString("base64url") }, format: "jwk" });
  } else if (type === "ssh-rsa") {
    const e = unsignedMpint(reader.string());
    const n = unsignedMpint(reader.string());
    key = createPublicKey({
      key: { kty: "RSA", n: n.toString("base64url"), e: e.toString("base64url") },
      format: "jwk",
    });
  } else {
    const curve = CURVES[type];
    const name = reader.text();
    if (name !== curve.curve) throw new SshFormatError(`${type} public key names curve "${name}"`);
    const point = reader.string();
    if (point.length !== 1 + 2 * curve.size || point[0] !== 4)
      throw new SshFormatError(`${type} public key is not an uncompressed ${curve.curve} point`);
    key = createPublicKey({
      key: {
        kty: "EC",
        crv: curve.jwk,
        x: point.subarray(1, 1 + curve.size).toString("base64url"),
        y: point.subarray(1 + curve.size).toString("base64url"),
      },
      format: "jwk",
    });
  }
  reader.end();
  return { type, blob, key, fingerprint: fingerprintOf(blob) };
}

export function unsupportedKeyType(type: string): string {
  const supported = `tollgate verifies ${VERIFIABLE_KEY_TYPES.join(", ")}`;
  return /^(sk-|ssh-dss$)|-cert-v01@openssh\.com$/.test(type)
    ? `key type "${type}" is not supported (${supported})`
    : `unknown key type "${type}" (${supported})`;
}

/**
 * Verifies an SSH signature blob over `data`. Returns a problem in words, or undefined when the
 * signature is good. SSH-RSA signatures with SHA-1 (`ssh-rsa`) are refused, as SSHSIG refuses them.
 */
export function verifySshSignature(key: SshPublicKey, signatureBlob: Buffer, data: Buffer): string | undefined {
  const reader = new SshReader(signatureBlob, "signature");
  const algorithm = reader.text();
  const signature = reader.string();
  reader.end();
  let good: boolean;
  if (key.type === "ssh-ed25519") {
    if (algorithm !== "ssh-ed25519") return `an ${key.type} key cannot make a "${algorithm}" signature`;
    good = signature.length === 64 && verify(null, data, key.key, signature);
  } else if (key.type === "ssh-rsa") {
    const hash = algorithm === "rsa-sha2-512" ? "sha512" : algorithm === "rsa-sha2-256" ? "sha256" : undefined;
    if (!hash) return `RSA signature algorithm "${algorithm}" is not accepted (rsa-sha2-256 or rsa-sha2-512)`;
    good = verify(hash, data, key.key, signature);
  } else {
    if (algorithm !== key.type) return `an ${key.type} key cannot make a "${algorithm}" signature`;
    const curve = CURVES[key.type];
    const parts = new SshReader(signature, "ECDSA signature");
    const r = unsignedMpint(parts.string());
    const s = unsignedMpint(parts.string());
    parts.end();
    if (r.length > curve.size || s.length > curve.size) return "ECDSA signature values are out of range";
    const fixed = Buffer.concat([pad(r, curve.size), pad(s, curve.size)]);
    good = verify(curve.hash, data, { key: key.key, dsaEncoding: "ieee-p1363" }, fixed);
  }
  return good ? undefined : "the signature does not match the signed content";
}

/** An Ed25519 signature as SSH encodes it. */
export function signEd25519(privateKey: KeyObject, data: Buffer): Buffer {
  return Buffer.concat([sshString("ssh-ed25519"), sshString(sign(null, data, privateKey))]);
}

/** The public key blob of an Ed25519 key object. */
export function ed25519Blob(publicKey: KeyObject): Buffer {
  const x = publicKey.export({ format: "jwk" }).x;
  if (!x) throw new Error("not an Ed25519 public key");
  return Buffer.concat([sshString("ssh-ed25519"), sshString(Buffer.from(x, "base64url"))]);
}

function pad(value: Buffer, size: number): Buffer {
  return value.length === size ? value : Buffer.concat([Buffer.alloc(size - value.length), value]);
}
