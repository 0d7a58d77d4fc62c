/**
 * The cost of one typical call per builtin family (part of `npm run bench:policy`): each family's
 * call is evaluated CALLS times per evaluation over an input list, and the cost of the same
 * evaluation without the call (the list comprehension alone) is subtracted, so what remains is the
 * builtin: native (in the Wasm runtime) or host (a TypeScript builtin behind the SDK's import).
 */
import { buildBundle } from "../src/policy/bundle.ts";
import { PolicyLoader } from "../src/policy/loader.ts";

const CALLS = 20;

/** family, where it runs, and a call on `x` (x is the i-th element of input.xs). */
const FAMILIES: readonly [family: string, where: "native" | "host", call: string, xs: unknown[]][] = [
  ["strings (sprintf)", "native", 'sprintf("%s-%d", [x, 7])', words()],
  ["arithmetic", "native", "(x * 3) + 1", numbers()],
  ["objects (object.get)", "native", 'object.get({"a": {"b": x}}, ["a", "b"], 0)', numbers()],
  ["regex.match", "host", 'regex.match("^[a-z]+-[0-9]+$", x)', words()],
  ["glob.match", "host", 'glob.match("api.*.example.com", ["."], x)', hosts()],
  ["time.parse_rfc3339_ns", "host", "time.parse_rfc3339_ns(x)", times()],
  ["units.parse_bytes", "host", "units.parse_bytes(x)", sizes()],
  ["semver.compare", "host", 'semver.compare(x, "1.4.0")', versions()],
  ["net.cidr_contains", "host", 'net.cidr_contains("10.0.0.0/8", x)', ips()],
  ["crypto.sha256", "host", "crypto.sha256(x)", words()],
  ["object.subset", "host", 'object.subset({"a": x, "b": 2}, {"a": x})', numbers()],
  ["io.jwt.decode", "host", "io.jwt.decode(x)", tokens()],
  [
    "graphql.parse_query",
    "host",
    'graphql.parse_query(concat("", ["{ ", x, " }"]))',
    words().map((w) => w.replace("-", "_")),
  ],
];

function words(): string[] {
  return Array.from({ length: CALLS }, (_, i) => `word-${i}`);
}
function numbers(): number[] {
  return Array.from({ length: CALLS }, (_, i) => i);
}
function hosts(): string[] {
  return Array.from({ length: CALLS }, (_, i) => `api.s${i}.example.com`);
}
function times(): string[] {
  return Array.from({ length: CALLS }, (_, i) => `2026-01-${String(1 + i).padStart(2, "0")}T10:00:00Z`);
}
function sizes(): string[] {
  return Array.from({ length: CALLS }, (_, i) => `${i + 1}.5GiB`);
}
function versions(): string[] {
  return Array.from({ length: CALLS }, (_, i) => `1.${i}.0`);
}
function ips(): string[] {
  return Array.from({ length: CALLS }, (_, i) => `10.0.${i}.1`);
}
function tokens(): string[] {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return Array.from({ length: CALLS }, (_, i) => `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: `u${i}` })}.c2ln`);
}

export interface FamilyCost {
  family: string;
  where: "native" | "host";
  usPerCall: number;
}

/** µs per call of each family's typical call, best of `repeats` runs of `evaluations` evaluations. */
export async function measureFamilies(evaluations = 300, repeats = 5): Promise<FamilyCost[]> {
  const sources = FAMILIES.flatMap(([, , call], i) => [
    {
      path: `f${i}.rego`,
      text: `package bench\n\nwith_${i} := [y | some x in input.xs; y := ${call}]\n\nwithout_${i} := [x | some x in input.xs]\n`,
    },
  ]);
  const entrypoints = FAMILIES.flatMap((_, i) => [`bench/with_${i}`, `bench/without_${i}`]);
  const policy = await new PolicyLoader().load(buildBundle(sources, entrypoints));
  const time = (entrypoint: string, input: unknown): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      for (let i = 0; i < evaluations; i++) policy.evaluate(entrypoint, input);
      best = Math.min(best, ((performance.now() - start) * 1000) / evaluations);
    }
    return best;
  };
  return FAMILIES.map(([family, where, , xs], i) => {
    const input = { xs };
    const check = policy.evaluate(`bench/with_${i}`, input) as unknown[];
    if (!Array.isArray(check) || check.length !== CALLS)
      throw new Error(`bench call of ${family} is not defined for every input`);
    time(`bench/with_${i}`, input); // warm-up
    const withCall = time(`bench/with_${i}`, input);
    const without = time(`bench/without_${i}`, input);
    return { family, where, usPerCall: Number((Math.max(0, withCall - without) / CALLS).toFixed(2)) };
  });
}
