/**
 * crypto.x509.* and crypto.parse_private_keys: certificates, requests and keys given as PEM or
 * base64 (of DER or PEM), returned as OPA returns Go's structs (x509-der.ts). Chains are
 * verified as Go's x509.Verify does for OPA: the first certificate is the root, the last the
 * leaf, the others intermediates; signatures with node:crypto, validity at the evaluation's
 * clock (deterministic for audit), CA and path-length constraints, extended key usages, DNS name.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject, X509Certificate } from "node:crypto";
import { builtinError, Operands } from "../errors.ts";
import type { BuiltinImpl, HostContext } from "../host.ts";
import { isNumber, type Obj, type Value } from "../value.ts";
import {
  certificateJson,
  certificateRequestJson,
  derElements,
  num,
  structureError,
  unsigned,
  X509ParseError,
} from "./x509-der.ts";

// ---------------------------------------------------------------- input forms

/** Go's base64.StdEncoding.DecodeString: strict padding, CR and LF ignored, errors by byte. */
export function goBase64(s: string): Buffer {
  let quantum = 0;
  let padding = 0;
  let clean = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\r" || c === "\n") continue;
    if (padding) {
      if (c === "=" && quantum + padding < 4) {
        padding++;
        continue;
      }
      throw illegalBase64(i);
    }
    if (c === "=") {
      if (quantum < 2) throw illegalBase64(i);
      padding = 1;
      continue;
    }
    if (!/[A-Za-z0-9+/]/.test(c)) throw illegalBase64(i);
    clean += c;
    quantum = (quantum + 1) % 4;
  }
  if (padding && quantum + padding !== 4) throw illegalBase64(s.length);
  if (!padding && quantum) throw illegalBase64(s.length - quantum);
  return Buffer.from(clean, "base64");
}

function illegalBase64(at: number): X509ParseError {
  return new X509ParseError(`illegal base64 data at input byte ${at}`);
}

const PEM_BEGIN = "-----BEGIN";

interface PemBlock {
  type: string;
  bytes: Buffer;
}

/** The PEM blocks of a text, as Go's pem.Decode finds them one after the other. */
function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([^\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2]!.replace(/^[\w-]+:.*\r?\n(\r?\n)?/gm, "");
    if (!/^[A-Za-z0-9+/=\s]*$/.test(body)) continue;
    blocks.push({ type: m[1]!, bytes: Buffer.from(body.replace(/\s+/g, ""), "base64") });
  }
  return blocks;
}

const startsWithPem = (b: Buffer): boolean => b.subarray(0, PEM_BEGIN.length).toString("latin1") === PEM_BEGIN;

/** The DER bytes of the certificates in a string of PEM, or base64 of PEM or DER. */
function certificateDer(s: string): Buffer[] {
  const bytes = s.startsWith(PEM_BEGIN) ? Buffer.from(s, "utf8") : goBase64(s);
  if (!startsWithPem(bytes)) return bytes.length ? [bytes] : [];
  return pemBlocks(bytes.toString("utf8")).map((block) => {
    if (block.type !== "CERTIFICATE")
      throw new X509ParseError(`PEM block type is '${block.type}', expected CERTIFICATE`);
    return block.bytes;
  });
}

interface ParsedCertificate {
  json: Obj;
  der: Buffer;
  node: X509Certificate;
}

function parseCertificates(s: string): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  for (const bytes of certificateDer(s)) {
    for (const element of derElements(bytes)) {
      const der = Buffer.from(element.valueBeforeDecodeView);
      const json = certificateJson(element);
      let node: X509Certificate;
      try {
        node = new X509Certificate(der);
      } catch {
        throw new X509ParseError("x509: malformed certificate");
      }
      out.push({ json, der, node });
    }
  }
  return out;
}

// ---------------------------------------------------------------- chain verification

interface VerifyOptions {
  dnsName: string;
  currentTimeNs: bigint;
  keyUsages: number[];
}

const KEY_USAGE_NAMES = [
  "KeyUsageAny",
  "KeyUsageServerAuth",
  "KeyUsageClientAuth",
  "KeyUsageCodeSigning",
  "KeyUsageEmailProtection",
  "KeyUsageIPSECEndSystem",
  "KeyUsageIPSECTunnel",
  "KeyUsageIPSECUser",
  "KeyUsageTimeStamping",
  "KeyUsageOCSPSigning",
  "KeyUsageMicrosoftServerGatedCrypto",
  "KeyUsageNetscapeServerGatedCrypto",
  "KeyUsageMicrosoftCommercialCodeSigning",
  "KeyUsageMicrosoftKernelCodeSigning",
];
const ANY = 0;
const SERVER_AUTH = 1;

