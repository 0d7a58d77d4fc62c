/**
 * A seeded generator of small, valid Rego v1 programs and inputs for differential testing
 * against OPA: rules (complete, partial sets and objects, functions, else, default),
 * comprehensions, `with`, `every`, `some ... in`, numbers at the int64 and 2^53 edges, and
 * unicode strings. The same seed always gives the same programs.
 */

/** mulberry32: a small, fast, seedable PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedProgram {
  /** Package below data, e.g. `gen.p17`. */
  readonly pkg: string;
  readonly module: string;
  readonly input: unknown;
}

const INTS = [
  "0",
  "1",
  "-1",
  "2",
  "3",
  "7",
  "10",
  "-42",
  "255",
  "2147483647",
  "-2147483648",
  "4294967296",
  "9007199254740991",
  "9007199254740992",
  "-9007199254740991",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775806",
];
/**
 * Integers arithmetic may use: results stay within int64, since tollgate computes beyond int64
 * (and non-integer arithmetic) in f64 where OPA uses big numbers (src/rego/README.md, "Known
 * differences"). The int64 and 2^53 edges still appear as values, in comparisons and collections.
 */
const ARITH_INTS = ["0", "1", "-1", "2", "3", "7", "10", "-42", "255", "2147483647", "-2147483648", "4294967296"];
const FLOATS = ["0.5", "1.5", "-2.25", "3.0", "1e3", "2.5e-3", "100.125"];
/** Floats whose sums with small integers are exact in binary (so f64 and big.Float agree). */
const ARITH_FLOATS = ["0.5", "1.5", "-2.25", "3.0", "1e3", "100.125"];
const STRINGS = ["", "a", "b", "abc", "é", "日本", "😀", "Ω≈ç", "e\u0301", "tab\tsep", "a.b", "x-y", "Zürich", "AbC"];

