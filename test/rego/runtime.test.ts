/**
 * The runtime's value model and native builtins, exercised through hand-written IR compiled by
 * emitWasm and evaluated by the unmodified OPA Wasm SDK. Expected values follow OPA (Go).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callBuiltin } from "./ir-helpers.ts";

async function expectCall(name: string, args: unknown[], want: unknown): Promise<void> {
  assert.deepEqual(
    await callBuiltin(name, args),
    want,
    `${name}(${args.map((a) => JSON.stringify(a instanceof Set ? [...a] : a)).join(", ")})`,
  );
}

async function expectStrictError(name: string, args: unknown[], message: string): Promise<void> {
  await assert.rejects(
    () => callBuiltin(name, args, true),
    (e: unknown) => typeof e === "string" && e.includes(message),
    `${name} should fail with ${message}`,
  );
  // non-strict: the call is undefined, as in OPA by default
  assert.equal(await callBuiltin(name, args, false), undefined);
}

describe("numbers", () => {
  it("keeps integer arithmetic exact and falls back to floats", async () => {
    await expectCall("plus", [1, 2], 3);
    await expectCall("plus", [0.5, 0.25], 0.75);
    // beyond 2^53: exact as integers (input as JSON text so JavaScript does not round it)
    assert.equal(await callBuiltin("format_int", [0, 10], false, "[9007199254740993, 10]"), "9007199254740993");
    assert.equal(await callBuiltin("sprintf", ["", []], false, '["%d", [9223372036854775807]]'), "9223372036854775807");
    await expectCall("mul", [3, 4], 12);
    await expectCall("div", [10, 4], 2.5);
    await expectCall("div", [10, 5], 2);
    await expectCall("rem", [7, 4], 3);
    await expectCall("rem", [-7, 4], -3);
    await expectCall("abs", [-4], 4);
    await expectCall("round", [2.5], 3);
    await expectCall("round", [-2.5], -3);
    await expectCall("ceil", [1.2], 2);
    await expectCall("floor", [-1.001], -2);
  });

  it("reports arithmetic errors like OPA", async () => {
    await expectStrictError("div", [1, 0], "eval_builtin_error: div: divide by zero");
    await expectStrictError("rem", [1, 0], "rem: modulo by zero");
    await expectStrictError("plus", [1, "a"], "eval_type_error: plus: operand 2 must be number but got string");
    await expectStrictError("minus", [new Set([1]), 1], "minus: operand 2 must be set but got number");
  });

  it("formats numbers like Go: exact literal text, integers, shortest floats", async () => {
    await expectCall("format_int", [255, 16], "ff");
    await expectCall("format_int", [-10.9, 2], "-1010");
    await expectCall("sprintf", ["%v %v %v", [1, 2.5, 1e21]], "1 2.5 1e+21");
    await expectCall("json.marshal", [[0.1, 100, 1.5e-7]], "[0.1,100,1.5e-7]");
    await expectCall("to_number", ["12.50"], 12.5);
    await expectCall("to_number", [true], 1);
    await expectCall("to_number", [null], 0);
    await expectStrictError("to_number", ["x1"], 'to_number: strconv.ParseFloat: parsing "x1": invalid syntax');
  });

  it("ranges", async () => {
    await expectCall("numbers.range", [1, 4], [1, 2, 3, 4]);
    await expectCall("numbers.range", [2, -1], [2, 1, 0, -1]);
    await expectStrictError(
      "numbers.range",
      [1, 1.5],
      "numbers.range: operand 2 must be integer number but got floating-point number",
    );
  });
});

describe("comparison and order", () => {
  it("orders values across types like Rego", async () => {
    const mixed = [{ a: 1 }, "b", [1], 2, null, true, false, "a", 1.5, [0, 9]];
    await expectCall("sort", [mixed], [null, false, true, 1.5, 2, "a", "b", [0, 9], [1], { a: 1 }]);
    await expectCall("lt", [1, 1.5], true);
    await expectCall("equal", [1, 1.0], true);
    await expectCall(
      "neq",
      [
        [1, { a: 2 }],
        [1, { a: 2 }],
      ],
      false,
    );
    await expectCall("gte", ["b", "a"], true);
    await expectCall("max", [new Set([3, 1, 2])], 3);
    await expectCall("min", [[3, 1, 2]], 1);
    assert.equal(await callBuiltin("max", [[]]), undefined);
  });

  it("compares strings bytewise at every length and position (8-byte steps)", async () => {
    const base = "abcdefghijklmnopqrstu";
    for (let n = 0; n <= base.length; n++) {
      const a = base.slice(0, n);
      await expectCall("equal", [a, a], true);
      if (n > 0) await expectCall("equal", [a, a.slice(0, -1)], false);
      for (let i = 0; i < n; i++) {
        const b = `${a.slice(0, i)}\u0000${a.slice(i + 1)}`;
        await expectCall("equal", [a, b], false);
        await expectCall("lt", [b, a], true);
        await expectCall("sort", [[a, b, a.slice(0, i)]], [a.slice(0, i), b, a]);
      }
    }
  });
});

describe("aggregates", () => {
  it("counts code points, elements and keys", async () => {
    await expectCall("count", ["héllo"], 5);
    await expectCall("count", [[1, 2]], 2);
    await expectCall("count", [{ a: 1 }], 1);
    await expectCall("sum", [[1, 2, 3.5]], 6.5);
    await expectCall("product", [new Set([2, 3])], 6);
    await expectStrictError(
      "count",
      [1],
      "count: operand 1 must be one of {array, object, set, string} but got number",
    );
  });
});

describe("strings", () => {
  it("implements the string builtins with Go semantics", async () => {
    await expectCall("concat", ["-", ["a", "b", "c"]], "a-b-c");
    await expectCall("concat", [",", new Set(["b", "a"])], "a,b");
    await expectCall("split", ["a,b,,c", ","], ["a", "b", "", "c"]);
    await expectCall("split", ["añb", ""], ["a", "ñ", "b"]);
    await expectCall("replace", ["aaa", "a", "bb"], "bbbbbb");
    await expectCall("strings.replace_n", [{ a: "1", ab: "2" }, "abab"], "1b1b");
    await expectCall("substring", ["héllo", 1, 3], "éll");
    await expectCall("substring", ["abc", 1, -1], "bc");
    await expectCall("indexof", ["héllo", "l"], 2);
    await expectCall("indexof", ["abc", "z"], -1);
    await expectCall("lower", ["ÀBC"], "àbc");
    await expectCall("upper", ["straße"], "STRAßE");
    await expectCall("trim", ["xxhixx", "x"], "hi");
    await expectCall("trim_left", ["xxhi", "x"], "hi");
    await expectCall("trim_right", ["hixx", "x"], "hi");
    await expectCall("trim_prefix", ["prefix-x", "prefix-"], "x");
    await expectCall("trim_suffix", ["x.rego", ".rego"], "x");
    await expectCall("trim_space", ["\t a b \n"], "a b");
    await expectCall("startswith", ["abc", "ab"], true);
    await expectCall("endswith", ["abc", "bc"], true);
    await expectCall("contains", ["abc", "d"], false);
    await expectCall("strings.reverse", ["añb"], "bña");
    await expectCall("strings.count", ["cheese", "e"], 3);
    await expectCall("strings.any_prefix_match", [["a/b", "c/d"], "c/"], true);
  });

  it("sprintf follows Go's fmt", async () => {
    await expectCall("sprintf", ["%s is %d years", ["Bob", 42]], "Bob is 42 years");
    await expectCall("sprintf", ["%.2f|%5.1f|%-4d|%04d", [1.23456, 2.25, 7, 42]], "1.23|  2.2|7   |0042");
    await expectCall("sprintf", ["%x %X %o %b", [255, 255, 8, 5]], "ff FF 10 101");
    await expectCall("sprintf", ["%q %v", ['a"b', [1, "x", { k: true }]]], '"a\\"b" [1, "x", {"k": true}]');
    assert.equal(
      await callBuiltin("sprintf", ["", []], false, '["%s", [123456789123456789123]]'),
      "123456789123456789123",
    );
    await expectCall("sprintf", ["%e %g", [123456.789, 0.000012]], "1.234568e+05 1.2e-05");
    await expectCall("sprintf", ["%d %s", ["x", 5]], "%!d(string=x) %!s(int=5)");
    await expectCall("sprintf", ["%d", []], "%!d(MISSING)");
    await expectCall("sprintf", ["a", [1]], "a%!(EXTRA int=1)");
  });
});

describe("collections", () => {
  it("objects", async () => {
    await expectCall("object.get", [{ a: { b: 1 } }, ["a", "b"], 0], 1);
    await expectCall("object.get", [{ a: 1 }, "z", "dflt"], "dflt");
    await expectCall("object.keys", [{ b: 1, a: 2 }], ["a", "b"]);
    await expectCall(
      "object.union",
      [
        { a: { x: 1 }, b: 1 },
        { a: { y: 2 }, b: 2 },
      ],
      { a: { x: 1, y: 2 }, b: 2 },
    );
    await expectCall("object.union_n", [[{ a: 1 }, { b: 2 }, { a: 3 }]], { a: 3, b: 2 });
    await expectCall("object.remove", [{ a: 1, b: 2, c: 3 }, ["a", "c"]], { b: 2 });
    await expectCall("object.filter", [{ a: 1, b: 2 }, new Set(["a"])], { a: 1 });
    await expectCall("json.remove", [{ a: { b: 1, c: 2 }, d: 3 }, ["a/b", "d"]], { a: { c: 2 } });
    await expectCall("json.filter", [{ a: { b: 1, c: 2 }, d: 3 }, ["a/b"]], { a: { b: 1 } });
    await expectStrictError("object.union", [[], {}], "object.union: operand 1 must be object but got array");
  });

  it("arrays and sets", async () => {
    await expectCall("array.concat", [[1], [2, 3]], [1, 2, 3]);
    await expectCall("array.slice", [[1, 2, 3, 4], 1, 3], [2, 3]);
    await expectCall("array.slice", [[1, 2], -5, 9], [1, 2]);
    await expectCall("array.reverse", [[1, 2, 3]], [3, 2, 1]);
    await expectCall("array.flatten", [[[1], 2, [3, [4]]]], [1, 2, 3, [4]]);
    await expectCall("and", [new Set([1, 2, 3]), new Set([2, 3, 4])], [2, 3]);
    await expectCall("or", [new Set([3]), new Set([1])], [1, 3]);
    await expectCall("minus", [new Set([1, 2]), new Set([2])], [1]);
    await expectCall("internal.member_2", [2, [1, 2]], true);
    await expectCall("internal.member_3", ["k", 1, { k: 1 }], true);
  });

  it("walk visits every path in order", async () => {
    await expectCall(
      "walk",
      [{ a: [1] }],
      [
        [[], { a: [1] }],
        [["a"], [1]],
        [["a", 0], 1],
      ],
    );
  });
});

describe("types and encodings", () => {
  it("type checks", async () => {
    await expectCall("type_name", [new Set()], "set");
    await expectCall("is_number", [1], true);
    await expectCall("is_string", [1], false);
    await expectCall("is_object", [{}], true);
  });

  it("json and base64", async () => {
    await expectCall("json.marshal", [{ b: [1, "<x>"], a: null }], '{"a":null,"b":[1,"\\u003cx\\u003e"]}');
    await expectCall("json.unmarshal", ['{"a":[1,2.50,"\\u00e9"]}'], { a: [1, 2.5, "é"] });
    await expectCall("json.is_valid", ["{"], false);
    await expectCall("base64.encode", ["héllo"], "aMOpbGxv");
    await expectCall("base64.decode", ["aMOpbGxv"], "héllo");
    await expectCall("base64url.encode", ["\u00ff\u00fe"], "w7_Dvg==");
    await expectCall("base64url.decode", ["w7_Dvg"], "\u00ff\u00fe");
    await expectCall("base64.is_valid", ["a"], false);
    await expectStrictError("base64.decode", ["a!"], "base64.decode: illegal base64 data at input byte 1");
  });
});

describe("JSON in and out", () => {
  async function identity() {
    const { Strings, load, policyOf, resultRow } = await import("./ir-helpers.ts");
    const s = new Strings();
    return load(policyOf({ strings: s, plans: [{ name: "id", blocks: [{ stmts: resultRow(s, 0, 2) }] }] }));
  }

  it("round-trips strings, escapes, unicode and numbers", async () => {
    const policy = await identity();
    const value = {
      s: 'a"b\\c\n\t\u0001 héllo ✓ 🎉 \u2028',
      n: [0, -1, 1.5, 1e-7, 123456789, -0.25, 1e300],
      e: [{}, [], ""],
      k: { z: 1, a: 2, "": 3, é: 4 },
    };
    assert.deepEqual(policy.evaluate(value, "id"), [{ result: value }]);
    // numbers beyond f64 precision and decimals with trailing zeros (their exact text is kept:
    // see the sprintf and format_int cases; JavaScript's JSON.parse rounds them here)
    const raw = new TextEncoder().encode('{"big": 123456789123456789123456789, "dec": 1.10}').buffer as ArrayBuffer;
    policy.setData({});
    const rows = policy.evaluate(raw, "id") as { result: { big: number; dec: number } }[];
    assert.equal(rows[0]!.result.dec, 1.1);
    assert.equal(rows[0]!.result.big, Number("123456789123456789123456789"));
  });

  it("sorts object keys bytewise whatever their order and size; the last duplicate key wins", async () => {
    const policy = await identity();
    // keys sharing 8-byte prefixes, prefixes of each other, shorter than 8 bytes, non-ASCII
    const keys = [
      "configuration_b",
      "configuration_a",
      "configuration",
      "configur",
      "config",
      "a",
      "ab",
      "a\u0000",
      "",
      "é",
      "zz",
      "z",
    ];
    for (let i = 0; i < 30; i++) keys.push(`key${(i * 7919) % 30}`);
    for (const n of [3, 12, 16, 17, keys.length]) {
      const obj = Object.fromEntries(keys.slice(0, n).map((k, i) => [k, i]));
      const [row] = policy.evaluate(obj, "id") as { result: Record<string, number> }[];
      assert.deepEqual(row!.result, obj);
      const bytewise = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
      assert.deepEqual(Object.keys(row!.result), Object.keys(obj).sort(bytewise), `${n} keys in order`);
    }
    const raw = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
    assert.deepEqual(policy.evaluate(raw('{"b": 1, "a": 2, "b": 3, "a": 4, "c": 5}'), "id"), [
      { result: { a: 4, b: 3, c: 5 } },
    ]);
    const many = Array.from({ length: 40 }, (_, i) => `"k${i % 20}": ${i}`).join(", ");
    const want = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i + 20]));
    assert.deepEqual(policy.evaluate(raw(`{${many}}`), "id"), [{ result: want }]);
  });

  it("reads JSON numbers to the same double as JavaScript", async () => {
    const texts = [
      "0.1",
      "0.3",
      "1.5",
      "-2.25",
      "4.35",
      "123.456",
      "0.000001",
      "1e22",
      "1e23",
      "-1E-22",
      "1.0e+2",
      "9007199254740.993",
    ];
    texts.push(
      "123456789012345e-22",
      "1.7976931348623157e308",
      "5e-324",
      "2.2250738585072014e-308",
      "0.30000000000000004",
    );
    texts.push(
      "1.0000000000000002",
      "3.141592653589793",
      "0.1e1",
      "100000000000000000000000.5",
      "12345678901234567890.5e-3",
    );
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 300; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      texts.push(
        i % 3 === 0 ? x.toExponential(Math.floor(random() * 17)) : x.toPrecision(1 + Math.floor(random() * 17)),
      );
    }
    for (const text of texts) {
      // x + 0 is computed from the double the runtime read (printed as the shortest text)
      assert.equal(await callBuiltin("plus", [0, 0], false, `[${text}, 0]`), Number(text), text);
    }
  });

  it("reads object members right after the object changes", async () => {
    const { Strings, load, policyOf, resultRow } = await import("./ir-helpers.ts");
    const { local } = await import("../../src/rego/ir.ts");
    const s = new Strings();
    const stmts: import("../../src/rego/ir.ts").Stmt[] = [
      { type: "MakeObjectStmt", target: 2 },
      { type: "MakeArrayStmt", capacity: 4, target: 3 },
      { type: "MakeNumberIntStmt", value: 1, target: 4 },
      { type: "ObjectInsertStmt", key: s.op("m"), value: local(4), object: 2 },
      { type: "DotStmt", source: local(2), key: s.op("m"), target: 5 },
      { type: "ArrayAppendStmt", value: local(5), array: 3 },
      // keys inserted before "m" move it
      { type: "ObjectInsertStmt", key: s.op("a"), value: local(4), object: 2 },
      { type: "ObjectInsertStmt", key: s.op("b"), value: local(4), object: 2 },
      { type: "MakeNumberIntStmt", value: 2, target: 4 },
      { type: "ObjectInsertStmt", key: s.op("m"), value: local(4), object: 2 },
      { type: "DotStmt", source: local(2), key: s.op("m"), target: 5 },
      { type: "ArrayAppendStmt", value: local(5), array: 3 },
      // a replaced value is read fresh
      { type: "MakeNumberIntStmt", value: 3, target: 4 },
      { type: "ObjectInsertStmt", key: s.op("m"), value: local(4), object: 2 },
      { type: "DotStmt", source: local(2), key: s.op("m"), target: 5 },
      { type: "ArrayAppendStmt", value: local(5), array: 3 },
      // the input's members, read twice
      { type: "DotStmt", source: local(0), key: s.op("x"), target: 5 },
      { type: "ArrayAppendStmt", value: local(5), array: 3 },
      { type: "DotStmt", source: local(0), key: s.op("x"), target: 5 },
      { type: "ArrayAppendStmt", value: local(5), array: 3 },
      ...resultRow(s, 3, 6),
    ];
    const policy = await load(policyOf({ strings: s, plans: [{ name: "p", blocks: [{ stmts }] }] }));
    // evaluations in a row reuse the same addresses for different values
    assert.deepEqual(policy.evaluate({ x: "one", y: 1 }, "p"), [{ result: [1, 2, 3, "one", "one"] }]);
    assert.deepEqual(policy.evaluate({ w: 0, x: "two" }, "p"), [{ result: [1, 2, 3, "two", "two"] }]);
    assert.deepEqual(policy.evaluate({ x: ["three"] }, "p"), [{ result: [1, 2, 3, ["three"], ["three"]] }]);
  });

  it("rejects invalid JSON input and data", async () => {
    const policy = await identity();
    const bad = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
    assert.match(
      errorTextOf(() => policy.evaluate(bad('{"a": }'), "id")),
      /invalid input: not valid JSON/,
    );
    assert.match(
      errorTextOf(() => policy.evaluate(bad(`${"[".repeat(2000)}${"]".repeat(2000)}`), "id")),
      /not valid JSON/,
    );
    assert.match(
      errorTextOf(() => policy.setData(bad("{'a': 1}"))),
      /failed to parse json value/,
    );
    const invalid = [
      "[1,]",
      '{"a":1,}',
      '{"a" 1}',
      '{"a":1}}',
      "[1 2]",
      "tru",
      "nul",
      "fals",
      '"abc',
      '"a\u0001"',
      "01",
      "-",
      "1.",
      "1e",
      '"\\uZZZZ"',
      '"\\q"',
      "{1:2}",
      "[",
      "{",
      "",
    ];
    for (const text of invalid) {
      const t = text === "" ? " " : text;
      assert.match(
        errorTextOf(() => policy.evaluate(bad(t), "id")),
        /not valid JSON/,
        t,
      );
    }
    const spaced = ' \n { "a" :\t[ 1 , true , false , null , "" , { } , [ ] ] ,"b":-0.5e+1 } \r\n';
    assert.deepEqual(policy.evaluate(bad(spaced), "id"), [
      { result: { a: [1, true, false, null, "", {}, []], b: -5 } },
    ]);
  });
});

function errorTextOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return typeof e === "string" ? e : e instanceof Error ? e.message : JSON.stringify(e);
  }
  return "(no error)";
}
