/**
 * DSSE envelopes (the Dead Simple Signing Envelope of in-toto and Sigstore): a payload, its type and
 * signatures over the pre-authentication encoding
 *
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *
 * (LEN in ASCII decimal bytes), so a signature never covers bytes that could be read as another
 * type. tollgate signs and verifies envelopes with Ed25519 keys; `keyid` is the key's SSH
 * fingerprint.
 */
import { verify } from "node:crypto";
import type { Signer } from "./signer.ts";
import type { SshPublicKey } from "./ssh-keys.ts";

export interface DsseEnvelope {
  payloadType: string;
  /** Base64 of the payload bytes. */
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

export function signEnvelope(payloadType: string, body: Buffer, signer: Signer): DsseEnvelope {
  if (!signer.signRaw)
    throw new Error(
      `a ${signer.format} key cannot sign DSSE envelopes; use an Ed25519 SSH key (ssh-keygen -t ed25519)`,
    );
  const sig = signer.signRaw(pae(payloadType, body));
  return {
    payloadType,
    payload: body.toString("base64"),
    signatures: [{ keyid: signer.fingerprint, sig: sig.toString("base64") }],
  };
}

export interface EnvelopeVerdict {
  /** The payload bytes (present whenever the envelope could be read). */
  body: Buffer;
  /** The allowed key whose signature verified. */
  signer?: SshPublicKey;
  /** Why no allowed key's signature verified. */
  problem?: string;
}

/** The first signature that an allowed key makes over the envelope's payload, or why there is none. */
export function verifyEnvelope(envelope: DsseEnvelope, keys: SshPublicKey[]): EnvelopeVerdict {
  const body = Buffer.from(envelope.payload, "base64");
  if (!BASE64.test(envelope.payload) || envelope.payload.length % 4 !== 0)
    return { body, problem: "the envelope's payload is not valid base64" };
  if (envelope.signatures.length === 0) return { body, problem: "the envelope has no signatures" };
  const data = pae(envelope.payloadType, body);
  const problems: string[] = [];
  for (const { keyid, sig } of envelope.signatures) {
    const named = keyid ? `key ${keyid}` : "an unnamed key";
    const candidates = keys.filter((k) => !keyid || keyid === k.fingerprint);
    if (candidates.length === 0) {
      problems.push(`signed by ${named}, which is not an allowed key`);
      continue;
    }
    const raw = Buffer.from(sig, "base64");
    const signer = candidates.find(
      (k) => k.type === "ssh-ed25519" && raw.length === 64 && verify(null, data, k.key, raw),
    );
    if (signer) return { body, signer };
    problems.push(
      candidates.some((k) => k.type === "ssh-ed25519")
        ? `the signature by ${named} does not match the envelope's payload (changed after it was signed)`
        : `the signature by ${named} cannot be checked: tollgate verifies envelopes signed with Ed25519 keys`,
    );
  }
  return { body, problem: problems.join("; ") };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
