/**
 * IR -> Wasm. The prebuilt runtime module (../runtime) is read with binaryen; the policy's plans
 * and functions are added as binaryen IR; the runtime's placeholder imports (tollgate.*) are
 * replaced by definitions; exports are pruned to OPA's Wasm ABI; unused runtime code is removed
 * and the generated functions are optimised. The same IR always gives the same bytes.
 */

import { hostName } from "../builtins/host.ts";
import type * as ir from "../ir.ts";
import { runtimeWasm } from "../runtime/load.ts";
import binaryen, { type Module } from "./binaryen.ts";
import { DataBuilder } from "./data.ts";
import { FunctionLowerer, type LoweringEnv } from "./lower.ts";

export interface EmitOptions {
  /** Evaluation aborts with "out of memory" when the heap would grow beyond this (default 1 GiB). */
  readonly heapLimitBytes?: number;
  /**
   * Run binaryen's -O2 function passes on the generated code (default false: it triples compile
   * time and did not measurably speed up evaluation, which is dominated by runtime calls).
   */
  readonly optimize?: boolean;
  /**
   * Builtin errors (type errors, divide by zero, ...) abort evaluation, like OPA's
   * strict-builtin-errors. Default false: as in OPA, such a call is undefined instead.
   */
  readonly strictBuiltinErrors?: boolean;
}

/** Exports the OPA Wasm ABI (1.2) defines; everything else is removed. */
export const ABI_EXPORTS: readonly string[] = [
  "opa_malloc",
  "opa_free",
  "opa_heap_ptr_get",
  "opa_heap_ptr_set",
  "opa_json_parse",
  "opa_value_parse",
  "opa_json_dump",
  "opa_value_dump",
  "builtins",
  "entrypoints",
  "opa_eval_ctx_new",
  "opa_eval_ctx_set_input",
  "opa_eval_ctx_set_data",
  "opa_eval_ctx_set_entrypoint",
  "opa_eval_ctx_get_result",
  "eval",
  "opa_eval",
  "opa_value_add_path",
  "opa_value_remove_path",
  "memory",
];

const ABI_VERSION = 1;
const ABI_MINOR_VERSION = 2;
/** The SDK instantiates with 5 pages of memory by default; static data must fit below that. */
const MAX_INITIAL_PAGES = 5;
const PAGE = 65536;
const DEFAULT_HEAP_LIMIT = 1024 * 1024 * 1024;

const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.MutableGlobals |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt;

/** Compiles a planned policy to a module the OPA Wasm SDK loads. */
/** Coverage builds export the address of their coverage bytes (one per `Policy.coverage` line) as this global. */
export const COVERAGE_EXPORT = "tollgate_coverage";

export function emitWasm(policy: ir.Policy, options: EmitOptions = {}): Uint8Array {
  const m = binaryen.readBinary(runtimeWasm());
  try {
    m.setFeatures(FEATURES);
    return emit(m, policy, options);
  } finally {
    m.dispose();
  }
}

interface Placeholders {
  functions: Map<string, string>; // tollgate.<base> -> internal name
  globals: Map<string, string>;
}

function findPlaceholders(m: Module): Placeholders {
  const functions = new Map<string, string>();
  const globals = new Map<string, string>();
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module === "tollgate" && info.base) functions.set(info.base, info.name);
  }
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const info = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
    if (info.module === "tollgate" && info.base) globals.set(info.base, info.name);
  }
  return { functions, globals };
}

function exportsOf(m: Module): Map<string, { kind: number; internal: string }> {
  const out = new Map<string, { kind: number; internal: string }>();
  for (let i = 0; i < m.getNumExports(); i++) {
    const info = binaryen.getExportInfo(m.getExportByIndex(i));
    out.set(info.name, { kind: info.kind, internal: info.value });
  }
  return out;
}

