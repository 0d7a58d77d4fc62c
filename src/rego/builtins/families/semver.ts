/** semver.is_valid and semver.compare: Semantic Versioning 2.0.0, strictly (no "v" prefix). */
import { builtinError, Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";

const NUM = "(0|[1-9]\\d*)";
const PRE_ID = "(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)";
const SEMVER = new RegExp(
  `^${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`,
);

interface Version {
  readonly core: [bigint, bigint, bigint];
  readonly pre: string[];
}

function parse(s: string): Version | undefined {
  const m = SEMVER.exec(s);
  if (!m) return undefined;
  return { core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)], pre: m[4] ? m[4].split(".") : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Precedence as in SemVer 2.0.0 §11 (build metadata ignored). */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a.core[i] !== b.core[i]) return a.core[i]! < b.core[i]! ? -1 : 1;
  if (a.pre.length === 0 || b.pre.length === 0)
    return b.pre.length - a.pre.length === 0 ? 0 : a.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = compareIdentifiers(a.pre[i]!, b.pre[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

export const SEMVER_BUILTINS: Record<string, BuiltinImpl> = {
  "semver.is_valid": ([v]) => typeof v === "string" && parse(v) !== undefined,
  "semver.compare": (args) => {
    const name = "semver.compare";
    const ops = new Operands(name, args);
    const versions = [1, 2].map((pos) => {
      const s = ops.string(pos);
      const v = parse(s);
      if (!v) throw builtinError(name, `operand ${pos}: string ${JSON.stringify(s)} is not a valid SemVer`);
      return v;
    });
    return compareVersions(versions[0]!, versions[1]!);
  },
};