class Gen {
  constructor(private readonly rnd: () => number) {}

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }

  smallInt(): string {
    return String(this.int(21) - 10);
  }
  number(): string {
    return this.chance(0.6) ? this.pick(INTS) : this.chance(0.5) ? this.smallInt() : this.pick(FLOATS);
  }
  string(): string {
    return JSON.stringify(this.pick(STRINGS));
  }
  scalar(): string {
    const r = this.int(10);
    if (r < 4) return this.number();
    if (r < 8) return this.string();
    if (r < 9) return this.pick(["true", "false"]);
    return "null";
  }
  /** A ground collection literal of scalars (at least `min` elements). */
  collection(depth = 0, min = 0): string {
    const n = min + this.int(4);
    const item = () => (depth < 1 && this.chance(0.2) ? this.collection(depth + 1) : this.scalar());
    const items = Array.from({ length: n }, item);
    switch (this.int(3)) {
      case 0:
        return `[${items.join(", ")}]`;
      case 1:
        return n === 0 ? "set()" : `{${items.join(", ")}}`;
      default:
        return `{${items.map((v, i) => `${JSON.stringify(this.pick(STRINGS) + i)}: ${v}`).join(", ")}}`;
    }
  }
  numberList(): string {
    return `[${Array.from({ length: 1 + this.int(4) }, () => (this.chance(0.3) ? this.pick(ARITH_INTS) : this.smallInt())).join(", ")}]`;
  }

  inputValue(): unknown {
    const nums = Array.from({ length: 1 + this.int(4) }, () => this.int(21) - 10);
    return {
      n: this.int(21) - 10,
      s: this.pick(STRINGS),
      xs: nums,
      obj: Object.fromEntries(nums.map((v, i) => [`k${i}`, v])),
      big: this.chance(0.5) ? 9007199254740991 : -9007199254740991,
      flag: this.chance(0.5),
    };
  }

  arithOperand(): string {
    return this.chance(0.8) ? this.pick(ARITH_INTS) : this.pick(ARITH_FLOATS);
  }
  /** A numeric expression over a small integer variable `v` whose result stays within int64. */
  numExpr(v: string): string {
    switch (this.int(9)) {
      case 0:
        return `${v} + ${this.arithOperand()}`;
      case 1:
        return `${v} - ${this.pick(ARITH_INTS)}`;
      case 2:
        return `${v} * ${this.smallInt()}`;
      case 3:
        return `abs(${v})`;
      case 4:
        return `${v} % ${this.pick(["3", "7", "-4"])}`;
      case 5:
        return `${this.pick(ARITH_INTS)} + ${this.pick(ARITH_INTS)}`;
      case 6:
        return `count(${this.collection()}) + ${v}`;
      case 7:
        return `${this.pick(["max", "min"])}([${v}, ${this.number()}, ${this.number()}])`;
      default:
        return `sum([${v}, ${this.arithOperand()}, ${this.arithOperand()}])`;
    }
  }
  cond(v: string): string {
    return `${v} ${this.pick(["==", "!=", "<", "<=", ">", ">="])} ${this.number()}`;
  }
  stringExpr(v: string): string {
    switch (this.int(8)) {
      case 0:
        return `concat("${this.pick(["", "-", "·"])}", [${v}, ${this.string()}])`;
      case 1:
        return `count(${v})`;
      case 2:
        return `startswith(${v}, ${this.string()})`;
      case 3:
        return `sprintf("%v/%d", [${v}, count(${v})])`;
      case 4:
        return `split(${v}, ${this.pick(['"."', '"-"', '""'])})`;
      case 5:
        return `substring(${v}, ${this.int(3)}, ${this.int(4) - 1})`;
      case 6:
        return `indexof(${v}, ${this.string()})`;
      default:
        return `${v} < ${this.string()}`;
    }
  }

  rule(pkgRules: string[], i: number): string {
    const name = `r${i}`;
    const prior = pkgRules.length > 0 ? this.pick(pkgRules) : undefined;
    pkgRules.push(name);
    switch (this.int(14)) {
      case 0:
        return `${name} := ${this.numExpr("input.n")}`;
      case 1:
        return `${name} contains x if {\n  some x in input.xs\n  ${this.cond("x")}\n}`;
      case 2:
        return `${name}[k] := v if {\n  some k, v in input.obj\n  ${this.cond("v")}\n}`;
      case 3:
        return `${name} := [y | some x in input.xs; y := ${this.numExpr("x")}]`;
      case 4:
        return `${name} := {y | some x in ${this.collection(0, 1)}; y := x}`;
      case 5:
        return `${name} := {k: count(v) | some k, v in {"a": ${this.collection()}, "b": ${this.collection()}}}`;
      case 6:
        return `${name} if {\n  every x in input.xs {\n    ${this.cond("x")}\n  }\n}`;
      case 7:
        return `f${i}(x) := ${this.numExpr("x")}\n${name} := [f${i}(x) | some x in ${this.numberList()}]`;
      case 8:
        return `default ${name} := ${this.scalar()}\n${name} := ${this.stringExpr("input.s")} if ${this.cond("input.n")}`;
      case 9:
        return `${name} := "neg" if {\n  input.n < 0\n} else := "zero" if {\n  input.n == 0\n} else := ${this.scalar()}`;
      case 10:
        return prior
          ? `${name} := y if {\n  y := ${prior} with input as ${JSON.stringify(this.inputValue())}\n}`
          : `${name} := ${this.collection()}`;
      case 11:
        return `${name} := ${this.stringExpr(this.string())}`;
      case 12:
        return `${name} contains x if {\n  some x in ${this.collection(0, 1)}\n  not ${this.pick(["is_null", "is_number", "is_string", "is_boolean", "is_set"])}(x)\n}`;
      default:
        return `${name} := ${this.collection()} == ${this.collection()}`;
    }
  }

  program(pkg: string): GeneratedProgram {
    const rules: string[] = [];
    const n = 2 + this.int(5);
    const body = Array.from({ length: n }, (_, i) => this.rule(rules, i));
    return { pkg, module: `package ${pkg}\n\n${body.join("\n\n")}\n`, input: this.inputValue() };
  }
}

/** `count` programs in packages `gen.p<first>...`, from `seed`. */
export function generatePrograms(seed: number, first: number, count: number): GeneratedProgram[] {
  const g = new Gen(random(seed));
  return Array.from({ length: count }, (_, i) => g.program(`gen.p${first + i}`));
}
