/**
 * io.jwt.*: decode, verify (HS/RS/PS/ES/EdDSA), decode_verify with OPA's constraints, and
 * encode_sign / encode_sign_raw. Signatures use node:crypto (synchronous, as builtins must be);
 * keys are PEM certificates or public keys, JWKs or JWK sets. decode_verify's default clock is
 * the evaluation's (time.now_ns), so a decision re-derives identically.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
  X509Certificate,
} from "node:crypto";
import { builtinError, Operands, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { isObject, type Obj, type Value } from "../value.ts";
import { goJson } from "./objects.ts";

const HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

interface Token {
  header: Obj;
  headerText: string;
  payloadText: string;
  signature: Buffer;
  signed: string;
}

/** Go's base64.RawURLEncoding (padding tolerated), reporting the first illegal byte as Go does. */
function b64url(what: string, s: string): Buffer {
  const t = s.replace(/=+$/, "");
  const bad = /[^A-Za-z0-9_-]/.exec(t);
  if (bad || t.length % 4 === 1) {
    const at = bad ? bad.index : t.length - 1;
    throw new Error(`${what} had invalid encoding: illegal base64 data at input byte ${at}`);
  }
  return Buffer.from(t, "base64url");
}

function decodeToken(name: string, jwt: string): Token {
  const parts = jwt.split(".");
  if (parts.length === 1) throw builtinError(name, "encoded JWT had no period separators");
  if (parts.length !== 3) throw builtinError(name, `encoded JWT must have 3 sections, found ${parts.length}`);
  let headerBytes: Buffer;
  let payload: Buffer;
  let signature: Buffer;
  try {
    headerBytes = b64url("JWT header", parts[0]!);
    payload = b64url("JWT payload", parts[1]!);
    signature = b64url("JWT signature", parts[2]!);
  } catch (error) {
    throw builtinError(name, (error as Error).message);
  }
  const headerText = headerBytes.toString("utf8");
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    throw builtinError(name, "JWT header had invalid encoding: invalid character");
  }
  if (!isObject(header as Value)) throw builtinError(name, "JWT header is not a JSON object");
  // RFC 7516 §9: a header with "enc" is a JWE, which OPA does not read either
  if (Object.hasOwn(header as Obj, "enc")) throw builtinError(name, "JWT is a JWE object, which is not supported");
  return {
    header: header as Obj,
    headerText,
    payloadText: payload.toString("utf8"),
    signature,
    signed: `${parts[0]}.${parts[1]}`,
  };
}

function parseJson(name: string, text: string, what: string): Value {
  try {
    return JSON.parse(text) as Value;
  } catch {
    throw builtinError(name, `${what} is not JSON`);
  }
}

/**
 * The first PEM block of `text` and what follows it, as Go's pem.Decode finds them (the END line's
 * line break belongs to the block).
 */
function pemBlock(text: string): { type: string; pem: string; rest: string } | undefined {
  const m = /-----BEGIN ([^\n-]*)-----\r?\n[\s\S]*?-----END \1-----[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) return undefined;
  return { type: m[1]!, pem: m[0], rest: text.slice(m.index + m[0].length) };
}

/** Public keys of a PEM certificate / public key, a JWK or a JWK set, read as OPA reads them. */
function publicKeys(name: string, material: string): { key: KeyObject; kid?: string }[] {
  const block = pemBlock(material);
  if (block) {
    if (block.rest.length > 0) throw builtinError(name, "extra data after a PEM certificate block");
    if (block.type === "CERTIFICATE") {
      try {
        return [{ key: new X509Certificate(block.pem).publicKey }];
      } catch (error) {
        throw builtinError(name, `failed to parse a PEM certificate: ${(error as Error).message}`);
      }
    }
    if (block.type === "PUBLIC KEY") {
      try {
        return [{ key: createPublicKey(block.pem) }];
      } catch (error) {
        throw builtinError(name, `failed to parse a PEM public key: ${(error as Error).message}`);
      }
    }
    throw builtinError(name, "failed to extract a Key from the PEM certificate");
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(material);
  } catch (error) {
    throw builtinError(name, `failed to parse a JWK key (set): ${(error as Error).message}`);
  }
  const list = isObject(jwk as Value) && Array.isArray((jwk as Obj).keys) ? ((jwk as Obj).keys as Obj[]) : [jwk as Obj];
  return list.map((k) => {
    try {
      return {
        key: createPublicKey({ key: k as never, format: "jwk" }),
        ...(typeof k.kid === "string" ? { kid: k.kid } : {}),
      };
    } catch (error) {
      throw builtinError(name, `failed to parse a JWK key (set): ${(error as Error).message}`);
    }
  });
}

