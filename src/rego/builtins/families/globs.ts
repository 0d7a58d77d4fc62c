/**
 * regex.globs_match: whether two patterns of the regex subset OPA's glob-intersection accepts
 * (literals, `.`, character classes — `^` is a member there, not a negation — each optionally
 * followed by `*` or `+`; `?` is a literal) match a common
 * string. Decided on the product of the two patterns' automata, in time linear in their sizes'
 * product (no backtracking).
 */
import { builtinError, Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";

interface CharSet {
  /** True: every character except `ranges`. */
  readonly negated: boolean;
  readonly ranges: readonly [number, number][];
}

interface Token {
  readonly set: CharSet;
  /** How many times: exactly once, or any number (*). */
  readonly repeat: "1" | "*";
}

const ANY: CharSet = { negated: true, ranges: [] };

function parsePattern(pattern: string): Token[] {
  const chars = [...pattern];
  // glob-intersection's wording: the input, the rune index the tokenizer had reached, the reason
  const invalid = (pos: number, reason: string) =>
    new Error(`input:${pattern}, pos:${pos}, ${reason}: the input provided is invalid`);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; ) {
    let set: CharSet;
    const c = chars[i]!;
    if (c === ".") {
      set = ANY;
      i++;
    } else if (c === "\\") {
      if (i + 1 >= chars.length) throw invalid(i, "input ends with a \\ (escape) character");
      const cp = chars[i + 1]!.codePointAt(0)!;
      set = { negated: false, ranges: [[cp, cp]] };
      i += 2;
    } else if (c === "[") {
      let j = i + 1;
      const ranges: [number, number][] = [];
      while (j < chars.length && chars[j] !== "]") {
        let lo = chars[j]!;
        if (lo === "\\") lo = chars[++j] ?? "";
        let hi = lo;
        if (chars[j + 1] === "-" && chars[j + 2] !== undefined && chars[j + 2] !== "]") {
          hi = chars[j + 2] === "\\" ? (chars[j + 3] ?? "") : chars[j + 2]!;
          j += chars[j + 2] === "\\" ? 3 : 2;
        }
        ranges.push([lo.codePointAt(0)!, hi.codePointAt(0)!]);
        j++;
      }
      if (chars[j] !== "]") throw invalid(chars.length, "found [ without matching ]");
      set = { negated: false, ranges };
      i = j + 1;
    } else if (c === "]") {
      throw invalid(i + 1, "set-close ']' with no preceding '['");
    } else if (c === "*" || c === "+") {
      throw invalid(i + 1, `flag '${c}' must be preceded by a non-flag`);
    } else {
      const cp = c.codePointAt(0)!;
      set = { negated: false, ranges: [[cp, cp]] };
      i++;
    }
    const q = chars[i];
    if (q === "*") {
      tokens.push({ set, repeat: q });
      i++;
    } else if (q === "+") {
      tokens.push({ set, repeat: "1" }, { set, repeat: "*" });
      i++;
    } else tokens.push({ set, repeat: "1" });
  }
  return tokens;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if (a.negated && b.negated) return true;
  if (!a.negated && !b.negated) return a.ranges.some(([l1, h1]) => b.ranges.some(([l2, h2]) => l1 <= h2 && l2 <= h1));
  const [pos, neg] = a.negated ? [b, a] : [a, b];
  // some character of `pos` lies outside every range of `neg`
  return pos.ranges.some(([lo, hi]) => {
    let next = lo;
    for (const [l, h] of [...neg.ranges].sort((x, y) => x[0] - y[0])) {
      if (l > next) break;
      if (h >= next) next = h + 1;
    }
    return next <= hi;
  });
}

export function intersects(a: Token[], b: Token[]): boolean {
  const seen = new Set<number>();
  const stack: [number, number][] = [[0, 0]];
  const key = (i: number, j: number) => i * (b.length + 1) + j;
  while (stack.length) {
    const [i, j] = stack.pop()!;
    if (seen.has(key(i, j))) continue;
    seen.add(key(i, j));
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta && ta.repeat !== "1") stack.push([i + 1, j]);
    if (tb && tb.repeat !== "1") stack.push([i, j + 1]);
    if (ta && tb && overlaps(ta.set, tb.set)) {
      const ni = ta.repeat === "*" ? i : i + 1;
      const nj = tb.repeat === "*" ? j : j + 1;
      if (ni !== i || nj !== j) stack.push([ni, nj]);
    }
  }
  return false;
}

export const GLOBS: Record<string, BuiltinImpl> = {
  "regex.globs_match": (args) => {
    const name = "regex.globs_match";
    const ops = new Operands(name, args);
    const [a, b] = [ops.string(1), ops.string(2)];
    try {
      return intersects(parsePattern(a), parsePattern(b));
    } catch (error) {
      throw builtinError(name, (error as Error).message);
    }
  },
};
