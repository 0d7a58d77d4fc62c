/**
 * providers.aws.sign_req: AWS Signature Version 4 of an http.send request object, as OPA signs
 * it (no network: a canonical request, SHA-256 and an HMAC-SHA256 key chain). OPA's quirks are
 * kept, since policies compare the result byte for byte: the path and query are signed as
 * written, caller headers override the computed ones in the signature but not in the output,
 * and operand positions in errors are OPA's.
 */
import { createHash, createHmac } from "node:crypto";
import { builtinError, Operands, operandError, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { isObject, NumberText, type Obj, objectEntries, RegoObject, RegoSet, typeName, type Value } from "../value.ts";

const NAME = "providers.aws.sign_req";

/** The request keys http.send accepts. */
const REQUEST_KEYS = new Set([
  "method",
  "url",
  "body",
  "enable_redirect",
  "force_json_decode",
  "force_yaml_decode",
  "headers",
  "raw_body",
  "tls_use_system_certs",
  "tls_ca_cert",
  "tls_ca_cert_file",
  "tls_ca_cert_env_variable",
  "tls_client_cert",
  "tls_client_cert_file",
  "tls_client_cert_env_variable",
  "tls_client_key",
  "tls_client_key_file",
  "tls_client_key_env_variable",
  "tls_insecure_skip_verify",
  "tls_server_name",
  "timeout",
  "cache",
  "force_cache",
  "force_cache_duration_seconds",
  "raise_error",
  "caching_mode",
  "max_retry_attempts",
  "cache_ignored_headers",
]);
const REQUIRED_REQUEST_KEYS = ["method", "url"];
const REQUIRED_CONFIG_KEYS = ["aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"];
/** Headers never signed (they change in transit). */
const UNSIGNED_HEADERS = new Set(["authorization", "user-agent", "x-amzn-trace-id"]);
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A set of keys as OPA prints one: `{"a", "b"}`, sorted. */
function keySet(keys: readonly Value[]): string {
  const texts = keys.map((k) => (typeof k === "string" ? JSON.stringify(k) : JSON.stringify(String(k))));
  return `{${texts.sort().join(", ")}}`;
}

function entriesOf(v: Value): [Value, Value][] {
  return objectEntries(v as Obj | RegoObject);
}

function get(obj: Value, key: string): Value | undefined {
  return entriesOf(obj).find(([k]) => k === key)?.[1];
}

const text = (v: Value | undefined): string => (typeof v === "string" ? v : "");

/** The request body as Go's encoding/json writes the value (sorted keys, HTML-safe escapes). */
function goJson(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (v instanceof NumberText) return v.text;
  if (typeof v === "string") return goString(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  if (v instanceof RegoSet) return `[${v.items.map(goJson).join(",")}]`;
  const entries = entriesOf(v).map(([k, x]): [string, Value] => {
    if (typeof k !== "string") throw builtinError(NAME, `invalid object key type: ${typeName(k)}`);
    return [k, x];
  });
  entries.sort(([a], [b]) => (Buffer.compare(Buffer.from(a), Buffer.from(b)) as number) || 0);
  return `{${entries.map(([k, x]) => `${goString(k)}:${goJson(x)}`).join(",")}}`;
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Path (as written) and query of a URL, and its host, as Go's url.Parse splits them. */
function splitUrl(raw: string): { host: string; path: string; query: string } {
  const withoutFragment = raw.split("#", 1)[0]!;
  const q = withoutFragment.indexOf("?");
  const beforeQuery = q < 0 ? withoutFragment : withoutFragment.slice(0, q);
  const query = q < 0 ? "" : withoutFragment.slice(q + 1);
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)(.*)$/.exec(beforeQuery);
  if (!m) return { host: "", path: beforeQuery.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, ""), query };
  const authority = m[1]!;
  return { host: authority.slice(authority.lastIndexOf("@") + 1), path: m[2]!, query };
}

const sha256Hex = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** OPA's time.Unix(0, ns).UTC() formatted as YYYYMMDD and YYYYMMDDTHHMMSSZ. */
function stamps(ns: bigint): { date: string; time: string } {
  const seconds = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const iso = new Date(Number(seconds) * 1000).toISOString(); // 2015-12-28T14:08:25.000Z
  const date = iso.slice(0, 10).replaceAll("-", "");
  return { date, time: `${date}T${iso.slice(11, 19).replaceAll(":", "")}Z` };
}

function timestampNs(v: Value): bigint {
  if (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))) {
    const n = BigInt(v);
    if (n >= INT64_MIN && n <= INT64_MAX) return n;
  }
  // an integer only if its text is one (OPA's Number.Int64): 1e9 and 1.0 are not
  throw operandError(NAME, 3, "could not convert time_ns value into a unix timestamp");
}