function verifyOptions(name: string, options: Obj, ctx: HostContext): VerifyOptions {
  const out: VerifyOptions = { dnsName: "", currentTimeNs: ctx.nowNs, keyUsages: [] };
  for (const [key, value] of Object.entries(options)) {
    switch (key) {
      case "DNSName":
        if (typeof value !== "string") throw builtinError(name, "'DNSName' should be a string");
        out.dnsName = value;
        break;
      case "CurrentTime":
        if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value)))
          out.currentTimeNs = BigInt(value);
        else throw builtinError(name, "'CurrentTime' should be a valid int64 number");
        break;
      case "MaxConstraintComparisons":
        if (!isNumber(value)) throw builtinError(name, "'MaxConstraintComparisons' should be a valid number");
        break;
      case "KeyUsages": {
        if (!Array.isArray(value)) throw builtinError(name, "'KeyUsages' should be an Array of Strings");
        const invalid = value.filter((v) => typeof v !== "string" || !KEY_USAGE_NAMES.includes(v));
        if (invalid.length) throw builtinError(name, `invalid entries for 'KeyUsages' found: [${invalid.join(" ")}]`);
        out.keyUsages = value.map((v) => KEY_USAGE_NAMES.indexOf(v as string));
        break;
      }
      default:
        throw builtinError(name, "invalid key option");
    }
  }
  return out;
}

const ROOT = 0;
const INTERMEDIATE = 1;
const LEAF = 2;

/** Go's isValid for one certificate of a chain (time, CA, path length) below `chainLength` others. */
function certificateValid(c: ParsedCertificate, kind: number, chainLength: number, nowNs: bigint): boolean {
  const notBefore = BigInt(Date.parse(c.json.NotBefore as string)) * 1_000_000n;
  const notAfter = BigInt(Date.parse(c.json.NotAfter as string)) * 1_000_000n;
  if (nowNs < notBefore || nowNs > notAfter) return false;
  if (kind === LEAF) return true;
  if (kind === INTERMEDIATE && (!c.json.BasicConstraintsValid || !c.json.IsCA)) return false;
  const maxPathLen = c.json.MaxPathLen as number;
  if (c.json.BasicConstraintsValid && maxPathLen >= 0 && chainLength - 1 > maxPathLen) return false;
  return true;
}

function signedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (child.json.RawIssuer !== issuer.json.RawSubject) return false;
  try {
    return child.node.verify(issuer.node.publicKey);
  } catch {
    return false;
  }
}

/** Go's VerifyHostname on the leaf's DNS SANs (or its IP SANs for an IP address). */
function matchesHost(leaf: ParsedCertificate, host: string): boolean {
  const ip = host.replace(/^\[|\]$/g, "");
  if (/^[\d.]+$/.test(ip) || ip.includes(":")) {
    return ((leaf.json.IPAddresses as string[] | null) ?? []).includes(ip);
  }
  const want = host.toLowerCase().replace(/\.$/, "");
  return ((leaf.json.DNSNames as string[] | null) ?? []).some((pattern) => {
    const p = pattern.toLowerCase().replace(/\.$/, "");
    if (p === want) return true;
    if (!p.startsWith("*.")) return false;
    const dot = want.indexOf(".");
    return dot > 0 && want.slice(dot) === p.slice(1);
  });
}

/** Go's checkChainForKeyUsage: every certificate restricting usages allows one requested. */
function chainAllows(chain: ParsedCertificate[], requested: number[]): boolean {
  if (requested.includes(ANY)) return true;
  let remaining = [...requested];
  for (const c of chain) {
    const usages = (c.json.ExtKeyUsage as number[] | null) ?? [];
    if (!usages.length && !c.json.UnknownExtKeyUsage) continue;
    if (usages.includes(ANY)) continue;
    remaining = remaining.filter(
      (u) => usages.includes(u) || (u === SERVER_AUTH && (usages.includes(10) || usages.includes(11))),
    );
    if (!remaining.length) return false;
  }
  return true;
}

