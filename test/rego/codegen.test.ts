/**
 * The codegen: module shape (imports, exports, ABI globals), determinism, statement semantics
 * from ir.ts, both SDK evaluation paths, host builtins, runtime errors and the memory cap.
 * Everything runs through the unmodified @open-policy-agent/opa-wasm SDK.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ABI_EXPORTS, emitWasm } from "../../src/rego/codegen/index.ts";
import type * as ir from "../../src/rego/ir.ts";
import { bool, local } from "../../src/rego/ir.ts";
import { Strings, errorText, load, policyOf, resultRow } from "./ir-helpers.ts";

/** The parts of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
interface WasmApi {
  Module: {
    new (bytes: Uint8Array): object;
    imports(m: object): { module: string; name: string; kind: string }[];
    exports(m: object): { name: string; kind: string }[];
  };
  Instance: new (m: object, imports: object) => object;
  Memory: new (d: { initial: number; maximum?: number }) => object;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A plan returning input.x + 1, and one returning data.d. */
function samplePolicy(): ir.Policy {
  const s = new Strings();
  const plus: ir.Stmt[] = [
    { type: "DotStmt", source: local(0), key: s.op("x"), target: 2 },
    { type: "MakeNumberRefStmt", index: s.index("1"), target: 3 },
    { type: "CallStmt", func: "plus", args: [local(2), local(3)], result: 4, loc: { file: 0, row: 3, col: 5 } },
    ...resultRow(s, 4, 5),
  ];
  const data: ir.Stmt[] = [{ type: "DotStmt", source: local(1), key: s.op("d"), target: 2 }, ...resultRow(s, 2, 3)];
  return policyOf({
    strings: s,
    plans: [
      { name: "t/plus", blocks: [{ stmts: plus }] },
      { name: "t/data", blocks: [{ stmts: data }] },
    ],
    builtins: ["plus"],
  });
}

describe("module shape", () => {
  it("imports only what the SDK offers and exports exactly the ABI", () => {
    const mod = new Wasm.Module(emitWasm(samplePolicy()));
    const imports = Wasm.Module.imports(mod);
    for (const imp of imports) {
      assert.equal(imp.module, "env");
      assert.match(imp.name, /^(memory|opa_abort|opa_println|opa_builtin[0-4])$/);
    }
    assert.ok(imports.some((i) => i.name === "memory" && i.kind === "memory"));
    const exports = Wasm.Module.exports(mod)
      .map((e) => e.name)
      .sort();
    assert.deepEqual(exports, [...ABI_EXPORTS, "opa_wasm_abi_version", "opa_wasm_abi_minor_version"].sort());
  });

  it("declares at most 5 pages of memory and no maximum", () => {
    // instantiating with a 5-page memory that cannot grow proves the minimum; a maximum larger
    // than the memory's would make instantiation fail for a growable memory, so try both
    const wasm = emitWasm(samplePolicy());
    const imports = (memory: object) => ({
      env: {
        memory,
        opa_abort: () => {},
        opa_builtin0: () => 0,
        opa_builtin1: () => 0,
        opa_builtin2: () => 0,
        opa_builtin3: () => 0,
        opa_builtin4: () => 0,
      },
    });
    new Wasm.Instance(new Wasm.Module(wasm), imports(new Wasm.Memory({ initial: 5, maximum: 5 })));
    new Wasm.Instance(new Wasm.Module(wasm), imports(new Wasm.Memory({ initial: 5, maximum: 60000 })));
  });

  it("is deterministic: the same IR gives the same bytes", () => {
    const a = emitWasm(samplePolicy());
    const b = emitWasm(samplePolicy());
    assert.deepEqual(Buffer.from(a), Buffer.from(b));
  });
});

describe("evaluation through the SDK", () => {
  it("returns [{result}] rows, [] when undefined, on both ABI paths", async () => {
    const policy = await load(samplePolicy());
    assert.deepEqual(policy.entrypoints, { "t/plus": 0, "t/data": 1 });
    assert.equal(policy.minorVersion, 2);
    for (const minor of [2, 1]) {
      policy.minorVersion = minor; // 1 makes the SDK use the eval-ctx path
      assert.deepEqual(policy.evaluate({ x: 41 }, "t/plus"), [{ result: 42 }]);
      assert.deepEqual(policy.evaluate({ x: 0.5 }, "t/plus"), [{ result: 1.5 }]);
      assert.deepEqual(policy.evaluate({ y: 1 }, "t/plus"), []);
      assert.deepEqual(policy.evaluate(undefined, "t/plus"), []);
      assert.deepEqual(policy.evaluate({ x: "a" }, "t/plus"), []); // builtin type error: undefined
      policy.setData({ d: { k: [1, "two"] } });
      assert.deepEqual(policy.evaluate({}, "t/data"), [{ result: { k: [1, "two"] } }]);
      assert.deepEqual(policy.evaluate({ x: 1 }, 0), [{ result: 2 }]);
    }
  });

  it("aborts with OPA's message, location and rule in strict mode, and stays usable", async () => {
    const policy = await load(samplePolicy(), { strictBuiltinErrors: true });
    assert.equal(
      errorText(() => policy.evaluate({ x: "a" }, "t/plus")),
      "test.rego:3: eval_type_error: plus: operand 1 must be number but got string (in entrypoint t/plus)",
    );
    assert.deepEqual(policy.evaluate({ x: 1 }, "t/plus"), [{ result: 2 }]);
  });
});

