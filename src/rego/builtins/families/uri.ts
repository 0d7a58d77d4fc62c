/**
 * uri.parse and uri.is_valid, with Go's net/url: the parts OPA returns (scheme, hostname, port,
 * path, raw_path, raw_query, fragment), empty ones left out; an opaque URI (mailto:x) gives its
 * scheme only.
 */
import { builtinError, Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import type { Obj } from "../value.ts";

class UriError extends Error {}

function percentDecode(s: string, what: string): string {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) throw new UriError(`invalid URL escape in ${what}`);
  return decodeURIComponent(s.replace(/%(?![0-9a-fA-F]{2})/g, "%25"));
}

/** Go's default escaping of a path (what url.URL.EscapedPath gives without a RawPath). */
function escapePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) =>
    [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

function parseUri(raw: string): Obj {
  if (raw === "") throw new UriError("empty URL");
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new UriError("invalid control character in URL");
  }
  let rest = raw;
  const out: Obj = {};
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    const fragment = percentDecode(rest.slice(hash + 1), "fragment");
    if (fragment) out.fragment = fragment;
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf("?");
  if (q >= 0) {
    if (rest.slice(q + 1)) out.raw_query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (scheme) {
    out.scheme = scheme[1]!.toLowerCase();
    rest = rest.slice(scheme[0].length);
    if (!rest.startsWith("/")) return { scheme: out.scheme }; // opaque
  } else if (/^[^/]*:/.test(rest)) throw new UriError("first path segment in URL cannot contain colon");
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? "" : rest.slice(slash);
    const host = authority.slice(authority.lastIndexOf("@") + 1);
    const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]*)(?::(\d*))?$/.exec(host);
    if (!m) throw new UriError(`invalid host ${JSON.stringify(host)}`);
    const hostname = percentDecode(m[1]!.replace(/^\[|\]$/g, ""), "host");
    if (/[\s"<>\\^`{|}]/.test(hostname)) throw new UriError(`invalid character in host name`);
    if (hostname) out.hostname = hostname;
    if (m[2]) out.port = m[2];
  }
  const path = percentDecode(rest, "path");
  if (path) {
    out.path = path;
    out.raw_path = escapePath(path) === rest ? path : rest;
  }
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
    if (typeof s !== "string") return false;
    try {
      parseUri(s);
      return true;
    } catch {
      return false;
    }
  },
};