/** The first chain from the leaf to the root (leaf first), or undefined when none verifies. */
function verifyChain(certs: ParsedCertificate[], options: VerifyOptions): ParsedCertificate[] | undefined {
  if (certs.length < 2) return undefined;
  const root = certs[0]!;
  const leaf = certs[certs.length - 1]!;
  const intermediates = certs.slice(1, -1);
  if (leaf.json.UnhandledCriticalExtensions) return undefined;
  if (options.dnsName && !matchesHost(leaf, options.dnsName)) return undefined;
  if (!certificateValid(leaf, LEAF, 1, options.currentTimeNs)) return undefined;
  const requested = options.keyUsages.length ? options.keyUsages : [SERVER_AUTH];
  const extend = (chain: ParsedCertificate[]): ParsedCertificate[] | undefined => {
    const last = chain[chain.length - 1]!;
    if (chain.length > 1 + intermediates.length + 1) return undefined;
    if (signedBy(last, root) && certificateValid(root, ROOT, chain.length, options.currentTimeNs)) {
      const full = [...chain, root];
      if (chainAllows(full, requested)) return full;
    }
    for (const next of intermediates) {
      if (chain.includes(next) || !signedBy(last, next)) continue;
      if (!certificateValid(next, INTERMEDIATE, chain.length, options.currentTimeNs)) continue;
      const found = extend([...chain, next]);
      if (found) return found;
    }
    return undefined;
  };
  return extend([leaf]);
}

// ---------------------------------------------------------------- keys

const KEY_BLOCK_TYPES: Record<string, "pkcs1" | "pkcs8" | "sec1"> = {
  "RSA PRIVATE KEY": "pkcs1",
  "PRIVATE KEY": "pkcs8",
  "EC PRIVATE KEY": "sec1",
};

const STRUCTURE_NAMES = { pkcs1: "pkcs1PrivateKey", pkcs8: "pkcs8", sec1: "ecPrivateKey" };

function privateKeyOf(block: PemBlock): KeyObject | undefined {
  const type = KEY_BLOCK_TYPES[block.type];
  if (!type) return undefined;
  if (block.bytes[0] !== 0x30) throw structureError(block.bytes, STRUCTURE_NAMES[type]);
  try {
    return createPrivateKey({ key: block.bytes, format: "der", type });
  } catch {
    throw new X509ParseError(`x509: failed to parse private key (${block.type})`);
  }
}

function privateKeys(bytes: Buffer): KeyObject[] {
  return pemBlocks(bytes.toString("utf8"))
    .map(privateKeyOf)
    .filter((k): k is KeyObject => k !== undefined);
}

const bigFromB64url = (s: string | undefined): number | bigint => num(unsigned(Buffer.from(s ?? "", "base64url")));

/** A private key as the JSON of Go's key structs (rsa.PrivateKey, ecdsa.PrivateKey, ed25519). */
function goPrivateKey(key: KeyObject): Value {
  const jwk = key.export({ format: "jwk" }) as JsonWebKey;
  if (jwk.kty === "RSA") {
    return {
      N: bigFromB64url(jwk.n),
      E: bigFromB64url(jwk.e),
      D: bigFromB64url(jwk.d),
      Primes: [bigFromB64url(jwk.p), bigFromB64url(jwk.q)],
      Precomputed: {
        Dp: bigFromB64url(jwk.dp),
        Dq: bigFromB64url(jwk.dq),
        Qinv: bigFromB64url(jwk.qi),
        CRTValues: [],
      },
    };
  }
  if (jwk.kty === "EC") return { Curve: {}, X: bigFromB64url(jwk.x), Y: bigFromB64url(jwk.y), D: bigFromB64url(jwk.d) };
  if (jwk.kty === "OKP")
    return Buffer.concat([Buffer.from(jwk.d ?? "", "base64url"), Buffer.from(jwk.x ?? "", "base64url")]).toString(
      "base64",
    );
  return null;
}

function jwkValue(key: KeyObject): Value {
  return key.export({ format: "jwk" }) as unknown as Obj;
}

// ---------------------------------------------------------------- builtins

function guarded(name: string, fn: (ops: Operands) => Value | undefined): BuiltinImpl {
  return (args) => {
    try {
      return fn(new Operands(name, args));
    } catch (error) {
      if (error instanceof X509ParseError) throw builtinError(name, error.message);
      throw error;
    }
  };
}

function verifyBuiltin(name: string, withOptions: boolean): BuiltinImpl {
  return (args, ctx) => {
    const ops = new Operands(name, args);
    const text = ops.string(1);
    let options: VerifyOptions = { dnsName: "", currentTimeNs: ctx.nowNs, keyUsages: [] };
    if (withOptions) {
      options = verifyOptions(name, ops.plainObject(2), ctx);
    }
    let certs: ParsedCertificate[];
    try {
      certs = parseCertificates(text);
    } catch (error) {
      if (error instanceof X509ParseError) return [false, []];
      throw error;
    }
    const chain = verifyChain(certs, options);
    return chain ? [true, chain.map((c) => c.json)] : [false, []];
  };
}