describe("statements", () => {
  it("scan, not, break and block statements follow ir.ts", async () => {
    const s = new Strings();
    // result = [k for k, v in input.m if v != 2 and not v == 3]; a break out of a nested block
    // inside the scan body abandons only that iteration
    const body: ir.Stmt[] = [
      { type: "MakeNumberIntStmt", value: 2, target: 6 },
      { type: "NotEqualStmt", a: local(5), b: local(6) },
      {
        type: "NotStmt",
        block: {
          stmts: [
            { type: "MakeNumberIntStmt", value: 3, target: 7 },
            { type: "EqualStmt", a: local(5), b: local(7) },
          ],
        },
      },
      {
        type: "BlockStmt",
        blocks: [
          {
            stmts: [
              { type: "MakeNumberIntStmt", value: 4, target: 8 },
              { type: "NotEqualStmt", a: local(5), b: local(8) },
              { type: "BreakStmt", index: 1 },
            ],
          },
        ],
      },
      { type: "ArrayAppendStmt", value: local(4), array: 3 },
    ];
    const stmts: ir.Stmt[] = [
      { type: "MakeArrayStmt", capacity: 0, target: 3 },
      { type: "DotStmt", source: local(0), key: s.op("m"), target: 2 },
      { type: "ScanStmt", source: 2, key: 4, value: 5, block: { stmts: body } },
      ...resultRow(s, 3, 9),
    ];
    const policy = await load(policyOf({ strings: s, plans: [{ name: "p", blocks: [{ stmts }] }] }));
    // values 1 and 5 break out (iteration abandoned), 2 fails NotEqual, 3 fails the not, 4 is kept
    assert.deepEqual(policy.evaluate({ m: { a: 1, b: 2, c: 3, d: 4, e: 5 } }), [{ result: ["d"] }]);
    assert.deepEqual(policy.evaluate({ m: [4, 4] }), [{ result: [0, 1] }]);
    assert.deepEqual(policy.evaluate({ m: "scalar" }), [{ result: [] }]);
  });

  it("functions: memoised rules, arguments, undefined results, conflicts", async () => {
    const s = new Strings();
    const files = ["rules.rego"];
    // rule(input, data) = input.v (complete rule: conflicts if two bodies disagree)
    const rule: ir.Func = {
      name: "g0.data.t.rule",
      params: [0, 1],
      return: 2,
      blocks: [
        {
          stmts: [
            { type: "DotStmt", source: local(0), key: s.op("v"), target: 3 },
            { type: "AssignVarOnceStmt", source: local(3), target: 2 },
          ],
        },
        {
          stmts: [
            { type: "DotStmt", source: local(0), key: s.op("w"), target: 3 },
            { type: "AssignVarOnceStmt", source: local(3), target: 2, loc: { file: 0, row: 7, col: 1 } },
          ],
        },
        { stmts: [{ type: "ReturnLocalStmt", source: 2 }] },
      ],
    };
    // double(input, data, x) = x * 2
    const double: ir.Func = {
      name: "g0.data.t.double",
      params: [0, 1, 2],
      return: 3,
      blocks: [
        {
          stmts: [
            { type: "MakeNumberIntStmt", value: 2, target: 4 },
            { type: "CallStmt", func: "mul", args: [local(2), local(4)], result: 5 },
            { type: "AssignVarOnceStmt", source: local(5), target: 3, conflict: "function" },
          ],
        },
        { stmts: [{ type: "ReturnLocalStmt", source: 3 }] },
      ],
    };
    const stmts: ir.Stmt[] = [
      { type: "CallStmt", func: rule.name, args: [local(0), local(1)], result: 2 },
      { type: "CallStmt", func: rule.name, args: [local(0), local(1)], result: 3 },
      { type: "CallStmt", func: double.name, args: [local(0), local(1), local(3)], result: 4 },
      ...resultRow(s, 4, 5),
    ];
    const policy = await load(
      policyOf({
        strings: s,
        plans: [{ name: "p", blocks: [{ stmts }] }],
        funcs: [rule, double],
        builtins: ["mul"],
        files,
      }),
    );
    assert.deepEqual(policy.evaluate({ v: 21 }), [{ result: 42 }]);
    assert.deepEqual(policy.evaluate({ v: 3, w: 3 }), [{ result: 6 }]);
    assert.deepEqual(policy.evaluate({}), []);
    assert.equal(
      errorText(() => policy.evaluate({ v: 1, w: 2 })),
      "rules.rego:7: eval_conflict_error: rule data.t.rule produced conflicting values",
    );
  });

  it("with replaces a local (or a path in it) for its block and restores it", async () => {
    const s = new Strings();
    const stmts: ir.Stmt[] = [
      { type: "MakeNumberIntStmt", value: 7, target: 2 },
      {
        type: "WithStmt",
        local: 0,
        path: [s.index("a"), s.index("b")],
        value: local(2),
        block: {
          stmts: [
            { type: "DotStmt", source: local(0), key: s.op("a"), target: 3 },
            { type: "DotStmt", source: local(3), key: s.op("b"), target: 4 },
            { type: "DotStmt", source: local(0), key: s.op("keep"), target: 5 },
          ],
        },
      },
      { type: "MakeArrayStmt", capacity: 3, target: 6 },
      { type: "ArrayAppendStmt", value: local(4), array: 6 },
      { type: "ArrayAppendStmt", value: local(5), array: 6 },
      { type: "ArrayAppendStmt", value: local(0), array: 6 },
      ...resultRow(s, 6, 7),
    ];
    const policy = await load(policyOf({ strings: s, plans: [{ name: "p", blocks: [{ stmts }] }] }));
    const input = { a: 1, keep: true };
    assert.deepEqual(policy.evaluate(input), [{ result: [7, true, input] }]);
  });

  it("object insert once conflicts, merges, sets, results as a set of rows", async () => {
    const s = new Strings();
    const stmts: ir.Stmt[] = [
      { type: "MakeObjectStmt", target: 2 },
      { type: "DotStmt", source: local(0), key: s.op("k1"), target: 3 },
      { type: "DotStmt", source: local(0), key: s.op("k2"), target: 4 },
      { type: "ObjectInsertOnceStmt", key: s.op("k"), value: local(3), object: 2, loc: { file: 0, row: 2, col: 1 } },
      { type: "ObjectInsertOnceStmt", key: s.op("k"), value: local(4), object: 2, loc: { file: 0, row: 3, col: 1 } },
      { type: "ObjectMergeStmt", a: 2, b: 0, target: 5 },
      { type: "MakeSetStmt", target: 6 },
      { type: "SetAddStmt", value: local(5), set: 6 },
      { type: "SetAddStmt", value: bool(true), set: 6 },
      { type: "SetAddStmt", value: local(5), set: 6 },
      ...resultRow(s, 6, 7),
      ...resultRow(s, 6, 8),
    ];
    const policy = await load(policyOf({ strings: s, plans: [{ name: "p", blocks: [{ stmts }] }] }));
    assert.deepEqual(policy.evaluate({ k1: 1, k2: 1 }), [{ result: [true, { k: 1, k1: 1, k2: 1 }] }]);
    assert.equal(
      errorText(() => policy.evaluate({ k1: 1, k2: 2 })),
      "test.rego:3: eval_conflict_error: object keys must be unique (in entrypoint p)",
    );
  });
});