function emit(m: Module, policy: ir.Policy, options: EmitOptions): Uint8Array {
  const exports = exportsOf(m);
  const placeholders = findPlaceholders(m);

  // Runtime data: merged into one segment placed first; the policy's data follows it.
  const runtimeData = readRuntimeData(m);
  const data = new DataBuilder(align(runtimeData.end, 8));

  const globalName = (name: string): string => {
    const e = exports.get(name);
    if (!e || e.kind !== binaryen.ExternalGlobal) throw new Error(`internal: runtime global ${name} missing`);
    return e.internal;
  };
  const rtName = (name: string): string => {
    const e = exports.get(name);
    if (!e) throw new Error(`internal: runtime function ${name} missing`);
    return e.internal;
  };

  // Builtins: native when the runtime exports b_<name>, else dispatched to the host.
  const hostIds = new Map<string, number>();
  for (const b of policy.static.builtinFuncs) {
    if (!exports.has(nativeExportName(b.name))) hostIds.set(b.name, hostIds.size);
  }
  const funcNames = new Map<string, { name: string; params: number }>();
  policy.funcs.forEach((f, i) => {
    if (funcNames.has(f.name)) throw new Error(`internal: duplicate function ${f.name}`);
    funcNames.set(f.name, { name: `policy_func_${i}`, params: f.params.length });
  });
  const memoSlots = new Map<string, number>();
  for (const f of policy.funcs) if (f.params.length === 2) memoSlots.set(f.name, memoSlots.size);

  const declared = new Set(policy.static.builtinFuncs.map((b) => b.name));
  const hostCaches: string[] = [];
  const coverageAddr = policy.coverage ? data.raw(new Uint8Array(Math.max(policy.coverage.length, 1))) : undefined;
  const env: LoweringEnv = {
    module: m,
    data,
    ...(coverageAddr === undefined ? {} : { coverage: coverageAddr }),
    strings: policy.static.strings,
    files: policy.static.files,
    rt: rtName,
    native(builtin) {
      if (!declared.has(builtin)) return undefined;
      const e = exports.get(nativeExportName(builtin));
      if (!e) return undefined;
      const info = binaryen.getFunctionInfo(m.getFunction(e.internal));
      return { name: e.internal, arity: binaryen.expandType(info.params).length };
    },
    hostId: (builtin) => hostIds.get(builtin),
    func: (name) => funcNames.get(name),
    pathFuncs: policy.funcs.filter((f) => f.path).map((f) => ({ path: f.path!, name: funcNames.get(f.name)!.name })),
    memoSlot: (name) => memoSlots.get(name),
    errorLocation: { file: globalName("errFile"), row: globalName("errRow") },
    hostCache(id) {
      const name = `host_cache_${id}`;
      if (!hostCaches.includes(name)) {
        m.addGlobal(name, binaryen.i32, true, m.i32.const(0));
        hostCaches.push(name);
      }
      return name;
    },
  };

  const generated: string[] = [];
  policy.funcs.forEach((f) => {
    const name = funcNames.get(f.name)!.name;
    new FunctionLowerer(env, f.params, f.blocks).lowerFunc(f, name);
    generated.push(name);
  });
  policy.plans.forEach((p, i) => {
    const name = `policy_plan_${i}`;
    new FunctionLowerer(env, [0, 1], p.blocks).lowerPlan(p, name);
    generated.push(name);
  });

  // run_plan(entrypoint, input, data): initialise memoisation, dispatch on the entrypoint id.
  const runPlan = placeholders.functions.get("run_plan");
  if (!runPlan) throw new Error("internal: runtime has no run_plan import");
  m.removeFunction(runPlan);
  const i32 = binaryen.i32;
  const cases: number[] = policy.plans.map((_, i) =>
    m.if(
      m.i32.eq(m.local.get(0, i32), m.i32.const(i)),
      m.return(m.call(`policy_plan_${i}`, [m.local.get(1, i32), m.local.get(2, i32)], i32)),
    ),
  );
  m.addFunction(
    runPlan,
    binaryen.createType([i32, i32, i32]),
    i32,
    [],
    m.block(null, [
      m.call(rtName("rt_memo_init"), [m.i32.const(memoSlots.size)], binaryen.none),
      ...hostCaches.map((g) => m.global.set(g, m.i32.const(0))),
      ...cases,
      m.call(rtName("rt_illegal_entrypoint"), [], binaryen.none),
      m.unreachable(),
    ]),
  );
  generated.push(runPlan);

  // builtins() and entrypoints() parse these JSON texts.
  const builtinsJson = JSON.stringify(Object.fromEntries([...hostIds].map(([name, id]) => [hostName(name), id])));
  const entrypointsJson = JSON.stringify(Object.fromEntries(policy.plans.map((p, i) => [p.name, i])));
  const enc = new TextEncoder();
  const bj = enc.encode(builtinsJson);
  const ej = enc.encode(entrypointsJson);
  const bjAddr = data.raw(bj);
  const ejAddr = data.raw(ej);

  const heapBase = align(data.end, 8);
  const heapLimit = options.heapLimitBytes ?? DEFAULT_HEAP_LIMIT;
  if (heapLimit < heapBase + PAGE || heapLimit > 0xffff0000) throw new Error(`heap limit out of range: ${heapLimit}`);
  const constants: Record<string, number> = {
    heap_base: heapBase,
    heap_limit: heapLimit,
    builtins_json: bjAddr,
    builtins_json_len: bj.byteLength,
    entrypoints_json: ejAddr,
    entrypoints_json_len: ej.byteLength,
    strict_builtin_errors: options.strictBuiltinErrors ? 1 : 0,
  };
  for (const [base, internal] of placeholders.globals) {
    const value = constants[base];
    if (value === undefined) throw new Error(`internal: unknown runtime global import tollgate.${base}`);
    m.removeGlobal(internal);
    m.addGlobal(internal, i32, false, m.i32.const(value));
  }

  // Memory: runtime data and policy data as one segment each, imported as env.memory.
  // + 8: the runtime reads strings 8 bytes at a time (mem.ts SLACK), also the last static one
  const pages = Math.ceil((heapBase + 8) / PAGE);
  if (pages > MAX_INITIAL_PAGES) {
    throw new Error(`policy static data needs ${pages} pages of memory; at most ${MAX_INITIAL_PAGES} are allowed`);
  }
  // Loads and stores refer to the memory by its internal name: keep the runtime's.
  const memoryName = exports.get("memory")?.internal;
  if (!memoryName) throw new Error("internal: runtime does not export its memory");
  m.removeExport("memory");
  m.setMemory(
    pages,
    -1,
    "memory",
    [
      { data: runtimeData.bytes, offset: m.i32.const(runtimeData.start), passive: false },
      { data: data.bytes(), offset: m.i32.const(data.base), passive: false },
    ],
    false,
    false,
    memoryName,
  );
  m.addMemoryImport(memoryName, "env", "memory", false);

  // Exports: exactly the ABI.
  for (const name of exports.keys()) {
    if (!ABI_EXPORTS.includes(name) && name !== "memory") m.removeExport(name);
  }
  m.addGlobal("opa_wasm_abi_version", i32, false, m.i32.const(ABI_VERSION));
  m.addGlobal("opa_wasm_abi_minor_version", i32, false, m.i32.const(ABI_MINOR_VERSION));
  m.addGlobalExport("opa_wasm_abi_version", "opa_wasm_abi_version");
  m.addGlobalExport("opa_wasm_abi_minor_version", "opa_wasm_abi_minor_version");
  if (coverageAddr !== undefined) {
    m.addGlobal(COVERAGE_EXPORT, i32, false, m.i32.const(coverageAddr));
    m.addGlobalExport(COVERAGE_EXPORT, COVERAGE_EXPORT);
  }

  if (!m.validate()) throw new Error("internal: generated module does not validate");

  if (options.optimize === true) {
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(1);
    for (const name of generated) m.optimizeFunction(name);
  }
  m.runPasses(["remove-unused-module-elements"]);
  return m.emitBinary();
}

