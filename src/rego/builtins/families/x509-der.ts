/**
 * DER → the JSON OPA returns for Go's crypto/x509 types: x509.Certificate (plus OPA's
 * URIStrings), x509.CertificateRequest and the public and private key structs, with Go's field
 * names, enum numbers and encodings (byte slices as base64, big integers exact, times RFC 3339
 * UTC, absent lists null). ASN.1 is read with asn1js; raw fields are the exact input bytes.
 */
import * as asn1js from "asn1js";
import type { Obj, Value } from "../value.ts";
import { formatIp } from "./net.ts";

export class X509ParseError extends Error {}

type Node = asn1js.AsnType;

const malformed = (): X509ParseError => new X509ParseError("x509: malformed certificate");

/** Every DER element of `bytes`, one after the other (a concatenation of certificates). */
export function derElements(bytes: Uint8Array, error: () => Error = malformed): Node[] {
  const out: Node[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const view = bytes.subarray(offset);
    const { offset: end, result } = asn1js.fromBER(view);
    if (end === -1 || result.error) throw error();
    out.push(result);
    offset += end;
  }
  return out;
}

function children(n: Node | undefined): Node[] {
  const value = (n as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  return Array.isArray(value) ? (value as Node[]) : [];
}

function tagOf(n: Node): { cls: number; num: number } {
  return { cls: n.idBlock.tagClass, num: n.idBlock.tagNumber };
}

function isUniversal(n: Node | undefined, num: number): n is Node {
  return n !== undefined && n.idBlock.tagClass === 1 && n.idBlock.tagNumber === num;
}

function isContext(n: Node | undefined, num: number): n is Node {
  return n !== undefined && n.idBlock.tagClass === 3 && n.idBlock.tagNumber === num;
}

const SEQUENCE = 16;
const SET = 17;

function raw(n: Node): Buffer {
  return Buffer.from(n.valueBeforeDecodeView);
}

/** The content octets of a primitive element. */
function content(n: Node): Buffer {
  return Buffer.from((n.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

/** An exact integer: a JS number when safe, else a bigint. */
export function num(b: bigint): number | bigint {
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

export function unsigned(bytes: Uint8Array): bigint {
  return bytes.length ? BigInt(`0x${Buffer.from(bytes).toString("hex")}`) : 0n;
}

function integer(n: Node | undefined): bigint {
  if (!(n instanceof asn1js.Integer)) throw malformed();
  return n.toBigInt();
}

function oidText(n: Node | undefined): string {
  if (!(n instanceof asn1js.ObjectIdentifier)) throw malformed();
  return n.valueBlock.toString();
}

function oidArray(text: string): number[] {
  return text.split(".").map(Number);
}

function bitStringBytes(n: Node | undefined): Buffer {
  if (!(n instanceof asn1js.BitString)) throw malformed();
  return Buffer.from(n.valueBlock.valueHexView);
}

/** Go's time.Time JSON: RFC 3339 with fractional seconds only when present, in UTC. */
function time(n: Node | undefined): string {
  if (!(n instanceof asn1js.UTCTime || n instanceof asn1js.GeneralizedTime)) throw malformed();
  const iso = n.toDate().toISOString();
  return iso.replace(/\.000Z$/, "Z").replace(/(\.\d*?)0+Z$/, "$1Z");
}

/** A value as Go's encoding/asn1 gives it to an `any` (strings, integers, OIDs, times, bytes). */
function anyValue(n: Node): Value {
  const value = (n.valueBlock as unknown as { value?: unknown }).value;
  if (n instanceof asn1js.Integer) return num(n.toBigInt());
  if (n instanceof asn1js.Boolean) return n.valueBlock.value;
  if (n instanceof asn1js.ObjectIdentifier) return oidArray(n.valueBlock.toString());
  if (n instanceof asn1js.UTCTime || n instanceof asn1js.GeneralizedTime) return time(n);
  if (n instanceof asn1js.OctetString) return b64(n.valueBlock.valueHexView);
  if (n instanceof asn1js.BitString)
    return {
      Bytes: b64(n.valueBlock.valueHexView),
      BitLength: n.valueBlock.valueHexView.length * 8 - n.valueBlock.unusedBits,
    };
  if (typeof value === "string") return value;
  return b64(raw(n));
}

// ---------------------------------------------------------------- names

const NAME_FIELDS: Record<string, string> = {
  "2.5.4.6": "Country",
  "2.5.4.10": "Organization",
  "2.5.4.11": "OrganizationalUnit",
  "2.5.4.7": "Locality",
  "2.5.4.8": "Province",
  "2.5.4.9": "StreetAddress",
  "2.5.4.17": "PostalCode",
};

/** pkix.Name from an RDNSequence: the well-known attributes by field, all of them in Names. */
function name(n: Node): Obj {
  if (!isUniversal(n, SEQUENCE)) throw malformed();
  const out: Obj = {
    CommonName: "",
    SerialNumber: "",
    Country: null,
    Organization: null,
    OrganizationalUnit: null,
    Locality: null,
    Province: null,
    StreetAddress: null,
    PostalCode: null,
    Names: null,
    ExtraNames: null,
  };
  const names: Value[] = [];
  for (const rdn of children(n)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      const oid = oidText(type);
      if (!value) throw malformed();
      const v = anyValue(value);
      names.push({ Type: oidArray(oid), Value: v });
      if (typeof v !== "string") continue;
      if (oid === "2.5.4.3") out.CommonName = v;
      else if (oid === "2.5.4.5") out.SerialNumber = v;
      else if (NAME_FIELDS[oid]) {
        const field = NAME_FIELDS[oid];
        out[field] = [...((out[field] as string[] | null) ?? []), v];
      }
    }
  }
  if (names.length) out.Names = names;
  return out;
}

// ---------------------------------------------------------------- algorithms and keys

const SIGNATURE_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.2": 1,
  "1.2.840.113549.1.1.4": 2,
  "1.2.840.113549.1.1.5": 3,
  "1.3.14.3.2.29": 3,
  "1.2.840.113549.1.1.11": 4,
  "1.2.840.113549.1.1.12": 5,
  "1.2.840.113549.1.1.13": 6,
  "1.2.840.10040.4.3": 7,
  "2.16.840.1.101.3.4.3.2": 8,
  "1.2.840.10045.4.1": 9,
  "1.2.840.10045.4.3.2": 10,
  "1.2.840.10045.4.3.3": 11,
  "1.2.840.10045.4.3.4": 12,
  "1.3.101.112": 16,
};

const RSA_PSS = "1.2.840.113549.1.1.10";
const PSS_BY_HASH: Record<string, number> = {
  "2.16.840.1.101.3.4.2.1": 13,
  "2.16.840.1.101.3.4.2.2": 14,
  "2.16.840.1.101.3.4.2.3": 15,
};

/** Go's x509.SignatureAlgorithm of an AlgorithmIdentifier (0: unknown). */
function signatureAlgorithm(n: Node): number {
  const [oidNode, params] = children(n);
  const oid = oidText(oidNode);
  if (oid !== RSA_PSS) return SIGNATURE_ALGORITHMS[oid] ?? 0;
  // RSASSA-PSS-params: [0] hashAlgorithm AlgorithmIdentifier
  const hash = children(params).find((c) => isContext(c, 0));
  const hashOid = hash ? children(children(hash)[0])[0] : undefined;
  return hashOid ? (PSS_BY_HASH[oidText(hashOid)] ?? 0) : 0;
}

const PUBLIC_KEY_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.1": 1,
  "1.2.840.10040.4.1": 2,
  "1.2.840.10045.2.1": 3,
  "1.3.101.112": 4,
};

const CURVES: Record<string, number> = {
  "1.3.132.0.33": 28,
  "1.2.840.10045.3.1.7": 32,
  "1.3.132.0.34": 48,
  "1.3.132.0.35": 66,
};

/** The public key algorithm and key of a SubjectPublicKeyInfo, as Go gives them. */
function publicKey(spki: Node): { algorithm: number; key: Value } {
  const [algId, bits] = children(spki);
  const [oidNode, params] = children(algId);
  const algorithm = PUBLIC_KEY_ALGORITHMS[oidText(oidNode)] ?? 0;
  const keyBytes = bitStringBytes(bits);
  switch (algorithm) {
    case 1: {
      const [n, e] = children(derElements(keyBytes)[0]);
      return { algorithm, key: { N: num(integer(n)), E: num(integer(e)) } };
    }
    case 2: {
      const [p, q, g] = children(params);
      const y = integer(derElements(keyBytes)[0]);
      return {
        algorithm,
        key: { Parameters: { P: num(integer(p)), Q: num(integer(q)), G: num(integer(g)) }, Y: num(y) },
      };
    }
    case 3: {
      const size = CURVES[oidText(params)];
      if (!size) throw new X509ParseError("x509: unsupported elliptic curve");
      if (keyBytes[0] !== 4 || keyBytes.length !== 1 + 2 * size)
        throw new X509ParseError("x509: failed to unmarshal elliptic curve point");
      const x = unsigned(keyBytes.subarray(1, 1 + size));
      const y = unsigned(keyBytes.subarray(1 + size));
      return { algorithm, key: { Curve: {}, X: num(x), Y: num(y) } };
    }
    case 4:
      return { algorithm, key: b64(keyBytes) };
    default:
      return { algorithm, key: null };
  }
}

// ---------------------------------------------------------------- extensions

const EXT_KEY_USAGES: Record<string, number> = {
  "2.5.29.37.0": 0,
  "1.3.6.1.5.5.7.3.1": 1,
  "1.3.6.1.5.5.7.3.2": 2,
  "1.3.6.1.5.5.7.3.3": 3,
  "1.3.6.1.5.5.7.3.4": 4,
  "1.3.6.1.5.5.7.3.5": 5,
  "1.3.6.1.5.5.7.3.6": 6,
  "1.3.6.1.5.5.7.3.7": 7,
  "1.3.6.1.5.5.7.3.8": 8,
  "1.3.6.1.5.5.7.3.9": 9,
  "1.3.6.1.4.1.311.10.3.3": 10,
  "2.16.840.1.113730.4.1": 11,
  "1.3.6.1.4.1.311.2.1.22": 12,
  "1.3.6.1.4.1.311.61.1.1": 13,
};

/** Go's url.URL JSON of a URI (the fields url.Parse fills for absolute URIs). */
function urlObject(uri: string): Obj {
  const out: Obj = {
    Scheme: "",
    Opaque: "",
    User: null,
    Host: "",
    Path: "",
    RawPath: "",
    OmitHost: false,
    ForceQuery: false,
    RawQuery: "",
    Fragment: "",
    RawFragment: "",
  };
  let rest = uri;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    out.Fragment = decodeURIComponent(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (scheme) {
    out.Scheme = scheme[1]!.toLowerCase();
    rest = rest.slice(scheme[0].length);
  }
  const query = rest.indexOf("?");
  if (query >= 0) {
    out.RawQuery = rest.slice(query + 1);
    out.ForceQuery = out.RawQuery === "";
    rest = rest.slice(0, query);
  }
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
    rest = slash >= 0 ? rest.slice(slash) : "";
    const at = authority.lastIndexOf("@");
    // Go's url.Userinfo has only unexported fields
    if (at >= 0) out.User = {};
    out.Host = at >= 0 ? authority.slice(at + 1) : authority;
  } else if (out.Scheme && !rest.startsWith("/")) {
    out.Opaque = rest;
    return out;
  }
  out.Path = decodeURIComponent(rest);
  return out;
}

/** An IP address of a SAN or name constraint as Go's net.IP text. */
/** An IP address as Go's net.IP.String writes it (IPv4-mapped IPv6 addresses as IPv4). */
function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return formatIp(false, unsigned(bytes));
  if (bytes.length !== 16) return `?${bytes.toString("hex")}`;
  const v4mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return v4mapped ? formatIp(false, unsigned(bytes.subarray(12))) : formatIp(true, unsigned(bytes));
}

interface GeneralNames {
  DNSNames: string[];
  EmailAddresses: string[];
  IPAddresses: string[];
  URIs: string[];
}

function generalNames(seq: Node): GeneralNames {
  const out: GeneralNames = { DNSNames: [], EmailAddresses: [], IPAddresses: [], URIs: [] };
  for (const g of children(seq)) {
    const { cls, num: tag } = tagOf(g);
    if (cls !== 3) continue;
    if (tag === 1) out.EmailAddresses.push(content(g).toString("latin1"));
    else if (tag === 2) out.DNSNames.push(content(g).toString("latin1"));
    else if (tag === 6) out.URIs.push(content(g).toString("latin1"));
    else if (tag === 7) out.IPAddresses.push(ipText(content(g)));
  }
  return out;
}

const orNull = <T>(xs: T[]): T[] | null => (xs.length ? xs : null);

function applySubjectAltNames(out: Obj, names: GeneralNames): void {
  out.DNSNames = orNull(names.DNSNames);
  out.EmailAddresses = orNull(names.EmailAddresses);
  out.IPAddresses = orNull(names.IPAddresses);
  out.URIs = orNull(names.URIs.map(urlObject));
  out.URIStrings = orNull(names.URIs);
}

/** KeyUsage bit string → Go's bit mask (bit 0 of the first byte is digitalSignature = 1). */
function keyUsage(bits: Node): number {
  const bytes = bitStringBytes(bits);
  let usage = 0;
  for (let i = 0; i < 9 && i < bytes.length * 8; i++) if (bytes[i >> 3]! & (0x80 >> (i & 7))) usage |= 1 << i;
  return usage;
}

/** Name constraints subtrees into Go's Permitted... and Excluded... fields. */
function nameConstraints(out: Obj, value: Node, critical: boolean): void {
  out.PermittedDNSDomainsCritical = critical;
  for (const subtrees of children(value)) {
    const which = isContext(subtrees, 0) ? "Permitted" : "Excluded";
    const dns: string[] = [];
    const ips: Value[] = [];
    const emails: string[] = [];
    const uris: string[] = [];
    for (const subtree of children(subtrees)) {
      const base = children(subtree)[0];
      if (base?.idBlock.tagClass !== 3) continue; // context-specific GeneralName
      const bytes = content(base);
      const tag = base.idBlock.tagNumber;
      if (tag === 2) dns.push(bytes.toString("latin1"));
      else if (tag === 1) emails.push(bytes.toString("latin1"));
      else if (tag === 6) uris.push(bytes.toString("latin1"));
      else if (tag === 7) {
        const half = bytes.length / 2;
        const ip = ipText(bytes.subarray(0, half));
        const mask = bytes.subarray(half);
        ips.push({ IP: ip, Mask: b64(mask) });
      }
    }
    out[`${which}DNSDomains`] = orNull(dns);
    out[`${which}EmailAddresses`] = orNull(emails);
    out[`${which}URIDomains`] = orNull(uris);
    out[`${which}IPRanges`] = orNull(ips);
  }
}

function uriOf(n: Node | undefined): string | undefined {
  return n && isContext(n, 6) ? content(n).toString("latin1") : undefined;
}

/** Parses the extensions Go understands into the certificate's fields; returns the list. */
function extensions(out: Obj, list: Node | undefined, forRequest: boolean): Value[] {
  const result: Value[] = [];
  const unhandled: Value[] = [];
  for (const ext of children(list)) {
    const parts = children(ext);
    const oid = oidText(parts[0]);
    const critical = parts[1] instanceof asn1js.Boolean ? parts[1].valueBlock.value : false;
    const octets = parts[parts.length - 1];
    if (!(octets instanceof asn1js.OctetString)) throw malformed();
    const bytes = Buffer.from(octets.valueBlock.valueHexView);
    result.push({ Id: oidArray(oid), Critical: critical, Value: b64(bytes) });
    const value = bytes.length ? derElements(bytes)[0] : undefined;
    if (!value) continue;
    let handled = true;
    switch (oid) {
      case "2.5.29.17":
        applySubjectAltNames(out, generalNames(value));
        break;
      case "2.5.29.15":
        if (!forRequest) out.KeyUsage = keyUsage(value);
        break;
      case "2.5.29.19": {
        if (forRequest) break;
        const parts = children(value);
        const isCA = parts[0] instanceof asn1js.Boolean ? parts[0].valueBlock.value : false;
        const len = parts.find((p) => p instanceof asn1js.Integer);
        out.BasicConstraintsValid = true;
        out.IsCA = isCA;
        out.MaxPathLen = len ? num(integer(len)) : -1;
        out.MaxPathLenZero = out.MaxPathLen === 0;
        break;
      }
      case "2.5.29.37": {
        if (forRequest) break;
        const known: number[] = [];
        const unknown: number[][] = [];
        for (const o of children(value)) {
          const text = oidText(o);
          const usage = EXT_KEY_USAGES[text];
          if (usage === undefined) unknown.push(oidArray(text));
          else known.push(usage);
        }
        out.ExtKeyUsage = orNull(known);
        out.UnknownExtKeyUsage = orNull(unknown);
        break;
      }
      case "2.5.29.14":
        if (!forRequest) out.SubjectKeyId = b64(content(value));
        break;
      case "2.5.29.35": {
        if (forRequest) break;
        const id = children(value).find((c) => isContext(c, 0));
        if (id) out.AuthorityKeyId = b64(content(id));
        break;
      }
      case "2.5.29.31": {
        if (forRequest) break;
        const urls: string[] = [];
        for (const point of children(value)) {
          const dpName = children(point).find((c) => isContext(c, 0));
          const fullName = children(dpName).find((c) => isContext(c, 0));
          for (const g of children(fullName)) {
            const uri = uriOf(g);
            if (uri !== undefined) urls.push(uri);
          }
        }
        out.CRLDistributionPoints = orNull(urls);
        break;
      }
      case "1.3.6.1.5.5.7.1.1": {
        if (forRequest) break;
        const ocsp: string[] = [];
        const issuers: string[] = [];
        for (const access of children(value)) {
          const [method, location] = children(access);
          const uri = uriOf(location);
          if (uri === undefined) continue;
          const m = oidText(method);
          if (m === "1.3.6.1.5.5.7.48.1") ocsp.push(uri);
          else if (m === "1.3.6.1.5.5.7.48.2") issuers.push(uri);
        }
        out.OCSPServer = orNull(ocsp);
        out.IssuingCertificateURL = orNull(issuers);
        break;
      }
      case "2.5.29.32": {
        if (forRequest) break;
        const ids = children(value).map((info) => oidText(children(info)[0]));
        out.PolicyIdentifiers = orNull(ids.map(oidArray));
        out.Policies = orNull(ids);
        break;
      }
      case "2.5.29.30":
        if (forRequest) break;
        nameConstraints(out, value, critical);
        break;
      default:
        handled = false;
    }
    if (!handled && critical && !forRequest) unhandled.push(oidArray(oid));
  }
  out.UnhandledCriticalExtensions = orNull(unhandled);
  return result;
}

// ---------------------------------------------------------------- certificates

/** A DER certificate as OPA's JSON of Go's x509.Certificate (with URIStrings). */
export function certificateJson(cert: Node): Obj {
  const [tbs, sigAlg, sig] = children(cert);
  if (!isUniversal(tbs, SEQUENCE) || !sigAlg || !sig) throw malformed();
  const fields = children(tbs);
  let i = 0;
  let version = 1;
  if (isContext(fields[0], 0)) {
    version = Number(integer(children(fields[0])[0])) + 1;
    i = 1;
  }
  const [serial, , issuer, validity, subject, spki] = fields.slice(i);
  if (!serial || !issuer || !validity || !subject || !spki) throw malformed();
  const [notBefore, notAfter] = children(validity);
  const { algorithm, key } = publicKey(spki);
  const out: Obj = {
    Raw: b64(raw(cert)),
    RawTBSCertificate: b64(raw(tbs)),
    RawSubjectPublicKeyInfo: b64(raw(spki)),
    RawSubject: b64(raw(subject)),
    RawIssuer: b64(raw(issuer)),
    Signature: b64(bitStringBytes(sig)),
    SignatureAlgorithm: signatureAlgorithm(sigAlg),
    PublicKeyAlgorithm: algorithm,
    PublicKey: key,
    Version: version,
    SerialNumber: num(integer(serial)),
    Issuer: name(issuer),
    Subject: name(subject),
    NotBefore: time(notBefore),
    NotAfter: time(notAfter),
    KeyUsage: 0,
    Extensions: null,
    ExtraExtensions: null,
    UnhandledCriticalExtensions: null,
    ExtKeyUsage: null,
    UnknownExtKeyUsage: null,
    BasicConstraintsValid: false,
    IsCA: false,
    MaxPathLen: 0,
    MaxPathLenZero: false,
    SubjectKeyId: null,
    AuthorityKeyId: null,
    OCSPServer: null,
    IssuingCertificateURL: null,
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
    URIStrings: null,
    PermittedDNSDomainsCritical: false,
    PermittedDNSDomains: null,
    ExcludedDNSDomains: null,
    PermittedIPRanges: null,
    ExcludedIPRanges: null,
    PermittedEmailAddresses: null,
    ExcludedEmailAddresses: null,
    PermittedURIDomains: null,
    ExcludedURIDomains: null,
    CRLDistributionPoints: null,
    PolicyIdentifiers: null,
    Policies: null,
    InhibitAnyPolicy: 0,
    InhibitAnyPolicyZero: false,
    InhibitPolicyMapping: 0,
    InhibitPolicyMappingZero: false,
    RequireExplicitPolicy: 0,
    RequireExplicitPolicyZero: false,
    PolicyMappings: null,
  };
  const extWrapper = fields.slice(i + 6).find((f) => isContext(f, 3));
  if (extWrapper) out.Extensions = orNull(extensions(out, children(extWrapper)[0], false));
  return out;
}

/** Go's asn1 error for a value whose first element is not the SEQUENCE it expected. */
export function structureError(bytes: Uint8Array, what: string): X509ParseError {
  const settings =
    "{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false}";
  const first = bytes[0] ?? 0;
  const length = bytes[1] ?? 0;
  const got = `{class:${first >> 6} tag:${first & 0x1f} length:${length & 0x80 ? 0 : length} isCompound:${(first & 0x20) !== 0}}`;
  if (bytes.length < 2) return new X509ParseError("asn1: syntax error: data truncated");
  return new X509ParseError(`asn1: structure error: tags don't match (16 vs ${got}) ${settings} ${what} @2`);
}

function attributes(list: Node | undefined): { attributes: Value[]; extensions: Node | undefined } {
  const out: Value[] = [];
  let extensionRequest: Node | undefined;
  for (const attr of children(list)) {
    const [type, values] = children(attr);
    const oid = oidText(type);
    if (oid === "1.2.840.113549.1.9.14") extensionRequest = children(values)[0];
    const sets: Value[] = [];
    let ok = isUniversal(values, SET);
    for (const seq of children(values)) {
      const pairs: Value[] = [];
      for (const pair of children(seq)) {
        const [t, v] = children(pair);
        if (!(t instanceof asn1js.ObjectIdentifier) || !v) {
          ok = false;
          break;
        }
        pairs.push({ Type: oidArray(t.valueBlock.toString()), Value: anyValue(v) });
      }
      sets.push(pairs);
    }
    if (ok) out.push({ Type: oidArray(oid), Value: sets });
  }
  return { attributes: out, extensions: extensionRequest };
}

/** A DER certificate request as OPA's JSON of Go's x509.CertificateRequest. */
export function certificateRequestJson(bytes: Uint8Array): Obj {
  if (bytes[0] !== 0x30) throw structureError(bytes, "certificateRequest");
  const csr = derElements(bytes, () => structureError(bytes, "certificateRequest"))[0]!;
  const [info, sigAlg, sig] = children(csr);
  if (!isUniversal(info, SEQUENCE) || !sigAlg || !sig) throw structureError(bytes, "certificateRequest");
  const [version, subject, spki, attrs] = children(info);
  if (!version || !subject || !spki) throw structureError(bytes, "certificateRequest");
  const { algorithm, key } = publicKey(spki);
  const { attributes: attributeList, extensions: extensionList } = attributes(isContext(attrs, 0) ? attrs : undefined);
  const out: Obj = {
    Raw: b64(raw(csr)),
    RawTBSCertificateRequest: b64(raw(info)),
    RawSubjectPublicKeyInfo: b64(raw(spki)),
    RawSubject: b64(raw(subject)),
    Version: num(integer(version)),
    Signature: b64(bitStringBytes(sig)),
    SignatureAlgorithm: signatureAlgorithm(sigAlg),
    PublicKeyAlgorithm: algorithm,
    PublicKey: key,
    Subject: name(subject),
    Attributes: orNull(attributeList),
    Extensions: null,
    ExtraExtensions: null,
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
  };
  if (extensionList) out.Extensions = orNull(extensions(out, extensionList, true));
  delete out.URIStrings;
  delete out.UnhandledCriticalExtensions;
  return out;
}
