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

/** Coverage builds export the address of their coverage bytes (one per `Policy.coverage` line) as this global. */
export const COVERAGE_EXPORT = "tollgate_coverage";

/** Compiles a planned policy to a module the OPA Wasm SDK loads. */
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

/** What the emit stages share: each reads what earlier stages left and adds its part. */
interface EmitState {
  readonly m: Module;
  readonly policy: ir.Policy;
  readonly options: EmitOptions;
  /** The runtime's exports by name. */
  readonly exports: Map<string, { kind: number; internal: string }>;
  readonly placeholders: Placeholders;
  /** Runtime data: merged into one segment placed first; the policy's data follows it. */
  readonly runtimeData: { start: number; end: number; bytes: Uint8Array };
  readonly data: DataBuilder;
  /** Set by assignIds: builtins dispatched to the host, by id. */
  hostIds: Map<string, number>;
  /** Set by assignIds: the policy's functions by IR name. */
  funcNames: Map<string, { name: string; params: number }>;
  /** Set by assignIds: a memo slot for each function of two parameters (a rule). */
  memoSlots: Map<string, number>;
  /** Set by assignIds: the address of the coverage bytes, in coverage builds. */
  coverageAddr?: number;
  /** Set by lowerFunctions: the globals caching host builtin results. */
  hostCaches: string[];
  /** The functions generated here (what `optimize` works on). */
  generated: string[];
  /** Set by setRuntimeConstants: where the heap starts, after all static data. */
  heapBase?: number;
}

interface EmitStage {
  readonly name: string;
  readonly run: (state: EmitState) => void;
}

/** The stages of `emit`, in the order they run. */
export const EMIT_STAGES: readonly EmitStage[] = [
  { name: "assignIds", run: assignIds },
  { name: "lowerFunctions", run: lowerFunctions },
  { name: "defineRunPlan", run: defineRunPlan },
  { name: "setRuntimeConstants", run: setRuntimeConstants },
  { name: "layOutMemory", run: layOutMemory },
  { name: "exportAbi", run: exportAbi },
  { name: "validate", run: validate },
  { name: "optimize", run: optimize },
];

function emit(m: Module, policy: ir.Policy, options: EmitOptions): Uint8Array {
  const runtimeData = readRuntimeData(m);
  const state: EmitState = {
    m,
    policy,
    options,
    exports: exportsOf(m),
    placeholders: findPlaceholders(m),
    runtimeData,
    data: new DataBuilder(align(runtimeData.end, 8)),
    hostIds: new Map(),
    funcNames: new Map(),
    memoSlots: new Map(),
    hostCaches: [],
    generated: [],
  };
  for (const stage of EMIT_STAGES) stage.run(state);
  return m.emitBinary();
}

function globalName(s: EmitState, name: string): string {
  const e = s.exports.get(name);
  if (!e || e.kind !== binaryen.ExternalGlobal) throw new Error(`internal: runtime global ${name} missing`);
  return e.internal;
}

function rtName(s: EmitState, name: string): string {
  const e = s.exports.get(name);
  if (!e) throw new Error(`internal: runtime function ${name} missing`);
  return e.internal;
}

/** Builtins: native when the runtime exports b_<name>, else dispatched to the host; function names, memo slots. */
function assignIds(s: EmitState): void {
  const { policy } = s;
  for (const b of policy.static.builtinFuncs) {
    if (!s.exports.has(nativeExportName(b.name))) s.hostIds.set(b.name, s.hostIds.size);
  }
  policy.funcs.forEach((f, i) => {
    if (s.funcNames.has(f.name)) throw new Error(`internal: duplicate function ${f.name}`);
    s.funcNames.set(f.name, { name: `policy_func_${i}`, params: f.params.length });
  });
  for (const f of policy.funcs) if (f.params.length === 2) s.memoSlots.set(f.name, s.memoSlots.size);
  if (policy.coverage) s.coverageAddr = s.data.raw(new Uint8Array(Math.max(policy.coverage.length, 1)));
}

/** The policy's functions and plans as binaryen functions. */
function lowerFunctions(s: EmitState): void {
  const { m, policy } = s;
  const declared = new Set(policy.static.builtinFuncs.map((b) => b.name));
  const env: LoweringEnv = {
    module: m,
    data: s.data,
    ...(s.coverageAddr === undefined ? {} : { coverage: s.coverageAddr }),
    strings: policy.static.strings,
    files: policy.static.files,
    rt: (name) => rtName(s, name),
    native(builtin) {
      if (!declared.has(builtin)) return undefined;
      const e = s.exports.get(nativeExportName(builtin));
      if (!e) return undefined;
      const info = binaryen.getFunctionInfo(m.getFunction(e.internal));
      return { name: e.internal, arity: binaryen.expandType(info.params).length };
    },
    hostId: (builtin) => s.hostIds.get(builtin),
    func: (name) => s.funcNames.get(name),
    pathFuncs: policy.funcs.filter((f) => f.path).map((f) => ({ path: f.path!, name: s.funcNames.get(f.name)!.name })),
    memoSlot: (name) => s.memoSlots.get(name),
    errorLocation: { file: globalName(s, "errFile"), row: globalName(s, "errRow") },
    hostCache(id) {
      const name = `host_cache_${id}`;
      if (!s.hostCaches.includes(name)) {
        m.addGlobal(name, binaryen.i32, true, m.i32.const(0));
        s.hostCaches.push(name);
      }
      return name;
    },
  };
  policy.funcs.forEach((f) => {
    const name = s.funcNames.get(f.name)!.name;
    new FunctionLowerer(env, f.params, f.blocks).lowerFunc(f, name);
    s.generated.push(name);
  });
  policy.plans.forEach((p, i) => {
    const name = `policy_plan_${i}`;
    new FunctionLowerer(env, [0, 1], p.blocks).lowerPlan(p, name);
    s.generated.push(name);
  });
}

