/**
 * git's allowed-signers syntax (ssh-keygen(1), ALLOWED SIGNERS), the key syntax of signers.yaml:
 *
 *   <principals> [options] <key type> <base64 key> [comment]
 *
 * Options: `namespaces="git,file"`, `valid-after="YYYYMMDD[HHMM[SS]][Z]"`, `valid-before=...`.
 * tollgate reads times as UTC (write the `Z` so ssh-keygen, which reads them in local time without
 * it, agrees). `cert-authority` (keys that certify other keys) is not supported. An entry may
 * instead be an ASCII-armoured OpenPGP public key.
 */

/** The SSH key types tollgate verifies (src/signing implements them). */
export const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
] as const;

const OPENPGP_BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

export type SignerKey =
  | {
      format: "ssh";
      principals: string[];
      /** Namespaces the key may sign in (`namespaces=`); undefined: any. */
      namespaces?: string[];
      /** Seconds since the epoch. */
      validAfter?: number;
      validBefore?: number;
      keyType: (typeof SSH_KEY_TYPES)[number];
      /** The public key blob. */
      blob: Buffer;
      comment?: string;
    }
  | { format: "openpgp"; armored: string };

/** Reads one signers.yaml key; returns the problem in words when it is not one tollgate reads. */
export function parseSignerKey(text: string): SignerKey | { problem: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN PGP")) {
    return trimmed.startsWith(OPENPGP_BEGIN)
      ? { format: "openpgp", armored: trimmed }
      : { problem: `an OpenPGP key here is a public key block ("${OPENPGP_BEGIN}")` };
  }
  const tokens = tokenize(trimmed);
  if (tokens.length < 3)
    return {
      problem: `"${trimmed.slice(0, 40)}" is not an allowed-signers line: <principals> [options] <key type> <base64 key> [comment]`,
    };
  const principals = unquote(tokens[0]!)
    .split(",")
    .filter((p) => p !== "");
  if (principals.length === 0) return { problem: "the line names no principal" };
  let at = 1;
  const key: Extract<SignerKey, { format: "ssh" }> = {
    format: "ssh",
    principals,
    keyType: "ssh-ed25519",
    blob: Buffer.alloc(0),
  };
  if (!looksLikeKeyType(tokens[1]!)) {
    const problem = readOptions(tokens[1]!, key);
    if (problem) return { problem };
    at = 2;
  }
  const type = tokens[at];
  const base64 = tokens[at + 1];
  if (type === undefined || base64 === undefined)
    return { problem: "the line has no key after its principals and options" };
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    const known = /^(sk-|ssh-dss$)|-cert-v01@openssh\.com$/.test(type);
    return {
      problem: `${known ? "key type" : "unknown key type"} "${type}"${known ? " is not supported" : ""} (tollgate verifies ${SSH_KEY_TYPES.join(", ")})`,
    };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0)
    return { problem: `the ${type} key is not valid base64` };
  const blob = Buffer.from(base64, "base64");
  const embedded =
    blob.length >= 4 && blob.length >= 4 + blob.readUInt32BE(0)
      ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString("latin1")
      : "";
  if (embedded !== type)
    return { problem: `the key says it is ${embedded ? `"${embedded}"` : "nothing readable"}, not ${type}` };
  key.keyType = type as (typeof SSH_KEY_TYPES)[number];
  key.blob = blob;
  const comment = tokens.slice(at + 2).join(" ");
  if (comment) key.comment = comment;
  return key;
}

/** The line for git's `gpg.ssh.allowedSignersFile` (SSH keys only). */
export function allowedSignersLine(key: Extract<SignerKey, { format: "ssh" }>): string {
  const options: string[] = [];
  if (key.namespaces) options.push(`namespaces="${key.namespaces.join(",")}"`);
  if (key.validAfter !== undefined) options.push(`valid-after="${sshTime(key.validAfter)}"`);
  if (key.validBefore !== undefined) options.push(`valid-before="${sshTime(key.validBefore)}"`);
  return [
    key.principals.join(","),
    ...(options.length ? [options.join(",")] : []),
    key.keyType,
    key.blob.toString("base64"),
  ].join(" ");
}

function looksLikeKeyType(token: string): boolean {
  return !token.includes("=") && token.toLowerCase() !== "cert-authority";
}

function readOptions(text: string, key: Extract<SignerKey, { format: "ssh" }>): string | undefined {
  for (const option of splitOutsideQuotes(text, ",")) {
    const eq = option.indexOf("=");
    const name = (eq === -1 ? option : option.slice(0, eq)).toLowerCase();
    const value = eq === -1 ? undefined : unquote(option.slice(eq + 1));
    if (name === "cert-authority")
      return "cert-authority keys (which certify other keys) are not supported; list the keys themselves";
    if (value === undefined) return `option "${name}" needs a value`;
    if (name === "namespaces") key.namespaces = value.split(",").filter((n) => n !== "");
    else if (name === "valid-after" || name === "valid-before") {
      const seconds = parseSshTime(value);
      if (seconds === undefined) return `${name}="${value}" is not a time YYYYMMDD[HHMM[SS]][Z]`;
      if (name === "valid-after") key.validAfter = seconds;
      else key.validBefore = seconds;
    } else return `unknown option "${name}" (allowed-signers options: namespaces, valid-after, valid-before)`;
  }
  return undefined;
}

function parseSshTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/i.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00"] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  if (back.getUTCDate() !== Number(d) || back.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23) return undefined;
  return ms / 1000;
}

function sshTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

/** Whitespace-separated tokens; double quotes hold whitespace together. */
function tokenize(text: string): string[] {
  return splitOutsideQuotes(text, " \t").filter((t) => t !== "");
}

function splitOutsideQuotes(text: string, separators: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (!quoted && separators.includes(c)) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}