/** The runtime export implementing builtin `name`: b_ + name with "." written "__". */
export function nativeExportName(name: string): string {
  return `b_${name.replaceAll(".", "__")}`;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Data segment accessors of binaryen.js that its type declarations do not list. */
interface DataSegmentApi {
  getNumDataSegments(): number;
  getDataSegmentByIndex(index: number): number;
  getDataSegmentInfo(segment: number): { offset: number; data: ArrayBuffer; passive: boolean };
}

function readRuntimeData(module: Module): { start: number; end: number; bytes: Uint8Array } {
  const m = module as unknown as DataSegmentApi;
  const segs: { offset: number; data: Uint8Array }[] = [];
  for (let i = 0; i < m.getNumDataSegments(); i++) {
    const info = m.getDataSegmentInfo(m.getDataSegmentByIndex(i));
    if (info.passive) throw new Error("internal: passive data segment in runtime");
    segs.push({ offset: info.offset, data: new Uint8Array(info.data) });
  }
  if (segs.length === 0) return { start: 1024, end: 1024, bytes: new Uint8Array(0) };
  const start = Math.min(...segs.map((s) => s.offset));
  const end = Math.max(...segs.map((s) => s.offset + s.data.byteLength));
  const bytes = new Uint8Array(end - start);
  for (const s of segs) bytes.set(s.data, s.offset - start);
  return { start, end, bytes };
}
