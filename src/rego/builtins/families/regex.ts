/**
 * regex.* with RE2 semantics (re2js: linear time, no backtracking), iterating matches as Go's
 * regexp does (an empty match right after a match is skipped; replacement templates with $1,
 * ${1}, $name). Compiled patterns are cached, as OPA caches them.
 */
import { LRUCache } from "lru-cache";
import { RE2JS } from "re2js";
import { builtinError, Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import type { Value } from "../value.ts";

const cache = new LRUCache<string, RE2JS | Error>({ max: 256 });

/** The compiled pattern, or an Error with RE2's message. */
function tryCompile(pattern: string): RE2JS | Error {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch (error) {
      re = error instanceof Error ? error : new Error(String(error));
    }
    cache.set(pattern, re);
  }
  return re;
}

export function compileRegex(name: string, pattern: string): RE2JS {
  const re = tryCompile(pattern);
  if (re instanceof Error) throw builtinError(name, re.message);
  return re;
}

/** Group spans [start, end] (-1 when a group did not participate) of up to `n` matches (n < 0: all). */
export function allMatches(re: RE2JS, s: string, n: number): number[][] {
  const out: number[][] = [];
  const m = re.matcher(s);
  const groups = m.groupCount();
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    if (!m.find(pos)) break;
    const start = m.start();
    const end = m.end();
    let accept = true;
    if (end === pos && start === end) {
      if (start === prevEnd) accept = false;
      pos += pos < s.length ? (s.codePointAt(pos)! > 0xffff ? 2 : 1) : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) {
      const spans: number[] = [];
      for (let g = 0; g <= groups; g++) {
        const a = m.start(g);
        spans.push(a, a < 0 ? -1 : m.end(g));
      }
      out.push(spans);
    }
  }
  return out;
}

/** Go's Regexp.Expand of a replacement template for one match. */
function expand(template: string, s: string, spans: number[], named: Record<string, number>): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== "$" || i + 1 >= template.length) {
      out += c;
      continue;
    }
    if (template[i + 1] === "$") {
      out += "$";
      i++;
      continue;
    }
    let name: string | undefined;
    let next = i + 1;
    if (template[next] === "{") {
      const close = template.indexOf("}", next);
      const inner = close < 0 ? "" : template.slice(next + 1, close);
      if (close >= 0 && /^\w+$/.test(inner)) {
        name = inner;
        next = close + 1;
      }
    } else {
      const m = /^\w+/.exec(template.slice(next));
      if (m) {
        name = m[0];
        next += m[0].length;
      }
    }
    if (name === undefined) {
      out += c; // a lone $ is kept
      continue;
    }
    const g = /^\d+$/.test(name) ? Number(name) : named[name];
    if (g !== undefined && 2 * g + 1 < spans.length && spans[2 * g]! >= 0)
      out += s.slice(spans[2 * g], spans[2 * g + 1]);
    i = next - 1;
  }
  return out;
}

const match: BuiltinImpl = (args) => {
  const ops = new Operands("regex.match", args);
  const pattern = ops.string(1);
  const value = ops.string(2);
  return compileRegex("regex.match", pattern).matcher(value).find();
};

/** Go's Regexp.Split(s, -1). */
function split(re: RE2JS, s: string): string[] {
  if (re.pattern().length > 0 && s.length === 0) return [""];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const spans of allMatches(re, s, -1)) {
    end = spans[0]!;
    if (spans[1] !== 0) out.push(s.slice(beg, end));
    beg = spans[1]!;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/**
 * regex.template_match: the parts of `template` between the delimiters are patterns, the rest
 * is literal; the whole value must match.
 */
function templatePattern(template: string, open: string, close: string): string {
  let out = "^";
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf(open, i);
    if (start < 0) {
      out += RE2JS.quote(template.slice(i));
      break;
    }
    out += RE2JS.quote(template.slice(i, start));
    let depth = 0;
    let j = start;
    for (; j < template.length; j++) {
      if (template.startsWith(open, j)) depth++;
      else if (template.startsWith(close, j) && --depth === 0) break;
    }
    if (depth !== 0) throw new Error(`unbalanced braces in template ${JSON.stringify(template)}`);
    out += `(${template.slice(start + open.length, j)})`;
    i = j + close.length;
  }
  return `${out}$`;
}

export const REGEX: Record<string, BuiltinImpl> = {
  "regex.match": match,
  re_match: (args) => {
    const ops = new Operands("re_match", args);
    return compileRegex("re_match", ops.string(1)).matcher(ops.string(2)).find();
  },
  "regex.is_valid": ([pattern]) => typeof pattern === "string" && !(tryCompile(pattern) instanceof Error),
  "regex.split": (args) => {
    const ops = new Operands("regex.split", args);
    return split(compileRegex("regex.split", ops.string(1)), ops.string(2));
  },
  "regex.find_n": (args) => {
    const ops = new Operands("regex.find_n", args);
    const s = ops.string(2);
    const n = Number(ops.integer(3));
    return allMatches(compileRegex("regex.find_n", ops.string(1)), s, n).map((spans) => s.slice(spans[0], spans[1]));
  },
  "regex.find_all_string_submatch_n": (args) => {
    const name = "regex.find_all_string_submatch_n";
    const ops = new Operands(name, args);
    const s = ops.string(2);
    const n = Number(ops.integer(3));
    return allMatches(compileRegex(name, ops.string(1)), s, n).map((spans) => {
      const groups: Value[] = [];
      for (let g = 0; g < spans.length; g += 2) groups.push(spans[g]! < 0 ? "" : s.slice(spans[g], spans[g + 1]));
      return groups;
    });
  },
  "regex.replace": (args) => {
    const ops = new Operands("regex.replace", args);
    const s = ops.string(1);
    const re = compileRegex("regex.replace", ops.string(2));
    const template = ops.string(3);
    const named = re.namedGroups();
    let out = "";
    let last = 0;
    for (const spans of allMatches(re, s, -1)) {
      out += s.slice(last, spans[0]) + expand(template, s, spans, named);
      last = spans[1]!;
    }
    return out + s.slice(last);
  },
  "regex.template_match": (args) => {
    const name = "regex.template_match";
    const ops = new Operands(name, args);
    const template = ops.string(1);
    const value = ops.string(2);
    const open = ops.string(3);
    const close = ops.string(4);
    let pattern: string;
    try {
      pattern = templatePattern(template, open, close);
    } catch (error) {
      throw builtinError(name, (error as Error).message);
    }
    return compileRegex(name, pattern).matcher(value).find();
  },
};
