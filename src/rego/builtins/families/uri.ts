/**
 * uri.parse and uri.is_valid, with the rules of Go's net/url.Parse (the Go 1.26 behaviour OPA
 * 1.22.4 is built with): the parts OPA returns (scheme, hostname, port, path, raw_path,
 * raw_query, fragment), empty ones left out; an opaque URI (mailto:x) gives its scheme only;
 * errors worded as Go's (`parse "http://a<b@x/": net/url: invalid userinfo`).
 */
import { isIPv4, isIPv6 } from "node:net";
import { builtinError, Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import type { Obj } from "../value.ts";

class UriError extends Error {}

type Mode = "path" | "host" | "zone" | "userinfo" | "fragment";

const ALNUM = /[A-Za-z0-9]/;
const HOST_ALLOWED = "!$&'()*+,;=:[]<>\"";
const RESERVED = "$&+,/:;=?@";

/** Whether Go's net/url escapes the ASCII byte `c` in the URL part `mode`. */
function shouldEscape(c: string, mode: Mode): boolean {
  if (ALNUM.test(c)) return false;
  if ((mode === "host" || mode === "zone") && HOST_ALLOWED.includes(c)) return false;
  if ("-_.~".includes(c)) return false;
  if (RESERVED.includes(c)) {
    if (mode === "path") return c === "?";
    if (mode === "userinfo") return "@/?:".includes(c);
    if (mode === "fragment") return false;
  }
  if (mode === "fragment" && "!()*".includes(c)) return false;
  return true;
}

/** Go's strconv.Quote, for the ASCII and printable text URLs hold. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

const isHex = (c: string | undefined) => c !== undefined && /[0-9A-Fa-f]/.test(c);

/** Go's url.unescape: %XX decoded to bytes, with the checks of each part. */
function percentDecode(s: string, mode: Mode): string {
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === "%") {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) throw new UriError(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      const triplet = s.slice(i, i + 3);
      const byte = Number.parseInt(s.slice(i + 1, i + 3), 16);
      // RFC 3986: in a host, %-encoding is only for non-ASCII bytes (and %25 in a zone, RFC 6874)
      if (mode === "host" && byte < 0x80 && triplet !== "%25")
        throw new UriError(`invalid URL escape ${goQuote(triplet)}`);
      if (
        mode === "zone" &&
        triplet !== "%25" &&
        byte !== 0x20 &&
        byte < 0x80 &&
        shouldEscape(String.fromCharCode(byte), "host")
      )
        throw new UriError(`invalid URL escape ${goQuote(triplet)}`);
      i += 3;
    } else {
      if ((mode === "host" || mode === "zone") && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode))
        throw new UriError(`invalid character ${goQuote(c)} in host name`);
      i++;
    }
  }
  if (!s.includes("%")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === "%") {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const next = s.codePointAt(i)!;
      const ch = String.fromCodePoint(next);
      bytes.push(...Buffer.from(ch, "utf8"));
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Go's url.escape for a path: bytes that must be escaped as %XX (upper case). */
function escapePath(path: string): string {
  let out = "";
  for (const b of Buffer.from(path, "utf8")) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && !shouldEscape(c, "path") ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const validOptionalPort = (port: string) => port === "" || /^:[0-9]*$/.test(port);

function parseHost(scheme: string, host: string): string {
  const open = host.lastIndexOf("[");
  if (open > 0) throw new UriError("invalid IP-literal");
  if (open === 0) {
    const close = host.lastIndexOf("]");
    if (close < 0) throw new UriError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new UriError(`invalid port ${goQuote(colonPort)} after host`);
    const inner = host.slice(1, close);
    const zone = inner.indexOf("%25");
    const address =
      zone >= 0
        ? percentDecode(inner.slice(0, zone), "host") + percentDecode(inner.slice(zone), "zone")
        : percentDecode(inner, "host");
    if (isIPv4(address)) throw new UriError("invalid IP-literal");
    if (!isIPv6(address)) throw new UriError(`invalid host: ParseAddr(${goQuote(address)}): unable to parse IP`);
    return `[${address}]${colonPort}`;
  }
  const first = host.indexOf(":");
  if (first >= 0) {
    // Go 1.26 allows several colons (host lists) except in http and https URLs
    const colon = scheme === "http" || scheme === "https" ? first : host.lastIndexOf(":");
    const colonPort = host.slice(colon);
    if (!validOptionalPort(colonPort)) throw new UriError(`invalid port ${goQuote(colonPort)} after host`);
  }
  return percentDecode(host, "host");
}

const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function parseAuthority(scheme: string, authority: string): string {
  const at = authority.lastIndexOf("@");
  const host = parseHost(scheme, authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!USERINFO.test(userinfo)) throw new UriError("net/url: invalid userinfo");
    for (const part of userinfo.split(":", 2)) percentDecode(part, "userinfo");
  }
  return host;
}

interface GoUrl {
  scheme: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

/** Go's url.parse of a URL without its fragment. */
function parseWithoutFragment(raw: string): GoUrl {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is rejected
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new UriError("net/url: invalid control character in URL");
  const url: GoUrl = { scheme: "", host: "", path: "", rawPath: "", rawQuery: "", fragment: "" };
  if (raw === "*") return { ...url, path: "*" };
  let rest = raw;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*(?=:)|^(?=:)/.exec(raw);
  if (scheme) {
    if (scheme[0] === "") throw new UriError("missing protocol scheme");
    url.scheme = scheme[0].toLowerCase();
    rest = raw.slice(scheme[0].length + 1);
  }
  if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith("/")) {
    if (url.scheme !== "") return url; // opaque: OPA reports the scheme only
    if (rest.split("/", 1)[0]!.includes(":")) throw new UriError("first path segment in URL cannot contain colon");
  }
  if ((url.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? "" : rest.slice(slash);
    url.host = parseAuthority(url.scheme, authority);
  }
  url.path = percentDecode(rest, "path");
  url.rawPath = escapePath(url.path) === rest ? "" : rest;
  return url;
}

/** Go's url.Error: `parse "URL": reason`. */
function inParse<T>(shown: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UriError) throw new UriError(`parse ${goQuote(shown)}: ${error.message}`);
    throw error;
  }
}

