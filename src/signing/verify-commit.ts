/**
 * Verifying a commit's signature against the keys signers.yaml allows: what `tollgate audit` does
 * instead of `git verify-commit` (isomorphic-git verifies OpenPGP only), with the same answer for
 * SSH signatures git would give with the same keys as its allowedSignersFile.
 */
import { splitCommitSignature } from "../git/index.ts";
import type { AllowedKey } from "./allowed.ts";
import { isOpenpgpSignature, type OpenpgpPublicKey, readOpenpgpPublicKey, verifyOpenpgp } from "./openpgp.ts";
import { parsePublicKeyBlob, type SshPublicKey } from "./ssh-keys.ts";
import { isSshSignature, parseSshsig, verifySshsig } from "./sshsig.ts";

export type SignatureState =
  /** Signed by an allowed key, and the signature verifies. */
  | "good"
  | "unsigned"
  /** Malformed, of an unknown format, or not matching the commit's content. */
  | "bad"
  /** A valid signature by a key that is not allowed (here, now, for this). */
  | "not-allowed";

export interface SignatureVerdict {
  state: SignatureState;
  /** Who the allowed key belongs to (good), or who made it when that is known. */
  signer?: string;
  /** The key that made it: `ED25519 SHA256:...`, or `OpenPGP <fingerprint>`. */
  key?: string;
  /** What is wrong, in words (every state but good). */
  problem?: string;
}

/**
 * Verifies the signature of a commit object (its bytes as stored) against `allowed`, at `time`
 * (the committer's, in seconds: allowed-signers `valid-after`/`valid-before` are judged by it, as
 * git judges them).
 */
export async function verifyCommitSignature(
  raw: Buffer,
  allowed: AllowedKey[],
  time: number,
): Promise<SignatureVerdict> {
  const { payload, signature } = splitCommitSignature(raw);
  if (signature === undefined) return { state: "unsigned", problem: "the commit is not signed" };
  if (isSshSignature(signature)) return verifySsh(signature, payload, allowed, time);
  if (isOpenpgpSignature(signature)) return verifyPgp(signature, payload, allowed);
  const first = signature.split("\n")[0]!.slice(0, 60);
  return { state: "bad", problem: `the signature is in an unknown format (it starts with "${first}")` };
}

function verifySsh(signature: string, payload: Buffer, allowed: AllowedKey[], time: number): SignatureVerdict {
  let parsed: ReturnType<typeof parseSshsig>;
  try {
    parsed = parseSshsig(signature);
  } catch (error) {
    return { state: "bad", problem: `malformed SSH signature: ${(error as Error).message}` };
  }
  const key = describeKey(parsed.publicKey);
  const problem = verifySshsig(parsed, payload, "git");
  if (problem) return { state: "bad", key, problem: `the SSH signature by ${key} does not verify: ${problem}` };
  const matching = allowed.filter((a) => a.key.format === "ssh" && a.key.blob.equals(parsed.publicKey.blob));
  const reasons: string[] = [];
  for (const entry of matching) {
    const k = entry.key as Extract<AllowedKey["key"], { format: "ssh" }>;
    if (k.namespaces && !k.namespaces.includes("git"))
      reasons.push(`${entry.where} allows it for namespaces ${k.namespaces.join(",")} only, not git`);
    else if (k.validAfter !== undefined && time < k.validAfter)
      reasons.push(`${entry.where} allows it only from ${iso(k.validAfter)}, after the commit (${iso(time)})`);
    else if (k.validBefore !== undefined && time >= k.validBefore)
      reasons.push(`${entry.where} allows it only before ${iso(k.validBefore)}, not at the commit (${iso(time)})`);
    else return { state: "good", signer: entry.who, key };
  }
  return {
    state: "not-allowed",
    key,
    problem:
      reasons.length > 0
        ? `signed with ${key}, but ${reasons.join("; ")}`
        : `signed with ${key}, which is not an allowed key`,
  };
}

async function verifyPgp(signature: string, payload: Buffer, allowed: AllowedKey[]): Promise<SignatureVerdict> {
  const keys: { entry: AllowedKey; key: OpenpgpPublicKey }[] = [];
  for (const entry of allowed) {
    if (entry.key.format !== "openpgp") continue;
    const key = await openpgpKey(entry.key.armored).catch(() => undefined);
    if (key) keys.push({ entry, key });
  }
  let verdict: Awaited<ReturnType<typeof verifyOpenpgp>>;
  try {
    verdict = await verifyOpenpgp(
      signature,
      payload,
      keys.map((k) => k.key),
    );
  } catch (error) {
    return { state: "bad", problem: `malformed OpenPGP signature: ${(error as Error).message}` };
  }
  const key = `OpenPGP key ${verdict.signer?.fingerprint ?? verdict.issuer}`;
  if (!verdict.signer) return { state: "not-allowed", key, problem: `signed with ${key}, which is not an allowed key` };
  if (verdict.problem) return { state: "bad", key, problem: verdict.problem };
  const who = keys.find((k) => k.key === verdict.signer)!.entry.who;
  return { state: "good", signer: who, key };
}

export function describeKey(key: SshPublicKey): string {
  const type = key.type === "ssh-ed25519" ? "ED25519" : key.type === "ssh-rsa" ? "RSA" : "ECDSA";
  return `${type} key ${key.fingerprint}`;
}

const openpgpKeys = new Map<string, Promise<OpenpgpPublicKey>>();

/** Parsed OpenPGP keys, kept by their armoured text (a history verifies against the same few). */
function openpgpKey(armored: string): Promise<OpenpgpPublicKey> {
  let key = openpgpKeys.get(armored);
  if (!key) {
    key = readOpenpgpPublicKey(armored);
    if (openpgpKeys.size > 1000) openpgpKeys.clear();
    openpgpKeys.set(armored, key);
  }
  return key;
}

const sshKeys = new Map<string, SshPublicKey>();

/** An allowed SSH key as a verifying key; undefined when its blob is malformed. */
export function sshKeyOf(entry: AllowedKey): SshPublicKey | { problem: string } {
  if (entry.key.format !== "ssh") return { problem: `${entry.where} is an OpenPGP key` };
  const id = entry.key.blob.toString("base64");
  let key = sshKeys.get(id);
  if (!key) {
    try {
      key = parsePublicKeyBlob(entry.key.blob);
    } catch (error) {
      return { problem: `${entry.where}: ${(error as Error).message}` };
    }
    if (sshKeys.size > 10_000) sshKeys.clear();
    sshKeys.set(id, key);
  }
  return key;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}