/** The leaf's JSON as Go's x509.Certificate alone (tls.Certificate.Leaf has no URIStrings). */
function leafJson(c: ParsedCertificate): Obj {
  const { URIStrings: _, ...rest } = c.json;
  return rest;
}

function samePublicKey(cert: X509Certificate, key: KeyObject): boolean {
  const a = cert.publicKey.export({ format: "jwk" });
  const b = createPublicKey(key).export({ format: "jwk" });
  return JSON.stringify(a) === JSON.stringify(b);
}

export const X509: Record<string, BuiltinImpl> = {
  "crypto.x509.parse_certificates": guarded("crypto.x509.parse_certificates", (ops) =>
    parseCertificates(ops.string(1)).map((c) => c.json),
  ),
  "crypto.x509.parse_and_verify_certificates": verifyBuiltin("crypto.x509.parse_and_verify_certificates", false),
  "crypto.x509.parse_and_verify_certificates_with_options": verifyBuiltin(
    "crypto.x509.parse_and_verify_certificates_with_options",
    true,
  ),
  "crypto.x509.parse_certificate_request": guarded("crypto.x509.parse_certificate_request", (ops) => {
    const s = ops.string(1);
    let bytes = s.startsWith(`${PEM_BEGIN} CERTIFICATE REQUEST`) ? Buffer.from(s, "utf8") : goBase64(s);
    const [block] = pemBlocks(bytes.toString("latin1"));
    if (block) {
      if (block.type !== "CERTIFICATE REQUEST")
        throw new X509ParseError("invalid PEM-encoded certificate signing request");
      bytes = block.bytes;
    }
    return certificateRequestJson(bytes);
  }),
  "crypto.x509.parse_keypair": guarded("crypto.x509.parse_keypair", (ops) => {
    const certText = ops.string(1);
    const keyText = ops.string(2);
    const certBytes = certText.startsWith(PEM_BEGIN) ? Buffer.from(certText, "utf8") : goBase64(certText);
    const keyBytes = keyText.startsWith(PEM_BEGIN) ? Buffer.from(keyText, "utf8") : goBase64(keyText);
    const certs = startsWithPem(certBytes)
      ? pemBlocks(certBytes.toString("utf8"))
          .filter((b) => b.type === "CERTIFICATE")
          .map((b) => b.bytes)
      : [certBytes];
    if (!certs.length) throw new X509ParseError("tls: failed to find any PEM data in certificate input");
    const parsed = certs.map((der) => parseCertificates(der.toString("base64"))[0]);
    const leaf = parsed[0];
    if (!leaf) throw new X509ParseError("x509: malformed certificate");
    const keyBlock = pemBlocks(keyBytes.toString("utf8")).find(
      (b) => b.type === "PRIVATE KEY" || b.type.endsWith(" PRIVATE KEY"),
    );
    if (!keyBlock) throw new X509ParseError("tls: failed to find any PEM data in key input");
    const key = privateKeyOf(keyBlock);
    if (!key) throw new X509ParseError("tls: failed to parse private key");
    if (!samePublicKey(leaf.node, key)) throw new X509ParseError("tls: private key does not match public key");
    return {
      Certificate: certs.map((der) => der.toString("base64")),
      PrivateKey: goPrivateKey(key),
      SupportedSignatureAlgorithms: null,
      OCSPStaple: null,
      SignedCertificateTimestamps: null,
      Leaf: leafJson(leaf),
    };
  }),
  "crypto.x509.parse_rsa_private_key": guarded("crypto.x509.parse_rsa_private_key", (ops) => {
    const s = ops.string(1);
    if (s === "") throw new X509ParseError("input PEM data was empty");
    const bytes = s.startsWith(PEM_BEGIN) ? Buffer.from(s, "utf8") : goBase64(s);
    const [key] = privateKeys(bytes);
    return key ? jwkValue(key) : null;
  }),
  "crypto.parse_private_keys": guarded("crypto.parse_private_keys", (ops) => {
    const s = ops.string(1);
    if (s === "") return null;
    let bytes: Buffer;
    if (s.startsWith(PEM_BEGIN)) bytes = Buffer.from(s, "utf8");
    else {
      try {
        bytes = goBase64(s);
      } catch {
        bytes = Buffer.from(s, "utf8");
      }
    }
    return privateKeys(bytes).map(goPrivateKey);
  }),
};