/** run_plan(entrypoint, input, data): initialise memoisation, dispatch on the entrypoint id. */
function defineRunPlan(s: EmitState): void {
  const { m } = s;
  const runPlan = s.placeholders.functions.get("run_plan");
  if (!runPlan) throw new Error("internal: runtime has no run_plan import");
  m.removeFunction(runPlan);
  const i32 = binaryen.i32;
  const cases: number[] = s.policy.plans.map((_, i) =>
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
      m.call(rtName(s, "rt_memo_init"), [m.i32.const(s.memoSlots.size)], binaryen.none),
      ...s.hostCaches.map((g) => m.global.set(g, m.i32.const(0))),
      ...cases,
      m.call(rtName(s, "rt_illegal_entrypoint"), [], binaryen.none),
      m.unreachable(),
    ]),
  );
  s.generated.push(runPlan);
}

/** The runtime's placeholder globals (tollgate.*): heap bounds, the builtins() and entrypoints() JSON texts. */
function setRuntimeConstants(s: EmitState): void {
  const { m, data, options } = s;
  const builtinsJson = JSON.stringify(Object.fromEntries([...s.hostIds].map(([name, id]) => [hostName(name), id])));
  const entrypointsJson = JSON.stringify(Object.fromEntries(s.policy.plans.map((p, i) => [p.name, i])));
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
  for (const [base, internal] of s.placeholders.globals) {
    const value = constants[base];
    if (value === undefined) throw new Error(`internal: unknown runtime global import tollgate.${base}`);
    m.removeGlobal(internal);
    m.addGlobal(internal, binaryen.i32, false, m.i32.const(value));
  }
  s.heapBase = heapBase;
}

/** Memory: runtime data and policy data as one segment each, imported as env.memory. */
function layOutMemory(s: EmitState): void {
  const { m } = s;
  // + 8: the runtime reads strings 8 bytes at a time (mem.ts SLACK), also the last static one
  const pages = Math.ceil((s.heapBase! + 8) / PAGE);
  if (pages > MAX_INITIAL_PAGES) {
    throw new Error(`policy static data needs ${pages} pages of memory; at most ${MAX_INITIAL_PAGES} are allowed`);
  }
  // Loads and stores refer to the memory by its internal name: keep the runtime's.
  const memoryName = s.exports.get("memory")?.internal;
  if (!memoryName) throw new Error("internal: runtime does not export its memory");
  m.removeExport("memory");
  m.setMemory(
    pages,
    -1,
    "memory",
    [
      { data: s.runtimeData.bytes, offset: m.i32.const(s.runtimeData.start), passive: false },
      { data: s.data.bytes(), offset: m.i32.const(s.data.base), passive: false },
    ],
    false,
    false,
    memoryName,
  );
  m.addMemoryImport(memoryName, "env", "memory", false);
}

/** Exports: exactly the ABI, its version, and the coverage bytes' address in coverage builds. */
function exportAbi(s: EmitState): void {
  const { m } = s;
  const i32 = binaryen.i32;
  for (const name of s.exports.keys()) {
    if (!ABI_EXPORTS.includes(name) && name !== "memory") m.removeExport(name);
  }
  m.addGlobal("opa_wasm_abi_version", i32, false, m.i32.const(ABI_VERSION));
  m.addGlobal("opa_wasm_abi_minor_version", i32, false, m.i32.const(ABI_MINOR_VERSION));
  m.addGlobalExport("opa_wasm_abi_version", "opa_wasm_abi_version");
  m.addGlobalExport("opa_wasm_abi_minor_version", "opa_wasm_abi_minor_version");
  if (s.coverageAddr !== undefined) {
    m.addGlobal(COVERAGE_EXPORT, i32, false, m.i32.const(s.coverageAddr));
    m.addGlobalExport(COVERAGE_EXPORT, COVERAGE_EXPORT);
  }
}

function validate(s: EmitState): void {
  if (!s.m.validate()) throw new Error("internal: generated module does not validate");
}

/** binaryen's -O2 on the generated functions when asked; unused runtime code is removed always. */
function optimize(s: EmitState): void {
  if (s.options.optimize === true) {
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(1);
    for (const name of s.generated) s.m.optimizeFunction(name);
  }
  s.m.runPasses(["remove-unused-module-elements"]);
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