function verifySignature(alg: string, signed: string, signature: Buffer, key: KeyObject | string): boolean {
  const data = Buffer.from(signed, "utf8");
  const family = alg.slice(0, 2);
  const hash = HASH[alg.slice(2)];
  try {
    if (family === "HS" && hash) {
      const mac = createHmac(hash, key as string)
        .update(data)
        .digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    }
    if (typeof key === "string") return false;
    if (alg === "EdDSA") return verify(null, data, key, signature);
    if (family === "RS" && hash) return verify(hash, data, key, signature);
    if (family === "PS" && hash)
      return verify(hash, data, { key, padding: 6, saltLength: Number(alg.slice(2)) / 8 }, signature);
    if (family === "ES" && hash) return verify(hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
  return false;
}

function verifyWith(name: string, alg: string, token: Token, material: string): boolean {
  if (alg.startsWith("HS")) return verifySignature(alg, token.signed, token.signature, material);
  const kid = typeof token.header.kid === "string" ? token.header.kid : undefined;
  const keys = publicKeys(name, material);
  const candidates = kid !== undefined && keys.some((k) => k.kid === kid) ? keys.filter((k) => k.kid === kid) : keys;
  return candidates.some((k) => verifySignature(alg, token.signed, token.signature, k.key));
}

const verifyAlg =
  (alg: string): BuiltinImpl =>
  (args) => {
    const name = `io.jwt.verify_${alg.toLowerCase()}`;
    const ops = new Operands(name, args);
    const token = decodeToken(name, ops.string(1));
    const material = ops.string(2);
    return verifyWith(name, alg, token, material);
  };

/** The payload of a token with cty JWT: the inner token, possibly as a JSON string. */
function nestedToken(payload: string): string {
  if (!payload.startsWith('"')) return payload;
  try {
    const s = JSON.parse(payload) as unknown;
    return typeof s === "string" ? s : payload;
  } catch {
    return payload;
  }
}

/** The decoded token, following nested JWTs (cty: JWT) to the innermost. */
function decode(name: string, jwt: string): { tokens: Token[]; payload: Value } {
  const tokens: Token[] = [];
  let current = jwt;
  for (;;) {
    const t = decodeToken(name, current);
    tokens.push(t);
    if (t.header.cty === "JWT") {
      current = nestedToken(t.payloadText);
      continue;
    }
    return { tokens, payload: parseJson(name, t.payloadText, "JWT payload") };
  }
}

const decodeBuiltin: BuiltinImpl = (args) => {
  const name = "io.jwt.decode";
  const jwt = new Operands(name, args).string(1);
  const t = decodeToken(name, jwt);
  if (t.header.cty === "JWT") {
    const inner = decode(name, nestedToken(t.payloadText));
    const last = inner.tokens[inner.tokens.length - 1]!;
    return [last.header, inner.payload, last.signature.toString("hex")];
  }
  const payload = parseJson(name, t.payloadText, "JWT payload");
  if (t.header.typ === "JWT" && !isObject(payload)) throw builtinError(name, "type is JWT but payload is not JSON");
  return [t.header, payload, t.signature.toString("hex")];
};

const CONSTRAINTS = ["cert", "secret", "alg", "iss", "aud", "time"];

const decodeVerify: BuiltinImpl = (args, ctx) => {
  const name = "io.jwt.decode_verify";
  const ops = new Operands(name, args);
  const jwt = ops.string(1);
  const constraints = ops.plainObject(2);
  for (const k of Object.keys(constraints))
    if (!CONSTRAINTS.includes(k)) throw builtinError(name, `unknown token validation constraint: ${k}`);
  const unverified: Value = [false, {}, {}];
  const { tokens, payload } = decode(name, jwt);
  const material =
    typeof constraints.cert === "string"
      ? constraints.cert
      : typeof constraints.secret === "string"
        ? constraints.secret
        : undefined;
  if (material === undefined) throw builtinError(name, "no verification key (cert or secret) given");
  for (const t of tokens) {
    const alg = t.header.alg;
    if (typeof alg !== "string") return unverified; // RFC 7515 §4.1.1: alg must be present
    if (typeof constraints.alg === "string" && constraints.alg !== alg) return unverified;
    if (!(alg in ALGS)) throw builtinError(name, `unknown JWS algorithm: ${alg}`);
    if (alg.startsWith("HS") !== (typeof constraints.secret === "string")) return unverified;
    if (!verifyWith(name, alg, t, material)) return unverified;
    // critical header parameters tollgate does not understand make the token unverifiable
    if (t.header.crit !== undefined) return unverified;
  }
  if (!isObject(payload)) throw builtinError(name, "type is JWT but payload is not JSON");
  const claims = payload;
  if (constraints.iss !== undefined && claims.iss !== constraints.iss) return unverified;
  const aud = claims.aud;
  if (aud !== undefined) {
    const want = constraints.aud;
    if (typeof want !== "string") return unverified;
    if (typeof aud === "string" ? aud !== want : !Array.isArray(aud) || !aud.includes(want)) return unverified;
  } else if (constraints.aud !== undefined) return unverified;
  const time = constraints.time;
  if (time !== undefined && typeof time !== "number" && typeof time !== "bigint")
    throw builtinError(name, "time constraint must be a number");
  const now = time === undefined ? Number(ctx.nowNs) : Number(time);
  for (const [claim, expired] of [
    ["exp", (t: number) => now >= t * 1e9],
    ["nbf", (t: number) => now < t * 1e9],
  ] as const) {
    const v = claims[claim];
    if (v === undefined) continue;
    if (typeof v !== "number") throw builtinError(name, `${claim} value must be a number`);
    if (expired(v)) return unverified;
  }
  const last = tokens[tokens.length - 1]!;
  return [true, last.header, payload];
};

const ALGS: Record<string, true> = Object.fromEntries(
  [
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
  ].map((a) => [a, true]),
);

function signWith(name: string, alg: string, signingInput: string, jwk: Obj): Buffer {
  const data = Buffer.from(signingInput, "utf8");
  const hash = HASH[alg.slice(2)];
  try {
    if (alg.startsWith("HS") && hash) {
      if (typeof jwk.k !== "string") throw new Error("an HMAC key needs k");
      return createHmac(hash, Buffer.from(jwk.k, "base64url")).update(data).digest();
    }
    const key = createPrivateKey({ key: jwk as never, format: "jwk" });
    if (alg === "EdDSA") return sign(null, data, key);
    if (alg.startsWith("RS") && hash) return sign(hash, data, key);
    if (alg.startsWith("PS") && hash)
      return sign(hash, data, { key, padding: 6, saltLength: Number(alg.slice(2)) / 8 });
    if (alg.startsWith("ES") && hash) return sign(hash, data, { key, dsaEncoding: "ieee-p1363" });
  } catch (error) {
    throw builtinError(name, (error as Error).message);
  }
  throw builtinError(name, `unknown JWS algorithm: ${alg}`);
}

function encodeSign(name: string, headerText: string, payloadText: string, keyText: string): string {
  let header: unknown;
  const noAlg = builtinError(name, `missing or invalid 'alg' header: jwsbb: header "alg" not found`);
  try {
    header = JSON.parse(headerText);
  } catch {
    // jwsbb reads headers leniently: only an empty or broken object is "cannot parse JSON"
    const text = headerText.trim();
    if (text !== "" && !text.startsWith("{")) throw noAlg;
    const why =
      text === "" ? "cannot parse empty string" : `invalid character '${text[0]}' looking for beginning of value`;
    throw builtinError(name, `missing or invalid 'alg' header: cannot parse JSON: ${why}`);
  }
  if (!isObject(header as Value) || typeof (header as Obj).alg !== "string") throw noAlg;
  const alg = (header as Obj).alg as string;
  if (!(alg in ALGS)) throw builtinError(name, `unknown JWS algorithm: ${alg}`);
  if ((header as Obj).typ === "JWT" || (header as Obj).typ === undefined) {
    try {
      const p = JSON.parse(payloadText);
      if (!isObject(p as Value)) throw new Error();
    } catch {
      if ((header as Obj).typ === "JWT") throw builtinError(name, "type is JWT but payload is not JSON");
    }
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(keyText);
  } catch {
    throw builtinError(name, "invalid JWK: invalid character");
  }
  if (!isObject(jwk as Value)) throw builtinError(name, "invalid JWK");
  const signingInput = `${Buffer.from(headerText, "utf8").toString("base64url")}.${Buffer.from(payloadText, "utf8").toString("base64url")}`;
  return `${signingInput}.${signWith(name, alg, signingInput, jwk as Obj).toString("base64url")}`;
}

export const JWT: Record<string, BuiltinImpl> = {
  "io.jwt.decode": decodeBuiltin,
  "io.jwt.decode_verify": decodeVerify,
  "io.jwt.encode_sign_raw": (args) => {
    const name = "io.jwt.encode_sign_raw";
    const ops = new Operands(name, args);
    return encodeSign(name, ops.string(1), ops.string(2), ops.string(3));
  },
  "io.jwt.encode_sign": (args) => {
    const name = "io.jwt.encode_sign";
    const ops = new Operands(name, args);
    const [header, payload, key] = [1, 2, 3].map((p) => {
      const v = ops.any(p);
      if (!isObject(v)) throw operandTypeError(name, p, "object", v);
      return v;
    });
    return encodeSign(name, goJson(header!), goJson(payload!), goJson(key!));
  },
  ...Object.fromEntries(
    [
      "HS256",
      "HS384",
      "HS512",
      "RS256",
      "RS384",
      "RS512",
      "PS256",
      "PS384",
      "PS512",
      "ES256",
      "ES384",
      "ES512",
      "EdDSA",
    ].map((alg) => [`io.jwt.verify_${alg.toLowerCase()}`, verifyAlg(alg)]),
  ),
};
