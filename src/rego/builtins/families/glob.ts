/**
 * glob.match and glob.quote_meta with the semantics of the glob library OPA uses: `*` is any run
 * of non-delimiter characters, `**` any run at all, `?` one non-delimiter character, `[abc]`,
 * `[a-z]`, `[!...]` character classes, `{a,b}` alternatives, `\` escapes. Patterns are
 * translated to RE2 (linear-time matching) and cached per pattern and delimiters.
 */
import { LRUCache } from "lru-cache";
import { RE2JS } from "re2js";
import { builtinError, Operands, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";

const SPECIAL = "*?\\[]{}";
const cache = new LRUCache<string, RE2JS>({ max: 256 });

function quote(c: string): string {
  return RE2JS.quote(c);
}

/** Translates a glob to an RE2 pattern (throws on a malformed glob). */
export function globToRegex(glob: string, delimiters: readonly string[]): string {
  const notDelim = delimiters.length ? `[^${delimiters.map(quote).join("")}]` : "(?s:.)";
  const chars = [...glob];
  let i = 0;
  const alternatives = (depth: number): string => {
    let out = "";
    while (i < chars.length) {
      const c = chars[i]!;
      if (c === "*") {
        if (chars[i + 1] === "*") {
          out += "(?s:.*)";
          i += 2;
        } else {
          out += `${notDelim}*`;
          i++;
        }
      } else if (c === "?") {
        out += notDelim;
        i++;
      } else if (c === "\\") {
        if (i + 1 >= chars.length) throw new Error("unexpected end of input");
        out += quote(chars[i + 1]!);
        i += 2;
      } else if (c === "[") {
        const close = chars.indexOf("]", i + 1);
        if (close < 0) throw new Error("unexpected end of input");
        let body = chars.slice(i + 1, close);
        const negated = body[0] === "!";
        if (negated) body = body.slice(1);
        let cls = "";
        for (let k = 0; k < body.length; k++) {
          if (body[k + 1] === "-" && k + 2 < body.length) {
            cls += `${quote(body[k]!)}-${quote(body[k + 2]!)}`;
            k += 2;
          } else cls += quote(body[k]!);
        }
        if (cls === "") throw new Error("empty character class");
        out += `[${negated ? "^" : ""}${cls}]`;
        i = close + 1;
      } else if (c === "{") {
        i++;
        const options: string[] = [alternatives(depth + 1)];
        while (chars[i] === ",") {
          i++;
          options.push(alternatives(depth + 1));
        }
        if (chars[i] !== "}") throw new Error("unexpected end of input");
        i++;
        out += `(?:${options.join("|")})`;
      } else if ((c === "," || c === "}") && depth > 0) {
        return out;
      } else {
        out += quote(c);
        i++;
      }
    }
    return out;
  };
  const body = alternatives(0);
  return `^${body}$`;
}

function compileGlob(pattern: string, delimiters: readonly string[]): RE2JS {
  const key = `${pattern}\u0000${delimiters.join("")}`;
  let re = cache.get(key);
  if (!re) {
    re = RE2JS.compile(globToRegex(pattern, delimiters));
    cache.set(key, re);
  }
  return re;
}

const match: BuiltinImpl = (args) => {
  const name = "glob.match";
  const ops = new Operands(name, args);
  const pattern = ops.string(1);
  const delimArg = ops.any(2);
  let delimiters: string[];
  if (delimArg === null) delimiters = [];
  else if (Array.isArray(delimArg)) {
    delimiters = ops.strings(2, "array").flatMap((d) => [...d]);
    if (delimiters.length === 0) delimiters = ["."];
  } else throw operandTypeError(name, 2, "one of {array, null}", delimArg);
  const value = ops.string(3);
  let re: RE2JS;
  try {
    re = compileGlob(pattern, delimiters);
  } catch (error) {
    throw builtinError(name, (error as Error).message);
  }
  return re.matches(value);
};

export const GLOB: Record<string, BuiltinImpl> = {
  "glob.match": match,
  "glob.quote_meta": (args) => {
    const s = new Operands("glob.quote_meta", args).string(1);
    return [...s].map((c) => (SPECIAL.includes(c) ? `\\${c}` : c)).join("");
  },
};