describe("host builtins", () => {
  it("declares them in builtins(), dispatches through opa_builtinN, caches arity-0 calls per evaluation", async () => {
    const s = new Strings();
    const stmts: ir.Stmt[] = [
      { type: "CallStmt", func: "time.now_ns", args: [], result: 2 },
      { type: "CallStmt", func: "time.now_ns", args: [], result: 3 },
      { type: "DotStmt", source: local(0), key: s.op("doc"), target: 4 },
      { type: "CallStmt", func: "yaml.is_valid", args: [local(4)], result: 5 },
      { type: "MakeArrayStmt", capacity: 3, target: 6 },
      { type: "ArrayAppendStmt", value: local(2), array: 6 },
      { type: "ArrayAppendStmt", value: local(3), array: 6 },
      { type: "ArrayAppendStmt", value: local(5), array: 6 },
      ...resultRow(s, 6, 7),
    ];
    const ir = policyOf({
      strings: s,
      plans: [{ name: "p", blocks: [{ stmts }] }],
      builtins: ["time.now_ns", "yaml.is_valid"],
    });
    const policy = await load(ir);
    const [row] = policy.evaluate({ doc: "a: 1\n---\nb: 2\n" }) as { result: [number, number, boolean] }[];
    assert.equal(row!.result[0], row!.result[1]);
    assert.ok(Math.abs(row!.result[0] / 1e6 - Date.now()) < 60_000);
    assert.equal(row!.result[2], true);
  });
});

describe("memory", () => {
  it("stops a runaway evaluation at the heap limit with a clear error", async () => {
    const s = new Strings();
    // doubles an array 40 times: 2^40 elements
    const grow: ir.Stmt[] = [];
    grow.push(
      { type: "MakeArrayStmt", capacity: 1, target: 2 },
      { type: "ArrayAppendStmt", value: bool(true), array: 2 },
    );
    for (let i = 0; i < 40; i++)
      grow.push({ type: "CallStmt", func: "array.concat", args: [local(2), local(2)], result: 2 });
    grow.push(...resultRow(s, 2, 3));
    const policy = await load(
      policyOf({ strings: s, plans: [{ name: "p", blocks: [{ stmts: grow }] }], builtins: ["array.concat"] }),
      {
        heapLimitBytes: 64 * 1024 * 1024,
      },
    );
    assert.match(
      errorText(() => policy.evaluate({})),
      /out of memory/,
    );
  });
});