const signRequest: BuiltinImpl = (args) => {
  const ops = new Operands(NAME, args);
  const req = ops.object(1);
  const config = args[1]!;
  if (typeName(config) !== "object") throw operandTypeError(NAME, 1, "object", config);
  const configKeys = entriesOf(config).map(([k]) => k);
  const missingConfig = REQUIRED_CONFIG_KEYS.filter((k) => !configKeys.includes(k));
  if (missingConfig.length > 0)
    throw operandError(NAME, 2, `missing required AWS config parameters(s): ${keySet(missingConfig)}`);
  const invalidConfig = REQUIRED_CONFIG_KEYS.filter((k) => typeof get(config, k) !== "string");
  if (invalidConfig.length > 0)
    throw operandError(NAME, 2, `invalid values for required AWS config parameters(s): ${keySet(invalidConfig)}`);
  const time = args[2]!;
  if (!(typeof time === "number" || typeof time === "bigint" || time instanceof NumberText))
    throw operandTypeError(NAME, 1, "number", time);
  const ns = timestampNs(time);

  const requestKeys = entriesOf(req).map(([k]) => k);
  const unknown = requestKeys.filter((k) => typeof k !== "string" || !REQUEST_KEYS.has(k));
  if (unknown.length > 0) throw operandError(NAME, 1, `invalid request parameters(s): ${keySet(unknown)}`);
  const missing = REQUIRED_REQUEST_KEYS.filter((k) => !requestKeys.includes(k));
  if (missing.length > 0) throw operandError(NAME, 1, `missing required request parameters(s): ${keySet(missing)}`);
  const headersValue = get(req, "headers");
  if (headersValue !== undefined && typeName(headersValue) !== "object")
    throw operandTypeError(NAME, 0, "object", headersValue);
  const invalid = REQUIRED_REQUEST_KEYS.filter((k) => typeof get(req, k) !== "string");
  if (invalid.length > 0)
    throw operandError(NAME, 1, `invalid values for required request parameters(s): ${keySet(invalid)}`);

  const rawBody = get(req, "raw_body");
  const body = get(req, "body");
  const payload = rawBody !== undefined ? text(rawBody) : body !== undefined ? goJson(body) : "";
  const signing = get(config, "disable_payload_signing");
  if (signing !== undefined && typeof signing !== "boolean")
    throw operandError(NAME, 2, "invalid value for 'disable_payload_signing' in AWS config");

  const service = text(get(config, "aws_service"));
  const region = text(get(config, "aws_region"));
  const session = text(get(config, "aws_session_token"));
  const url = splitUrl(text(get(req, "url")));
  const { date, time: now } = stamps(ns);
  const contentHash = signing === true ? UNSIGNED_PAYLOAD : sha256Hex(Buffer.from(payload, "utf8"));

  const awsHeaders: Record<string, string> = { host: url.host, "x-amz-date": now };
  if (service === "s3" || service === "glacier") awsHeaders["x-amz-content-sha256"] = contentHash;
  if (session !== "") awsHeaders["x-amz-security-token"] = session;

  const given = new Map<string, string>();
  for (const [k, v] of headersValue === undefined ? [] : entriesOf(headersValue)) given.set(text(k), text(v));
  const toSign = new Map<string, string>(Object.entries(awsHeaders));
  for (const [k, v] of given) if (!UNSIGNED_HEADERS.has(k.toLowerCase())) toSign.set(k.toLowerCase(), v);
  const names = [...toSign.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const signedHeaders = names.join(";");
  const canonical = [
    text(get(req, "method")),
    url.path,
    url.query,
    ...names.map((k) => `${k}:${toSign.get(k)}`),
    "",
    signedHeaders,
    contentHash,
  ].join("\n");

  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", now, scope, sha256Hex(canonical)].join("\n");
  let key = hmac(`AWS4${text(get(config, "aws_secret_access_key"))}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const signature = hmac(key, stringToSign).toString("hex");
  const authorization =
    `AWS4-HMAC-SHA256 Credential=${text(get(config, "aws_access_key"))}/${scope},` +
    `SignedHeaders=${signedHeaders},Signature=${signature}`;

  const headers: Obj = {};
  for (const [k, v] of given) headers[k] = v;
  headers.Authorization = authorization;
  Object.assign(headers, awsHeaders);
  return withHeaders(req, headers);
};

function withHeaders(req: Obj | RegoObject, headers: Obj): Value {
  if (isObject(req)) return { ...req, headers };
  return new RegoObject([...req.entries.filter(([k]) => k !== "headers"), ["headers", headers]]);
}

/** Timestamps must be integers by their text, so numbers arrive exactly as written. */
signRequest.exactNumbers = true;

export const PROVIDERS: Record<string, BuiltinImpl> = {
  [NAME]: signRequest,
};