function parseUri(raw: string): Obj {
  const hash = raw.indexOf("#");
  const withoutFragment = hash < 0 ? raw : raw.slice(0, hash);
  const url = inParse(withoutFragment, () => parseWithoutFragment(withoutFragment));
  if (hash >= 0) url.fragment = inParse(raw, () => percentDecode(raw.slice(hash + 1), "fragment"));
  const out: Obj = {};
  if (url.scheme) out.scheme = url.scheme;
  // url.Hostname() and url.Port(): the port after the last colon when it is all digits
  let hostname = url.host;
  let port = "";
  const colon = hostname.lastIndexOf(":");
  if (colon >= 0 && validOptionalPort(hostname.slice(colon))) {
    port = hostname.slice(colon + 1);
    hostname = hostname.slice(0, colon);
  }
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  if (hostname) out.hostname = hostname;
  if (port) out.port = port;
  if (url.path) {
    out.path = url.path;
    out.raw_path = url.rawPath || url.path;
  }
  if (url.rawQuery) out.raw_query = url.rawQuery;
  if (url.fragment) out.fragment = url.fragment;
  return out;
}

export const URI: Record<string, BuiltinImpl> = {
  "uri.parse": (args) => {
    const s = new Operands("uri.parse", args).string(1);
    try {
      return parseUri(s);
    } catch (error) {
      if (error instanceof UriError) throw builtinError("uri.parse", error.message);
      throw error;
    }
  },
  "uri.is_valid": ([s]) => {
    if (typeof s !== "string" || s === "") return false;
    try {
      parseUri(s);
      return true;
    } catch {
      return false;
    }
  },
};
